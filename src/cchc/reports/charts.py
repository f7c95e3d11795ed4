"""Server-rendered SVG charts: bars (vertical or horizontal, one or more series) and lines,
with axes, ticks and labels. No JavaScript, no CDN; colours are presentation attributes, not
inline styles, so the page's content security policy needs nothing extra. Each chart carries
a ``<title>`` and ``<desc>``; the pages show the numbers in a table beside it as well.
"""

from __future__ import annotations

import itertools
import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1e4e8c", "#b58100", "#9f1c1c", "#1d6b3a", "#6b4e9b", "#5b6170")
FONT = "Liberation Sans, Noto Sans, Arial, sans-serif"
_ids = itertools.count(1)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 x 10^k) giving about ``ticks`` intervals over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover


def _fmt(value: float, fmt: str) -> str:
    text = fmt.format(value)
    # Vietnamese decimals: a comma; thousands: a dot.
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def _tick(value: float, step: float) -> str:
    decimals = 0 if step >= 1 else 1 if step >= 0.1 else 2
    return _fmt(value, f"{{:,.{decimals}f}}")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _open(width: int, height: int, title: str, desc: str) -> tuple[list[str], str]:
    uid = f"chart{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{uid}-t {uid}-d" font-family="{FONT}" font-size="12">',
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    return parts, uid


def _legend(parts: list[str], names: list[str], x: float, y: float):
    if len(names) < 2:
        return
    for i, name in enumerate(names):
        parts.append(f'<rect x="{x}" y="{y + i * 16 - 9}" width="10" height="10" '
                     f'fill="{PALETTE[i % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14}" y="{y + i * 16}" fill="#1d1f23">{escape(name)}</text>')


def _summary(categories, series) -> str:
    lines = []
    for name, values in series:
        pairs = [f"{c}: {'—' if v is None else _fmt(v, '{:,.2f}').rstrip('0').rstrip(',')}"
                 for c, v in zip(categories, values, strict=False)]
        lines.append(f"{name}: " + "; ".join(pairs))
    return " | ".join(lines)


def bar_chart(categories: list[str], series: list[tuple[str, list]], *, title: str,
              y_label: str = "", horizontal: bool = False, width: int = 640, height: int | None = None,
              value_format: str = "{:,.0f}", max_value: float | None = None,
              integer: bool = False) -> SafeString:
    """Grouped bars; ``series`` = [(name, [value or None per category])]; ``integer``: counts
    (the axis steps by whole numbers)."""
    categories = [str(c) for c in categories]
    names = [str(name) for name, _v in series]
    values = [[None if v is None else float(v) for v in vals] for _n, vals in series]
    top = max([v for vals in values for v in vals if v is not None] + [0.0])
    top = max(top, max_value or 0.0) or (5.0 if integer else 1.0)
    step = nice_step(top)
    if integer:
        step = max(step, 1.0)
    axis_max = step * math.ceil(top / step)
    n = max(len(categories), 1)
    k = max(len(series), 1)
    if horizontal:
        height = height or 40 + n * (14 * k + 10) + 30
        left, right, top_pad, bottom = 190, 60, 16 + (16 * k if k > 1 else 0), 34
    else:
        height = height or 300
        left, right, top_pad, bottom = 56, 16 + (130 if k > 1 else 0), 18, 64
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    parts, _uid = _open(width, height, title, _summary(categories, series))
    ticks = int(round(axis_max / step))
    for t in range(ticks + 1):
        value = step * t
        if horizontal:
            x = left + plot_w * value / axis_max
            parts.append(f'<line x1="{x:.1f}" y1="{top_pad}" x2="{x:.1f}" y2="{top_pad + plot_h}" '
                         f'stroke="#d8dbe2"/>')
            parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                         f'fill="#5b6170">{escape(_tick(value, step))}</text>')
        else:
            y = top_pad + plot_h - plot_h * value / axis_max
            parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
                         f'stroke="#d8dbe2"/>')
            parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
                         f'fill="#5b6170">{escape(_tick(value, step))}</text>')
    band = (plot_h if horizontal else plot_w) / n
    bar = min(band * 0.8 / k, 40 if not horizontal else 14)
    for ci, category in enumerate(categories):
        start = band * ci + (band - bar * k) / 2
        for si, vals in enumerate(values):
            value = vals[ci] if ci < len(vals) else None
            if value is None:
                continue
            colour = PALETTE[si % len(PALETTE)]
            size = (plot_w if horizontal else plot_h) * value / axis_max
            label = escape(_fmt(value, value_format))
            if horizontal:
                y = top_pad + start + si * bar
                parts.append(f'<rect x="{left}" y="{y:.1f}" width="{size:.1f}" height="{bar:.1f}" '
                             f'fill="{colour}"><title>{escape(category)}: {label}</title></rect>')
                parts.append(f'<text x="{left + size + 4:.1f}" y="{y + bar - 3:.1f}" '
                             f'fill="#1d1f23">{label}</text>')
            else:
                x = left + start + si * bar
                y = top_pad + plot_h - size
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{size:.1f}" '
                             f'fill="{colour}"><title>{escape(category)}: {label}</title></rect>')
                if k == 1 or n * k <= 24:
                    parts.append(f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" '
                                 f'font-size="10" fill="#1d1f23">{label}</text>')
        if horizontal:
            y = top_pad + band * ci + band / 2 + 4
            parts.append(f'<text x="{left - 6}" y="{y:.1f}" text-anchor="end" fill="#1d1f23">'
                         f'<title>{escape(category)}</title>{escape(_short(category, 30))}</text>')
        else:
            x = left + band * ci + band / 2
            parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                         f'fill="#1d1f23">{escape(_short(category, 14))}</text>')
    # Axes.
    parts.append(f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#1d1f23"/>')
    parts.append(f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" '
                 f'y2="{top_pad + plot_h}" stroke="#1d1f23"/>')
    if y_label:
        if horizontal:
            parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                         f'fill="#5b6170">{escape(y_label)}</text>')
        else:
            parts.append(f'<text x="14" y="{top_pad + plot_h / 2:.1f}" text-anchor="middle" '
                         f'transform="rotate(-90 14 {top_pad + plot_h / 2:.1f})" fill="#5b6170">'
                         f'{escape(y_label)}</text>')
    if horizontal:
        _legend(parts, names, left, 14)
    else:
        _legend(parts, names, left + plot_w + 14, top_pad + 10)
    parts.append("</svg>")
    return mark_safe("".join(parts))


def line_chart(categories: list[str], series: list[tuple[str, list]], *, title: str,
               y_label: str = "", width: int = 640, height: int = 300, y_max: float | None = None,
               value_format: str = "{:,.1f}") -> SafeString:
    """Lines with a dot per value; a None value breaks the line."""
    categories = [str(c) for c in categories]
    names = [str(name) for name, _v in series]
    values = [[None if v is None else float(v) for v in vals] for _n, vals in series]
    top = y_max or max([v for vals in values for v in vals if v is not None] + [1.0])
    step = nice_step(top)
    axis_max = step * math.ceil(top / step)
    left, right, top_pad, bottom = 56, 16 + (130 if len(series) > 1 else 0), 18, 64
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    parts, _uid = _open(width, height, title, _summary(categories, series))
    for t in range(int(round(axis_max / step)) + 1):
        value = step * t
        y = top_pad + plot_h - plot_h * value / axis_max
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#d8dbe2"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#5b6170">'
                     f'{escape(_tick(value, step))}</text>')
    n = max(len(categories), 1)
    band = plot_w / n

    def point(ci, value):
        return left + band * ci + band / 2, top_pad + plot_h - plot_h * min(value, axis_max) / axis_max

    for ci, category in enumerate(categories):
        x = left + band * ci + band / 2
        parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 16}" text-anchor="middle" '
                     f'fill="#1d1f23">{escape(_short(category, 10))}</text>')
    for si, vals in enumerate(values):
        colour = PALETTE[si % len(PALETTE)]
        segment: list[str] = []
        runs = []
        for ci, value in enumerate(vals):
            if value is None:
                if segment:
                    runs.append(segment)
                segment = []
                continue
            x, y = point(ci, value)
            segment.append(f"{x:.1f},{y:.1f}")
        if segment:
            runs.append(segment)
        for run in runs:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"/>')
        for ci, value in enumerate(vals):
            if value is None:
                continue
            x, y = point(ci, value)
            label = escape(_fmt(value, value_format))
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                         f'<title>{escape(categories[ci])}: {label}</title></circle>')
            if len(series) == 1 and n <= 24:
                parts.append(f'<text x="{x:.1f}" y="{y - 7:.1f}" text-anchor="middle" font-size="10" '
                             f'fill="#1d1f23">{label}</text>')
    parts.append(f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#1d1f23"/>')
    parts.append(f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" '
                 f'stroke="#1d1f23"/>')
    if y_label:
        parts.append(f'<text x="14" y="{top_pad + plot_h / 2:.1f}" text-anchor="middle" '
                     f'transform="rotate(-90 14 {top_pad + plot_h / 2:.1f})" fill="#5b6170">'
                     f'{escape(y_label)}</text>')
    _legend(parts, names, left + plot_w + 14, top_pad + 10)
    parts.append("</svg>")
    return mark_safe("".join(parts))
