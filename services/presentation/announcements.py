"""The words of announced figures and of their reconciliation with the decisions.

The comparison is the domain's (``domain.announcements``: what agrees with "đúng", "ít nhất",
"khoảng"); here each comparison becomes what people read, the same in the API, the pages and the
spreadsheets:

* "Công bố 40 tập thể; các quyết định cho 38 tập thể: ít hơn 2."
* "Công bố 73.640.000 đ; các quyết định cho 68.640.000 đ: ít hơn 5.000.000 đ."
* "Công bố ít nhất 30 cá nhân; các quyết định cho 38 cá nhân: phù hợp với «ít nhất» (nhiều hơn
  8)."
* "Công bố khoảng 100.000.000 đ; các quyết định cho 96.500.000 đ: phù hợp với «khoảng» (lệch
  3,5%)."
* "Công bố khoảng 100.000.000 đ; các quyết định cho 80.000.000 đ: ít hơn 20.000.000 đ (lệch
  20%), ngoài mức «khoảng» (±10%)."

And the outside body that hosts a ceremony, with its labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.announcements import (
    ABOUT,
    ABOUT_TOLERANCE,
    AMOUNT,
    AT_LEAST,
    COLLECTIVES,
    EXACT,
    FIGURES,
    HOUSEHOLDS,
    INDIVIDUALS,
    LINES,
    AnnouncedFigure,
    Comparison,
    compare_all,
)
from domain.catalog import BODY_LABELS, catalog
from domain.errors import DomainError
from domain.money import format_dong

# What a figure is, as a form or a table row names it.
FIGURE_LABELS = {AMOUNT: "Tổng số tiền", COLLECTIVES: "Số tập thể", INDIVIDUALS: "Số cá nhân",
                 HOUSEHOLDS: "Số hộ gia đình", LINES: "Số lượt khen thưởng"}
# What a count counts, after its number: "40 tập thể", "120 lượt khen thưởng".
COUNT_UNITS = {COLLECTIVES: "tập thể", INDIVIDUALS: "cá nhân", HOUSEHOLDS: "hộ gia đình",
               LINES: "lượt khen thưởng"}
QUALIFIER_LABELS = {EXACT: "đúng", AT_LEAST: "ít nhất", ABOUT: "khoảng"}
TOLERANCE_TEXT = f"±{int(ABOUT_TOLERANCE * 100)}%"
# The qualifier as a form offers it: what the source's words map to.
QUALIFIER_CHOICES = {
    EXACT: "Đúng (số chính xác)",
    AT_LEAST: "Ít nhất, hơn",
    ABOUT: f"Khoảng, gần ({TOLERANCE_TEXT})",
}
QUALIFIER_PREFIXES = {EXACT: "", AT_LEAST: "ít nhất ", ABOUT: "khoảng "}  # before a figure
_PREFIX = QUALIFIER_PREFIXES


def number_text(value: int) -> str:
    """A count with dots between thousands: "1.250"."""
    return f"{value:,}".replace(",", ".")


def quantity_text(what: str, value: int) -> str:
    """"73.640.000 đ", "40 tập thể", "120 lượt khen thưởng"."""
    if what == AMOUNT:
        return format_dong(value)
    return f"{number_text(value)} {COUNT_UNITS[what]}"


def gap_text(what: str, value: int) -> str:
    """A difference: money with its sign "đ", a count bare ("ít hơn 2")."""
    return format_dong(value) if what == AMOUNT else number_text(value)


def announced_text(figure: AnnouncedFigure) -> str:
    """"khoảng 100.000.000 đ", "ít nhất 30 cá nhân", "40 tập thể"."""
    return _PREFIX[figure.qualifier] + quantity_text(figure.what, figure.value)


def computed_text(what: str, computed: int | None) -> str:
    if what == AMOUNT and computed is None:
        return "không quyết định nào ghi số tiền"
    return quantity_text(what, computed or 0)


def percent_text(permille: int) -> str:
    """Tenths of a percent, Vietnamese style: 35 → "3,5%", 200 → "20%"."""
    whole, tenth = divmod(permille, 10)
    return f"{number_text(whole)}{f',{tenth}' if tenth else ''}%"


def verdict_text(c: Comparison) -> str:
    """What the comparison says, after the colon."""
    what, qualifier, d = c.figure.what, c.figure.qualifier, c.difference
    more_or_less = ("ít hơn " if d > 0 else "nhiều hơn ") + gap_text(what, abs(d))
    deviation = (f"lệch {percent_text(c.deviation_permille)}"
                 if c.deviation_permille is not None else "")
    if qualifier == EXACT:
        return "khớp" if d == 0 else more_or_less
    if qualifier == AT_LEAST:
        if not c.agrees:
            return f"{more_or_less}, không đạt mức «ít nhất»"
        return "phù hợp với «ít nhất»" + (f" ({more_or_less})" if d else "")
    if c.agrees:
        return "phù hợp với «khoảng»" + (f" ({deviation})" if d else " (khớp)")
    detail = f" ({deviation})" if deviation else ""
    return f"{more_or_less}{detail}, ngoài mức «khoảng» ({TOLERANCE_TEXT})"


def sentence(c: Comparison) -> str:
    """"Công bố 40 tập thể; các quyết định cho 38 tập thể: ít hơn 2."."""
    return (f"Công bố {announced_text(c.figure)}; các quyết định cho "
            f"{computed_text(c.figure.what, c.computed)}: {verdict_text(c)}.")


def comparison(c: Comparison) -> dict[str, Any]:
    """One announced figure beside what the decisions give, as the answers give it."""
    f = c.figure
    return {
        "what": f.what,
        "label": FIGURE_LABELS[f.what],
        "value": f.value,
        "qualifier": f.qualifier,
        "qualifier_label": QUALIFIER_LABELS[f.qualifier],
        "source": f.source,
        "announced_text": announced_text(f),
        "computed": c.computed,
        "computed_text": computed_text(f.what, c.computed),
        "difference": c.difference,
        "difference_text": gap_text(f.what, c.difference) if f.what != AMOUNT
        else format_dong(c.difference),
        "deviation_permille": c.deviation_permille,
        "deviation_text": (percent_text(c.deviation_permille)
                           if c.deviation_permille is not None else None),
        "status": c.status,
        "agrees": c.agrees,
        "sentence": sentence(c),
    }


def comparisons(figures: Iterable[AnnouncedFigure], totals: Mapping[str, Any]
                ) -> list[dict[str, Any]]:
    """Every announced figure against a totals dict (``domain.totals``), worded."""
    return [comparison(c) for c in compare_all(figures, totals)]


def figure_form(figures: Iterable[AnnouncedFigure]) -> dict[str, dict[str, Any]]:
    """The figures as a form shows them, by what they count, every figure present: the value
    as typed ("73.640.000"), the qualifier and the source ("" / exact when none)."""
    found = {f.what: f for f in figures}
    return {what: {"value": number_text(found[what].value) if what in found else "",
                   "qualifier": found[what].qualifier if what in found else EXACT,
                   "source": found[what].source if what in found else ""}
            for what in FIGURES}


def host_body(found: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """An outside host with its labels: "UBND tỉnh Thái Nguyên" (cơ quan nhà nước, cấp tỉnh)."""
    if not found:
        return None
    level = str(found.get("level") or "")
    try:
        level_name = catalog().level(level).name
    except DomainError:
        level_name = level
    body = str(found.get("body") or "")
    return {"body": body, "body_label": BODY_LABELS.get(body, body), "level": level,
            "level_name": level_name, "name": found.get("name") or ""}

