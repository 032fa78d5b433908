"""Award decisions: issuing (with race-safe eligibility claims), recording outside decisions,
revoking lines or whole decisions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from domain.catalog import catalog, line_award_title
from domain.decision import AwardDecision, Issuer, build_line
from domain.errors import (
    AchievementAlreadyAwarded,
    AwardAlreadyReceived,
    ConcurrentChange,
    DecisionNumberTaken,
    DomainError,
    NominationMismatch,
    RecipientOutsideScope,
    UnknownDecision,
    UnknownNomination,
    UnknownReference,
    ValidationFailed,
)
from domain.guards import (
    DECISION_NUMBER,
    LIFETIME,
    PRIORITY,
    Claim,
    ClaimKey,
    decision_number_claim,
    line_claims,
)
from domain.nomination import Nomination
from domain.org import OrgUnit
from domain.pricing import apply_highest_title_policy
from domain.recipients import Recipient
from domain.text import fold
from services.authz import Actor, Authorizer
from services.nominations import Nominations
from services.orgs import OrgTree
from services.schedules import Schedules
from services.store import Saved, Store

MAX_LINES = 20_000
_FROM_NOMINATION = ("recipient", "award_kind", "period", "achievement")


@dataclass(frozen=True)
class DecisionDraft:
    """The command to issue (or record) a decision, as its edge parsed it: the API from its
    validated request body, the CLI, the demo and tests with ``from_mapping``.

    ``issuer``: {unit_id} or {body, level, name}; ``recorded_by_unit_id`` for outside issuers.
    Each of ``lines`` (recipient, award_kind, period, achievement, amount, amount_mode,
    nomination_id) may take award_kind / period / achievement / amount_mode from the decision's
    defaults here, and recipient / award_kind / period / achievement from the nomination it
    names; the domain validates each line (``domain.decision.build_line``)."""

    number: str
    decided_on: date
    issuer: dict[str, Any]
    lines: tuple[dict[str, Any], ...]
    recorded_by_unit_id: UUID | None = None
    signer: dict[str, str] = dataclass_field(default_factory=dict)
    subject: str = ""
    legal_basis: str = ""
    achievement: str = ""
    award_kind: str | None = None
    period: str | None = None
    amount_mode: str | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> DecisionDraft:
        decided_on = data.get("decided_on")
        if not isinstance(decided_on, date):
            raise ValidationFailed(reason="cần ngày quyết định")
        recorded_by = data.get("recorded_by_unit_id")
        try:
            recorded_by_id = UUID(str(recorded_by)) if recorded_by else None
        except ValueError:
            raise UnknownReference(what="đơn vị ghi nhận", ref=str(recorded_by)) from None
        return cls(
            number=str(data.get("number") or ""),
            decided_on=decided_on,
            issuer=dict(data.get("issuer") or {}),
            lines=tuple(dict(line or {}) for line in data.get("lines") or ()),
            recorded_by_unit_id=recorded_by_id,
            signer=dict(data.get("signer") or {}),
            subject=str(data.get("subject") or ""),
            legal_basis=str(data.get("legal_basis") or ""),
            achievement=str(data.get("achievement") or ""),
            award_kind=data.get("award_kind") or None,
            period=data.get("period") or None,
            amount_mode=data.get("amount_mode") or None,
        )


@dataclass(frozen=True)
class LineProblem:
    """One line's refusal, in a dry run that names every refused line (``Decisions.preview``)."""

    line_no: int | None
    error: DomainError


class LinesRefused(DomainError):
    """Several lines of a decision refused at once, each with its own refusal (``problems``);
    its kind (and so its status) is the first one's. Only ``Decisions.preview(every_line=True)``
    raises it: issuing refuses with the first line's own error."""

    code = "decision.lines_refused"
    message_template = "Có {count} dòng không hợp lệ."

    def __init__(self, problems: list[LineProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = problems
        self.kind = problems[0].error.kind


class Decisions:
    """Award decisions of the Union's units and outside decisions recorded by them."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer, schedules: Schedules,
                 nominations: Nominations) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        self.schedules = schedules
        self.nominations = nominations

    def decision(self, decision_id: UUID) -> AwardDecision:
        return self.store.load(AwardDecision, decision_id,
                               UnknownDecision(decision_id=str(decision_id)))

    def referenced_decision(self, decision_id: Any) -> AwardDecision:
        """A decision named in a request body: unknown is a 422, not a 404."""
        try:
            return self.decision(UUID(str(decision_id)))
        except (ValueError, UnknownDecision):
            raise UnknownReference(what="quyết định khen thưởng", ref=str(decision_id)) from None

    # -- issuing ------------------------------------------------------------------------------

    def issue_decision(self, actor: Actor, draft: DecisionDraft | Mapping[str, Any]) -> Saved:
        """Issue (or record) a decision with its lines, claims and nomination links, atomically
        (``DecisionDraft``; a mapping is parsed into one)."""
        draft, issuer, recorded_by_unit = self._prepare(actor, draft)
        decided_on, raw_lines = draft.decided_on, draft.lines
        decision_id = uuid4()
        known_claims: dict[UUID, Claim] = {}
        for _attempt in range(3):
            built = self._build_decision(
                actor,
                draft,
                decision_id,
                decided_on,
                issuer,
                recorded_by_unit.id,
                raw_lines,
                known_claims,
            )
            decision, nominations, claims = built
            try:
                recordings = self.store.save(decision, *nominations, *claims)
            except IntegrityError:
                known_claims = self._diagnose_claims(claims)
                continue
            return Saved(
                id=decision.id,
                version=decision.version,
                position=recordings[-1].notification.id,
            )
        raise ConcurrentChange()

    def preview(self, actor: Actor, draft: DecisionDraft | Mapping[str, Any], *,
                every_line: bool = False) -> AwardDecision:
        """A dry run of ``issue_decision``: the decision built and validated exactly as issuing
        would (permission, authority, every line and its money, the nominations it decides, the
        number and the awards other decisions already hold) and returned unsaved: nothing is
        recorded. The refusal is the one issuing would give; with ``every_line`` the refused
        lines are named all at once (``LinesRefused``) rather than the first."""
        draft, issuer, recorded_by_unit = self._prepare(actor, draft)
        problems: list[LineProblem] | None = [] if every_line else None
        decision, _, claims = self._build_decision(
            actor, draft, uuid4(), draft.decided_on, issuer, recorded_by_unit.id, draft.lines,
            {}, problems,
        )
        known = self._diagnose_claims(claims)
        held = [claim for claim in known.values() if claim.is_held]
        if held and problems is not None and all(c.purpose != DECISION_NUMBER for c in held):
            errors = [self._claim_error(claim, decision, issuer) for claim in held]
            raise LinesRefused(sorted((LineProblem(e.details.get("line_no"), e) for e in errors),
                                      key=lambda p: p.line_no or 0))
        if held:
            self._claims_for(decision, issuer, known)  # raises what issuing would raise
        return decision

    def _prepare(self, actor: Actor, draft: DecisionDraft | Mapping[str, Any]
                 ) -> tuple[DecisionDraft, Issuer, OrgUnit]:
        """The checks before any line: the date, the issuer (its level existing on that date),
        the recording unit and the actor's permission there, the number of lines."""
        if not isinstance(draft, DecisionDraft):
            draft = DecisionDraft.from_mapping(draft)
        decided_on = draft.decided_on
        if decided_on > self.store.today():
            raise ValidationFailed(reason="ngày quyết định không được sau ngày hôm nay")
        issuer = self.tree.issuer_for(draft.issuer, decided_on, active=True)
        # Every issuer, a Union unit or an outside body: its level existed on that date.
        issuer.require_level_on(decided_on)
        recorded_by = issuer.unit_id or draft.recorded_by_unit_id
        if recorded_by is None:
            raise ValidationFailed(
                reason="quyết định của cơ quan ngoài Hội cần đơn vị Hội ghi nhận "
                "(recorded_by_unit_id)"
            )
        recorded_by_unit = self.tree.referenced_unit(recorded_by, "đơn vị ghi nhận")
        self.authz.require(actor, "approver", recorded_by_unit.id)
        if len(draft.lines) > MAX_LINES:
            raise ValidationFailed(reason=f"quyết định có quá nhiều dòng (tối đa {MAX_LINES})")
        return draft, issuer, recorded_by_unit

    def _build_decision(
        self,
        actor: Actor,
        draft: DecisionDraft,
        decision_id: UUID,
        decided_on: date,
        issuer: Issuer,
        recorded_by_unit_id: UUID,
        raw_lines: tuple[dict[str, Any], ...],
        known_claims: dict[UUID, Claim],
        problems: list[LineProblem] | None = None,
    ) -> tuple[AwardDecision, list[Nomination], list[Claim]]:
        """With ``problems`` (a dry run), each refused line is added there and the others are
        still checked; ``LinesRefused`` is raised at the end of the lines if any was."""
        defaults = {k: v for k, v in (("award_kind", draft.award_kind), ("period", draft.period))
                    if v}
        pricer, schedules = self.schedules.pricer(issuer, decided_on)
        default_achievement = draft.achievement
        paths: dict[UUID, tuple[dict[str, Any], ...]] = {}
        units: dict[str, OrgUnit] = {}
        scope_root = issuer.unit_id or recorded_by_unit_id
        within: dict[str, bool] = {}
        nominations: dict[UUID, Nomination] = {}
        lines = []
        for line_no, raw in enumerate(raw_lines, start=1):
            try:
                raw = dict(raw or {})
                # a line giving the source's own wording takes no default catalogue kind
                raw = {**{k: v for k, v in defaults.items()
                          if not (k == "award_kind" and raw.get("award_as_stated"))}, **raw}
                nomination = self._line_nomination(raw, line_no, nominations)
                if nomination is not None:
                    raw = self._merge_nomination(raw, nomination, line_no)
                raw["recipient"] = self._recipient_for_decision(
                    raw.get("recipient"), decided_on, units
                )
                self._require_recipient_within(raw["recipient"], scope_root, decided_on, within,
                                               line_no)
                try:
                    line = build_line(
                        line_no=line_no,
                        raw=raw,
                        issuer=issuer,
                        default_achievement=default_achievement,
                        pricer=pricer,
                        default_mode=draft.amount_mode,
                        on=decided_on,
                    )
                except ValidationFailed as error:
                    raise ValidationFailed(
                        reason=f"dòng {line_no}: {error.details.get('reason')}", line_no=line_no
                    ) from None
            except DomainError as error:
                if problems is None:
                    raise
                problems.append(LineProblem(line_no, error))
                continue
            scope_unit = Recipient.from_dict(line.recipient).scope_unit_id
            if scope_unit is not None:
                if scope_unit not in paths:
                    paths[scope_unit] = tuple(self.tree.unit_path_on(scope_unit, decided_on))
                line = replace(line, unit_path=paths[scope_unit])
            lines.append(line)
        if problems:
            raise LinesRefused(problems)
        if schedules.highest_title_only:
            lines = apply_highest_title_policy(lines)
        decision = AwardDecision.issue(
            decision_id=decision_id,
            number=draft.number,
            decided_on=decided_on,
            issuer=issuer,
            recorded_by_unit_id=recorded_by_unit_id,
            signer=draft.signer,
            subject=draft.subject,
            legal_basis=draft.legal_basis,
            achievement=default_achievement,
            lines=lines,
            actor=actor.username,
        )
        for line in decision.lines:
            if line.nomination_id:
                nomination = nominations[UUID(line.nomination_id)]
                # A file left waiting at a unit that has since ended is decided by the unit
                # that took over its files.
                acting_for = recorded_by_unit_id
                waiting_at = nomination.review_unit_id
                if waiting_at not in (None, recorded_by_unit_id) and \
                        self.tree.current_unit_for(waiting_at) == recorded_by_unit_id:
                    acting_for = waiting_at
                try:
                    nomination.mark_decided(
                        decision_id=decision.id,
                        decision_number=decision.number,
                        line_no=line.line_no,
                        decided_on=decided_on,
                        deciding_unit_id=acting_for,
                        actor=actor.username,
                    )
                except DomainError as error:
                    if problems is None:
                        raise
                    problems.append(LineProblem(line.line_no, error))
        if problems:
            raise LinesRefused(problems)
        claims = self._claims_for(decision, issuer, known_claims)
        return decision, list(nominations.values()), claims

    def _line_nomination(
        self, raw: dict[str, Any], line_no: int, loaded: dict[UUID, Nomination]
    ) -> Nomination | None:
        if not raw.get("nomination_id"):
            return None
        try:
            nomination_id = UUID(str(raw["nomination_id"]))
            if nomination_id in loaded:
                raise ValidationFailed(reason=f"dòng {line_no}: đề nghị đã có ở dòng khác")
            loaded[nomination_id] = self.nominations.nomination(nomination_id)
        except (ValueError, UnknownNomination):
            raise UnknownReference(
                what=f"đề nghị khen thưởng (dòng {line_no})", ref=str(raw["nomination_id"])
            ) from None
        return loaded[nomination_id]

    @staticmethod
    def _merge_nomination(
        raw: dict[str, Any], nomination: Nomination, line_no: int
    ) -> dict[str, Any]:
        merged = dict(raw)
        for field in _FROM_NOMINATION:
            value = getattr(nomination, field)
            if merged.get(field) in (None, "", {}):
                merged[field] = value
        if merged["award_kind"] != nomination.award_kind:
            raise NominationMismatch(line_no=line_no, reason="hình thức khen thưởng")
        if fold(str(merged["period"])) != fold(nomination.period):
            raise NominationMismatch(line_no=line_no, reason="thời gian thành tích")
        given = Recipient.build(dict(merged["recipient"]))
        if given.key != nomination.recipient_obj.key:
            raise NominationMismatch(line_no=line_no, reason="người/tập thể được khen")
        return merged

    def _recipient_for_decision(
        self, raw: Any, on: date, units: dict[str, OrgUnit]
    ) -> dict[str, Any]:
        """Check the units a line's recipient names; ``units`` caches them for the decision
        (thousands of lines usually name a handful of units)."""
        recipient = dict(raw or {})
        for field in ("unit_id", "org_unit_id"):
            if recipient.get(field):
                key = str(recipient[field])
                if key not in units:
                    units[key] = self.tree.referenced_unit(recipient[field])
                unit = units[key]
                if field == "org_unit_id" and not str(recipient.get("name") or "").strip():
                    recipient["name"] = unit.name_on(on)
        return recipient

    def _require_recipient_within(
        self, recipient: dict[str, Any], scope_root: UUID, on: date, within: dict[str, bool],
        line_no: int,
    ) -> None:
        """The units a recipient names lie under ``scope_root`` — in the tree of the decision's
        date, or of today (a unit may have moved since: the 2025 reform moved every ward)."""
        for field in ("unit_id", "org_unit_id"):
            if not recipient.get(field):
                continue
            key = str(recipient[field])
            if key not in within:
                unit_id = UUID(key)
                within[key] = scope_root in self.tree.ancestors_on(unit_id, on) \
                    or scope_root in self.tree.ancestors(unit_id)
            if not within[key]:
                raise RecipientOutsideScope(
                    line_no=line_no, name=str(recipient.get("name") or key),
                    scope=self.tree.org_unit(scope_root).latest_state().name)

    def _claims_for(
        self, decision: AwardDecision, issuer: Issuer, known: dict[UUID, Claim]
    ) -> list[Claim]:
        holder = {
            "decision_id": str(decision.id),
            "number": decision.number,
            "decided_on": decision.decided_on.isoformat(),
        }
        wanted: list[tuple[ClaimKey, dict[str, Any]]] = [
            (decision_number_claim(issuer.key, decision.decided_on.year, decision.number), holder)
        ]
        for line in decision.lines:
            line_holder = {
                **holder,
                "line_no": line.line_no,
                "recipient_name": line.recipient_name,
            }
            wanted.extend((claim, line_holder)
                          for claim in line_claims(line, issuer.key, decision.decided_on))
        held = [known[c.id] for c, _ in wanted if c.id in known and known[c.id].is_held]
        if held:
            first = min(held, key=lambda claim: PRIORITY.get(claim.purpose, 9))
            raise self._claim_error(first, decision, issuer)
        claims = []
        for wanted_claim, claim_holder in wanted:
            existing = known.get(wanted_claim.id)
            if existing is None:
                claims.append(Claim.new(claim_id=wanted_claim.id, purpose=wanted_claim.purpose,
                                        key=wanted_claim.key, holder=claim_holder))
            else:
                existing.reclaim(claim_holder)
                claims.append(existing)
        return claims

    def _diagnose_claims(self, claims: list[Claim]) -> dict[UUID, Claim]:
        """After a collision: which claims exist already? Fresh copies, for the next attempt."""
        found: dict[UUID, Claim] = {}
        for claim in claims:
            existing = self.store.load_or_none(Claim, claim.id)
            if existing is not None:
                found[claim.id] = existing
        return found

    @staticmethod
    def _claim_error(claim: Claim, decision: AwardDecision, issuer: Issuer) -> Exception:
        holder = claim.holder or {}
        if claim.purpose == DECISION_NUMBER:
            return DecisionNumberTaken(
                number=decision.number, issuer_name=issuer.name, year=decision.decided_on.year
            )
        line = next(
            (line for line in decision.lines
             if any(c.id == claim.id
                    for c in line_claims(line, issuer.key, decision.decided_on))),
            None,
        )
        title = line_award_title(line.award_kind, line.award_as_stated) if line else ""
        details = {
            "recipient_name": holder.get("recipient_name")
            or (line.recipient_name if line else ""),
            "award_title": title,
            "award_kind": line.award_kind if line else None,
            "decision_number": holder.get("number"),
            "decision_id": holder.get("decision_id"),
            "line_no": line.line_no if line else None,
            "period": line.period if line else "",
        }
        if claim.purpose == LIFETIME:
            return AwardAlreadyReceived(**details)
        return AchievementAlreadyAwarded(**details)

    # -- mapping a stated form to the catalogue ------------------------------------------------

    def map_line_kind(self, actor: Actor, decision_id: UUID, line_no: int, *, award_kind: str,
                      reason: str) -> Saved:
        """Map a line recorded as its source stated it ("Biểu dương") to a catalogue kind
        (``AwardDecision.LineKindMapped``), by an approver of the recording unit. The line's
        award claims move with it: the old key is released, the new one taken — refused, as
        for a new line, when another decision already holds it."""
        decision = self.decision(decision_id)
        self.authz.require(actor, "approver", decision.recorded_by_unit_id)
        issuer = decision.issuer_obj
        before = line_claims(decision.line(line_no), issuer.key, decision.decided_on)
        line = decision.map_line_kind(line_no=line_no, kind=catalog().kind(award_kind),
                                      reason=reason, actor=actor.username)
        after = line_claims(line, issuer.key, decision.decided_on)
        kept = {claim.id for claim in before} & {claim.id for claim in after}
        holder = {"decision_id": str(decision.id), "number": decision.number,
                  "decided_on": decision.decided_on.isoformat(), "line_no": line_no,
                  "recipient_name": line.recipient_name}
        claims: list[Claim] = []
        for key in before:
            claim = self.store.load_or_none(Claim, key.id)
            if key.id not in kept and claim is not None and claim.holder \
                    and claim.holder.get("decision_id") == str(decision.id):
                claim.release(f"Đối chiếu dòng {line_no} của quyết định {decision.number} "
                              f"với «{catalog().kind(line.award_kind).title}»")
                claims.append(claim)
        for key in after:
            if key.id in kept:
                continue
            existing = self.store.load_or_none(Claim, key.id)
            if existing is None:
                claims.append(Claim.new(claim_id=key.id, purpose=key.purpose, key=key.key,
                                        holder=holder))
            elif existing.is_held:
                raise self._claim_error(existing, decision, issuer)
            else:
                existing.reclaim(holder)
                claims.append(existing)
        return self.store.commit(decision, *claims, subject=decision.id)

    # -- revoking -----------------------------------------------------------------------------

    def revoke_decision(
        self,
        actor: Actor,
        decision_id: UUID,
        *,
        revoked_on: date,
        ground: str,
        reason: str,
        line_no: int | None = None,
    ) -> Saved:
        decision = self.decision(decision_id)
        self.authz.require(actor, "approver", decision.recorded_by_unit_id)
        if line_no is None:
            lines = decision.revoke(
                on=revoked_on, ground=ground, reason=reason, actor=actor.username
            )
        else:
            lines = [
                decision.revoke_line(
                    line_no=line_no,
                    on=revoked_on,
                    ground=ground,
                    reason=reason,
                    actor=actor.username,
                )
            ]
        others: list[Any] = []
        release_reason = f"Hủy bỏ quyết định {decision.number} ngày {revoked_on.isoformat()}"
        for line in lines:
            for key in line_claims(line, decision.issuer_obj.key, decision.decided_on):
                claim = self.store.load_or_none(Claim, key.id)
                if (
                    claim is not None
                    and claim.holder
                    and claim.holder.get("decision_id") == str(decision.id)
                ):
                    claim.release(release_reason)
                    others.append(claim)
            if line.nomination_id:
                nomination = self.store.load_or_none(Nomination, UUID(line.nomination_id))
                if nomination is not None:
                    nomination.mark_award_revoked(
                        decision_id=decision.id,
                        line_no=line.line_no,
                        revoked_on=revoked_on,
                        reason=reason,
                        actor=actor.username,
                    )
                    others.append(nomination)
        return self.store.commit(decision, *others, subject=decision.id)
