"""Server-rendered SVG chart of a plan's ranking (no JavaScript)."""

from django.utils.html import escape

BAR = 26
LABEL = 190
WIDTH = 640


def ranking_bars(rows, maximum: float = 100) -> str:
    height = BAR * max(len(rows), 1) + 30
    span = WIDTH - LABEL - 60
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
             f'role="img" font-family="sans-serif" font-size="13">']
    for i, row in enumerate(rows):
        y = 10 + i * BAR
        total = float(row["total"] or 0)
        width = span * min(total, maximum) / maximum if maximum else 0
        colour = "#2e7d32" if total >= 80 else "#ef6c00" if total >= 60 else "#c62828"
        parts.append(f'<text x="{LABEL - 8}" y="{y + 16}" text-anchor="end">'
                     f'{escape(row["unit"].name)}</text>')
        parts.append(f'<rect x="{LABEL}" y="{y + 3}" width="{width:.1f}" height="{BAR - 8}" '
                     f'fill="{colour}"><title>{total:.2f}</title></rect>')
        parts.append(f'<text x="{LABEL + width + 6:.1f}" y="{y + 16}">{total:.2f}</text>')
    parts.append("</svg>")
    return "".join(parts)
