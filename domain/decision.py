"""Award decisions (quyết định khen thưởng): one aggregate, all its lines in one event.

A decision with thousands of lines is still one ``Created`` event saved in one transaction. In
the event each line is a plain dict (the stored format); the aggregate and everything that reads
it use ``DecisionLine``. Revocation (Luật TĐKT 2022 Art. 93.2) cancels one line or the whole
decision from a date; the lines stay in the log and in the registry with their revocation.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import topic
from domain.catalog import AS_STATED, BODIES, BODY_LABELS, AwardKind, catalog
from domain.errors import (
    AboveAuthority,
    AlreadyRevoked,
    DuplicateLine,
    EmptyDecision,
    IssuerLevelEnded,
    LineNotAsStated,
    NotNamedDecider,
    RevocationDateInvalid,
    StatedKindInternal,
    UnknownLine,
    ValidationFailed,
)
from domain.guards import ACHIEVEMENT, LIFETIME, line_claims
from domain.org import UnitState
from domain.pricing import Pricer, check_amount, price, requested_mode
from domain.recipients import Recipient, normalise_period
from domain.text import fold, nfc, nfc_multiline, nfc_optional

IN_FORCE, PARTLY_REVOKED, REVOKED = "in_force", "partly_revoked", "revoked"
STATUS_LABELS = {
    IN_FORCE: "Có hiệu lực",
    PARTLY_REVOKED: "Bị hủy bỏ một phần",
    REVOKED: "Đã bị hủy bỏ",
}
# Luật TĐKT 2022 Điều 93 khoản 2.
REVOCATION_GROUNDS = {
    "a": "Gian dối trong việc kê khai thành tích",
    "b": "Cung cấp thông tin sai sự thật hoặc làm giả hồ sơ, giấy tờ",
    "c": "Thẩm định, xét duyệt, đề nghị khen thưởng trái pháp luật",
    "d": "Có kết luận, quyết định của cơ quan có thẩm quyền về vi phạm dẫn đến không đủ tiêu chuẩn",
    "other": "Lý do khác",
}


@dataclass(frozen=True)
class Issuer:
    """Who decides: a Union unit in the system, or a body outside it: a state body (UBND,
    Thủ tướng, bộ…), the Party, the Fatherland Front and the other organisations, the army, the
    police, an enterprise… (``domain.catalog.BODIES``), each with its level and name."""

    body: str  # domain.catalog.BODIES: union | government | party | front | …
    level: str
    name: str
    unit_id: UUID | None = None

    @property
    def body_label(self) -> str:
        return BODY_LABELS.get(self.body, self.body)

    @property
    def key(self) -> str:
        """Identity for decision-number uniqueness."""
        return f"unit:{self.unit_id}" if self.unit_id else f"{self.body}:{fold(self.name)}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "level": self.level,
            "name": self.name,
            "unit_id": str(self.unit_id) if self.unit_id else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Issuer:
        return cls(
            body=data["body"],
            level=data["level"],
            name=data["name"],
            unit_id=UUID(data["unit_id"]) if data.get("unit_id") else None,
        )

    @classmethod
    def of_unit(cls, state: UnitState) -> Issuer:
        """A Union unit as issuer, as it stood on the decision's date (name and level then)."""
        return cls(body="union", level=state.level, name=state.name, unit_id=state.id)

    @classmethod
    def external(cls, body: str, level: str, name: str) -> Issuer:
        if body not in BODIES:
            allowed = "; ".join(f"{code} ({label})" for code, label in BODY_LABELS.items())
            raise ValidationFailed(reason=f"loại cơ quan ban hành phải là một trong: {allowed}")
        catalog().level(level)
        name = nfc(name)
        if not name:
            raise ValidationFailed(reason="cần tên cơ quan ban hành")
        return cls(body=body, level=level, name=name)

    def require_level_on(self, on: date) -> None:
        """The issuer's level still existed on the decision's date: a district body (the level
        ended on 2025-06-30) may not sign a decision dated later; its earlier decisions stand."""
        level = catalog().level(self.level)
        if level.exists_on(on):
            return
        assert level.valid_until is not None
        raise IssuerLevelEnded(
            issuer_name=self.name,
            level=level.code,
            level_name=level.name,
            valid_until=level.valid_until.isoformat(),
            decided_on=on.isoformat(),
            ended_text=f"{level.valid_until + timedelta(days=1):%d/%m/%Y}",
            last_text=f"{level.valid_until:%d/%m/%Y}",
            decided_text=f"{on:%d/%m/%Y}",
        )


def require_authority(kind: AwardKind, issuer: Issuer, line_no: int) -> None:
    """The issuer may decide the kind: its kind of body and level are among the kind's deciders
    (``AboveAuthority``), and where the kind names the bodies that alone decide it (the Prime
    Minister's Bằng khen), the issuer is one of them (``NotNamedDecider``)."""
    if not kind.decided_by(issuer.body, issuer.level):
        raise AboveAuthority(
            issuer_name=issuer.name,
            award_title=kind.title,
            award_kind=kind.code,
            line_no=line_no,
        )
    if not kind.named_decider(issuer.name):
        raise NotNamedDecider(
            issuer_name=issuer.name,
            award_title=kind.title,
            award_kind=kind.code,
            deciders=" hoặc ".join(kind.named_deciders),
            named_deciders=list(kind.named_deciders),
            line_no=line_no,
        )


def normalise_number(number: str) -> str:
    number = nfc(number)
    if not number:
        raise ValidationFailed(reason="cần số quyết định")
    if len(number) > 60:
        raise ValidationFailed(reason="số quyết định quá dài")
    return number


@dataclass(frozen=True)
class DecisionLine:
    """One line of a decision: who receives which award for what, and its money with the rule
    and the explanation it came from (``domain.pricing``). ``unit_path`` is the recipient's unit
    path (root first) on the decision's date."""

    line_no: int
    recipient: dict[str, Any]
    recipient_key: str
    award_kind: str
    period: str
    achievement: str
    amount: int | None
    amount_source: str
    amount_mode: str
    explanation: str = ""
    rule_amount: int | None = None
    rule_maximum: int | None = None
    rule: dict[str, Any] = field(default_factory=dict)
    rule_verified: bool = False
    warnings: tuple[dict[str, str], ...] = ()
    nomination_id: str | None = None
    unit_path: tuple[dict[str, Any], ...] = ()
    revoked_on: date | None = None
    revocation_reason: str | None = None
    # The form as the source states it ("Biểu dương"), for a line of an outside decision whose
    # form is not in the catalogue: its kind is then ``AS_STATED`` until the office maps it
    # (``AwardDecision.LineKindMapped``); the wording stays. None: a catalogue kind (and every
    # line stored before this field).
    award_as_stated: str | None = None

    @property
    def awaits_mapping(self) -> bool:
        return self.award_kind == AS_STATED

    @property
    def in_force(self) -> bool:
        return self.revoked_on is None

    @property
    def recipient_name(self) -> str:
        return str(self.recipient.get("name") or "")

    @property
    def recipient_kind(self) -> str:
        return str(self.recipient.get("kind") or "")

    def as_dict(self) -> dict[str, Any]:
        """The stored form (inside ``AwardDecision.Created``)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["warnings"] = [dict(w) for w in self.warnings]
        data["unit_path"] = [dict(step) for step in self.unit_path]
        if data["award_as_stated"] is None:  # catalogue lines keep the stored form they had
            del data["award_as_stated"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecisionLine:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["warnings"] = tuple(values.get("warnings") or ())
        values["unit_path"] = tuple(values.get("unit_path") or ())
        return cls(**values)


def build_line(
    *,
    line_no: int,
    raw: dict[str, Any],
    issuer: Issuer,
    default_achievement: str,
    pricer: Pricer | None = None,
    default_mode: str | None = None,
    on: date | None = None,
) -> DecisionLine:
    """Validate one line of a decision (its unit path is added by the service).

    ``on``: the decision's date; the kind is read as the catalogue had it then, and refused
    outside its dates (``AwardKindNotInForce``). ``pricer`` quotes the rule's amount on that
    date (from the schedules the service read); the line stores its amount, where it came from
    and why (``domain.pricing``)."""
    recipient = Recipient.build(dict(raw.get("recipient") or {}))
    stated = stated_wording(raw, issuer, line_no)
    code = AS_STATED if stated else str(raw.get("award_kind") or "")
    kind = catalog().kind(code) if on is None or stated else \
        catalog().require_in_force(code, on)
    if kind.stated and not stated:
        raise ValidationFailed(reason="hình thức theo văn bản cần ghi nguyên văn "
                               "(award_as_stated)")
    kind.require_recipient(recipient.kind)
    require_authority(kind, issuer, line_no)
    amount = check_amount(raw.get("amount"))
    if kind.no_money and amount:
        raise ValidationFailed(reason=f"«{kind.title}» không kèm tiền thưởng")
    mode = requested_mode(raw.get("amount_mode"), amount, default_mode, line_no)
    quote = pricer(kind.code, recipient.kind) if pricer is not None else None
    money = price(line_no=line_no, mode=mode, amount=amount, quote=quote)
    achievement = nfc_multiline(str(raw.get("achievement") or "")) or default_achievement
    nomination_id = raw.get("nomination_id")
    return DecisionLine.from_dict({
        "line_no": line_no,
        "recipient": recipient.as_dict(),
        "recipient_key": recipient.key,
        "award_kind": kind.code,
        "period": normalise_period(str(raw.get("period") or "")),
        "achievement": achievement,
        **money,
        "nomination_id": str(nomination_id) if nomination_id else None,
        "award_as_stated": stated,
    })


MAX_STATED = 300


def stated_wording(raw: dict[str, Any], issuer: Issuer, line_no: int) -> str | None:
    """The form as the source states it (``award_as_stated``), for an outside decision only
    (``StatedKindInternal`` for a Union unit's own); a line gives it or a catalogue kind."""
    stated = nfc(str(raw.get("award_as_stated") or "")) or None
    if stated is None:
        return None
    if issuer.unit_id is not None:
        raise StatedKindInternal(line_no=line_no, award_as_stated=stated)
    if raw.get("award_kind") not in (None, "", AS_STATED):
        raise ValidationFailed(reason="ghi hình thức trong danh mục (award_kind) hoặc hình thức "
                               "theo văn bản (award_as_stated), không ghi cả hai")
    if len(stated) > MAX_STATED:
        raise ValidationFailed(reason=f"hình thức theo văn bản quá dài (tối đa {MAX_STATED} "
                               "ký tự)")
    return stated


def check_no_duplicates(lines: list[DecisionLine], issuer_key: str,
                        on: date | None = None) -> None:
    """No two lines of one decision may break an award rule between them (the claims check
    the same keys across decisions)."""
    for purpose in (ACHIEVEMENT, LIFETIME):
        seen: dict[str, int] = {}
        for line in lines:
            for claim in line_claims(line, issuer_key, on):
                if claim.purpose != purpose:
                    continue
                if claim.key in seen:
                    raise DuplicateLine(line_no=line.line_no, other_line_no=seen[claim.key])
                seen[claim.key] = line.line_no


class AwardDecision(Aggregate):
    TOPIC = topic("decision", "AwardDecision")

    class Created(Aggregate.Created):
        TOPIC = topic("decision", "AwardDecision.Created")
        # v2 (money rules): each line carries amount_mode, the rule's figures, explanation and
        # warnings. v1 events (amount + amount_source only) are upcast on the way out of the store.
        class_version = 2
        number: str
        decided_on: date
        issuer: dict[str, Any]
        recorded_by_unit_id: UUID
        signer: dict[str, str]
        subject: str
        legal_basis: str
        achievement: str
        external: bool
        lines: list[dict[str, Any]]
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            for line in state["lines"]:
                source = line.get("amount_source") or (
                    "decided" if line.get("amount") is not None else "not_stated")
                line.setdefault("amount_source", source)
                line.setdefault("amount_mode", source)
                line.setdefault("rule_amount", None)
                line.setdefault("rule_maximum", None)
                line.setdefault("rule", {})
                line.setdefault("rule_verified", False)
                line.setdefault("explanation", "")
                line.setdefault("warnings", [])

    class LineRevoked(Aggregate.Event):
        TOPIC = topic("decision", "AwardDecision.LineRevoked")
        line_no: int
        revoked_on: date
        ground: str
        reason: str
        actor: str

    class LineKindMapped(Aggregate.Event):
        """An as-stated line mapped to a catalogue kind by the office; the wording stays."""

        TOPIC = topic("decision", "AwardDecision.LineKindMapped")
        line_no: int
        award_as_stated: str
        from_kind: str
        award_kind: str
        reason: str
        actor: str

    class Revoked(Aggregate.Event):
        TOPIC = topic("decision", "AwardDecision.Revoked")
        revoked_on: date
        ground: str
        reason: str
        actor: str

    @event(Created)
    def __init__(
        self,
        number: str,
        decided_on: date,
        issuer: dict[str, Any],
        recorded_by_unit_id: UUID,
        signer: dict[str, str],
        subject: str,
        legal_basis: str,
        achievement: str,
        external: bool,
        lines: list[dict[str, Any]],
        actor: str,
    ) -> None:
        self.number = number
        self.decided_on = decided_on
        self.issuer = issuer
        self.recorded_by_unit_id = recorded_by_unit_id
        self.signer = signer
        self.subject = subject
        self.legal_basis = legal_basis
        self.achievement = achievement
        self.external = external
        self.lines = [DecisionLine.from_dict(line) for line in lines]
        self.revoked_on: date | None = None
        self.revocation_reason: str | None = None

    @classmethod
    def issue(
        cls,
        *,
        decision_id: UUID,
        number: str,
        decided_on: date,
        issuer: Issuer,
        recorded_by_unit_id: UUID,
        signer: dict[str, Any],
        subject: str,
        legal_basis: str,
        achievement: str,
        lines: list[dict[str, Any]],
        actor: str,
    ) -> AwardDecision:
        if not lines:
            raise EmptyDecision()
        issuer.require_level_on(decided_on)
        check_no_duplicates(lines, issuer.key, decided_on)
        signer_name = nfc(str(signer.get("name") or ""))
        signer_title = nfc(str(signer.get("title") or ""))
        return cls._create(
            cls.Created,
            id=decision_id,
            number=normalise_number(number),
            decided_on=decided_on,
            issuer=issuer.as_dict(),
            recorded_by_unit_id=recorded_by_unit_id,
            signer={"name": signer_name, "title": signer_title},
            subject=nfc(subject or ""),
            legal_basis=nfc_multiline(legal_basis or ""),
            achievement=nfc_multiline(achievement or ""),
            external=issuer.unit_id is None,
            lines=[line.as_dict() for line in lines],
            actor=actor,
        )

    # -- reading ------------------------------------------------------------------------------

    @property
    def issuer_obj(self) -> Issuer:
        return Issuer.from_dict(self.issuer)

    @property
    def status(self) -> str:
        revoked = sum(1 for line in self.lines if not line.in_force)
        if revoked == 0:
            return IN_FORCE
        return REVOKED if revoked == len(self.lines) else PARTLY_REVOKED

    def line(self, line_no: int) -> DecisionLine:
        if not 1 <= line_no <= len(self.lines):
            raise UnknownLine(line_no=line_no)
        return self.lines[line_no - 1]

    # -- commands -----------------------------------------------------------------------------

    def _check_revocation(self, on: date, ground: str, reason: str) -> str:
        if on < self.decided_on:
            raise RevocationDateInvalid(
                revoked_on=on.isoformat(), decided_on=self.decided_on.isoformat()
            )
        if ground not in REVOCATION_GROUNDS:
            raise ValidationFailed(reason="căn cứ hủy bỏ phải là a, b, c, d (Điều 93.2) hoặc other")
        reason = nfc_optional(reason) or ""
        if not reason:
            raise ValidationFailed(reason="cần ghi rõ lý do hủy bỏ")
        return reason

    def revoke_line(
        self, *, line_no: int, on: date, ground: str, reason: str, actor: str
    ) -> DecisionLine:
        line = self.line(line_no)
        if line.revoked_on is not None:
            raise AlreadyRevoked(
                what=f"Dòng {line_no} của quyết định {self.number}",
                revoked_on=line.revoked_on.isoformat(),
            )
        reason = self._check_revocation(on, ground, reason)
        self._line_revoked(
            line_no=line_no, revoked_on=on, ground=ground, reason=reason, actor=actor
        )
        return self.line(line_no)

    def revoke(self, *, on: date, ground: str, reason: str, actor: str) -> list[DecisionLine]:
        """Revoke the whole decision; returns the lines that this revocation cancels."""
        open_lines = [line.line_no for line in self.lines if line.in_force]
        if self.revoked_on is not None or not open_lines:  # every line already revoked
            revoked_on = self.revoked_on or max(line.revoked_on for line in self.lines)
            raise AlreadyRevoked(
                what=f"Quyết định {self.number}", revoked_on=revoked_on.isoformat()
            )
        reason = self._check_revocation(on, ground, reason)
        self._revoked(revoked_on=on, ground=ground, reason=reason, actor=actor)
        return [self.line(line_no) for line_no in open_lines]

    def map_line_kind(self, *, line_no: int, kind: AwardKind, reason: str, actor: str
                      ) -> DecisionLine:
        """Map a line recorded as its source stated it to a catalogue kind (again, to correct
        an earlier mapping): the kind admits the recipient and the issuer may decide it, as for
        a new line; the stated wording stays on the line and in the history."""
        line = self.line(line_no)
        if not line.award_as_stated:
            raise LineNotAsStated(line_no=line_no, decision_number=self.number)
        if line.revoked_on is not None:
            raise AlreadyRevoked(what=f"Dòng {line_no} của quyết định {self.number}",
                                 revoked_on=line.revoked_on.isoformat())
        if kind.stated:
            raise ValidationFailed(reason="cần chọn một hình thức trong danh mục")
        if kind.code == line.award_kind:
            raise ValidationFailed(reason=f"dòng {line_no} đã được đối chiếu với «{kind.title}»")
        kind.require_recipient(line.recipient_kind)
        require_authority(kind, self.issuer_obj, line_no)
        reason = nfc_optional(reason) or ""
        if not reason:
            raise ValidationFailed(reason="cần ghi rõ lý do (căn cứ) đối chiếu")
        self._line_kind_mapped(line_no=line_no, award_as_stated=line.award_as_stated,
                               from_kind=line.award_kind, award_kind=kind.code, reason=reason,
                               actor=actor)
        return self.line(line_no)

    # -- event application --------------------------------------------------------------------

    @event(LineKindMapped)
    def _line_kind_mapped(self, line_no: int, award_as_stated: str, from_kind: str,
                          award_kind: str, reason: str, actor: str) -> None:
        self.lines[line_no - 1] = replace(self.lines[line_no - 1], award_kind=award_kind)

    @event(LineRevoked)
    def _line_revoked(
        self, line_no: int, revoked_on: date, ground: str, reason: str, actor: str
    ) -> None:
        self.lines[line_no - 1] = replace(
            self.lines[line_no - 1], revoked_on=revoked_on, revocation_reason=reason)

    @event(Revoked)
    def _revoked(self, revoked_on: date, ground: str, reason: str, actor: str) -> None:
        self.revoked_on = revoked_on
        self.revocation_reason = reason
        self.lines = [
            replace(line, revoked_on=revoked_on, revocation_reason=reason) if line.in_force
            else line
            for line in self.lines
        ]
