"""What a certificate says, and what its public verification shows: the words of the PDF, the
HTML preview and the verification page alike. The decision document (``services.documents``)
dates and signs with the same words.

The commands (``services.certificates``) record serials and find the decision, the line, its
register entry and the place of the issuing body; everything worded from them is here.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.catalog import CERTIFICATE_LABELS, AwardKind, catalog, stated_title
from domain.decision import AwardDecision, DecisionLine

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
# The catalog's kinds for the awards of any other body ("Bằng khen của cơ quan, tổ chức khác"):
# on what the issuer signs, its own name ("Bằng khen của Ủy ban MTTQ Việt Nam tỉnh Bắc Ninh").
GENERIC_OTHER = "cơ quan, tổ chức khác"


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


def place_of(issuer_name: str, issuer_level: str, path: list[dict[str, Any]]) -> str:
    """The place name on the issuer's documents and certificates: the issuing body's own place,
    from its name as it stood on the decision ("Hội LHPN quận Bắc Từ Liêm" → "Bắc Từ Liêm");
    when its name says none, the nearest unit above it on ``path`` (the unit path on the
    decision's date, root first) of its level or higher whose name does; a central body: Hà Nội.
    """
    depth = catalog().depth(issuer_level)
    names = [(issuer_name, issuer_level)] + [
        (step["name"], step["level"]) for step in reversed(path)
        if catalog().depth(step["level"]) <= depth]
    for name, level in names:
        if level == catalog().root_level:
            return CENTRAL_PLACE
        place = place_in_name(name)
        if place:
            return place
    return CENTRAL_PLACE


def award_title(award_kind: str, issuer: dict[str, Any], on: date | None = None) -> str:
    """The award's title as the issuer gives it: a catalog title that names the deciding body
    only generically for its level names the issuer itself ("Bằng khen của Ban Thường vụ Hội
    Liên hiệp Phụ nữ tỉnh, thành phố" from Hội LHPN TP Hà Nội → "Bằng khen của Ban Thường vụ
    Hội LHPN TP Hà Nội"); a title that names its body already stays as it is. ``on``: the
    decision's date (the kind as the catalogue had it then)."""
    kind = catalog().kind(award_kind, on)
    head, sep, body = kind.title.partition(" của ")
    if body == GENERIC_OTHER and str(issuer.get("name") or "").strip() \
            and kind.decided_by(str(issuer.get("body")), str(issuer.get("level"))):
        return f"{head} của {str(issuer['name']).strip()}"
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


def line_title(line: DecisionLine, issuer: dict[str, Any], on: date | None = None) -> str:
    """A decision line's award as documents and certificates say it: the source's wording,
    marked, while the line awaits mapping to the catalogue; else ``award_title``."""
    if line.awaits_mapping and line.award_as_stated:
        return stated_title(line.award_as_stated)
    return award_title(line.award_kind, issuer, on)


def heading_for(kind: AwardKind) -> str:
    """The heading in large type: the kind's certificate template (``AwardKind.certificate``);
    a kind that prints no certificate still gets a plain certificate when one is asked for."""
    heading = CERTIFICATE_LABELS.get(kind.certificate, "")
    return heading if kind.certificate != "none" and heading else "GIẤY CHỨNG NHẬN"


def vietnamese_date(place: str, day: date) -> str:
    """"Hà Nội, ngày 09 tháng 01 năm 2024" (NĐ 30/2020: day and month below 10 take a 0 — for
    months 1 and 2 only, and days below 10)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def signer_lines(title: str) -> list[str]:
    parts = [p.strip() for p in title.replace("—", "–").split("–") if p.strip()]
    return [p.upper() for p in parts]


def certificate(decision: AwardDecision, line: DecisionLine, entry: dict[str, Any] | None, *,
                verify_base: str, place: str) -> dict[str, Any]:
    """Everything one certificate says; the same dict feeds the PDF and the HTML preview.
    ``entry``: the line's register entry (serial, token), None for an unnumbered preview;
    ``place``: the issuing body's place (``place_of``)."""
    kind = catalog().kind(line.award_kind, decision.decided_on)
    recipient = line.recipient
    path = line.unit_path or []
    unit = path[-1]["name"] if path else ""
    if recipient["kind"] == "collective" and unit == recipient["name"] and len(path) > 1:
        unit = path[-2]["name"]
    heading = heading_for(kind)
    title = line_title(line, decision.issuer, decision.decided_on)
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
        "achievement": line.achievement or decision.achievement or "",
        "period": line.period or "",
        "place_date": vietnamese_date(place, decision.decided_on),
        "signer_lines": signer_lines(decision.signer.get("title") or ""),
        "signer_name": decision.signer.get("name") or "",
        "decision_text": f"Quyết định số {decision.number} ngày "
                         f"{decision.decided_on.strftime('%d/%m/%Y')}",
        "serial": serial,
        "serial_text": f"Số vào sổ: {serial}/{decision.decided_on.year}" if serial else "",
        "verify_url": f"{verify_base}/verify/{token}" if token else "",
        "decision_id": str(decision.id),
        "line_no": line.line_no,
    }


def verification(decision: AwardDecision, line: DecisionLine, entry: dict[str, Any]
                 ) -> dict[str, Any]:
    """What the public may see of a certificate: holder, award, issuer, decision, status."""
    revoked = line.revoked_on
    return {
        "holder": line.recipient_name,
        "award_title": line_title(line, decision.issuer, decision.decided_on),
        "issuer": decision.issuer["name"],
        "decision_number": decision.number,
        "decided_on": decision.decided_on.isoformat(),
        "serial": f"{entry['serial']}/{decision.decided_on.year}",
        "status": "revoked" if revoked else "valid",
        "status_label": (f"Đã bị hủy bỏ từ ngày {revoked.strftime('%d/%m/%Y')}" if revoked
                         else "Có hiệu lực"),
        "revoked_on": revoked.isoformat() if revoked else None,
    }
