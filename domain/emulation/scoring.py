"""Points, totals, ranking and classification of a scored covenant (chấm điểm thi đua).

* ``PointsTable``: the items scored (each indicator with ``max_points`` > 0, plus items of the
  covenant's own such as "tổ chức hoạt động chung của cụm"), deductions ("trừ 10 điểm mỗi lần báo
  cáo chậm": ``per`` "each" or "once") and the total maximum (e.g. 1000), which must equal the sum
  of the items' maxima.
* A score is a ``Decimal`` with at most one decimal place, within 0..its item's maximum.
* ``agreed_total``: the sum of the agreed scores minus deductions, never below 0; says which
  items still have no agreed score.
* ``rank``: competition ranking (1, 2, 2, 4): members whose totals (and tie-breakers) are equal
  share a position and name each other in ``tied_with``; the order is independent of the input's.
* ``classify``: the class (xếp loại) of a total by descending thresholds.
* ``ProposalRule``: which ranks a covenant proposes for which award (the cap is a share of the
  members, e.g. "1/3").
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

from domain.catalog import catalog
from domain.emulation.errors import (
    DeductionUnknown,
    PointsTableInvalid,
    ProposalRulesInvalid,
    ScoreInvalid,
    ScoreItemUnknown,
    ThresholdsInvalid,
)
from domain.emulation.indicators import (
    MAX_POINTS,
    POINTS_PLACES,
    Indicator,
    dec_text,
    parse_decimal,
    vi_number,
)
from domain.errors import DomainError
from domain.text import nfc

MAX_TOTAL = Decimal(100_000)
MAX_ITEMS = 100
MAX_DEDUCTIONS = 50
MAX_TIMES = 1_000
EACH, ONCE = "each", "once"
PER_LABELS = {EACH: "mỗi lần", ONCE: "một lần"}
_ITEM_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{0,15}$")
_CLASS_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def parse_points(value: Any, maximum: Decimal, what: str) -> Decimal:
    """A score: at most one decimal place, within 0..``maximum`` (``ScoreInvalid``)."""
    try:
        return parse_decimal(value, places=POINTS_PLACES, low=Decimal(0), high=maximum)
    except ValueError as exc:
        raise ScoreInvalid(reason=f"{what}: {exc}") from None


def points_text(points: Decimal | None) -> str:
    """"957,5" (or "—" when there is none)."""
    return "—" if points is None else vi_number(points)


@dataclass(frozen=True)
class PointsItem:
    code: str
    text: str
    max_points: Decimal
    from_indicator: bool

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "max_points": dec_text(self.max_points),
                "from_indicator": self.from_indicator}


@dataclass(frozen=True)
class Deduction:
    code: str
    text: str
    points: Decimal
    per: str

    def amount(self, times: int) -> Decimal:
        """Points taken off for ``times`` occurrences."""
        if times <= 0:
            return Decimal(0)
        return self.points * times if self.per == EACH else self.points

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "points": dec_text(self.points),
                "per": self.per}


@dataclass(frozen=True)
class PointsTable:
    items: tuple[PointsItem, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    total_max: Decimal = Decimal(0)

    @property
    def scored(self) -> bool:
        return bool(self.items)

    def item(self, code: Any) -> PointsItem:
        for item in self.items:
            if item.code == code:
                return item
        raise ScoreItemUnknown(item_code=str(code)[:20])

    def deduction(self, code: Any) -> Deduction:
        for rule in self.deductions:
            if rule.code == code:
                return rule
        raise DeductionUnknown(rule_code=str(code)[:20])

    def as_dict(self) -> dict[str, Any]:
        return {"items": [i.as_dict() for i in self.items],
                "deductions": [d.as_dict() for d in self.deductions],
                "total_max": dec_text(self.total_max)}


def _points(value: Any, what: str, high: Decimal = MAX_POINTS) -> Decimal:
    try:
        return parse_decimal(value, places=POINTS_PLACES, low=Decimal(0), high=high)
    except ValueError as exc:
        raise PointsTableInvalid(reason=f"{what} {exc}") from None


def _name(value: Any, what: str, limit: int, error: type[DomainError]) -> str:
    if not isinstance(value, str) or not nfc(value):
        raise error(reason=f"cần ghi {what}")
    text = nfc(value)
    if len(text) > limit:
        raise error(reason=f"{what} quá dài (tối đa {limit} ký tự)")
    return text


def clean_points_data(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """The covenant's own part of a points table, normalised for an event: its extra ``items``
    ({code, text, max_points}), its ``deductions`` ({code?, text, points, per}) and the
    ``total_max`` (None: the sum of the maxima)."""
    data = dict(data or {})
    unknown = sorted(set(data) - {"items", "deductions", "total_max"})
    if unknown:
        raise PointsTableInvalid(reason=f"trường không có: {', '.join(map(str, unknown))[:200]}")
    items = []
    raw_items = data.get("items") or []
    if isinstance(raw_items, (str, bytes, Mapping)) or len(raw_items) > MAX_ITEMS:
        raise PointsTableInvalid(reason=f"các mục chấm điểm phải là danh sách (tối đa "
                                        f"{MAX_ITEMS})")
    for item in raw_items:
        if not isinstance(item, Mapping):
            raise PointsTableInvalid(reason="mỗi mục chấm điểm phải là một đối tượng")
        code = item.get("code")
        if not isinstance(code, str) or not _ITEM_CODE.match(code):
            raise PointsTableInvalid(reason="mã mục chấm điểm phải gồm chữ, số (tối đa 16 ký tự)")
        text = _name(item.get("text"), f"nội dung mục {code}", 500, PointsTableInvalid)
        points = _points(item.get("max_points"), f"điểm tối đa của mục {code}")
        if points <= 0:
            raise PointsTableInvalid(reason=f"điểm tối đa của mục {code} phải lớn hơn 0")
        items.append({"code": code, "text": text, "max_points": dec_text(points)})
    deductions = []
    raw = data.get("deductions") or []
    if isinstance(raw, (str, bytes, Mapping)) or len(raw) > MAX_DEDUCTIONS:
        raise PointsTableInvalid(reason=f"các mục trừ điểm phải là danh sách (tối đa "
                                        f"{MAX_DEDUCTIONS})")
    for index, rule in enumerate(raw, start=1):
        if not isinstance(rule, Mapping):
            raise PointsTableInvalid(reason="mỗi mục trừ điểm phải là một đối tượng")
        code = rule.get("code") or f"t{index}"
        if not isinstance(code, str) or not _ITEM_CODE.match(code):
            raise PointsTableInvalid(reason="mã mục trừ điểm phải gồm chữ, số (tối đa 16 ký tự)")
        text = _name(rule.get("text"), f"nội dung mục trừ điểm {code}", 500, PointsTableInvalid)
        points = _points(rule.get("points"), f"số điểm trừ của mục {code}")
        if points <= 0:
            raise PointsTableInvalid(reason=f"số điểm trừ của mục {code} phải lớn hơn 0")
        per = rule.get("per", EACH)
        if per not in PER_LABELS:
            raise PointsTableInvalid(reason=f"mục trừ điểm {code}: per phải là each (mỗi lần) "
                                            "hoặc once (một lần)")
        deductions.append({"code": code, "text": text, "points": dec_text(points), "per": per})
    codes = [d["code"] for d in deductions]
    if len(set(codes)) != len(codes):
        raise PointsTableInvalid(reason="mã mục trừ điểm bị trùng")
    total_max = data.get("total_max")
    if total_max is not None:
        total_max = dec_text(_points(total_max, "tổng điểm tối đa", MAX_TOTAL))
    return {"items": items, "deductions": deductions, "total_max": total_max}


def points_table(indicators: Iterable[Indicator], data: Mapping[str, Any] | None) -> PointsTable:
    """The table a covenant scores by: its indicators with ``max_points`` > 0 first, then its own
    items; the total maximum given must equal the sum of the items' maxima."""
    clean = clean_points_data(data)
    items = [PointsItem(code=i.code, text=i.text, max_points=i.points, from_indicator=True)
             for i in indicators if i.points > 0]
    taken = {i.code.casefold() for i in items}
    for item in clean["items"]:
        if item["code"].casefold() in taken:
            raise PointsTableInvalid(reason=f"mã mục «{item['code']}» trùng với mã một chỉ tiêu "
                                            "hoặc mục khác")
        taken.add(item["code"].casefold())
        items.append(PointsItem(code=item["code"], text=item["text"],
                                max_points=Decimal(item["max_points"]), from_indicator=False))
    total = sum((i.max_points for i in items), Decimal(0))
    if total > MAX_TOTAL:
        raise PointsTableInvalid(reason=f"tổng điểm tối đa quá lớn (tối đa {vi_number(MAX_TOTAL)})")
    if clean["total_max"] is not None and Decimal(clean["total_max"]) != total:
        raise PointsTableInvalid(
            reason=f"tổng điểm tối đa {vi_number(Decimal(clean['total_max']))} khác tổng điểm "
                   f"các mục ({vi_number(total)})")
    if clean["deductions"] and not items:
        raise PointsTableInvalid(reason="chưa có mục chấm điểm nào mà đã có mục trừ điểm")
    deductions = tuple(Deduction(code=d["code"], text=d["text"], points=Decimal(d["points"]),
                                 per=d["per"]) for d in clean["deductions"])
    return PointsTable(items=tuple(items), deductions=deductions, total_max=total)


# -- totals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Total:
    """A member's total: agreed scores summed (``scored``), minus ``deducted``, never below 0."""

    points: Decimal
    scored: Decimal
    deducted: Decimal
    maximum: Decimal
    missing: tuple[str, ...]  # items without an agreed score yet

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def text(self) -> str:
        text = f"{points_text(self.points)}/{points_text(self.maximum)}"
        if self.missing:
            text += f" (còn {len(self.missing)} mục chưa thống nhất điểm)"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"points": dec_text(self.points), "scored": dec_text(self.scored),
                "deducted": dec_text(self.deducted), "maximum": dec_text(self.maximum),
                "missing": list(self.missing), "complete": self.complete, "text": self.text}


def agreed_total(table: PointsTable, scores: Mapping[str, Decimal | None],
                 deductions: Mapping[str, int] | None = None) -> Total:
    """The total of the agreed ``scores`` (item code → points; None or absent: not agreed) minus
    the ``deductions`` (rule code → times). Each score is checked against its item's maximum."""
    scored = Decimal(0)
    missing = []
    for item in table.items:
        value = scores.get(item.code)
        if value is None:
            missing.append(item.code)
            continue
        scored += parse_points(value, item.max_points, f"mục {item.code}")
    unknown = sorted(set(scores) - {i.code for i in table.items})
    if unknown:
        raise ScoreItemUnknown(item_code=unknown[0])
    deducted = Decimal(0)
    for code, times in (deductions or {}).items():
        deducted += table.deduction(code).amount(times)
    points = max(Decimal(0), scored - deducted)
    return Total(points=points, scored=scored, deducted=deducted, maximum=table.total_max,
                 missing=tuple(missing))


# -- ranking ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rank:
    member: Hashable
    total: Decimal
    position: int
    tied_with: tuple[Hashable, ...] = ()

    @property
    def tied(self) -> bool:
        return bool(self.tied_with)

    @property
    def position_text(self) -> str:
        """"1", "đồng hạng 2"."""
        return f"đồng hạng {self.position}" if self.tied_with else str(self.position)


def _member_order(member: Hashable) -> tuple[str, str]:
    return (type(member).__name__, str(member))


def rank(totals: Mapping[Hashable, Decimal | int],
         tie_breakers: Sequence[Mapping[Hashable, Decimal | int]] | None = None) -> list[Rank]:
    """Competition ranking by total, higher first; equal totals are separated by each tie-breaker
    in turn (higher first; a member missing from one comes after those who have it). Members that
    nothing separates share a position (1, 2, 2, 4) and list each other in ``tied_with``."""
    breakers = list(tie_breakers or ())

    def key(member: Hashable) -> tuple[Any, ...]:
        parts: list[Any] = [Decimal(totals[member])]
        for breaker in breakers:
            value = breaker.get(member)
            parts.append((0, Decimal(0)) if value is None else (1, Decimal(value)))
        return tuple(parts)

    keys = {member: key(member) for member in totals}
    ordered = sorted(keys, key=lambda m: _member_order(m))
    out = []
    for member in ordered:
        mine = keys[member]
        better = sum(1 for other in ordered if keys[other] > mine)
        tied = tuple(other for other in ordered if other != member and keys[other] == mine)
        out.append(Rank(member=member, total=Decimal(totals[member]), position=better + 1,
                        tied_with=tied))
    out.sort(key=lambda r: (r.position, _member_order(r.member)))
    return out


# -- classification -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    code: str
    label: str
    minimum: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "label": self.label, "minimum": dec_text(self.minimum)}


DEFAULT_THRESHOLDS = (
    ("xuat_sac", "Hoàn thành xuất sắc", 950),
    ("tot", "Hoàn thành tốt", 850),
    ("hoan_thanh", "Hoàn thành", 700),
    ("khong_hoan_thanh", "Không hoàn thành", 0),
)


def thresholds_from(items: Iterable[Any]) -> tuple[Threshold, ...]:
    """Thresholds as tuples (code, label, minimum) or dicts {code, label, minimum}: codes unique,
    minima strictly descending, none below 0 (``ThresholdsInvalid``). An empty list: no
    classification."""
    if isinstance(items, (str, bytes, Mapping)):
        raise ThresholdsInvalid(reason="mức xếp loại phải là một danh sách")
    out: list[Threshold] = []
    for item in items:
        if isinstance(item, Threshold):
            out.append(item)
            continue
        if isinstance(item, Mapping):
            code, label, minimum = item.get("code"), item.get("label"), item.get("minimum")
        elif isinstance(item, (tuple, list)) and len(item) == 3:
            code, label, minimum = item
        else:
            raise ThresholdsInvalid(reason="mỗi mức gồm mã, tên và điểm tối thiểu")
        if not isinstance(code, str) or not _CLASS_CODE.match(code):
            raise ThresholdsInvalid(reason="mã mức xếp loại phải là chữ thường không dấu, số, "
                                           "gạch dưới (ví dụ xuat_sac)")
        text = _name(label, f"tên mức {code}", 100, ThresholdsInvalid)
        try:
            value = parse_decimal(minimum, places=POINTS_PLACES, low=Decimal(0), high=MAX_TOTAL)
        except ValueError as exc:
            raise ThresholdsInvalid(reason=f"điểm tối thiểu của mức {code} {exc}") from None
        out.append(Threshold(code=code, label=text, minimum=value))
    if len(out) > 10:
        raise ThresholdsInvalid(reason="tối đa 10 mức xếp loại")
    codes = [t.code for t in out]
    if len(set(codes)) != len(codes):
        raise ThresholdsInvalid(reason="mã mức xếp loại bị trùng")
    for higher, lower in pairwise(out):
        if not higher.minimum > lower.minimum:
            raise ThresholdsInvalid(reason="các mức phải xếp từ cao xuống thấp, điểm tối thiểu "
                                           f"giảm dần («{higher.label}» rồi «{lower.label}»)")
    return tuple(out)


def classify(total: Decimal | int, thresholds: Iterable[Any]) -> Threshold | None:
    """The first threshold whose minimum the total reaches; None below every one."""
    value = Decimal(total)
    for threshold in thresholds_from(thresholds):
        if value >= threshold.minimum:
            return threshold
    return None


# -- proposal rules -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProposalRule:
    rank_from: int
    rank_to: int
    award_kind: str
    requires_class: str | None = None  # a threshold code the member must reach

    def covers(self, position: int) -> bool:
        return self.rank_from <= position <= self.rank_to

    def as_dict(self) -> dict[str, Any]:
        return {"rank_from": self.rank_from, "rank_to": self.rank_to,
                "award_kind": self.award_kind, "requires_class": self.requires_class}


def proposal_rules_from(items: Iterable[Any], thresholds: Iterable[Threshold] = ()
                        ) -> tuple[ProposalRule, ...]:
    """Rules {rank_from, rank_to, award_kind, requires_class?}: ranges within 1..1000 that do not
    overlap, award kinds of the catalogue that a collective may receive, classes among the
    covenant's thresholds."""
    if isinstance(items, (str, bytes, Mapping)):
        raise ProposalRulesInvalid(reason="phải là một danh sách")
    classes = {t.code for t in thresholds}
    out: list[ProposalRule] = []
    for item in items:
        if isinstance(item, ProposalRule):
            item = item.as_dict()
        if not isinstance(item, Mapping):
            raise ProposalRulesInvalid(reason="mỗi quy định phải là một đối tượng")
        low, high = item.get("rank_from"), item.get("rank_to", item.get("rank_from"))
        for value in (low, high):
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
                raise ProposalRulesInvalid(reason="thứ hạng phải là số nguyên từ 1 đến 1000")
        if low > high:
            raise ProposalRulesInvalid(reason=f"hạng từ {low} đến {high}: hạng đầu lớn hơn hạng "
                                              "cuối")
        code = item.get("award_kind")
        if not isinstance(code, str):
            raise ProposalRulesInvalid(reason="cần hình thức khen thưởng (award_kind)")
        kind = catalog().kind(code)
        if not kind.allows("collective"):
            raise ProposalRulesInvalid(reason=f"«{kind.title}» không dành cho tập thể")
        required = item.get("requires_class")
        if required is not None and required not in classes:
            raise ProposalRulesInvalid(reason=f"mức xếp loại «{required}» không có trong giao ước")
        out.append(ProposalRule(rank_from=low, rank_to=high, award_kind=kind.code,
                                requires_class=required))
    if len(out) > 20:
        raise ProposalRulesInvalid(reason="tối đa 20 quy định")
    out.sort(key=lambda r: r.rank_from)
    for before, after in pairwise(out):
        if after.rank_from <= before.rank_to:
            raise ProposalRulesInvalid(reason=f"hạng {after.rank_from} thuộc hai quy định")
    return tuple(out)


def share_from(value: Any) -> Fraction | None:
    """The cap on proposals as a share of the members: "1/3", {"numerator", "denominator"}, a
    ``Fraction``; None: no cap. Must be within (0, 1]."""
    if value is None:
        return None
    try:
        if isinstance(value, Fraction):
            share = value
        elif isinstance(value, Mapping):
            numerator, denominator = value.get("numerator"), value.get("denominator")
            if any(isinstance(v, bool) or not isinstance(v, int)
                   for v in (numerator, denominator)):
                raise ValueError
            share = Fraction(numerator, denominator)
        elif isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*/\s*\d{1,4}\s*", value):
            numerator, denominator = (int(p) for p in value.split("/"))
            share = Fraction(numerator, denominator)
        else:
            raise ValueError
    except (ValueError, ZeroDivisionError):
        raise ProposalRulesInvalid(reason="giới hạn số đơn vị được đề nghị phải là một phân số "
                                          "như \"1/3\"") from None
    if not 0 < share <= 1:
        raise ProposalRulesInvalid(reason="giới hạn số đơn vị được đề nghị phải lớn hơn 0 và "
                                          "không quá toàn bộ thành viên")
    return share


def share_text(share: Fraction) -> str:
    return f"{share.numerator}/{share.denominator}"


def cap_for(share: Fraction | None, members: int) -> int | None:
    """How many members may be proposed: ⌊members × share⌋ (None: no cap)."""
    if share is None:
        return None
    return (share.numerator * members) // share.denominator
