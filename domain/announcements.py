"""Announced figures (số liệu công bố) and how they compare with what the decisions give.

Organisers announce figures at a ceremony, and newspapers repeat them: a money total
("Tổng số tiền khen thưởng là 73.640.000 đồng", "gần 100 triệu đồng") and counts ("40 tập thể",
"hơn 60 cá nhân", "120 lượt khen thưởng"). Each is recorded as an ``AnnouncedFigure``: what it
counts, its value, a qualifier and its source. Nothing forces it to agree with the decisions;
``compare`` says whether it does.

**What** (``FIGURES``): ``amount`` (integer đồng), ``individuals``, ``collectives``,
``households`` (distinct recipients of each kind) and ``lines`` (lượt khen thưởng: award lines
in force).

**Qualifiers** and when an announced figure *agrees* with the computed one (the decisions'):

* ``exact`` (đúng): the computed figure equals it;
* ``at_least`` (ít nhất, hơn): the computed figure is at least the announced one;
* ``about`` (khoảng, gần, hơn…): the computed figure is within ``ABOUT_TOLERANCE`` (10 %) of
  the announced one, either side: ``10 × |computed − announced| ≤ announced`` (integers only;
  "khoảng 0" agrees only with 0).

Otherwise the computed figure is ``fewer`` or ``more`` than the announcement allows. The
``difference`` is always announced − computed (as for the money total before: 73.640.000 đ
announced, 68.640.000 đ computed, difference 5.000.000 đ), and the deviation is
|difference| / announced in per mille (tenths of a percent), rounded **up** (so a figure outside
the tolerance never reads "10%").

Numbers only; the sentences ("Công bố 40 tập thể; các quyết định cho 38 tập thể: ít hơn 2.") are
the edge's (``services.presentation.announcements``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from domain.errors import AnnouncedFigureInvalid, AnnouncedFigureRepeated
from domain.text import nfc

AMOUNT, INDIVIDUALS, COLLECTIVES, HOUSEHOLDS, LINES = (
    "amount", "individuals", "collectives", "households", "lines")
# In the order they are shown: money first, then recipients, then award lines.
FIGURES = (AMOUNT, COLLECTIVES, INDIVIDUALS, HOUSEHOLDS, LINES)
COUNTS = FIGURES[1:]
# A count of recipients → the recipient kind it counts (``domain.catalog.RECIPIENT_KINDS``).
COUNT_KINDS = {INDIVIDUALS: "individual", COLLECTIVES: "collective", HOUSEHOLDS: "household"}
# What each figure is called in a refusal.
FIGURE_NAMES = {AMOUNT: "tổng số tiền", COLLECTIVES: "số tập thể", INDIVIDUALS: "số cá nhân",
                HOUSEHOLDS: "số hộ gia đình", LINES: "số lượt khen thưởng"}

EXACT, AT_LEAST, ABOUT = "exact", "at_least", "about"
QUALIFIERS = (EXACT, AT_LEAST, ABOUT)
# "about": agrees when the computed figure is within this share of the announced one.
ABOUT_TOLERANCE = Fraction(1, 10)

MAX_AMOUNT = 10**13  # as every amount (``domain.pricing.check_amount``)
MAX_COUNT = 10_000_000
MAX_SOURCE = 2_000

AGREES, FEWER, MORE = "agrees", "fewer", "more"


@dataclass(frozen=True)
class AnnouncedFigure:
    """One figure as announced: checked when made (``of`` also normalises the source)."""

    what: str
    value: int
    qualifier: str = EXACT
    source: str = ""

    def __post_init__(self) -> None:
        if self.what not in FIGURES:
            raise AnnouncedFigureInvalid(
                what=str(self.what)[:40],
                reason=f"phải là một trong {', '.join(FIGURES)}")
        name = FIGURE_NAMES[self.what]
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise AnnouncedFigureInvalid(what=name, reason="phải là số nguyên")
        if self.value < 0:
            raise AnnouncedFigureInvalid(what=name, reason="không được âm")
        bound = MAX_AMOUNT if self.what == AMOUNT else MAX_COUNT
        if self.value > bound:
            raise AnnouncedFigureInvalid(what=name, reason=f"quá lớn (tối đa {bound:,})".replace(
                ",", "."))
        if self.qualifier not in QUALIFIERS:
            raise AnnouncedFigureInvalid(
                what=name, reason=f"mức công bố phải là {', '.join(QUALIFIERS)}")
        if not isinstance(self.source, str) or len(self.source) > MAX_SOURCE:
            raise AnnouncedFigureInvalid(
                what=name, reason=f"nguồn phải là văn bản, tối đa {MAX_SOURCE} ký tự")

    @classmethod
    def of(cls, what: Any, value: Any, qualifier: Any = None, source: Any = None
           ) -> AnnouncedFigure:
        """A figure from what was sent: qualifier ``exact`` when not given, source NFC."""
        if source is not None and not isinstance(source, str):
            raise AnnouncedFigureInvalid(what=FIGURE_NAMES.get(what, str(what)[:40]),
                                         reason="nguồn phải là văn bản")
        return cls(what=what, value=value, qualifier=EXACT if qualifier is None else qualifier,
                   source=nfc(source or ""))

    def as_dict(self) -> dict[str, Any]:
        return {"what": self.what, "value": self.value, "qualifier": self.qualifier,
                "source": self.source}


@dataclass(frozen=True)
class Comparison:
    """An announced figure beside the computed one.

    ``computed`` is ``None`` for money when no line states an amount (it then counts as 0 đ);
    ``difference`` = announced − computed; ``status``: ``agrees`` with the qualifier, or the
    computed figure is ``fewer`` / ``more`` than it allows; ``deviation_permille``:
    |difference| / announced in per mille (tenths of a percent), rounded up (``None`` when the
    announced figure is 0)."""

    figure: AnnouncedFigure
    computed: int | None
    difference: int
    status: str
    deviation_permille: int | None

    @property
    def agrees(self) -> bool:
        return self.status == AGREES


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


def within_about(announced: int, computed: int) -> bool:
    """Whether ``computed`` is within ``ABOUT_TOLERANCE`` of ``announced`` (either side)."""
    return abs(computed - announced) * ABOUT_TOLERANCE.denominator <= (
        announced * ABOUT_TOLERANCE.numerator)


def compare(figure: AnnouncedFigure, computed: int | None) -> Comparison:
    """The announced figure against the computed one (``computed_figure``)."""
    value, got = figure.value, computed or 0
    if figure.qualifier == EXACT:
        agrees = got == value
    elif figure.qualifier == AT_LEAST:
        agrees = got >= value
    else:
        agrees = within_about(value, got)
    status = AGREES if agrees else (FEWER if got < value else MORE)
    deviation = _ceil_div(abs(value - got) * 1000, value) if value else None
    return Comparison(figure=figure, computed=computed, difference=value - got, status=status,
                      deviation_permille=deviation)


def computed_figure(totals: Mapping[str, Any], what: str) -> int | None:
    """What the decisions give for ``what``, read from a totals dict (``domain.totals``):
    ``amount`` (``None`` when no line states one), ``lines``, and recipients of a kind — the
    distinct recipients (``totals["recipients"][kind]``) where the totals count them, else the
    lines of that kind (``individuals``, ``collectives``, ``households``)."""
    if what == AMOUNT:
        amount = totals.get("amount")
        return None if amount is None else int(amount)
    if what == LINES:
        return int(totals.get("lines") or 0)
    kind = COUNT_KINDS[what]
    recipients = totals.get("recipients")
    if isinstance(recipients, Mapping):
        for key in (kind, what):
            if recipients.get(key) is not None:
                return int(recipients[key])
    return int(totals.get(what) or 0)


def figures_by_what(items: Iterable[Mapping[str, Any]]) -> dict[str, AnnouncedFigure | None]:
    """Figures as sent ({what, value, qualifier, source}), by what they count; a ``value`` of
    ``None`` withdraws that figure. The same figure twice is refused."""
    out: dict[str, AnnouncedFigure | None] = {}
    for item in items:
        what = item.get("what")
        if not isinstance(what, str) or what not in FIGURES:
            raise AnnouncedFigureInvalid(what=str(what)[:40],
                                         reason=f"phải là một trong {', '.join(FIGURES)}")
        if what in out:
            raise AnnouncedFigureRepeated(what=FIGURE_NAMES.get(what, str(what)[:40]))
        if item.get("value") is None:
            out[what] = None
        else:
            out[what] = AnnouncedFigure.of(what, item.get("value"), item.get("qualifier"),
                                           item.get("source"))
    return out


def compare_all(figures: Iterable[AnnouncedFigure], totals: Mapping[str, Any]
                ) -> list[Comparison]:
    """Every announced figure against the totals, in the order of ``FIGURES``."""
    ordered = sorted(figures, key=lambda f: FIGURES.index(f.what))
    return [compare(f, computed_figure(totals, f.what)) for f in ordered]
