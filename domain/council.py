"""How a unit's awards council scores the nominations of one award kind (tiêu chí chấm điểm).

``CouncilCriteria`` is a small aggregate with a deterministic id per unit and award kind; the
awards office (approvers, admins) of the unit sets it. Its ``Scoring`` is a pure value that checks
a ballot:

* ``criteria``: a score per criterion, each within 0..its maximum; the total is their sum;
* ``plain``: one score within 0..the maximum;
* ``none``: no score at all.

A unit that never set anything scores as before (``DEFAULT``): one score within 0..100, optional.
An abstention may carry no score; agreeing or disagreeing must carry every score the unit asks for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.catalog import catalog
from domain.errors import Invalid
from domain.text import nfc

MODES = ("criteria", "plain", "none")
MODE_LABELS = {
    "criteria": "Chấm điểm theo từng tiêu chí",
    "plain": "Chấm một điểm chung",
    "none": "Không chấm điểm",
    "default": "Chưa thiết lập: điểm chung từ 0 đến 100, không bắt buộc",
}
MAX_CRITERIA = 20
MAX_POINTS = 1000
PLAIN_MAX = 100  # the API's plain score stays within 0..100


class ScoreInvalid(Invalid):
    code = "vote.score_invalid"
    message_template = "Điểm chấm không hợp lệ: {reason}"


class CriteriaInvalid(Invalid):
    code = "council.criteria_invalid"
    message_template = "Tiêu chí chấm điểm không hợp lệ: {reason}"


def criteria_id(unit_id: UUID, award_kind: str) -> UUID:
    return stable_id("council-criteria", str(unit_id), award_kind)


@dataclass(frozen=True)
class Scoring:
    mode: str = "default"
    criteria: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    max: int | None = PLAIN_MAX

    @property
    def label(self) -> str:
        return MODE_LABELS[self.mode]

    @property
    def maximum(self) -> int | None:
        """The highest total a ballot can reach (None: no score)."""
        if self.mode == "criteria":
            return sum(c["max"] for c in self.criteria)
        return None if self.mode == "none" else self.max

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "mode_label": self.label,
                "criteria": [dict(c) for c in self.criteria], "max": self.max,
                "maximum": self.maximum}

    def ballot(self, vote: str, score: int | None, scores: dict[str, Any] | None
               ) -> tuple[int | None, list[dict[str, Any]] | None]:
        """The ballot's total and, per criterion, ``{code, name, max, score}`` — or a refusal.
        ``scores`` maps a criterion's code to its integer score."""
        if score is not None and (isinstance(score, bool) or not isinstance(score, int)):
            raise ScoreInvalid(reason="điểm phải là số nguyên")
        given = dict(scores or {})
        if self.mode != "criteria":
            if given:
                raise ScoreInvalid(reason="đơn vị không chấm điểm theo tiêu chí cho hình thức này")
            if self.mode == "none":
                if score is not None:
                    raise ScoreInvalid(reason="đơn vị không chấm điểm cho hình thức này")
                return None, None
            top = self.max if self.max is not None else PLAIN_MAX
            if score is None:
                if self.mode == "plain" and vote != "abstain":
                    raise ScoreInvalid(reason=f"cần chấm điểm (từ 0 đến {top})")
                return None, None
            if not 0 <= score <= top:
                raise ScoreInvalid(reason=f"điểm phải từ 0 đến {top}")
            return score, None
        codes = [c["code"] for c in self.criteria]
        unknown = sorted(set(given) - set(codes))
        if unknown:
            raise ScoreInvalid(reason=f"không có tiêu chí mã {', '.join(unknown)}")
        if not given and vote == "abstain" and score is None:
            return None, None
        out = []
        for criterion in self.criteria:
            value = given.get(criterion["code"])
            if value is None:
                raise ScoreInvalid(reason=f"chưa chấm tiêu chí «{criterion['name']}»")
            if isinstance(value, bool) or not isinstance(value, int):
                raise ScoreInvalid(reason=f"điểm tiêu chí «{criterion['name']}» phải là số nguyên")
            if not 0 <= value <= criterion["max"]:
                raise ScoreInvalid(reason=f"điểm tiêu chí «{criterion['name']}» phải từ 0 đến "
                                          f"{criterion['max']}")
            out.append({**criterion, "score": value})
        total = sum(item["score"] for item in out)
        if score is not None and score != total:
            raise ScoreInvalid(reason=f"điểm tổng ({score}) khác tổng điểm các tiêu chí ({total})")
        return total, out


DEFAULT = Scoring()


def clean_criteria(mode: str, criteria: list[dict[str, Any]] | None, maximum: int | None
                   ) -> Scoring:
    """The scoring a unit sets, validated and normalised."""
    if mode not in MODES:
        raise CriteriaInvalid(reason="cách chấm phải là criteria, plain hoặc none")
    items = list(criteria or [])
    if mode != "criteria":
        if items:
            raise CriteriaInvalid(reason="chỉ cách chấm theo tiêu chí mới có danh sách tiêu chí")
        if mode == "none":
            if maximum is not None:
                raise CriteriaInvalid(reason="không chấm điểm thì không có điểm tối đa")
            return Scoring(mode="none", max=None)
        top = PLAIN_MAX if maximum is None else maximum
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= PLAIN_MAX:
            raise CriteriaInvalid(reason=f"điểm tối đa phải từ 1 đến {PLAIN_MAX}")
        return Scoring(mode="plain", max=top)
    if maximum is not None:
        raise CriteriaInvalid(reason="điểm tối đa là tổng điểm các tiêu chí, không nhập riêng")
    if not items:
        raise CriteriaInvalid(reason="cần ít nhất một tiêu chí")
    if len(items) > MAX_CRITERIA:
        raise CriteriaInvalid(reason=f"tối đa {MAX_CRITERIA} tiêu chí")
    out: list[dict[str, Any]] = []
    names: set[str] = set()
    for index, item in enumerate(items, start=1):
        name = " ".join(nfc(str(item.get("name") or "")).split())
        top = item.get("max")
        if not name:
            raise CriteriaInvalid(reason=f"tiêu chí {index} chưa có tên")
        if len(name) > 300:
            raise CriteriaInvalid(reason=f"tên tiêu chí {index} quá dài (tối đa 300 ký tự)")
        if name.casefold() in names:
            raise CriteriaInvalid(reason=f"tiêu chí «{name}» trùng tên")
        names.add(name.casefold())
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top <= MAX_POINTS:
            raise CriteriaInvalid(reason=f"điểm tối đa của tiêu chí «{name}» phải từ 1 đến "
                                         f"{MAX_POINTS}")
        out.append({"code": str(index), "name": name, "max": top})
    return Scoring(mode="criteria", criteria=tuple(out), max=None)


class CouncilCriteria(Aggregate):
    """How the council of ``unit_id`` scores nominations for ``award_kind``."""

    TOPIC = topic("council", "CouncilCriteria")

    class Created(Aggregate.Created):
        TOPIC = topic("council", "CouncilCriteria.Created")
        unit_id: UUID
        award_kind: str
        actor: str

    class Set(Aggregate.Event):
        TOPIC = topic("council", "CouncilCriteria.Set")
        mode: str
        criteria: list[dict[str, Any]]
        max: int | None
        actor: str

    @event(Created)
    def __init__(self, unit_id: UUID, award_kind: str, actor: str) -> None:
        self.unit_id = unit_id
        self.award_kind = award_kind
        self.scoring = DEFAULT
        self.set_by: str | None = None

    @classmethod
    def open(cls, *, unit_id: UUID, award_kind: str, actor: str) -> CouncilCriteria:
        kind = catalog().kind(award_kind).code
        return cls._create(cls.Created, id=criteria_id(unit_id, kind), unit_id=unit_id,
                           award_kind=kind, actor=actor)

    def set(self, *, mode: str, criteria: list[dict[str, Any]] | None, maximum: int | None,
            actor: str) -> bool:
        """Record the unit's scoring; False when it is already so (nothing recorded)."""
        scoring = clean_criteria(mode, criteria, maximum)
        if scoring == self.scoring and self.set_by is not None:
            return False
        self._set(mode=scoring.mode, criteria=[dict(c) for c in scoring.criteria],
                  max=scoring.max, actor=actor)
        return True

    @event(Set)
    def _set(self, mode: str, criteria: list[dict[str, Any]], max: int | None,
             actor: str) -> None:
        self.scoring = Scoring(mode=mode, criteria=tuple(dict(c) for c in criteria), max=max)
        self.set_by = actor
