"""Indicators (chỉ tiêu thi đua), results and their evaluation — shared by covenants (giao ước of
a cluster) and movements (phong trào).

An ``Indicator`` says what is measured (``measure``: a number, a percentage, or yes/no), the
target and which way is better (``direction``), whether it applies to every member or only where
cases occurred (``applies="when_cases"``: e.g. violence victims supported — a province without a
case is *not applicable*, not a failure), whether a sum across members means something
(``summable``) and the points it carries in a scored covenant (``max_points``, "0" unscored).

A ``Result`` is what a member reports for one indicator: the value (exact decimal text, "yes" /
"no"), whether cases occurred, evidence and the evidence files (``EvidenceFile``: a reference to
the content kept in the blob store of ``services.attachments`` — SHA-256, file name, media type,
size — never the bytes; results recorded before carried plain ids, still read as they are).
Where only the verdict is known (a summary says "5/9 tỉnh đạt" without the figures) the result
carries a stated ``outcome`` and no value. ``evaluate`` turns a result into an evaluation; no
result is ``unknown``: never zero, never achieved.

``IndicatorCount`` is a board column: "8/9" (achieved, exceeded included, over the members it
applies to whose result is known; the unknown said apart: "5/8 (1 chưa có số liệu)"), "4/9 tỉnh
có trường hợp xảy ra", the sum where summable ("18", "15 (2 chưa báo cáo)") and the values in
words ("Quảng Ninh 04; Ninh Bình 03; …").

``ResultLog`` is the one result machinery of ``MemberReport`` and ``MovementRegistration``: the
aggregates declare their events and call it; every earlier value stays in the history.

Numbers are ``Decimal`` kept as text ("957.5"), never float, shown with a decimal comma ("957,5")
and dots between thousands ("13.747").
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from domain import attachments as att
from domain.emulation.errors import (
    IndicatorInvalid,
    IndicatorUnknown,
    ReasonRequired,
    ReportConfirmed,
    ResultInvalid,
    ResultMissing,
)
from domain.text import nfc, nfc_multiline, vietnamese_sort_key

NUMBER, PERCENT, YES_NO = "number", "percent", "yes_no"
MEASURES = (NUMBER, PERCENT, YES_NO)
MEASURE_LABELS = {NUMBER: "số lượng", PERCENT: "tỷ lệ (%)", YES_NO: "có/không"}
AT_LEAST, AT_MOST = "at_least", "at_most"
DIRECTIONS = (AT_LEAST, AT_MOST)
DIRECTION_LABELS = {AT_LEAST: "tối thiểu", AT_MOST: "tối đa"}
ALWAYS, WHEN_CASES = "always", "when_cases"
APPLIES = (ALWAYS, WHEN_CASES)
APPLIES_LABELS = {ALWAYS: "mọi đơn vị", WHEN_CASES: "đơn vị có trường hợp xảy ra"}
YES, NO = "yes", "no"

MAX_CODE = 16
MAX_TEXT = 2_000
MAX_UNIT = 60
MAX_NOTE = 1_000
MAX_EVIDENCE = 4_000
MAX_ATTACHMENTS = 50
MAX_ATTACHMENT_ID = 100
MAX_INDICATORS = 100
MAX_VALUE = Decimal(10) ** 12
MAX_POINTS = Decimal(10_000)
NUMBER_PLACES = 4
PERCENT_PLACES = 2
POINTS_PLACES = 1

_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{0,15}$")
_ATTACHMENT_ID = re.compile(r"^[0-9A-Za-z_.:\-]{1,100}$")
_DECIMAL = re.compile(r"^[+-]?\d{1,15}(?:[.,]\d{1,8})?$")


# -- exact numbers ------------------------------------------------------------------------------


def parse_decimal(value: Any, *, places: int, low: Decimal | None = None,
                  high: Decimal | None = None) -> Decimal:
    """An exact number from an int, a ``Decimal`` or text ("957.5"; "957,5" with a decimal
    comma). Floats are refused (they are not exact); so are bools, grouping marks, exponents and
    more than ``places`` decimal places. Raises ``ValueError`` with a Vietnamese reason."""
    if isinstance(value, (bool, float)):
        raise ValueError("phải là số viết chính xác (số nguyên hoặc chuỗi như \"957.5\"), "
                         "không dùng số thực")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("phải là một số")
        number = value
    elif isinstance(value, str):
        text = nfc(value).replace(" ", "")
        if not _DECIMAL.match(text):
            raise ValueError(f"«{nfc(value)[:30]}» không phải là số (ví dụ hợp lệ: 957.5)")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern already checked it
            raise ValueError("phải là một số") from None
    else:
        raise ValueError("phải là một số")
    if abs(number) >= Decimal(10) ** 15:
        raise ValueError("quá lớn")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(f"tối đa {places} chữ số thập phân" if places else "phải là số nguyên")
    number = number + 0  # -0 → 0
    if low is not None and number < low:
        raise ValueError(f"không được nhỏ hơn {vi_number(low)}")
    if high is not None and number > high:
        raise ValueError(f"không được lớn hơn {vi_number(high)}")
    return number


def dec_text(number: Decimal) -> str:
    """The canonical text kept in events: "957.5", "1000", "0" (no exponent, no trailing 0)."""
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def vi_number(number: Decimal | int) -> str:
    """Shown the Vietnamese way: "13.747", "957,5", "-2,5"."""
    text = dec_text(Decimal(number))
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


# -- indicators ---------------------------------------------------------------------------------


def _text(value: Any, what: str, limit: int, *, required: bool, error: type) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise error(reason=f"{what} phải là văn bản")
    text = nfc(value)
    if required and not text:
        raise error(reason=f"cần ghi {what}")
    if len(text) > limit:
        raise error(reason=f"{what} quá dài (tối đa {limit} ký tự)")
    return text


def yes_no(value: Any) -> str | None:
    """``YES`` or ``NO`` from true/false, "yes"/"no" or "có"/"không" (any Unicode form, spaces
    around); None for anything else."""
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, str):
        return {YES: YES, "có": YES, NO: NO, "không": NO}.get(nfc(value))
    return None


def clean_target(measure: str, value: Any, reason_prefix: str, error: type,
                 **details: Any) -> str:
    """A target (of an indicator, or a unit's own target) in canonical text."""
    if measure == YES_NO:
        answer = yes_no(value)
        if answer is not None:
            return answer
        raise error(reason=f"{reason_prefix} của chỉ tiêu có/không phải là yes hoặc no", **details)
    try:
        if measure == PERCENT:
            number = parse_decimal(value, places=PERCENT_PLACES, low=Decimal(0),
                                   high=Decimal(100))
        else:
            number = parse_decimal(value, places=NUMBER_PLACES, low=Decimal(0), high=MAX_VALUE)
    except ValueError as exc:
        raise error(reason=f"{reason_prefix} {exc}", **details) from None
    return dec_text(number)


@dataclass(frozen=True)
class Indicator:
    """One indicator; built values are validated and normalised (NFC, canonical decimal text)."""

    code: str
    text: str
    unit: str = ""
    measure: str = NUMBER
    target: str = None  # type: ignore[assignment]  # required, except "yes" for yes_no
    direction: str = AT_LEAST
    applies: str = ALWAYS
    summable: bool = False
    max_points: str = "0"
    note: str = ""  # how the result is measured or read (cách tính), optional

    def __post_init__(self) -> None:
        code = self.code
        if not isinstance(code, str) or not _CODE.match(nfc(code)):
            raise IndicatorInvalid(reason="mã chỉ tiêu phải gồm chữ, số, dấu chấm hoặc gạch "
                                          f"nối (tối đa {MAX_CODE} ký tự), ví dụ «1», «2a»")
        code = nfc(code)
        set_ = object.__setattr__
        set_(self, "code", code)
        set_(self, "text", _text(self.text, f"nội dung chỉ tiêu {code}", MAX_TEXT,
                                 required=True, error=IndicatorInvalid))
        set_(self, "note", _text(self.note, f"cách tính của chỉ tiêu {code}", MAX_NOTE,
                                 required=False, error=IndicatorInvalid))
        if self.measure not in MEASURES:
            raise IndicatorInvalid(reason=f"chỉ tiêu {code}: cách đo phải là "
                                          f"{', '.join(MEASURES)}")
        if self.direction not in DIRECTIONS:
            raise IndicatorInvalid(reason=f"chỉ tiêu {code}: chiều đánh giá phải là at_least "
                                          "(tối thiểu) hoặc at_most (tối đa)")
        if self.applies not in APPLIES:
            raise IndicatorInvalid(reason=f"chỉ tiêu {code}: phạm vi áp dụng phải là always "
                                          "hoặc when_cases")
        if not isinstance(self.summable, bool):
            raise IndicatorInvalid(reason=f"chỉ tiêu {code}: summable phải là true/false")
        unit = _text(self.unit, f"đơn vị tính của chỉ tiêu {code}", MAX_UNIT, required=False,
                     error=IndicatorInvalid)
        if self.measure == PERCENT:
            if unit not in ("", "%"):
                raise IndicatorInvalid(reason=f"chỉ tiêu {code} đo bằng tỷ lệ: đơn vị tính là %")
            unit = "%"
            if self.summable:
                raise IndicatorInvalid(reason=f"chỉ tiêu {code}: cộng các tỷ lệ % của các đơn "
                                              "vị không có ý nghĩa (summable phải là false)")
        if self.measure == YES_NO:
            if self.summable:
                raise IndicatorInvalid(reason=f"chỉ tiêu {code} là có/không: không cộng được")
            if self.direction != AT_LEAST:
                raise IndicatorInvalid(reason=f"chỉ tiêu {code} là có/không: không có chiều "
                                              "tối đa")
        set_(self, "unit", unit)
        if self.target is None:
            if self.measure != YES_NO:
                raise IndicatorInvalid(reason=f"chỉ tiêu {code}: cần mức chỉ tiêu (target)")
            set_(self, "target", YES)
        set_(self, "target", clean_target(self.measure, self.target, f"chỉ tiêu {code}: "
                                          "mức chỉ tiêu", IndicatorInvalid))
        try:
            points = parse_decimal(self.max_points, places=POINTS_PLACES, low=Decimal(0),
                                   high=MAX_POINTS)
        except ValueError as exc:
            raise IndicatorInvalid(reason=f"chỉ tiêu {code}: điểm tối đa {exc}") from None
        set_(self, "max_points", dec_text(points))

    @property
    def target_value(self) -> Decimal | None:
        return None if self.measure == YES_NO else Decimal(self.target)

    @property
    def points(self) -> Decimal:
        return Decimal(self.max_points)

    @property
    def target_text(self) -> str:
        """"≥ 80%", "≥ 1 hợp tác xã", "có"."""
        if self.measure == YES_NO:
            return "có" if self.target == YES else "không"
        sign = "≥" if self.direction == AT_LEAST else "≤"
        return f"{sign} {value_text(self, self.target)}" + (
            f" {self.unit}" if self.unit and self.measure == NUMBER else "")

    def with_target(self, target: Any) -> Indicator:
        """The same indicator with another target (a unit's own target in a movement)."""
        return replace(self, target=target)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "unit": self.unit,
                "measure": self.measure, "target": self.target, "direction": self.direction,
                "applies": self.applies, "summable": self.summable,
                "max_points": self.max_points, "note": self.note}


_INDICATOR_KEYS = frozenset(Indicator.__dataclass_fields__)


def indicator_from_dict(data: Mapping[str, Any]) -> Indicator:
    """An indicator from what was sent (or stored): unknown keys are refused."""
    if not isinstance(data, Mapping):
        raise IndicatorInvalid(reason="mỗi chỉ tiêu phải là một đối tượng")
    unknown = sorted(set(data) - _INDICATOR_KEYS)
    if unknown:
        raise IndicatorInvalid(reason=f"trường không có: {', '.join(map(str, unknown))[:200]}")
    if "code" not in data or "text" not in data:
        raise IndicatorInvalid(reason="cần mã (code) và nội dung (text) của chỉ tiêu")
    return Indicator(**data)


def indicators_from(items: Iterable[Any]) -> tuple[Indicator, ...]:
    """A list of indicators (dicts or ``Indicator``s): codes unique, at most ``MAX_INDICATORS``."""
    if isinstance(items, (str, bytes, Mapping)):
        raise IndicatorInvalid(reason="danh sách chỉ tiêu phải là một danh sách")
    out = tuple(item if isinstance(item, Indicator) else indicator_from_dict(item)
                for item in items)
    if len(out) > MAX_INDICATORS:
        raise IndicatorInvalid(reason=f"tối đa {MAX_INDICATORS} chỉ tiêu")
    seen: set[str] = set()
    for indicator in out:
        if indicator.code.casefold() in seen:
            raise IndicatorInvalid(reason=f"mã chỉ tiêu «{indicator.code}» bị trùng")
        seen.add(indicator.code.casefold())
    return out


def find_indicator(indicators: Iterable[Indicator], code: Any, where: str) -> Indicator:
    for indicator in indicators:
        if indicator.code == code:
            return indicator
    raise IndicatorUnknown(indicator_code=str(code)[:MAX_CODE], where=where)


# -- evaluation ---------------------------------------------------------------------------------

EXCEEDED, ACHIEVED, NOT_ACHIEVED, NOT_APPLICABLE, UNKNOWN = (
    "exceeded", "achieved", "not_achieved", "not_applicable", "unknown")


class Evaluation:
    """The evaluations of a result against an indicator, and their Vietnamese labels."""

    EXCEEDED = EXCEEDED
    ACHIEVED = ACHIEVED
    NOT_ACHIEVED = NOT_ACHIEVED
    NOT_APPLICABLE = NOT_APPLICABLE
    UNKNOWN = UNKNOWN
    ALL: ClassVar[tuple[str, ...]] = (EXCEEDED, ACHIEVED, NOT_ACHIEVED, NOT_APPLICABLE, UNKNOWN)
    LABELS: ClassVar[dict[str, str]] = {
        EXCEEDED: "vượt",
        ACHIEVED: "đạt",
        NOT_ACHIEVED: "không đạt",
        NOT_APPLICABLE: "không áp dụng (không có trường hợp)",
        UNKNOWN: "chưa có số liệu",
    }

    @staticmethod
    def label(evaluation: str) -> str:
        return Evaluation.LABELS[evaluation]

    @staticmethod
    def achieved(evaluation: str) -> bool:
        """Achieved or exceeded."""
        return evaluation in (EXCEEDED, ACHIEVED)


# A stated verdict where the value is not known ("5/9 tỉnh đạt và vượt").
OUTCOMES = (EXCEEDED, ACHIEVED, NOT_ACHIEVED)


@dataclass(frozen=True)
class EvidenceFile:
    """An evidence file of a result as the event log keeps it: the reference to its content in
    the blob store (SHA-256), the name it was uploaded with (NFC, no path), the media type found
    from its content and its size in bytes."""

    sha256: str
    file_name: str
    media_type: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "file_name": self.file_name,
                "media_type": self.media_type, "size": self.size}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvidenceFile:
        return cls(sha256=data["sha256"], file_name=data["file_name"],
                   media_type=data["media_type"], size=data["size"])


@dataclass(frozen=True)
class Result:
    """What a member reports for one indicator (validated by ``result_for``)."""

    value: str | None = None  # canonical decimal text, or "yes"/"no"
    cases_occurred: bool | None = None  # when_cases indicators only
    outcome: str | None = None  # a stated verdict, only when the value is not known
    evidence: str = ""
    # evidence files; a plain string is an id of a result recorded before files were kept
    attachments: tuple[EvidenceFile | str, ...] = field(default_factory=tuple)

    @property
    def files(self) -> tuple[EvidenceFile, ...]:
        return tuple(a for a in self.attachments if isinstance(a, EvidenceFile))

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "cases_occurred": self.cases_occurred,
                "outcome": self.outcome, "evidence": self.evidence,
                "attachments": [a.as_dict() if isinstance(a, EvidenceFile) else a
                                for a in self.attachments]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        """From an event's plain dict (already validated); the old list of id strings too."""
        return cls(value=data.get("value"), cases_occurred=data.get("cases_occurred"),
                   outcome=data.get("outcome"), evidence=data.get("evidence") or "",
                   attachments=tuple(EvidenceFile.from_dict(a) if isinstance(a, Mapping) else a
                                     for a in data.get("attachments") or ()))


_FILE_KEYS = frozenset(EvidenceFile.__dataclass_fields__)


def _evidence_file(item: Any) -> EvidenceFile | None:
    """An evidence file given as an ``EvidenceFile`` or its dict, checked; None when it is not
    a well-formed reference."""
    if isinstance(item, EvidenceFile):
        item = item.as_dict()
    if not isinstance(item, Mapping) or set(item) != _FILE_KEYS:
        return None
    sha, name, media, size = (item["sha256"], item["file_name"], item["media_type"],
                              item["size"])
    if not isinstance(sha, str) or not att.SHA256.match(sha) or media not in att.MEDIA_TYPES \
            or not isinstance(name, str) or isinstance(size, bool) \
            or not isinstance(size, int) or size <= 0:
        return None
    return EvidenceFile(sha256=sha, file_name=att.clean_file_name(name), media_type=media,
                        size=size)


def result_for(indicator: Indicator, *, value: Any = None, cases_occurred: Any = None,
               outcome: Any = None, evidence: Any = "", attachments: Any = ()) -> Result:
    """A result for ``indicator``, validated and normalised (``ResultInvalid``)."""
    code = indicator.code

    def refuse(reason: str) -> ResultInvalid:
        return ResultInvalid(indicator_code=code, reason=reason)

    if indicator.applies == WHEN_CASES:
        if not isinstance(cases_occurred, bool):
            raise refuse("chỉ tiêu chỉ áp dụng khi có trường hợp xảy ra: cần ghi có hay không có "
                         "trường hợp (cases_occurred)")
        if cases_occurred is False and (value is not None or outcome is not None):
            raise refuse("không có trường hợp xảy ra thì không ghi số liệu, kết quả")
    elif cases_occurred is not None:
        raise refuse("chỉ tiêu áp dụng cho mọi đơn vị: không ghi «có trường hợp xảy ra»")
    if value is not None:
        if outcome is not None:
            raise refuse("đã có số liệu thì kết quả được tính từ số liệu; không ghi thêm kết "
                         "quả (outcome)")
        if indicator.measure == YES_NO:
            value = yes_no(value)
            if value is None:
                raise refuse("số liệu của chỉ tiêu có/không phải là yes hoặc no")
        else:
            try:
                if indicator.measure == PERCENT:
                    number = parse_decimal(value, places=PERCENT_PLACES, low=Decimal(0),
                                           high=Decimal(100))
                else:
                    number = parse_decimal(value, places=NUMBER_PLACES, low=Decimal(0),
                                           high=MAX_VALUE)
            except ValueError as exc:
                raise refuse(f"số liệu {exc}") from None
            value = dec_text(number)
    if outcome is not None:
        if outcome not in OUTCOMES:
            raise refuse("kết quả nêu (outcome) phải là exceeded, achieved hoặc not_achieved")
        if outcome == EXCEEDED and indicator.measure == YES_NO:
            raise refuse("chỉ tiêu có/không không có mức «vượt»")
    if evidence is None:
        evidence = ""
    if not isinstance(evidence, str):
        raise refuse("minh chứng phải là văn bản")
    evidence = nfc_multiline(evidence)
    if len(evidence) > MAX_EVIDENCE:
        raise refuse(f"minh chứng quá dài (tối đa {MAX_EVIDENCE} ký tự)")
    if attachments is None:
        attachments = ()
    if isinstance(attachments, (str, bytes, Mapping)) or not isinstance(attachments, Iterable):
        raise refuse("tệp đính kèm phải là danh sách tệp")
    kept: dict[str, EvidenceFile | str] = {}  # by content (a file) or by id (an old id)
    for item in attachments:
        if isinstance(item, str):
            if not _ATTACHMENT_ID.match(item):
                raise refuse("mã tệp đính kèm không hợp lệ")
            kept.setdefault(f"id:{item}", item)
            continue
        found = _evidence_file(item)
        if found is None:
            raise refuse("tệp minh chứng không hợp lệ (cần mã SHA-256, tên tệp, loại tệp "
                         "và cỡ tệp)")
        kept.setdefault(found.sha256, found)
    if len(kept) > MAX_ATTACHMENTS:
        raise refuse(f"tối đa {MAX_ATTACHMENTS} tệp đính kèm")
    return Result(value=value, cases_occurred=cases_occurred, outcome=outcome,
                  evidence=evidence, attachments=tuple(kept.values()))


def evaluate(indicator: Indicator, result: Result | None) -> str:
    """The evaluation of ``result`` against ``indicator`` (an ``Evaluation`` constant).

    No result → unknown (never zero); a when_cases indicator without cases → not applicable;
    yes/no → achieved when the value is the target; numbers compare exactly: the target itself is
    achieved, strictly better (more for at_least, less for at_most) exceeded. Without a value, the
    stated outcome, else unknown."""
    if result is None:
        return UNKNOWN
    if indicator.applies == WHEN_CASES:
        if result.cases_occurred is False:
            return NOT_APPLICABLE
        if result.cases_occurred is None:
            return UNKNOWN
    if result.value is None:
        return result.outcome or UNKNOWN
    if indicator.measure == YES_NO:
        return ACHIEVED if result.value == indicator.target else NOT_ACHIEVED
    value, target = Decimal(result.value), Decimal(indicator.target)
    if value == target:
        return ACHIEVED
    better = value > target if indicator.direction == AT_LEAST else value < target
    return EXCEEDED if better else NOT_ACHIEVED


def value_text(indicator: Indicator, value: str | None, *, padded: bool = False) -> str:
    """A value as shown: "có"/"không", "100%", "13.747", "957,5"; ``padded``: whole counts 1–9
    written "04" as reports do ("Quảng Ninh 04")."""
    if value is None:
        return "—"
    if indicator.measure == YES_NO:
        return "có" if value == YES else "không"
    number = Decimal(value)
    if indicator.measure == PERCENT:
        return f"{vi_number(number)}%"
    if padded and number == number.to_integral_value() and 0 < number < 10:
        return f"0{int(number)}"
    return vi_number(number)


def result_text(indicator: Indicator, result: Result | None) -> str:
    """A cell as shown: the value, "không có trường hợp", the stated verdict, or "chưa có số
    liệu"."""
    if result is None:
        return Evaluation.LABELS[UNKNOWN]
    if indicator.applies == WHEN_CASES and result.cases_occurred is False:
        return "không có trường hợp"
    if result.value is not None:
        return value_text(indicator, result.value)
    if result.outcome is not None:
        return f"{Evaluation.LABELS[result.outcome]} (không nêu số liệu)"
    return Evaluation.LABELS[UNKNOWN]


# -- a board column -----------------------------------------------------------------------------


def _names_in_order(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(names, key=vietnamese_sort_key))


@dataclass(frozen=True)
class IndicatorCount:
    """An indicator across members: the counts of a board column and their texts."""

    indicator: Indicator
    noun: str
    members: int
    exceeded: int
    achieved: int  # exceeded included
    not_achieved: int
    not_applicable: int
    unknown: int
    with_cases: int | None  # when_cases: members where cases occurred; None otherwise
    sum: Decimal | None  # summable: the sum of the known values (None when none is known)
    sum_missing: int  # summable: members it applies to with no result reported
    values: tuple[tuple[str, str], ...]  # (name, value text) by value desc, then name
    achieved_names: tuple[str, ...]
    not_achieved_names: tuple[str, ...]
    unknown_names: tuple[str, ...]
    not_applicable_names: tuple[str, ...]
    # summable: members whose result states a verdict without a figure ("đạt và vượt")
    sum_unfigured: int = 0

    @property
    def applicable(self) -> int:
        """Members it applies to (the unknown among them)."""
        return self.members - self.not_applicable

    @property
    def known(self) -> int:
        """The denominator: members it applies to whose result is known."""
        return self.achieved + self.not_achieved

    @property
    def text(self) -> str:
        """"8/9", "4/4", "5/8 (1 chưa có số liệu)"."""
        text = f"{self.achieved}/{self.known}"
        if self.unknown:
            text += f" ({self.unknown} chưa có số liệu)"
        return text

    @property
    def applies_text(self) -> str | None:
        """"4/9 tỉnh có trường hợp xảy ra" (when_cases indicators only)."""
        if self.with_cases is None:
            return None
        text = f"{self.with_cases}/{self.members} {self.noun} có trường hợp xảy ra"
        undetermined = self.members - self.with_cases - self.not_applicable
        if undetermined:
            text += f" ({undetermined} chưa có số liệu)"
        return text

    @property
    def sum_text(self) -> str | None:
        """"18 hợp tác xã", "15 hợp tác xã (2 chưa báo cáo)"; None when not summable."""
        if not self.indicator.summable:
            return None
        unit = f" {self.indicator.unit}" if self.indicator.unit else ""
        text = "chưa có số liệu" if self.sum is None else f"{vi_number(self.sum)}{unit}"
        if self.sum_missing:
            text += f" ({self.sum_missing} chưa báo cáo)"
        if self.sum_unfigured:
            text += f" ({self.sum_unfigured} chỉ nêu kết quả, không kèm số liệu)"
        return text

    @property
    def values_text(self) -> str:
        """"Quảng Ninh 04; Ninh Bình 03; …" (numbers and percentages only)."""
        return "; ".join(f"{name} {value}" for name, value in self.values)

    def as_dict(self) -> dict[str, Any]:
        return {"indicator_code": self.indicator.code, "members": self.members,
                "applicable": self.applicable, "known": self.known, "exceeded": self.exceeded,
                "achieved": self.achieved, "not_achieved": self.not_achieved,
                "not_applicable": self.not_applicable, "unknown": self.unknown,
                "with_cases": self.with_cases, "text": self.text,
                "applies_text": self.applies_text,
                "sum": None if self.sum is None else dec_text(self.sum),
                "sum_missing": self.sum_missing, "sum_unfigured": self.sum_unfigured,
                "sum_text": self.sum_text,
                "values_text": self.values_text, "achieved_names": list(self.achieved_names),
                "not_achieved_names": list(self.not_achieved_names),
                "unknown_names": list(self.unknown_names),
                "not_applicable_names": list(self.not_applicable_names)}


def count_indicator(indicator: Indicator, results: Mapping[Hashable, Result | None],
                    names: Mapping[Hashable, str], *, noun: str = "đơn vị",
                    indicators: Mapping[Hashable, Indicator] | None = None) -> IndicatorCount:
    """The column of ``indicator`` over the members of ``names`` (member → name); a member
    missing from ``results`` is unknown. ``indicators`` gives a member its own version of the
    indicator (a movement's own target)."""
    by: dict[str, list[str]] = {e: [] for e in Evaluation.ALL}
    with_cases = 0
    total: Decimal | None = None
    missing = unfigured = 0
    values: list[tuple[Decimal, str, str]] = []
    for member, name in names.items():
        own = (indicators or {}).get(member, indicator)
        result = results.get(member)
        evaluation = evaluate(own, result)
        by[evaluation].append(name)
        if result is not None and result.cases_occurred:
            with_cases += 1
        if evaluation == NOT_APPLICABLE:
            continue
        if result is not None and result.value is not None and own.measure != YES_NO:
            number = Decimal(result.value)
            values.append((number, name, value_text(own, result.value, padded=True)))
            if indicator.summable:
                total = number if total is None else total + number
        elif indicator.summable and result is None:
            missing += 1
        elif indicator.summable:
            unfigured += 1
    values.sort(key=lambda item: (-item[0], vietnamese_sort_key(item[1])))
    return IndicatorCount(
        indicator=indicator, noun=noun, members=len(names),
        exceeded=len(by[EXCEEDED]), achieved=len(by[EXCEEDED]) + len(by[ACHIEVED]),
        not_achieved=len(by[NOT_ACHIEVED]), not_applicable=len(by[NOT_APPLICABLE]),
        unknown=len(by[UNKNOWN]),
        with_cases=with_cases if indicator.applies == WHEN_CASES else None,
        sum=total if indicator.summable else None, sum_missing=missing,
        sum_unfigured=unfigured,
        values=tuple((name, text) for _, name, text in values),
        achieved_names=_names_in_order(by[EXCEEDED] + by[ACHIEVED]),
        not_achieved_names=_names_in_order(by[NOT_ACHIEVED]),
        unknown_names=_names_in_order(by[UNKNOWN]),
        not_applicable_names=_names_in_order(by[NOT_APPLICABLE]))


# -- figures stated only for the whole group ----------------------------------------------------


@dataclass(frozen=True)
class StatedTotal:
    """A figure stated for the whole cluster or movement, not per member ("Toàn Cụm đã hỗ trợ
    được 13.747 gia đình đạt 08 tiêu chí"): recorded as stated, shown beside what the members'
    results add up to (often unknown); never spread over the members."""

    indicator_code: str
    what: str
    value: str
    unit: str = ""
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"indicator_code": self.indicator_code, "what": self.what, "value": self.value,
                "unit": self.unit, "source": self.source}

    @property
    def text(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{vi_number(Decimal(self.value))}{unit}"


def stated_totals_from(items: Iterable[Any], indicators: Iterable[Indicator],
                       error: type, where: str) -> tuple[StatedTotal, ...]:
    if isinstance(items, (str, bytes, Mapping)):
        raise error(reason="số liệu chung phải là một danh sách")
    codes = [i.code for i in indicators]
    out: list[StatedTotal] = []
    for item in items:
        if isinstance(item, StatedTotal):
            item = item.as_dict()
        if not isinstance(item, Mapping):
            raise error(reason="mỗi số liệu chung phải là một đối tượng")
        code = item.get("indicator_code")
        if code not in codes:
            raise IndicatorUnknown(indicator_code=str(code)[:MAX_CODE], where=where)
        try:
            value = parse_decimal(item.get("value"), places=NUMBER_PLACES, low=Decimal(0),
                                  high=MAX_VALUE)
        except ValueError as exc:
            raise error(reason=f"số liệu chung của chỉ tiêu {code}: {exc}") from None
        out.append(StatedTotal(
            indicator_code=code,
            what=_text(item.get("what"), "nội dung số liệu chung", 300, required=True,
                       error=error),
            value=dec_text(value),
            unit=_text(item.get("unit"), "đơn vị tính", MAX_UNIT, required=False, error=error),
            source=_text(item.get("source"), "nguồn", MAX_EVIDENCE, required=False,
                         error=error)))
    if len(out) > MAX_INDICATORS:
        raise error(reason=f"tối đa {MAX_INDICATORS} số liệu chung")
    return tuple(out)


# -- the result log shared by member reports and movement registrations -------------------------

REPORTED, CONFIRMED, CORRECTED = "reported", "confirmed", "corrected"
RESULT_STATUS_LABELS = {REPORTED: "đã báo cáo", CONFIRMED: "đã xác nhận",
                        CORRECTED: "đã điều chỉnh"}
MAX_REASON = 1_000


def reason_text(reason: Any, what: str) -> str:
    if not isinstance(reason, str) or not nfc_multiline(reason):
        raise ReasonRequired(what=what)
    text = nfc_multiline(reason)
    if len(text) > MAX_REASON:
        raise ReasonRequired(what=f"{what} (tối đa {MAX_REASON} ký tự)")
    return text


class ResultLog:
    """Results per indicator with their history, mixed into an aggregate.

    The aggregate calls ``_init_results`` in its constructor, declares its events
    (``ResultReported``, ``ResultConfirmed``, ``ResultCorrected``) whose methods call
    ``_apply_result`` / ``_apply_confirm``, and checks a command with ``_check_report``,
    ``_check_correct`` and ``_check_confirm``. State is plain dicts (snapshot-friendly):
    ``results[code] = {"status", "versions": [{result, kind, actor, reason}], "confirmed_by"}``.
    A member reports and re-reports until the result is confirmed; from then on only a
    correction (by whoever confirms, with a reason) changes it; every earlier value is kept."""

    def _init_results(self) -> None:
        self.results: dict[str, dict[str, Any]] = {}

    # queries
    def result(self, indicator_code: str) -> Result | None:
        entry = self.results.get(indicator_code)
        return Result.from_dict(entry["versions"][-1]["result"]) if entry else None

    def result_status(self, indicator_code: str) -> str | None:
        entry = self.results.get(indicator_code)
        return entry["status"] if entry else None

    def result_history(self, indicator_code: str) -> list[dict[str, Any]]:
        """Every version, oldest first: ``{result, kind, actor, reason}``."""
        entry = self.results.get(indicator_code)
        return [dict(v) for v in entry["versions"]] if entry else []

    def current_results(self) -> dict[str, Result]:
        return {code: Result.from_dict(entry["versions"][-1]["result"])
                for code, entry in self.results.items()}

    # checks
    def _check_report(self, indicator: Indicator, **given: Any) -> Result | None:
        """The result to record, or None when it equals the current one."""
        status = self.result_status(indicator.code)
        if status in (CONFIRMED, CORRECTED):
            raise ReportConfirmed(indicator_code=indicator.code)
        result = result_for(indicator, **given)
        return None if result == self.result(indicator.code) else result

    def _check_correct(self, indicator: Indicator, reason: Any, **given: Any
                       ) -> tuple[Result, str] | None:
        if indicator.code not in self.results:
            raise ResultMissing(indicator_code=indicator.code)
        why = reason_text(reason, f"điều chỉnh kết quả chỉ tiêu {indicator.code}")
        result = result_for(indicator, **given)
        if result == self.result(indicator.code):
            return None
        return result, why

    def _check_confirm(self, indicator_code: str) -> bool:
        """Whether there is something to confirm (False: already confirmed or corrected)."""
        if indicator_code not in self.results:
            raise ResultMissing(indicator_code=indicator_code)
        return self.results[indicator_code]["status"] == REPORTED

    # appliers (called from the aggregate's event methods)
    def _apply_result(self, indicator_code: str, result: dict[str, Any], kind: str,
                      actor: str, reason: str = "") -> None:
        entry = self.results.setdefault(indicator_code, {"status": REPORTED, "versions": [],
                                                         "confirmed_by": None})
        entry["versions"].append({"result": dict(result), "kind": kind, "actor": actor,
                                  "reason": reason})
        entry["status"] = CORRECTED if kind == CORRECTED else REPORTED

    def _apply_confirm(self, indicator_code: str, actor: str) -> None:
        entry = self.results[indicator_code]
        entry["status"] = CONFIRMED
        entry["confirmed_by"] = actor
