"""Bar charts drawn on the server as inline SVG: no script, no outside library, no inline style
(the pages' Content-Security-Policy), and the same figures in a table beside each chart.

``bar_chart`` draws one row per ``Bar``: its label, then two horizontal bars — the number of
awards (red) and their money (blue), each scaled to the largest of its kind, with its figure
written after it. A bar that has a link is a link (the whole row: label, bars and figures), named
by its ``<title>``: the label and figures in one sentence (also the tooltip). The SVG has a
``<title>`` and a ``<desc>``; it scales to the width of its box (``figure.chart svg`` in
``static/tdkt.css``): 400 units wide, 400 px at most.

Pure functions: text in, markup out (escaped here).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from domain.money import format_dong

WIDTH = 400
BAR_MAX = 236  # the longest bar; its figure is written after it ("12.345 khen thưởng")
ROW = 70  # height of one row: label, count bar, money bar
LEGEND = 30
INK, MUTED = "#1f2937", "#374151"
COUNT_COLOUR, MONEY_COLOUR = "#b91c1c", "#1d4ed8"  # both ≥ 6:1 on white
LABEL_CHARS = 42  # a longer label is cut (with "…"); the table beside gives it whole


@dataclass(frozen=True)
class Bar:
    label: str
    lines: int  # awards (lines in force)
    amount: int | None  # their money (None: no line states an amount)
    href: str | None = None
    lines_without_amount: int = 0
    dashboard_href: str | None = None  # a unit's bar: its own dashboard, linked from the table

    @property
    def lines_text(self) -> str:
        return f"{count_text(self.lines)} khen thưởng"

    @property
    def amount_text(self) -> str:
        """The money; "0 đ" when there is no award at all (no line to state an amount)."""
        return format_dong(self.amount if self.lines else 0, "không ghi số tiền")

    @property
    def summary(self) -> str:
        """"Năm 2024: 12 khen thưởng, 68.640.000 đ" — a bar's accessible name."""
        return f"{self.label}: {self.lines_text}, {self.amount_text}"


def count_text(n: int) -> str:
    """1234 → "1.234" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _cut(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _length(value: int, largest: int) -> float:
    if value <= 0 or largest <= 0:
        return 0.0
    return max(BAR_MAX * value / largest, 2.0)  # a small figure still shows


def _text(x: float, y: float, text: str, size: int = 14, fill: str = INK,
          weight: str | None = None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}"{bold}>'
            f"{escape(text)}</text>")


def bar_chart(chart_id: str, title: str, description: str, bars: list[Bar]) -> Markup:
    """An SVG of the bars (see the module's note); ``chart_id`` makes its ids unique."""
    height = LEGEND + ROW * max(len(bars), 1) + 4
    most_lines = max((b.lines for b in bars), default=0)
    most_money = max((b.amount or 0 for b in bars), default=0)
    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}"'
        f' height="{height}" role="group" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        # the legend
        f'<rect x="0" y="6" width="12" height="12" fill="{COUNT_COLOUR}"/>',
        _text(18, 17, "Số khen thưởng", 14, MUTED),
        f'<rect x="150" y="6" width="12" height="12" fill="{MONEY_COLOUR}"/>',
        _text(168, 17, "Số tiền", 14, MUTED),
    ]
    if not bars:
        parts.append(_text(0, LEGEND + 20, "Không có số liệu.", 14, MUTED))
    for i, bar in enumerate(bars):
        top = LEGEND + ROW * i
        count_w = _length(bar.lines, most_lines)
        money_w = _length(bar.amount or 0, most_money)
        row = [
            _text(0, top + 16, _cut(bar.label), 16, INK, "600"),
            f'<rect x="0" y="{top + 23}" width="{count_w:.1f}" height="15"'
            f' fill="{COUNT_COLOUR}"/>',
            _text(count_w + 6, top + 36, bar.lines_text, 15, MUTED),
            f'<rect x="0" y="{top + 42}" width="{money_w:.1f}" height="15"'
            f' fill="{MONEY_COLOUR}"/>',
            _text(money_w + 6, top + 55, bar.amount_text, 15, MUTED),
        ]
        if bar.href:
            amount = "" if bar.amount is None else str(bar.amount)
            # named by its <title> (SVG-AAM), which holds every word the row shows, in order
            parts.append(
                f'<a href="{escape(bar.href)}" class="bar-link" data-lines="{bar.lines}"'
                f' data-amount="{amount}">'
                f"<title>{escape(bar.summary)} — xem trong sổ khen thưởng</title>"
                # a transparent box: the whole row answers a click, not only the ink
                f'<rect x="0" y="{top}" width="{WIDTH}" height="{ROW - 4}" fill="#ffffff"'
                ' fill-opacity="0"/>'
                + "".join(row) + "</a>")
        else:
            parts.append("<g>" + "".join(row) + "</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def chart(chart_id: str, title: str, description: str, bars: list[Bar],
          note: str = "") -> dict[str, Any]:
    """What a page shows of a chart: its title, the SVG, the bars (for the table beside it)
    and a note under it."""
    return {"id": chart_id, "title": title, "svg": bar_chart(chart_id, title, description, bars),
            "bars": bars, "note": note}
