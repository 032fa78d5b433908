"""The decision document (Quyết định khen thưởng) as data, as PDF (Typst) and as DOCX
(python-docx, since offices edit the draft before it is signed)."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from domain.catalog import catalog
from domain.decision import AwardDecision
from domain.money import dong_in_words, format_dong
from services.certificates import signer_lines, vietnamese_date
from services.representations import decision_totals


def _counts(totals: dict[str, Any]) -> str:
    parts = []
    if totals["collectives"]:
        parts.append(f"{totals['collectives']} tập thể")
    if totals["individuals"]:
        parts.append(f"{totals['individuals']} cá nhân")
    if totals["households"]:
        parts.append(f"{totals['households']} hộ gia đình")
    return " và ".join(parts) or "0 cá nhân"


def decision_document(decision: AwardDecision, place: str) -> dict[str, Any]:
    lines = [line for line in decision.lines if line["revoked_on"] is None]
    totals = decision_totals(decision.lines)
    kinds = sorted({line["award_kind"] for line in lines})
    award = "; ".join(catalog().kind(k).title for k in kinds) or "khen thưởng"
    issuer = decision.issuer["name"]
    bases = [b.strip().rstrip(";.") + ";" for b in decision.legal_basis.splitlines() if b.strip()]
    if bases:
        bases[-1] = bases[-1].rstrip(";") + "."
    articles = [
        {"head": "Điều 1.",
         "body": f"Tặng {award} cho {_counts(totals)} (có danh sách kèm theo)"
                 + (f", đã có thành tích: {decision.achievement.rstrip('.')}." if
                    decision.achievement else ".")},
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
    for index, line in enumerate(lines, start=1):
        path = line.get("unit_path") or []
        unit = path[-1]["name"] if path else ""
        rows.append({"no": index, "name": line["recipient"]["name"], "unit": unit,
                     "amount": format_dong(line["amount"], "—") .replace(" đ", "")})
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
        "not_stated": f"{missing} dòng không ghi số tiền." if missing else "",
    }


def decision_docx(document: dict[str, Any]) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    doc.core_properties.title = document["title_line"]
    doc.core_properties.author = "TĐKT"

    header = doc.add_table(rows=2, cols=2)
    header.cell(0, 0).text = document["issuer_upper"]
    header.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    header.cell(1, 0).text = f"Số: {document['number']}"
    header.cell(1, 1).text = document["place_date"]
    for row in header.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for cell in (header.cell(0, 0), header.cell(0, 1)):
        for run in cell.paragraphs[0].runs:
            run.bold = True

    def centered(text: str, bold: bool = True) -> None:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run(text).bold = bold

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
    table = doc.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells,
                          ("STT", "Họ tên / tập thể", "Đơn vị", "Số tiền (đồng)"), strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
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
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
