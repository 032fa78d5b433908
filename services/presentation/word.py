"""The frame of an administrative document in Word (DOCX, python-docx), shared by the award
decision and the minutes of a council meeting: A4 with the margins of Nghị định 30/2020
(20 mm top and bottom, 30 mm left, 15 mm right), Times New Roman 13, and the header — the
issuing body on the left, the national motto on the right, the number and the place and date
below them."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

MOTTO = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"


def administrative_document(*, title: str, issuer: str, place_date: str,
                            number: str = "") -> Any:
    """A new document with its header table: ``issuer`` (upper case lines) and the motto in
    bold, ``number`` ("Số: …", may be empty) and ``place_date`` below."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    doc.core_properties.title = title
    doc.core_properties.author = "TĐKT"

    header = doc.add_table(rows=2, cols=2)
    header.cell(0, 0).text = issuer
    header.cell(0, 1).text = MOTTO
    if number:
        header.cell(1, 0).text = number
    header.cell(1, 1).text = place_date
    for row in header.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for cell in (header.cell(0, 0), header.cell(0, 1)):
        for run in cell.paragraphs[0].runs:
            run.bold = True
    return doc


def centered(doc: Any, text: str, bold: bool = True) -> None:
    paragraph = doc.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = bold


def table_with_heads(doc: Any, heads: tuple[str, ...]) -> Any:
    """A bordered table whose first row holds ``heads`` in bold."""
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    return table


def docx_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
