"""Certificates: serial numbers by event, what each certificate says, and its public verification.

Printing a decision (or a ceremony's decisions) first records the serials in the issuer's
``CertificateBook`` — in one transaction with every book it touches, retried when another print
run got there first — then renders. What a certificate says is built once here and used by the
PDF, the HTML preview and the verification page alike.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any
from uuid import UUID

from domain.catalog import catalog
from domain.certificates import CertificateBook, book_id
from domain.decision import AwardDecision
from domain.errors import ConcurrentChange, ValidationFailed
from services.authz import Actor
from services.decisions import DecisionCommands
from services.store import Saved

# The heading printed in large type, by award kind (prefix of its code).
HEADINGS = (
    ("bang_khen", "BẰNG KHEN"),
    ("giay_khen", "GIẤY KHEN"),
    ("ky_niem_chuong", "GIẤY CHỨNG NHẬN"),
    ("co_thi_dua", "CỜ THI ĐUA"),
)
HONORIFICS = {"female": "Bà", "male": "Ông"}
# The place on documents (NĐ 30/2020, Phụ lục I): the commune, district or province the issuing
# body belongs to — the name after the first word of an administrative unit in the body's name
# ("Hội LHPN quận Bắc Từ Liêm" → "Bắc Từ Liêm"); central bodies sit in Hà Nội.
PLACE_IN_NAME = re.compile(
    r"\b(thành phố|tp\.?|tỉnh|quận|huyện|thị xã|thị trấn|xã|phường|đặc khu)\s+(\S.*)$",
    re.IGNORECASE)
CENTRAL_PLACE = "Hà Nội"
# How a catalog title names the deciding body generically for its level ("… Hội Liên hiệp Phụ
# nữ tỉnh, thành phố"): the issuer's own name takes its place on what the issuer signs.
GENERIC_BODIES = {"union": "Hội Liên hiệp Phụ nữ", "government": "Ủy ban nhân dân"}


def place_in_name(name: str) -> str | None:
    """"Hội LHPN quận Bắc Từ Liêm" → "Bắc Từ Liêm", "Ủy ban nhân dân thành phố Hà Nội" →
    "Hà Nội"; a unit named by a number keeps its kind ("Hội LHPN phường 1" → "Phường 1")."""
    found = PLACE_IN_NAME.search(name)
    if found is None:
        return None
    place = found.group(2).split(",")[0].strip().rstrip(".;")  # "… Đông Anh, thành phố …"
    if place[:1].isdigit():
        word = found.group(1)
        return f"{word[:1].upper()}{word[1:]} {place}"
    return place or None


def award_title(award_kind: str, issuer: dict[str, Any]) -> str:
    """The award's title as the issuer gives it: a catalog title that names the deciding body
    only generically for its level names the issuer itself ("Bằng khen của Ban Thường vụ Hội
    Liên hiệp Phụ nữ tỉnh, thành phố" from Hội LHPN TP Hà Nội → "Bằng khen của Ban Thường vụ
    Hội LHPN TP Hà Nội"); a title that names its body already stays as it is."""
    kind = catalog().kind(award_kind)
    head, sep, body = kind.title.partition(" của ")
    generic = GENERIC_BODIES.get(str(issuer.get("body")))
    if not sep or generic is None or not kind.decided_by(issuer["body"], issuer["level"]):
        return kind.title
    at = body.find(generic)
    rest = body[at + len(generic):].strip() if at >= 0 else ""
    if at < 0 or (rest and "," not in rest):  # "… Hội Liên hiệp Phụ nữ Việt Nam": named
        return kind.title
    office, name = body[:at], str(issuer["name"]).strip()
    if office and name.casefold().startswith(office.casefold()):
        office = ""  # "Chủ tịch UBND …" already says who signs
    return f"{head} của {office}{name}"


def heading_for(award_kind: str) -> str:
    for prefix, heading in HEADINGS:
        if award_kind.startswith(prefix):
            return heading
    return "GIẤY CHỨNG NHẬN"


def vietnamese_date(place: str, day: date) -> str:
    """"Hà Nội, ngày 09 tháng 01 năm 2024" (NĐ 30/2020: day and month below 10 take a 0 — for
    months 1 and 2 only, and days below 10)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def signer_lines(title: str) -> list[str]:
    parts = [p.strip() for p in title.replace("—", "–").split("–") if p.strip()]
    return [p.upper() for p in parts]


class CertificateCommands(DecisionCommands):
    def place_of(self, decision: AwardDecision) -> str:
        """The place name on the issuer's documents and certificates: the issuing body's own
        place, from its name as it stood on the decision ("Hội LHPN quận Bắc Từ Liêm" →
        "Bắc Từ Liêm"); when its name says none, the nearest unit above it (of its level or
        higher) whose name does; a central body: Hà Nội."""
        issuer = decision.issuer_obj
        depth = catalog().depth(issuer.level)
        path = self.unit_path_on(issuer.unit_id or decision.recorded_by_unit_id,
                                 decision.decided_on)
        names = [(issuer.name, issuer.level)] + [
            (step["name"], step["level"]) for step in reversed(path)
            if catalog().depth(step["level"]) <= depth]
        for name, level in names:
            if level == "central":
                return CENTRAL_PLACE
            place = place_in_name(name)
            if place:
                return place
        return CENTRAL_PLACE

    def revocations(self, decision: AwardDecision) -> list[dict[str, Any]]:
        """Each act that revoked lines of this decision, in order, with its ground (Điều 93.2),
        which the decision's state does not keep: read from its events after the first."""
        acts: list[dict[str, Any]] = []
        done: set[int] = set()
        for event in self.events.get(decision.id, gt=1, lte=decision.version):
            if isinstance(event, AwardDecision.LineRevoked):
                line_nos, whole = [event.line_no], False
            elif isinstance(event, AwardDecision.Revoked):
                line_nos = [li["line_no"] for li in decision.lines if li["line_no"] not in done]
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
    ) -> tuple[list[tuple[AwardDecision, dict[str, Any], dict[str, Any]]], Saved | None]:
        """Give serials to the in-force lines of these decisions (reprints need a reason) and
        return (decision, line, register entry) for each certificate, in decision and line order.
        """
        decisions = [self.decision(d) for d in dict.fromkeys(decision_ids)]
        if not decisions:
            raise ValidationFailed(reason="không có quyết định nào để in")
        for decision in decisions:
            self.authz.require(actor, "approver", decision.recorded_by_unit_id)
        wanted: dict[UUID, list[tuple[AwardDecision, dict[str, Any]]]] = {}
        for decision in decisions:
            issuer = decision.issuer_obj
            bid = book_id(issuer.key, decision.decided_on.year)
            for line in decision.lines:
                if line["revoked_on"] is None:
                    wanted.setdefault(bid, []).append((decision, line))
        if not wanted:
            raise ValidationFailed(reason="mọi khen thưởng trong quyết định đã bị hủy bỏ")
        for _attempt in range(5):
            books = []
            for bid, items in wanted.items():
                first = items[0][0]
                book = self.load_or_none(CertificateBook, bid) or CertificateBook.open(
                    issuer_key=first.issuer_obj.key, issuer_name=first.issuer["name"],
                    year=first.decided_on.year)
                book.issue(
                    [(d.id, line["line_no"]) for d, line in items],
                    [secrets.token_urlsafe(18) for _ in items],
                    printed_on=self.today(), reprint_reason=reprint_reason,
                    actor=actor.username,
                )
                books.append(book)
            try:
                saved = self.commit(*books)
            except ConcurrentChange:
                continue  # another print run took serials first: reload and continue after it
            by_book = {b.id: b for b in books}
            out = []
            for decision in decisions:
                bid = book_id(decision.issuer_obj.key, decision.decided_on.year)
                for line in decision.lines:
                    if line["revoked_on"] is None:
                        out.append((decision, line, by_book[bid].entry(decision.id,
                                                                       line["line_no"])))
            return out, saved
        raise ConcurrentChange()

    def certificate_contexts(
        self,
        items: list[tuple[AwardDecision, dict[str, Any], dict[str, Any]]],
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
        line: dict[str, Any],
        entry: dict[str, Any] | None,
        *,
        verify_base: str,
        place: str | None = None,
    ) -> dict[str, Any]:
        """Everything one certificate says; the same dict feeds the PDF and the HTML preview."""
        kind = catalog().kind(line["award_kind"])
        recipient = line["recipient"]
        path = line.get("unit_path") or []
        unit = path[-1]["name"] if path else ""
        if recipient["kind"] == "collective" and unit == recipient["name"] and len(path) > 1:
            unit = path[-2]["name"]
        heading = heading_for(kind.code)
        title = award_title(kind.code, decision.issuer)
        title_line = title if heading in ("GIẤY CHỨNG NHẬN",) else ""
        honorific = HONORIFICS.get(str(recipient.get("gender") or ""), "") \
            if recipient["kind"] == "individual" else ""
        token = entry["token"] if entry else None
        serial = entry["serial"] if entry else None
        return {
            "national": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "motto": "Độc lập - Tự do - Hạnh phúc",
            "issuer": decision.issuer["name"].upper(),
            "heading": heading,
            "award_title": title,
            "title_line": title_line,
            "to": "Tặng" if heading != "GIẤY CHỨNG NHẬN" else "Chứng nhận",
            "honorific": honorific,
            "name": recipient["name"],
            "display_name": f"{honorific} {recipient['name']}".strip(),
            "position": recipient.get("position") or "",
            "unit": unit,
            "achievement": line.get("achievement") or decision.achievement or "",
            "period": line.get("period") or "",
            "place_date": vietnamese_date(place or self.place_of(decision), decision.decided_on),
            "signer_lines": signer_lines(decision.signer.get("title") or ""),
            "signer_name": decision.signer.get("name") or "",
            "decision_text": f"Quyết định số {decision.number} ngày "
                             f"{decision.decided_on.strftime('%d/%m/%Y')}",
            "serial": serial,
            "serial_text": f"Số vào sổ: {serial}/{decision.decided_on.year}" if serial else "",
            "verify_url": f"{verify_base}/verify/{token}" if token else "",
            "decision_id": str(decision.id),
            "line_no": line["line_no"],
        }

    def verification(self, token: str) -> dict[str, Any] | None:
        """What the public may see of a certificate: holder, award, issuer, decision, status."""
        found = self.certificate_by_token(token)
        if found is None:
            return None
        decision, line, entry = found
        revoked = line["revoked_on"]
        return {
            "holder": line["recipient"]["name"],
            "award_title": award_title(line["award_kind"], decision.issuer),
            "issuer": decision.issuer["name"],
            "decision_number": decision.number,
            "decided_on": decision.decided_on.isoformat(),
            "serial": f"{entry['serial']}/{decision.decided_on.year}",
            "status": "revoked" if revoked else "valid",
            "status_label": (f"Đã bị hủy bỏ từ ngày {revoked.strftime('%d/%m/%Y')}" if revoked
                             else "Có hiệu lực"),
            "revoked_on": revoked.isoformat() if revoked else None,
        }

    def certificate_by_token(self, token: str):
        """Tokens are looked up through the register view; the answer is read from the events."""
        lookup = getattr(self, "token_lookup", None)
        if lookup is None or not token or len(token) > 64:
            return None
        found = lookup(token)
        if found is None:
            return None
        decision = self.load_or_none(AwardDecision, UUID(found["decision_id"]))
        book = self.load_or_none(CertificateBook, UUID(found["book_id"]))
        if decision is None or book is None:
            return None
        entry = book.entry(decision.id, int(found["line_no"]))
        if entry is None or entry["token"] != token:
            return None
        return decision, decision.line(int(found["line_no"])), entry
