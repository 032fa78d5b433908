"""Certificates: serial numbers by event, and their public verification.

Printing a decision (or a ceremony's decisions) first records the serials in the issuer's
``CertificateBook`` — in one transaction with every book it touches, retried when another print
run got there first — then renders. What a certificate says is worded once, in
``services.presentation.certificates``, for the PDF, the HTML preview and the verification page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection
from typing import Any
from uuid import UUID

from domain.catalog import catalog
from domain.certificates import CertificateBook, book_id
from domain.decision import AwardDecision, DecisionLine
from domain.errors import ConcurrentChange, ValidationFailed
from services.authz import Actor, Authorizer
from services.decisions import Decisions
from services.orgs import OrgTree
from services.presentation.certificates import certificate, place_of, verification
from services.store import Saved, Store


class Certificates:
    """Serials in the issuers' certificate books, what each certificate says, verification.

    ``find_token`` finds a certificate's (book, decision, line) by its public token; the
    runtime passes the register view's lookup (tokens are random: only a read model can find
    one without reading every book)."""

    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer, decisions: Decisions,
                 find_token: Callable[[str], dict[str, Any] | None]) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        self.decisions = decisions
        self.find_token = find_token

    def place_of(self, decision: AwardDecision) -> str:
        """The place name on the issuer's documents and certificates (``presentation``'s
        ``place_of`` over the issuing unit's path on the decision's date)."""
        issuer = decision.issuer_obj
        path = self.tree.unit_path_on(issuer.unit_id or decision.recorded_by_unit_id,
                                      decision.decided_on)
        return place_of(issuer.name, issuer.level, path)

    def revocations(self, decision: AwardDecision) -> list[dict[str, Any]]:
        """Each act that revoked lines of this decision, in order, with its ground (Điều 93.2),
        which the decision's state does not keep: read from its events after the first."""
        acts: list[dict[str, Any]] = []
        done: set[int] = set()
        for event in self.store.events.get(decision.id, gt=1, lte=decision.version):
            if isinstance(event, AwardDecision.LineRevoked):
                line_nos, whole = [event.line_no], False
            elif isinstance(event, AwardDecision.Revoked):
                line_nos = [li.line_no for li in decision.lines if li.line_no not in done]
                whole = True
            else:
                continue
            done.update(line_nos)
            acts.append({"line_nos": line_nos, "whole": whole, "revoked_on": event.revoked_on,
                         "ground": event.ground, "reason": event.reason})
        return acts

    def print_certificates(
        self,
        actor: Actor,
        decision_ids: list[UUID],
        *,
        reprint_reason: str | None = None,
        lines: Collection[tuple[UUID, int]] | None = None,
    ) -> tuple[list[tuple[AwardDecision, DecisionLine, dict[str, Any]]], Saved | None]:
        """Give serials to the in-force lines of these decisions (reprints need a reason) and
        return (decision, line, register entry) for each certificate, in decision and line order.
        ``lines``: only these (decision id, line no), when given (a person's choice in the page).
        """
        chosen = None if lines is None else set(lines)

        def printed(decision: AwardDecision, line: DecisionLine) -> bool:
            """In force, chosen, and of a kind that prints a certificate (a cash-only reward
            or a biểu dương the catalogue marks «không in giấy» prints none)."""
            return line.revoked_on is None \
                and catalog().kind(line.award_kind, decision.decided_on).certificate != "none" \
                and (chosen is None or (decision.id, line.line_no) in chosen)

        decisions = [self.decisions.decision(d) for d in dict.fromkeys(decision_ids)]
        if not decisions:
            raise ValidationFailed(reason="không có quyết định nào để in")
        for decision in decisions:
            self.authz.require(actor, "approver", decision.recorded_by_unit_id)
        wanted: dict[UUID, list[tuple[AwardDecision, DecisionLine]]] = {}
        for decision in decisions:
            issuer = decision.issuer_obj
            bid = book_id(issuer.key, decision.decided_on.year)
            for line in decision.lines:
                if printed(decision, line):
                    wanted.setdefault(bid, []).append((decision, line))
        if not wanted:
            raise ValidationFailed(reason="không có khen thưởng nào còn hiệu lực cần in giấy "
                                          "chứng nhận" if chosen is None
                                   else "không có dòng nào còn hiệu lực được chọn")
        for _attempt in range(5):
            books = []
            for bid, items in wanted.items():
                first = items[0][0]
                book = self.store.load_or_none(CertificateBook, bid) or CertificateBook.open(
                    issuer_key=first.issuer_obj.key, issuer_name=first.issuer["name"],
                    year=first.decided_on.year)
                book.issue(
                    [(d.id, line.line_no) for d, line in items],
                    [secrets.token_urlsafe(18) for _ in items],
                    printed_on=self.store.today(), reprint_reason=reprint_reason,
                    actor=actor.username,
                )
                books.append(book)
            try:
                saved = self.store.commit(*books)
            except ConcurrentChange:
                continue  # another print run took serials first: reload and continue after it
            by_book = {b.id: b for b in books}
            out = []
            for decision in decisions:
                bid = book_id(decision.issuer_obj.key, decision.decided_on.year)
                for line in decision.lines:
                    if printed(decision, line):
                        out.append((decision, line, by_book[bid].entry(decision.id,
                                                                       line.line_no)))
            return out, saved
        raise ConcurrentChange()

    def print_history(self, decisions: list[AwardDecision]) -> list[dict[str, Any]]:
        """Each print of these decisions' lines, oldest first, read from their issuers'
        certificate books: when, by whom, first print or reprint (with its reason), and the
        lines printed as (decision id, line no, serial)."""
        wanted = {str(d.id) for d in decisions}
        runs: list[dict[str, Any]] = []
        for bid in dict.fromkeys(book_id(d.issuer_obj.key, d.decided_on.year) for d in decisions):
            serials: dict[str, int] = {}
            for event in self.store.events.get(bid):
                if isinstance(event, CertificateBook.Issued):
                    serials.update((e["key"], e["serial"]) for e in event.entries)
                    keys, reason = [e["key"] for e in event.entries], None
                elif isinstance(event, CertificateBook.Reprinted):
                    keys, reason = list(event.keys), event.reason
                else:
                    continue
                mine = [k.rsplit(":", 1) for k in keys if k.rsplit(":", 1)[0] in wanted]
                if mine:
                    runs.append({"at": event.timestamp, "printed_on": event.printed_on,
                                 "by": event.actor, "reprint": reason is not None,
                                 "reason": reason or "",
                                 "lines": [(d, int(n), serials.get(f"{d}:{n}")) for d, n in mine]})
        runs.sort(key=lambda run: run["at"])
        return runs

    def certificate_contexts(
        self,
        items: list[tuple[AwardDecision, DecisionLine, dict[str, Any]]],
        *,
        verify_base: str,
        place: str | None = None,
    ) -> list[dict[str, Any]]:
        """Contexts for a print run; each decision's place name is looked up once."""
        places: dict[UUID, str] = {}
        out = []
        for decision, line, entry in items:
            if decision.id not in places:
                places[decision.id] = place or self.place_of(decision)
            out.append(self.certificate_context(decision, line, entry, verify_base=verify_base,
                                                place=places[decision.id]))
        return out

    def certificate_context(
        self,
        decision: AwardDecision,
        line: DecisionLine,
        entry: dict[str, Any] | None,
        *,
        verify_base: str,
        place: str | None = None,
    ) -> dict[str, Any]:
        """Everything one certificate says (``services.presentation.certificates``)."""
        return certificate(decision, line, entry, verify_base=verify_base,
                           place=place or self.place_of(decision))

    def verification(self, token: str) -> dict[str, Any] | None:
        """What the public may see of a certificate: holder, award, issuer, decision, status."""
        found = self.certificate_by_token(token)
        return verification(*found) if found is not None else None

    def certificate_by_token(self, token: str):
        """Tokens are looked up through the register view; the answer is read from the events."""
        if not token or len(token) > 64:
            return None
        found = self.find_token(token)
        if found is None:
            return None
        decision = self.store.load_or_none(AwardDecision, UUID(found["decision_id"]))
        book = self.store.load_or_none(CertificateBook, UUID(found["book_id"]))
        if decision is None or book is None:
            return None
        entry = book.entry(decision.id, int(found["line_no"]))
        if entry is None or entry["token"] != token:
            return None
        return decision, decision.line(int(found["line_no"])), entry
