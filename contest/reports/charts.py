"""Bar charts drawn on the server as SVG: no JavaScript, readable by screen readers (a title and
a description inside the SVG) and printable. Pure functions over (label, value) pairs; the page
puts the data table next to each chart."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 420
BAR = 22
GAP = 8
LABEL_WIDTH = 150
VALUE_WIDTH = 56


def bar_chart(chart_id: str, title: str, description: str,
              bars: Sequence[tuple[str, float, str]]) -> str:
    """A horizontal bar chart: one bar per (label, value, value as printed).

    The SVG scales to its container (viewBox) so it fits a 360-px phone as well as A4 paper.
    Values shown as "<5" are drawn as a hatched stub so no small count can be read off the bar.
    """
    height = max(1, len(bars)) * (BAR + GAP) + GAP
    top = max((v for _l, v, _t in bars), default=0) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{title_id} {desc_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    for i, (label, value, printed) in enumerate(bars):
        y = GAP + i * (BAR + GAP)
        length = 0.0 if printed.startswith("<") else span * max(0.0, value) / top
        short = label if len(label) <= 20 else label[:19] + "…"
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + BAR * 0.7:.1f}" text-anchor="end" '
                     f'font-size="13">{escape(short)}</text>')
        if printed.startswith("<"):
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="12" height="{BAR}" '
                         f'fill="#c9c2d6"/>')
        else:
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" '
                         f'height="{BAR}" fill="#6b3fa0"/>')
        parts.append(f'<text x="{LABEL_WIDTH + max(length, 12) + 6:.1f}" '
                     f'y="{y + BAR * 0.7:.1f}" font-size="13">{escape(printed)}</text>')
    parts.append("</svg>")
    return "".join(parts)
