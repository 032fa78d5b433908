"""The decision document (Quyết định khen thưởng) as data, as PDF (Typst) and as DOCX
(python-docx, since offices edit the draft before it is signed)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from domain.decision import REVOCATION_GROUNDS, AwardDecision
from domain.money import dong_in_words, format_dong
from services.presentation import word
from services.presentation.certificates import line_title, signer_lines, vietnamese_date
from services.presentation.totals import counts_phrase, not_stated_text
from services.presentation.word import administrative_document, docx_bytes, table_with_heads
from services.representations import decision_totals

# Achievement texts that already say "(đã) có …" — "Đã có thành tích xuất sắc …", "Có thành tích
# …", "Đã có nhiều đóng góp …": Điều 1 does not say "đã có thành tích" before them again.
_ALREADY_SAID = re.compile(r"^(?:vì\s+)?(?:đã\s+)?(có|đạt)\s+", re.IGNORECASE)
_ACHIEVEMENT_COLON = re.compile(r"^thành\s+tích\s*:\s*", re.IGNORECASE)
REVOCATIONS_TITLE = "Ghi chú (sau ngày ban hành, không thuộc nội dung Quyết định):"
# First words that keep their capital letter when the achievement continues the sentence.
_KEEP_CASE = frozenset({"Hội", "Đảng", "Nhà", "Bác", "Chính", "Quốc", "Mặt", "Trung", "Ủy", "Uỷ"})


def achievement_clause(achievement: str) -> str:
    """The end of Điều 1: " đã có thành tích …" — said once, whether or not the recorded text
    starts with such words ("Đã có thành tích xuất sắc …", "Có thành tích …"), in the case of
    the middle of a sentence (the first word in lower case unless it is a name: "Hội", "LHPN")."""
    text = " ".join(achievement.split()).rstrip(" .;:")
    if not text:
        return "."
    found = _ALREADY_SAID.match(text)
    if found:
        rest = _ACHIEVEMENT_COLON.sub("thành tích ", text[found.end():], count=1)
        return f" đã {found.group(1).lower()} {rest}."
    if text.split(" ", 1)[0] not in _KEEP_CASE and not text[1:2].isupper():
        text = text[:1].lower() + text[1:]
    return f" đã có thành tích {text}."


def revocation_notes(decision: AwardDecision,
                     revocations: list[dict[str, Any]] | None = None) -> list[str]:
    """What was revoked after the decision was issued, each act on its own: the document itself
    stays as issued. ``revocations`` (from the events) give the ground; without them the lines'
    own revocation dates and reasons are used."""
    if revocations is None:
        revocations = [{"line_nos": [li.line_no], "whole": False, "revoked_on": li.revoked_on,
                        "ground": "", "reason": li.revocation_reason or ""}
                       for li in decision.lines if li.revoked_on is not None]
    names = {li.line_no: li.recipient_name for li in decision.lines}
    notes = []
    for act in revocations:
        on = act["revoked_on"].strftime("%d/%m/%Y")
        if act["whole"]:
            what = "Quyết định này bị hủy bỏ"
            if len(act["line_nos"]) < len(decision.lines):
                what += " (các dòng còn hiệu lực: " + ", ".join(map(str, act["line_nos"])) + ")"
        else:
            what = "; ".join(f"Dòng {n} ({names.get(n, '')})" for n in act["line_nos"])
            what += " bị hủy bỏ"
        ground = act.get("ground") or ""
        basis = (f" theo điểm {ground} khoản 2 Điều 93 Luật Thi đua, khen thưởng"
                 if ground in REVOCATION_GROUNDS and ground != "other" else "")
        reason = f"; lý do: {act['reason'].rstrip('.')}" if act.get("reason") else ""
        notes.append(f"{what} từ ngày {on}{basis}{reason}.")
    return notes


def decision_document(decision: AwardDecision, place: str,
                      revocations: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The decision as it was issued — every line, the issued totals — whatever was revoked
    later; revocations are separate acts, listed after the attached list."""
    lines = decision.lines
    totals = decision_totals([replace(line, revoked_on=None) for line in lines])
    titles = dict.fromkeys(line_title(line, decision.issuer, decision.decided_on)
                           for line in lines)
    award = "; ".join(titles) or "khen thưởng"
    issuer = decision.issuer["name"]
    bases = [b.strip().rstrip(";.") + ";" for b in decision.legal_basis.splitlines() if b.strip()]
    if bases:
        bases[-1] = bases[-1].rstrip(";") + "."
    articles = [
        {"head": "Điều 1.",
         "body": f"Tặng {award} cho {counts_phrase(totals)} (có danh sách kèm theo)"
                 + achievement_clause(decision.achievement)},
    ]
    if totals["amount"] is not None:
        articles.append({
            "head": "Điều 2.",
            "body": f"Tiền thưởng kèm theo: {format_dong(totals['amount'])} (bằng chữ: "
                    f"{dong_in_words(totals['amount'])}), chi từ quỹ thi đua, khen thưởng của "
                    f"{issuer}.",
        })
    articles.append({
        "head": f"Điều {len(articles) + 1}.",
        "body": "Văn phòng, các đơn vị liên quan và các tập thể, cá nhân có tên tại Điều 1 "
                "chịu trách nhiệm thi hành Quyết định này.",
    })
    rows = []
    for line in lines:
        path = line.unit_path or []
        unit = path[-1]["name"] if path else ""
        rows.append({"no": line.line_no, "name": line.recipient_name, "unit": unit,
                     "amount": format_dong(line.amount, "—") .replace(" đ", "")})
    missing = totals["lines_without_amount"]
    return {
        "title_line": f"Quyết định số {decision.number}",
        "issuer_upper": issuer.upper(),
        "number": decision.number,
        "place_date": vietnamese_date(place, decision.decided_on),
        "date_text": decision.decided_on.strftime("%d/%m/%Y"),
        "subject": decision.subject or f"Về việc tặng {award}",
        "authority": issuer.upper(),
        "bases": bases,
        "articles": articles,
        "recipients": ["Như Điều " + str(len(articles)) + ";", "Lưu: VT, TĐKT."],
        "signer_lines": signer_lines(decision.signer.get("title") or ""),
        "signer_name": decision.signer.get("name") or "",
        "list_title": f"{award.upper()}",
        "rows": rows,
        "total_text": format_dong(totals["amount"], "—").replace(" đ", ""),
        "words": dong_in_words(totals["amount"]) if totals["amount"] is not None else "",
        "not_stated": f"{not_stated_text(missing)}." if missing else "",
        "revocations_title": REVOCATIONS_TITLE,
        "revocations": revocation_notes(decision, revocations),
    }


def decision_docx(document: dict[str, Any]) -> bytes:
    doc = administrative_document(title=document["title_line"], issuer=document["issuer_upper"],
                                  number=f"Số: {document['number']}",
                                  place_date=document["place_date"])

    def centered(text: str, bold: bool = True) -> None:
        word.centered(doc, text, bold)

    centered("QUYẾT ĐỊNH")
    centered(document["subject"])
    centered(document["authority"])
    for basis in document["bases"]:
        doc.add_paragraph().add_run(basis).italic = True
    centered("QUYẾT ĐỊNH:")
    for article in document["articles"]:
        p = doc.add_paragraph()
        p.add_run(article["head"] + " ").bold = True
        p.add_run(article["body"])
    sign = doc.add_table(rows=1, cols=2)
    sign.cell(0, 0).text = "Nơi nhận:\n" + "\n".join(f"- {r}" for r in document["recipients"])
    sign.cell(0, 1).text = "\n".join(document["signer_lines"]) + "\n\n\n\n" + \
        document["signer_name"]
    sign.cell(0, 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_page_break()
    centered("DANH SÁCH")
    centered(document["list_title"])
    centered(f"(Kèm theo Quyết định số {document['number']} ngày {document['date_text']})",
             bold=False)
    table = table_with_heads(doc, ("STT", "Họ tên / tập thể", "Đơn vị", "Số tiền (đồng)"))
    for row in document["rows"]:
        cells = table.add_row().cells
        for cell, value in zip(cells, (str(row["no"]), row["name"], row["unit"], row["amount"]),
                               strict=True):
            cell.text = value
    total = table.add_row().cells
    total[0].merge(total[2]).text = "Tổng cộng"
    total[3].text = document["total_text"]
    if document["words"]:
        doc.add_paragraph().add_run(f"Bằng chữ: {document['words']}").italic = True
    if document["not_stated"]:
        doc.add_paragraph(document["not_stated"])
    if document["revocations"]:
        doc.add_paragraph().add_run(document["revocations_title"]).bold = True
        for note in document["revocations"]:
            doc.add_paragraph(f"- {note}")
    return docx_bytes(doc)
