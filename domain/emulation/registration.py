"""Title registrations (đăng ký danh hiệu thi đua) and the title prerequisites.

* ``TitleRegistration`` (id from unit + year): at the start of a year a unit lists who registers
  for which title — recipients (``domain.recipients.Recipient``) and a catalogue kind of the
  ``danh_hieu`` group that admits the recipient's kind. Entries are added and withdrawn while the
  registration is open; ``close`` freezes it.
* ``title_prerequisites(kind, year, history)``: the prerequisites the law sets on earlier titles
  ("2 lần liên tục", "3 lần liên tục", the same year's Lao động tiên tiến), as data
  (``PREREQUISITES``) with their source and whether research/law.md verified them. Each unmet one
  is a ``Finding``: ``refuse`` (a verified rule) or ``warn`` (an unverified reading, an
  alternative criterion, or a same-year title that will be considered together).

Adding an entry with a history checks it: a refusal stops the entry unless an override reason
is given (titles earned before the system may be missing from the history); warnings are kept on
the entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.catalog import catalog
from domain.emulation.errors import (
    EntryDuplicate,
    EntryUnknown,
    RegistrationClosed,
    RegistrationInvalid,
    RegistrationStillOpen,
    TitleKindInvalid,
    TitlePrerequisite,
)
from domain.emulation.indicators import reason_text
from domain.errors import ValidationFailed
from domain.recipients import Recipient
from domain.text import nfc_multiline

REFUSE, WARN = "refuse", "warn"
SEVERITY_LABELS = {REFUSE: "không đủ điều kiện", WARN: "lưu ý"}
REGISTRATION, AWARD = "registration", "award"
CONSECUTIVE, SUCCESSIVE, WITHIN = "consecutive", "successive", "within"
TITLE_GROUP = "danh_hieu"

CSTD_TOAN_QUOC = "chien_si_thi_dua_toan_quoc"
CSTD_BO_TINH = "chien_si_thi_dua_bo_tinh"
CSTD_CO_SO = "chien_si_thi_dua_co_so"
LAO_DONG_TIEN_TIEN = "lao_dong_tien_tien"
BANG_KHEN_BO_TINH = ("bang_khen_tw_hoi", "bang_khen_ubnd_tinh")
BANG_KHEN_THU_TUONG = "bang_khen_thu_tuong"


@dataclass(frozen=True)
class PrerequisiteRule:
    """A prerequisite on earlier titles.

    ``consecutive``: ``times`` titles in the years Y, Y − cycle, Y − 2·cycle… (Y: the year
    registered for; the title of Y itself is considered in the same round). ``successive``: the
    latest ``times`` titles up to Y follow each other ``cycle`` years apart. ``within``: at least
    ``times`` titles in the ``window`` years up to Y (None: any year up to Y)."""

    code: str
    kinds: tuple[str, ...]
    needs: tuple[str, ...]
    needs_label: str
    times: int
    mode: str
    text: str
    source: str
    verified: bool
    unmet: str = REFUSE  # severity when unmet (a verified rule); unverified ones only warn
    cycle: int = 1
    window: int | None = None
    after: str | None = None  # checked only when this rule is met

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "kinds": list(self.kinds), "needs": list(self.needs),
                "times": self.times, "mode": self.mode, "cycle": self.cycle,
                "window": self.window, "text": self.text, "source": self.source,
                "verified": self.verified, "unmet": self.unmet}


# From research/law.md (§1.2 titles, §1.3 forms, §7.3). Keep sources with the rules: a correction
# is one edit here.
PREREQUISITES: tuple[PrerequisiteRule, ...] = (
    PrerequisiteRule(
        code="cstd_toan_quoc.hai_lan_cstd_bo_tinh", kinds=(CSTD_TOAN_QUOC,),
        needs=(CSTD_BO_TINH,), needs_label="Chiến sĩ thi đua bộ, ban, ngành, tỉnh", times=2,
        mode=WITHIN,
        text="«Chiến sĩ thi đua toàn quốc» được xét trong số cá nhân có 02 lần liên tục đạt "
             "danh hiệu «Chiến sĩ thi đua bộ, ban, ngành, tỉnh» (và có sáng kiến, đề tài ảnh "
             "hưởng toàn quốc).",
        source="Luật Thi đua, khen thưởng 2022, Điều 21 — research/law.md §1.2 [V] "
               "https://lawnet.vn/en/laws/ca-nhan-phai-co-02-lan-lien-tuc-duoc-tang-danh-hieu-"
               "chien-si-thi-dua-bo-nganh-tinh-moi-duoc-nhan-da-22754.html",
        verified=True),
    PrerequisiteRule(
        code="cstd_toan_quoc.lien_tuc", kinds=(CSTD_TOAN_QUOC,), needs=(CSTD_BO_TINH,),
        needs_label="Chiến sĩ thi đua bộ, ban, ngành, tỉnh", times=2, mode=SUCCESSIVE,
        cycle=3, after="cstd_toan_quoc.hai_lan_cstd_bo_tinh",
        text="«Liên tục» được hiểu là hai lần gần nhất đạt danh hiệu CSTĐ bộ, ban, ngành, tỉnh "
             "nối tiếp nhau theo chu kỳ 3 năm của danh hiệu này.",
        source="Cách hiểu chu kỳ 3 năm của danh hiệu CSTĐ bộ, ban, ngành, tỉnh — research/law.md "
               "§1.2 [U] (chưa đối chiếu văn bản)",
        verified=False),
    PrerequisiteRule(
        code="cstd_bo_tinh.ba_lan_cstd_co_so", kinds=(CSTD_BO_TINH,), needs=(CSTD_CO_SO,),
        needs_label="Chiến sĩ thi đua cơ sở", times=3, mode=CONSECUTIVE,
        text="«Chiến sĩ thi đua bộ, ban, ngành, tỉnh» được xét trong số cá nhân có 03 lần liên "
             "tục đạt danh hiệu «Chiến sĩ thi đua cơ sở».",
        source="Luật Thi đua, khen thưởng 2003 (tdkt.toaan.gov.vn) — research/law.md §1.2: [V] "
               "cho luật 2003; câu chữ của Luật 2022 [U]",
        verified=False),
    PrerequisiteRule(
        code="cstd_co_so.lao_dong_tien_tien", kinds=(CSTD_CO_SO,), needs=(LAO_DONG_TIEN_TIEN,),
        needs_label="Lao động tiên tiến", times=1, mode=CONSECUTIVE,
        text="«Chiến sĩ thi đua cơ sở» được xét cho cá nhân đạt tiêu chuẩn «Lao động tiên tiến» "
             "cùng năm (và hoàn thành xuất sắc nhiệm vụ hoặc có sáng kiến).",
        source="Luật Thi đua, khen thưởng 2022, Điều 23 — research/law.md §1.2 [V]",
        verified=True),
    PrerequisiteRule(
        code="bang_khen_bo_tinh.hai_lan_cstd_co_so", kinds=BANG_KHEN_BO_TINH,
        needs=(CSTD_CO_SO,), needs_label="Chiến sĩ thi đua cơ sở", times=2, mode=CONSECUTIVE,
        unmet=WARN,
        text="Một trong các tiêu chuẩn Bằng khen bộ, ban, ngành, tỉnh (điểm d): 02 lần liên tục "
             "đạt «Chiến sĩ thi đua cơ sở», hoặc 02 năm liên tục hoàn thành xuất sắc nhiệm vụ có "
             "02 sáng kiến; các điểm a–c không cần danh hiệu trước.",
        source="Luật Thi đua, khen thưởng 2022, Điều 74 khoản 1 — research/law.md §1.3 [V]",
        verified=True),
    PrerequisiteRule(
        code="bang_khen_thu_tuong.bang_khen_bo_tinh", kinds=(BANG_KHEN_THU_TUONG,),
        needs=BANG_KHEN_BO_TINH, needs_label="Bằng khen bộ, ban, ngành, tỉnh (TW Hội, UBND tỉnh)",
        times=1, mode=WITHIN, unmet=WARN,
        text="Một tiêu chuẩn Bằng khen Thủ tướng (khoản 1 điểm b): đã được tặng Bằng khen bộ, "
             "ban, ngành, tỉnh, có 05 năm liên tục hoàn thành tốt nhiệm vụ trở lên, trong đó có "
             "03 lần «Chiến sĩ thi đua cơ sở».",
        source="Luật Thi đua, khen thưởng 2022, Điều 73 khoản 1 điểm b — research/law.md §1.3 "
               "[V]",
        verified=True),
    PrerequisiteRule(
        code="bang_khen_thu_tuong.ba_lan_cstd_co_so", kinds=(BANG_KHEN_THU_TUONG,),
        needs=(CSTD_CO_SO,), needs_label="Chiến sĩ thi đua cơ sở", times=3, mode=WITHIN,
        window=5, unmet=WARN,
        text="Một tiêu chuẩn Bằng khen Thủ tướng (khoản 1 điểm b): trong 05 năm liên tục gần "
             "nhất có 03 lần «Chiến sĩ thi đua cơ sở».",
        source="Luật Thi đua, khen thưởng 2022, Điều 73 khoản 1 điểm b — research/law.md §1.3 "
               "[V]",
        verified=True),
)


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # refuse | warn
    message: str
    source: str
    verified: bool
    missing_years: tuple[int, ...] = ()

    @property
    def refuses(self) -> bool:
        return self.severity == REFUSE

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity,
                "severity_label": SEVERITY_LABELS[self.severity], "message": self.message,
                "source": self.source, "verified": self.verified,
                "missing_years": list(self.missing_years)}


def _history(history: Iterable[Any]) -> set[tuple[int, str]]:
    out: set[tuple[int, str]] = set()
    for item in history:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise ValidationFailed(reason="mỗi dòng lịch sử gồm (năm, mã danh hiệu/hình thức)")
        year, kind = item
        if isinstance(year, bool) or not isinstance(year, int) or not isinstance(kind, str):
            raise ValidationFailed(reason="mỗi dòng lịch sử gồm (năm, mã danh hiệu/hình thức)")
        out.add((year, kind))
    return out


def _years(years: Iterable[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


def title_prerequisites(kind_code: str, year: int, history: Iterable[tuple[int, str]], *,
                        registered: Iterable[str] = (), stage: str = REGISTRATION
                        ) -> list[Finding]:
    """The unmet prerequisites of ``kind_code`` for ``year`` given the titles and awards already
    held (``history``: (year, kind code) pairs). ``registered``: kinds of the same year registered
    (or, at ``stage="award"``, proposed) together for the same recipient — they count as
    considered in the same round. At registration a missing same-year title is only a warning;
    at the award stage it is unmet like a past one."""
    if stage not in (REGISTRATION, AWARD):
        raise ValidationFailed(reason="giai đoạn phải là registration hoặc award")
    held = _history(history)
    pending = set(registered)
    findings: list[Finding] = []
    met: set[str] = set()
    for rule in PREREQUISITES:
        if kind_code not in rule.kinds or (rule.after is not None and rule.after not in met):
            continue
        severity = rule.unmet if rule.verified else WARN

        def has(y: int, rule: PrerequisiteRule = rule) -> bool:
            return any((y, kind) in held for kind in rule.needs)

        same_year = has(year) or bool(pending & set(rule.needs))
        if rule.mode == CONSECUTIVE:
            wanted = [year - k * rule.cycle for k in range(rule.times)]
            missing = [y for y in wanted if y < year and not has(y)]
            if missing:
                findings.append(Finding(
                    rule=rule.code, severity=severity, verified=rule.verified,
                    source=rule.source, missing_years=tuple(sorted(missing)),
                    message=(f"Cần {rule.times:02d} lần liên tục đạt «{rule.needs_label}» "
                             f"(các năm {_years(wanted)}); chưa thấy năm {_years(missing)}. "
                             f"{rule.text}")))
                continue
            met.add(rule.code)
            if not same_year:
                findings.append(Finding(
                    rule=rule.code, severity=WARN if stage == REGISTRATION else severity,
                    verified=rule.verified, source=rule.source, missing_years=(year,),
                    message=(f"Cần đạt «{rule.needs_label}» năm {year}, xét cùng đợt: "
                             + ("hãy đăng ký cả danh hiệu này. " if stage == REGISTRATION
                                else "chưa có, cũng không được đề nghị cùng đợt. ")
                             + rule.text)))
            continue
        if rule.mode == SUCCESSIVE:
            years = sorted({y for (y, kind) in held if kind in rule.needs and y <= year}
                           | ({year} if same_year else set()))[-rule.times:]
            gaps = [b - a for a, b in pairwise(years)]
            if len(years) == rule.times and all(gap == rule.cycle for gap in gaps):
                met.add(rule.code)
                continue
            findings.append(Finding(
                rule=rule.code, severity=severity, verified=rule.verified, source=rule.source,
                message=(f"{rule.times:02d} lần gần nhất đạt «{rule.needs_label}» (năm "
                         f"{_years(years)}) không nối tiếp nhau (cách {rule.cycle} năm). "
                         f"{rule.text}")))
            continue
        low = year - rule.window + 1 if rule.window is not None else None
        got = sorted({y for (y, kind) in held if kind in rule.needs and y <= year
                      and (low is None or y >= low)})
        extra = 1 if same_year and year not in got else 0
        if len(got) >= rule.times:
            met.add(rule.code)
            continue
        span = f"trong {rule.window} năm {low}–{year}" if low is not None else f"đến năm {year}"
        seen = f"mới thấy {len(got)} lần" + (f" ({_years(got)})" if got else "")
        if len(got) + extra >= rule.times:
            met.add(rule.code)
            if stage == REGISTRATION:
                findings.append(Finding(
                    rule=rule.code, severity=WARN, verified=rule.verified, source=rule.source,
                    missing_years=(year,),
                    message=(f"Cần ít nhất {rule.times:02d} lần đạt «{rule.needs_label}» {span}; "
                             f"{seen}, lần còn lại là năm {year}, xét cùng đợt. {rule.text}")))
            continue
        findings.append(Finding(
            rule=rule.code, severity=severity, verified=rule.verified, source=rule.source,
            message=(f"Cần ít nhất {rule.times:02d} lần đạt «{rule.needs_label}» {span}; "
                     f"{seen}. {rule.text}")))
    return findings


# -- the registration ---------------------------------------------------------------------------

OPEN, CLOSED = "open", "closed"
STATUS_LABELS = {OPEN: "đang nhận đăng ký", CLOSED: "đã khóa"}
MAX_ENTRIES = 5_000


def title_registration_id(unit_id: UUID, year: int) -> UUID:
    return stable_id("emulation-title-registration", str(unit_id), str(year))


def title_kind(code: Any):
    """The catalogue kind, refused unless it is a danh hiệu thi đua."""
    if not isinstance(code, str):
        raise TitleKindInvalid(award_kind=str(code)[:60])
    kind = catalog().kind(code)
    if kind.group != TITLE_GROUP:
        raise TitleKindInvalid(award_kind=kind.title)
    return kind


class TitleRegistration(Aggregate):
    """A unit's đăng ký danh hiệu thi đua for a year."""

    TOPIC = topic("emulation", "TitleRegistration")

    class Created(Aggregate.Created):  # opened
        TOPIC = topic("emulation", "TitleRegistration.Created")
        unit_id: UUID
        year: int
        actor: str

    class EntryAdded(Aggregate.Event):
        TOPIC = topic("emulation", "TitleRegistration.EntryAdded")
        entry_no: int
        recipient: dict[str, Any]
        award_kind: str
        checked: bool  # whether the prerequisites were checked against a history
        findings: list[dict[str, Any]]
        override_reason: str
        actor: str

    class EntryWithdrawn(Aggregate.Event):
        TOPIC = topic("emulation", "TitleRegistration.EntryWithdrawn")
        entry_no: int
        reason: str
        actor: str

    class Closed(Aggregate.Event):
        TOPIC = topic("emulation", "TitleRegistration.Closed")
        on: date
        actor: str

    class Nominated(Aggregate.Event):
        """Nominations opened from entries at the end of the year: {entry_no, nomination_id}."""

        TOPIC = topic("emulation", "TitleRegistration.Nominated")
        entries: list[dict[str, Any]]
        actor: str

    @event(Created)
    def __init__(self, unit_id: UUID, year: int, actor: str) -> None:
        self.unit_id = unit_id
        self.year = year
        self.status = OPEN
        self.closed_on: date | None = None
        self.entries: list[dict[str, Any]] = []  # every entry, withdrawn ones marked

    @classmethod
    def open(cls, unit_id: UUID, year: int, actor: str) -> TitleRegistration:
        if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
            raise RegistrationInvalid(reason="năm phải từ 2000 đến 2100")
        if not isinstance(unit_id, UUID):
            raise RegistrationInvalid(reason="mã đơn vị không hợp lệ")
        return cls._create(cls.Created, id=title_registration_id(unit_id, year), unit_id=unit_id,
                           year=year, actor=actor)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def active_entries(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self.entries if not e["withdrawn"]]

    def entry(self, entry_no: int) -> dict[str, Any]:
        for entry in self.entries:
            if entry["entry_no"] == entry_no and not entry["withdrawn"]:
                return dict(entry)
        raise EntryUnknown(entry_no=entry_no)

    def _require_open(self) -> None:
        if self.status != OPEN:
            raise RegistrationClosed(year=self.year)

    def _same_recipient(self, key: str) -> list[dict[str, Any]]:
        return [e for e in self.entries if not e["withdrawn"]
                and Recipient.from_dict(e["recipient"]).key == key]

    def add(self, recipient: Mapping[str, Any] | Recipient, award_kind: str, actor: str, *,
            history: Iterable[tuple[int, str]] | None = None, override_reason: str = "") -> int:
        """Register ``recipient`` for the title ``award_kind``; returns the entry number.

        With a ``history`` ((year, kind) of titles and awards already held), the prerequisites
        are checked: a refusal stops the entry (``TitlePrerequisite``) unless an
        ``override_reason`` says why (e.g. titles earned before the system); warnings are kept."""
        self._require_open()
        person = recipient if isinstance(recipient, Recipient) else Recipient.build(
            dict(recipient))
        kind = title_kind(award_kind)
        kind.require_recipient(person.kind)
        same = self._same_recipient(person.key)
        for entry in same:
            if entry["award_kind"] == kind.code:
                raise EntryDuplicate(name=person.name, title=kind.title,
                                     entry_no=entry["entry_no"])
        if len([e for e in self.entries if not e["withdrawn"]]) >= MAX_ENTRIES:
            raise RegistrationInvalid(reason=f"tối đa {MAX_ENTRIES} dòng đăng ký")
        findings: list[Finding] = []
        if history is not None:
            findings = title_prerequisites(kind.code, self.year, history,
                                           registered=[e["award_kind"] for e in same])
        override = ""
        refusals = [f for f in findings if f.refuses]
        if refusals:
            if not (isinstance(override_reason, str) and nfc_multiline(override_reason)):
                raise TitlePrerequisite(name=person.name, title=kind.title,
                                        reasons=" ".join(f.message for f in refusals),
                                        findings=[f.as_dict() for f in refusals])
            override = reason_text(override_reason, "vẫn đăng ký khi chưa đủ điều kiện")
        entry_no = max((e["entry_no"] for e in self.entries), default=0) + 1
        self._entry_added(entry_no=entry_no, recipient=person.as_dict(), award_kind=kind.code,
                          checked=history is not None,
                          findings=[f.as_dict() for f in findings], override_reason=override,
                          actor=actor)
        return entry_no

    @event(EntryAdded)
    def _entry_added(self, entry_no: int, recipient: dict[str, Any], award_kind: str,
                     checked: bool, findings: list[dict[str, Any]], override_reason: str,
                     actor: str) -> None:
        self.entries.append({"entry_no": entry_no, "recipient": dict(recipient),
                             "award_kind": award_kind, "checked": checked,
                             "findings": [dict(f) for f in findings],
                             "override_reason": override_reason, "actor": actor,
                             "withdrawn": False, "withdrawn_reason": ""})

    def withdraw(self, entry_no: int, reason: str, actor: str) -> None:
        self._require_open()
        self.entry(entry_no)
        self._entry_withdrawn(entry_no=entry_no, reason=reason_text(reason, "rút đăng ký"),
                              actor=actor)

    @event(EntryWithdrawn)
    def _entry_withdrawn(self, entry_no: int, reason: str, actor: str) -> None:
        for entry in self.entries:
            if entry["entry_no"] == entry_no:
                entry["withdrawn"] = True
                entry["withdrawn_reason"] = reason

    def close(self, on: date, actor: str) -> None:
        self._require_open()
        if not isinstance(on, date):
            raise ValidationFailed(reason="ngày khóa phải là một ngày")
        self._closed(on=on, actor=actor)

    @event(Closed)
    def _closed(self, on: date, actor: str) -> None:
        self.status = CLOSED
        self.closed_on = on

    def record_nominations(self, items: Iterable[Mapping[str, Any]], actor: str) -> list[int]:
        """Link the nominations opened from entries ({entry_no, nomination_id}), once the
        registration is closed; an entry already linked, or withdrawn, is skipped (a second call
        records nothing). Returns the entry numbers newly linked."""
        if self.status != CLOSED:
            raise RegistrationStillOpen(year=self.year)
        clean: list[dict[str, Any]] = []
        for item in items:
            entry = self.entry(item.get("entry_no"))  # EntryUnknown when withdrawn or absent
            try:
                nomination = UUID(str(item.get("nomination_id")))
            except ValueError:
                raise RegistrationInvalid(reason="mã đề nghị không hợp lệ") from None
            if entry.get("nomination_id") or any(c["entry_no"] == entry["entry_no"]
                                                  for c in clean):
                continue
            clean.append({"entry_no": entry["entry_no"], "nomination_id": str(nomination)})
        if not clean:
            return []
        self._nominated(entries=clean, actor=actor)
        return [c["entry_no"] for c in clean]

    @event(Nominated)
    def _nominated(self, entries: list[dict[str, Any]], actor: str) -> None:
        linked = {e["entry_no"]: e["nomination_id"] for e in entries}
        for entry in self.entries:
            if entry["entry_no"] in linked:
                entry["nomination_id"] = linked[entry["entry_no"]]

    def recheck(self, entry_no: int, history: Iterable[tuple[int, str]],
                stage: str = REGISTRATION) -> list[Finding]:
        """The prerequisites of an entry now (entries withdrawn since, a fuller history)."""
        entry = self.entry(entry_no)
        key = Recipient.from_dict(entry["recipient"]).key
        together = [e["award_kind"] for e in self._same_recipient(key)
                    if e["entry_no"] != entry_no]
        return title_prerequisites(entry["award_kind"], self.year, history,
                                   registered=together, stage=stage)
