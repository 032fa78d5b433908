"""Ceremonies (trao thưởng): a conference where decisions are presented and money paid out.

The organisers often announce a total ("Tổng số tiền khen thưởng tại Hội nghị là …") and counts
("40 tập thể", "hơn 60 cá nhân"). Each is recorded as announced — value, qualifier (exact, at
least, about) and source (``domain.announcements``) — beside what the decisions give; nothing
forces them to agree. The money total is ``TotalAnnounced`` (since v2 with its qualifier; older
events read as exact totals), each count ``CountAnnounced``; a value ``None`` withdraws a figure.

**The host.** ``host_unit_id`` is the Union unit whose office records and manages the ceremony
(its approvers act on it). A ceremony hosted by another body — "UBND tỉnh Thái Nguyên", the
Front, a police department — names that body (``HostBodyNamed``: body type, level, name) beside
the unit; the unit stays the one whose office manages it.

**Payments** (chi trả tiền thưởng) are events of the ceremony: each ``PaymentRecorded`` says what
was paid or signed for against one line of one of its decisions (amount in integer đồng, date,
``signed`` — the recipient signed the payout sheet — or ``paid`` — paid otherwise, e.g. by
transfer — a note, who recorded it). A record is never edited: a ``PaymentCorrected`` names the
record it corrects and gives its new values with a reason; history keeps both. The rules:

* a new payment is for a line **in force** of a decision **presented at this ceremony**;
* the amount is integer đồng ≥ 0 (0 đ: signed for the award only), dated on or after the
  decision;
* what a line has been paid in all may not exceed the amount the decision states for it — nor be
  anything above 0 đ for a line that states no amount — **unless a reason is given** (the
  decision is the law for the line; the office may still pay more, and says why);
* a correction always gives a reason, and may concern a line revoked since (money taken back is
  recorded by correcting what was paid); it cannot exceed silently since its reason is recorded;
* a decision whose lines were paid here cannot be removed from the ceremony until those payments
  are corrected to 0 đ.

What is committed, paid and outstanding is computed from these events (``domain.payouts``).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.announcements import AMOUNT, EXACT, FIGURES, QUALIFIERS, AnnouncedFigure
from domain.base import topic
from domain.catalog import BODIES, catalog
from domain.decision import DecisionLine, check_amount
from domain.errors import (
    AnnouncedFigureInvalid,
    DecisionAlreadyPresented,
    DecisionHasPayments,
    DecisionNotPresented,
    HostBodyInvalid,
    InvalidLevel,
    PaymentAboveAmount,
    PaymentCorrectionUnchanged,
    PaymentDateInvalid,
    PaymentLineRevoked,
    PaymentReasonRequired,
    PaymentStatusInvalid,
    UnknownPayment,
    ValidationFailed,
)
from domain.money import format_dong
from domain.text import nfc, nfc_multiline, nfc_optional

SIGNED, PAID = "signed", "paid"
# How a payment was made: the recipient signed the payout sheet, or it was paid otherwise.
PAYMENT_STATUSES = {SIGNED: "Đã ký nhận", PAID: "Đã chi (chuyển khoản, chi sau)"}


def payment_exceeds(stated: int | None, total_paid: int) -> bool:
    """Whether what a line has been paid in all goes beyond what its decision states (for a line
    that states no amount, anything above 0 đ does)."""
    return total_paid > (stated or 0)


def _payment_amount(amount: Any) -> int:
    checked = check_amount(amount)
    if checked is None:
        raise ValidationFailed(reason="cần số tiền đã chi (số nguyên đồng, 0 nếu chỉ ký nhận)")
    return checked


def _payment_date(paid_on: Any, decided_on: date) -> date:
    if not isinstance(paid_on, date):
        raise ValidationFailed(reason="cần ngày chi trả (YYYY-MM-DD)")
    if paid_on < decided_on:
        raise PaymentDateInvalid(paid_on=paid_on.strftime("%d/%m/%Y"),
                                 decided_on=decided_on.strftime("%d/%m/%Y"))
    return paid_on


def _payment_status(status: Any) -> str:
    if status not in PAYMENT_STATUSES:
        raise PaymentStatusInvalid()
    return str(status)


HOST_NAME_MAX = 300


def check_host_body(host_body: Any, held_on: date) -> dict[str, str]:
    """An outside host as recorded: a body type of the catalog (``domain.catalog.BODIES``), a
    level that exists on the ceremony's date, a name (NFC, at most 300 characters)."""
    if not isinstance(host_body, dict):
        raise HostBodyInvalid(reason="cần loại cơ quan (body), cấp (level) và tên (name)")
    body, level, name = host_body.get("body"), host_body.get("level"), host_body.get("name")
    if body not in BODIES:
        raise HostBodyInvalid(reason=f"loại cơ quan phải là một trong {', '.join(BODIES)}")
    try:
        found = catalog().level(str(level)) if isinstance(level, str) else None
    except InvalidLevel:
        found = None
    if found is None:
        raise HostBodyInvalid(reason=f"cấp phải là một trong {', '.join(catalog().levels)}")
    if not found.exists_on(held_on):
        assert found.valid_until is not None
        raise HostBodyInvalid(
            reason=f"cấp {found.name} chỉ còn đến ngày {found.valid_until.strftime('%d/%m/%Y')},"
                   f" trước ngày tổ chức {held_on.strftime('%d/%m/%Y')}")
    name = nfc(name) if isinstance(name, str) else ""
    if not name:
        raise HostBodyInvalid(reason="cần tên cơ quan chủ trì, ví dụ UBND tỉnh Thái Nguyên")
    if len(name) > HOST_NAME_MAX:
        raise HostBodyInvalid(reason=f"tên cơ quan chủ trì quá dài (tối đa {HOST_NAME_MAX} ký tự)")
    return {"body": str(body), "level": found.code, "name": name}


class Ceremony(Aggregate):
    TOPIC = topic("ceremony", "Ceremony")

    class Created(Aggregate.Created):
        TOPIC = topic("ceremony", "Ceremony.Created")
        title: str
        held_on: date
        place: str
        host_unit_id: UUID
        actor: str

    class DetailsChanged(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.DetailsChanged")
        changes: dict[str, Any]
        actor: str

    class DecisionAdded(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.DecisionAdded")
        decision_id: UUID
        decision_number: str
        actor: str

    class DecisionRemoved(Aggregate.Event):
        TOPIC = topic("ceremony", "Ceremony.DecisionRemoved")
        decision_id: UUID
        decision_number: str
        actor: str

    class TotalAnnounced(Aggregate.Event):
        """The announced money total (``None``: withdrawn). v2 (issue 17) carries how it was
        announced (``qualifier``: exact, at_least, about); v1 events were exact totals."""

        TOPIC = topic("ceremony", "Ceremony.TotalAnnounced")
        amount: int | None
        source: str
        actor: str
        qualifier: str
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["qualifier"] = EXACT

    class CountAnnounced(Aggregate.Event):
        """An announced count (``what``: collectives, individuals, households, lines) with its
        qualifier and source; ``value`` ``None`` withdraws it."""

        TOPIC = topic("ceremony", "Ceremony.CountAnnounced")
        what: str
        value: int | None
        qualifier: str
        source: str
        actor: str

    class HostBodyNamed(Aggregate.Event):
        """The body that hosts the ceremony when it is not the managing Union unit (``body``,
        ``level``, ``name``); ``None``: hosted by the unit itself."""

        TOPIC = topic("ceremony", "Ceremony.HostBodyNamed")
        host_body: dict[str, str] | None
        actor: str

    class PaymentRecorded(Aggregate.Event):
        """What was paid or signed for against one line (``payment_no``: 1, 2, … per ceremony)."""

        TOPIC = topic("ceremony", "Ceremony.PaymentRecorded")
        payment_no: int
        decision_id: UUID
        decision_number: str
        line_no: int
        recipient_name: str
        amount: int
        paid_on: date
        status: str
        note: str
        reason: str  # why more than the line's stated amount ("" when within it)
        actor: str

    class PaymentCorrected(Aggregate.Event):
        """New values for an earlier record, with the reason; the record itself stays."""

        TOPIC = topic("ceremony", "Ceremony.PaymentCorrected")
        payment_no: int
        decision_id: UUID
        decision_number: str
        line_no: int
        recipient_name: str
        previous_amount: int
        amount: int
        paid_on: date
        status: str
        note: str
        reason: str
        actor: str

    @event(Created)
    def __init__(
        self, title: str, held_on: date, place: str, host_unit_id: UUID, actor: str
    ) -> None:
        self.title = title
        self.held_on = held_on
        self.place = place
        self.host_unit_id = host_unit_id
        self.decision_ids: list[UUID] = []
        self.announced_total: int | None = None
        self.announced_source = ""

    @classmethod
    def plan(
        cls,
        *,
        ceremony_id: UUID,
        title: str,
        held_on: date,
        place: str,
        host_unit_id: UUID,
        actor: str,
    ) -> Ceremony:
        title = nfc(title or "")
        if not title:
            raise ValidationFailed(reason="cần tên buổi trao thưởng / hội nghị")
        return cls._create(
            cls.Created,
            id=ceremony_id,
            title=title,
            held_on=held_on,
            place=nfc(place or ""),
            host_unit_id=host_unit_id,
            actor=actor,
        )

    def change_details(self, changes: dict[str, Any], actor: str) -> None:
        clean: dict[str, Any] = {}
        if "title" in changes:
            title = nfc(changes["title"] or "")
            if not title:
                raise ValidationFailed(reason="cần tên buổi trao thưởng / hội nghị")
            clean["title"] = title
        if "place" in changes:
            clean["place"] = nfc(changes["place"] or "")
        if "held_on" in changes:
            if not isinstance(changes["held_on"], date):  # the domain, not only the API, refuses
                raise ValidationFailed(reason="cần ngày tổ chức (YYYY-MM-DD)")
            clean["held_on"] = changes["held_on"]
            if self.host_body is not None:  # the host's level must exist on the new date
                check_host_body(self.host_body, changes["held_on"])
        clean = {k: v for k, v in clean.items() if getattr(self, k) != v}
        if clean:
            self._details_changed(changes=clean, actor=actor)

    def add_decision(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        if decision_id in self.decision_ids:
            raise DecisionAlreadyPresented(decision_number=decision_number)
        self._decision_added(decision_id=decision_id, decision_number=decision_number, actor=actor)

    def remove_decision(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        if decision_id not in self.decision_ids:
            raise DecisionNotPresented(decision_number=decision_number)
        paid = sum(p["amount"] for p in self.payments if p["decision_id"] == decision_id)
        if paid:
            raise DecisionHasPayments(decision_number=decision_number,
                                      amount_text=format_dong(paid))
        self._decision_removed(
            decision_id=decision_id, decision_number=decision_number, actor=actor
        )

    def announce_total(self, amount: int | None, source: str | None, actor: str,
                       qualifier: str = EXACT) -> None:
        """Record the announced money total (``None`` withdraws it), always as a new event."""
        amount = check_amount(amount)
        if qualifier not in QUALIFIERS:
            raise AnnouncedFigureInvalid(what="tổng số tiền",
                                         reason=f"mức công bố phải là {', '.join(QUALIFIERS)}")
        self._total_announced(amount=amount, source=nfc_optional(source) or "", actor=actor,
                              qualifier=qualifier)

    # -- announced figures ------------------------------------------------------------------

    @property
    def announced_total_qualifier(self) -> str:
        """How the money total was announced (a snapshot taken before issue 17: exact)."""
        return str(self.__dict__.get("total_qualifier", EXACT))

    @property
    def announced_counts(self) -> dict[str, dict[str, Any]]:
        """Announced counts by what they count: {value, qualifier, source}; plain values in the
        aggregate's state (a snapshot taken before they existed has none)."""
        return self.__dict__.setdefault("counts_announced", {})

    def announced_figure(self, what: str) -> AnnouncedFigure | None:
        if what == AMOUNT:
            if self.announced_total is None:
                return None
            return AnnouncedFigure(what=AMOUNT, value=self.announced_total,
                                   qualifier=self.announced_total_qualifier,
                                   source=self.announced_source)
        found = self.announced_counts.get(what)
        return None if found is None else AnnouncedFigure(what=what, **found)

    @property
    def announced_figures(self) -> list[AnnouncedFigure]:
        """Every figure announced and not withdrawn: money first, then the counts."""
        return [f for f in (self.announced_figure(w) for w in FIGURES) if f is not None]

    def announce_figures(self, figures: dict[str, AnnouncedFigure | None], actor: str) -> int:
        """Record announced figures by what they count (``None`` withdraws one); a figure given
        as it already stands records nothing. Returns how many figures changed."""
        changed = 0
        for what in FIGURES:
            if what not in figures:
                continue
            figure = figures[what]
            if figure is not None and (not isinstance(figure, AnnouncedFigure)
                                       or figure.what != what):
                raise AnnouncedFigureInvalid(what=what, reason="không khớp loại số liệu")
            if figure == self.announced_figure(what):
                continue
            changed += 1
            if what == AMOUNT:
                self._total_announced(
                    amount=None if figure is None else figure.value,
                    source="" if figure is None else figure.source, actor=actor,
                    qualifier=EXACT if figure is None else figure.qualifier)
            else:
                self._count_announced(
                    what=what, value=None if figure is None else figure.value,
                    qualifier=EXACT if figure is None else figure.qualifier,
                    source="" if figure is None else figure.source, actor=actor)
        return changed

    # -- the host ---------------------------------------------------------------------------

    @property
    def host_body(self) -> dict[str, str] | None:
        """The outside body that hosts the ceremony ({body, level, name}), or ``None``."""
        found = self.__dict__.get("outside_host")
        return dict(found) if found else None

    def name_host_body(self, host_body: dict[str, Any] | None, actor: str) -> bool:
        """Name the body that hosts the ceremony beside the managing Union unit (``None``: the
        unit hosts it). Returns whether anything changed."""
        clean = None if host_body is None else check_host_body(host_body, self.held_on)
        if clean == self.host_body:
            return False
        self._host_body_named(host_body=clean, actor=actor)
        return True

    # -- payments ---------------------------------------------------------------------------

    @property
    def payments(self) -> list[dict[str, Any]]:
        """Every payment record, in order (``payment_no`` = index + 1), with its current values
        (after corrections) and how many corrections it had. Kept in the aggregate's state as
        plain values (snapshots store them); a snapshot taken before payments existed has none."""
        return self.__dict__.setdefault("payment_records", [])

    def payment(self, payment_no: Any) -> dict[str, Any]:
        if (isinstance(payment_no, bool) or not isinstance(payment_no, int)
                or not 1 <= payment_no <= len(self.payments)):
            raise UnknownPayment(payment_no=payment_no)
        return self.payments[payment_no - 1]

    def paid_for(self, decision_id: UUID, line_no: int) -> int:
        """What one line has been paid here, in all (corrections applied)."""
        return sum(p["amount"] for p in self.payments
                   if p["decision_id"] == decision_id and p["line_no"] == line_no)

    def record_payment(
        self,
        *,
        decision_id: UUID,
        decision_number: str,
        decided_on: date,
        line: DecisionLine,
        amount: Any,
        paid_on: Any,
        status: Any,
        note: str | None,
        reason: str | None,
        actor: str,
    ) -> int:
        """Record what was paid or signed for against ``line`` of a presented decision; returns
        the record's number."""
        if decision_id not in self.decision_ids:
            raise DecisionNotPresented(decision_number=decision_number)
        if not line.in_force:
            assert line.revoked_on is not None
            raise PaymentLineRevoked(line_no=line.line_no, recipient_name=line.recipient_name,
                                     decision_number=decision_number,
                                     revoked_on=line.revoked_on.strftime("%d/%m/%Y"))
        amount = _payment_amount(amount)
        paid_on = _payment_date(paid_on, decided_on)
        status = _payment_status(status)
        reason = nfc_multiline(reason or "")
        already = self.paid_for(decision_id, line.line_no)
        if amount and not reason and payment_exceeds(line.amount, already + amount):
            if line.amount is None:
                what = (f"quyết định không ghi số tiền cho dòng này, ghi chi "
                        f"{format_dong(amount)}")
            else:
                what = (f"đã ghi chi {format_dong(already)}, thêm {format_dong(amount)} là "
                        f"{format_dong(already + amount)}, vượt số tiền quyết định "
                        f"{format_dong(line.amount)}")
            raise PaymentAboveAmount(line_no=line.line_no, recipient_name=line.recipient_name,
                                     what=what)
        payment_no = len(self.payments) + 1
        self._payment_recorded(
            payment_no=payment_no, decision_id=decision_id, decision_number=decision_number,
            line_no=line.line_no, recipient_name=line.recipient_name, amount=amount,
            paid_on=paid_on, status=status, note=nfc_multiline(note or ""), reason=reason,
            actor=actor)
        return payment_no

    def correct_payment(
        self,
        *,
        payment_no: Any,
        decided_on: date,
        amount: Any,
        paid_on: Any,
        status: Any,
        note: str | None,
        reason: str | None,
        actor: str,
    ) -> None:
        """Correct an earlier record: its new values, and why (required). The line may have
        been revoked since (what is taken back is recorded so); its decision must still be
        presented here."""
        record = self.payment(payment_no)
        if record["decision_id"] not in self.decision_ids:
            raise DecisionNotPresented(decision_number=record["decision_number"])
        reason = nfc_multiline(reason or "")
        if not reason:
            raise PaymentReasonRequired(payment_no=payment_no)
        amount = _payment_amount(amount)
        paid_on = _payment_date(paid_on, decided_on)
        status = _payment_status(status)
        note = nfc_multiline(note or "")
        if (amount, paid_on, status, note) == (record["amount"], record["paid_on"],
                                               record["status"], record["note"]):
            raise PaymentCorrectionUnchanged(payment_no=payment_no)
        self._payment_corrected(
            payment_no=record["payment_no"], decision_id=record["decision_id"],
            decision_number=record["decision_number"], line_no=record["line_no"],
            recipient_name=record["recipient_name"], previous_amount=record["amount"],
            amount=amount, paid_on=paid_on, status=status, note=note, reason=reason,
            actor=actor)

    @event(DetailsChanged)
    def _details_changed(self, changes: dict[str, Any], actor: str) -> None:
        for name, value in changes.items():
            setattr(self, name, value)

    @event(DecisionAdded)
    def _decision_added(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        self.decision_ids.append(decision_id)

    @event(DecisionRemoved)
    def _decision_removed(self, decision_id: UUID, decision_number: str, actor: str) -> None:
        self.decision_ids.remove(decision_id)

    @event(TotalAnnounced)
    def _total_announced(self, amount: int | None, source: str, actor: str,
                         qualifier: str) -> None:
        self.announced_total = amount
        self.announced_source = source
        self.__dict__["total_qualifier"] = qualifier

    @event(CountAnnounced)
    def _count_announced(self, what: str, value: int | None, qualifier: str, source: str,
                         actor: str) -> None:
        if value is None:
            self.announced_counts.pop(what, None)
        else:
            self.announced_counts[what] = {"value": value, "qualifier": qualifier,
                                           "source": source}

    @event(HostBodyNamed)
    def _host_body_named(self, host_body: dict[str, str] | None, actor: str) -> None:
        self.__dict__["outside_host"] = dict(host_body) if host_body else None

    @event(PaymentRecorded)
    def _payment_recorded(
        self, payment_no: int, decision_id: UUID, decision_number: str, line_no: int,
        recipient_name: str, amount: int, paid_on: date, status: str, note: str, reason: str,
        actor: str,
    ) -> None:
        self.payments.append({
            "payment_no": payment_no, "decision_id": decision_id,
            "decision_number": decision_number, "line_no": line_no,
            "recipient_name": recipient_name, "amount": amount, "paid_on": paid_on,
            "status": status, "note": note, "reason": reason, "recorded_by": actor,
            "corrections": 0, "correction_reason": "", "corrected_by": "",
        })

    @event(PaymentCorrected)
    def _payment_corrected(
        self, payment_no: int, decision_id: UUID, decision_number: str, line_no: int,
        recipient_name: str, previous_amount: int, amount: int, paid_on: date, status: str,
        note: str, reason: str, actor: str,
    ) -> None:
        record = self.payments[payment_no - 1]
        record.update(amount=amount, paid_on=paid_on, status=status, note=note,
                      corrections=record["corrections"] + 1, correction_reason=reason,
                      corrected_by=actor)
