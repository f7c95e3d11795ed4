"""Server-rendered SVG charts of inspection results (no JavaScript, no CDN).

- ``ranking_bars``: the total of each inspected unit of a plan (served as an image);
- ``area_bars``: one inspection, the score of each area against its maximum;
- ``area_comparison``: a plan, every unit's score in each area against the area's maximum.

Every chart carries a ``<title>`` and ``<desc>`` (the desc spells out every value), each bar
a tooltip, and the values are printed next to the bars; the pages show the same numbers in a
table. Colours are presentation attributes (no inline style), as in ``cchc.reports.charts``.
"""

import itertools

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BAR = 26
LABEL = 190
WIDTH = 640
FONT = "Liberation Sans, Noto Sans, Arial, sans-serif"
PALETTE = ("#1e4e8c", "#b58100", "#9f1c1c", "#1d6b3a", "#6b4e9b", "#5b6170")
TRACK = "#e4e7ec"
_ids = itertools.count(1)


def points(value) -> str:
    """12.5 -> "12,5" (Vietnamese decimal comma), 10 -> "10"."""
    text = f"{float(value or 0):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _colour(share: float) -> str:
    return "#2e7d32" if share >= 0.8 else "#ef6c00" if share >= 0.6 else "#c62828"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(width: int, height: int, title: str, desc: str) -> list[str]:
    uid = f"insp-chart{next(_ids)}"
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{uid}-t {uid}-d" font-family="{FONT}" '
        f'font-size="12">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]


def ranking_bars(rows, maximum: float = 100, title: str = "") -> str:
    height = BAR * max(len(rows), 1) + 30
    span = WIDTH - LABEL - 60
    title = title or _("Tổng điểm kiểm tra CCHC theo đơn vị")
    desc = "; ".join(f"{row['unit'].name}: {points(row['total'])}/{points(maximum)}"
                     for row in rows) or _("Chưa có dữ liệu.")
    parts = _open(WIDTH, height, title, desc)
    for i, row in enumerate(rows):
        y = 10 + i * BAR
        total = float(row["total"] or 0)
        width = span * min(total, maximum) / maximum if maximum else 0
        colour = _colour(total / maximum if maximum else 0)
        parts.append(f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end">'
                     f'{escape(row["unit"].name)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="{BAR - 8}" '
                     f'fill="{colour}"><title>{escape(row["unit"].name)}: {total:.2f}</title></rect>')
        parts.append(f'<text x="{LABEL + width + 6:.1f}" y="{y + 16}">{total:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)


def area_bars(areas: list[dict], *, title: str = "") -> SafeString:
    """``areas``: dicts with code, name, score (None: not collected yet) and max. Each area is
    a track as long as its maximum with the score drawn over it, so areas of different
    weight compare at a glance."""
    title = title or _("Điểm theo lĩnh vực so với điểm tối đa")
    top = max([float(a["max"] or 0) for a in areas] + [1.0])
    span = WIDTH - LABEL - 90
    height = BAR * max(len(areas), 1) + 20
    desc = "; ".join(
        f"{a['code']}. {a['name']}: "
        + (_("chưa chấm") if a["score"] is None else f"{points(a['score'])}/{points(a['max'])}")
        for a in areas) or _("Chưa có dữ liệu.")
    parts = _open(WIDTH, height, title, desc)
    for i, area in enumerate(areas):
        y = 10 + i * BAR
        maximum = float(area["max"] or 0)
        score = None if area["score"] is None else float(area["score"])
        label = f"{area['code']}. {area['name']}"
        track = span * maximum / top
        parts.append(f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end" fill="#1d1f23">'
                     f'<title>{escape(label)}</title>{escape(_short(label, 30))}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{track:.1f}" height="{BAR - 8}" '
                     f'fill="{TRACK}"/>')
        if score is None:
            value = _("chưa chấm")
        else:
            value = f"{points(score)} / {points(maximum)}"
            width = span * min(score, maximum) / top
            parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="{BAR - 8}" '
                         f'fill="{_colour(score / maximum if maximum else 0)}">'
                         f'<title>{escape(label)}: {escape(value)}</title></rect>')
        parts.append(f'<text x="{LABEL + track + 6:.1f}" y="{y + 16}" fill="#1d1f23">'
                     f'{escape(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def area_comparison(areas: list[dict], rows: list[dict], *, title: str = "") -> SafeString:
    """``areas``: dicts with code, name, max; ``rows``: dicts with unit (``.name``) and areas
    ({area code: score}). One group per area, one bar per unit, each scaled to the area's
    maximum (a full bar = full points), the value printed as "score/max"."""
    title = title or _("So sánh điểm theo lĩnh vực giữa các đơn vị")
    k = max(len(rows), 1)
    bar = 14
    group = k * (bar + 3) + 22
    legend = 18 * k + 8 if k > 1 else 0
    height = legend + group * max(len(areas), 1) + 10
    span = WIDTH - LABEL - 100
    lines = []
    for area in areas:
        values = ", ".join(
            f"{row['unit'].name} {points(row['areas'].get(area['code'], 0))}" for row in rows)
        lines.append(f"{area['code']}. {area['name']} ({_('tối đa')} {points(area['max'])}): "
                     f"{values}")
    parts = _open(WIDTH, height, title, "; ".join(lines) or _("Chưa có dữ liệu."))
    for si, row in enumerate(rows if k > 1 else []):
        y = 14 + si * 18
        parts.append(f'<rect x="{LABEL}" y="{y - 10}" width="12" height="12" '
                     f'fill="{PALETTE[si % len(PALETTE)]}"/>')
        parts.append(f'<text x="{LABEL + 18}" y="{y}" fill="#1d1f23">'
                     f'{escape(row["unit"].name)}</text>')
    for ai, area in enumerate(areas):
        top = legend + ai * group + 6
        maximum = float(area["max"] or 0)
        label = f"{area['code']}. {area['name']}"
        parts.append(f'<text x="{LABEL - 8}" y="{top + group / 2 - 4:.1f}" text-anchor="end" '
                     f'fill="#1d1f23"><title>{escape(label)}</title>'
                     f'{escape(_short(label, 30))}</text>')
        parts.append(f'<text x="{LABEL - 8}" y="{top + group / 2 + 10:.1f}" text-anchor="end" '
                     f'fill="#5b6170" font-size="10">{escape(_("tối đa"))} '
                     f'{escape(points(maximum))}</text>')
        for si, row in enumerate(rows):
            y = top + si * (bar + 3)
            score = float(row["areas"].get(area["code"], 0) or 0)
            width = span * min(score, maximum) / maximum if maximum else 0
            value = f"{points(score)}/{points(maximum)}"
            parts.append(f'<rect x="{LABEL}" y="{y:.1f}" width="{span}" height="{bar}" '
                         f'fill="{TRACK}"/>')
            parts.append(f'<rect x="{LABEL}" y="{y:.1f}" width="{width:.1f}" height="{bar}" '
                         f'fill="{PALETTE[si % len(PALETTE)]}"><title>{escape(label)} — '
                         f'{escape(row["unit"].name)}: {escape(value)}</title></rect>')
            parts.append(f'<text x="{LABEL + span + 6}" y="{y + bar - 3:.1f}" fill="#1d1f23">'
                         f'{escape(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
