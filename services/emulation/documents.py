"""The cluster board as files: an XLSX workbook (byte-stable: the same board gives the same
bytes) and a printable A4 summary (PDF, laid out by Typst from ``board.typ`` beside this module,
the records passed as JSON, never as markup). Both are made from the board as the API answers
it (``services.emulation.present.board``), so the files say what the JSON says.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from services.exports import _FIXED_TIME, _stable_zip
from services.printing import typst_pdf

BOARD_SOURCE = Path(__file__).with_name("board.typ")
NOUN_TITLES = {"tỉnh": "Tỉnh", "đơn vị": "Đơn vị"}


def sheet(board: dict[str, Any]) -> dict[str, Any]:
    """The board as a table: headers, one row per member, the foot rows (counts, where the
    indicator applies, sums), the indicators' texts and the notes (figures stated for the whole
    cluster, unknown values)."""
    scored = board["scored"]
    columns = [f"Chỉ tiêu {c['code']}" for c in board["indicators"]]
    if scored:
        columns += ["Tổng điểm", "Xếp hạng", "Xếp loại"]
    rows = []
    for no, row in enumerate(board["rows"], start=1):
        cells = [row["cells"][c["code"]]["text"] for c in board["indicators"]]
        if scored:
            total = row["total"] or {}
            rank = row["rank"] or {}
            klass = row["classification"] or {}
            cells += [total.get("points_text", "—"), rank.get("position_text", "—"),
                      klass.get("label", "—")]
        rows.append({"no": no, "name": row["name"], "cells": cells})
    extra = ["", "", ""] if scored else []
    foot = [{"label": "Kết quả (số đạt)",
             "cells": [c["count"]["text"] for c in board["indicators"]] + extra}]
    if any(c["count"]["applies_text"] for c in board["indicators"]):
        foot.append({"label": "Phạm vi áp dụng",
                     "cells": [c["count"]["applies_text"] or f"mọi {board['noun']}"
                               for c in board["indicators"]] + extra})
    # a sum where the members' figures give one ("chưa có số liệu" stays out of the files:
    # results stated without a figure are reported, only not summable)
    if any(c["count"]["sum"] is not None for c in board["indicators"]):
        foot.append({"label": "Tổng cộng",
                     "cells": [c["count"]["sum_text"] if c["count"]["sum"] is not None else ""
                               for c in board["indicators"]] + extra})
    notes = []
    for column in board["indicators"]:
        for stated in column["stated"]:
            notes.append(f"Chỉ tiêu {column['code']}: {stated['what']} — {stated['summary']}."
                         + (f" Nguồn: {stated['source']}" if stated["source"] else ""))
    unknown = sum(c["count"]["unknown"] for c in board["indicators"])
    if unknown:
        notes.append(f"{unknown} kết quả chưa có số liệu: không tính là không đạt, không tính "
                     "vào mẫu số.")
    indicators = []
    for column in board["indicators"]:
        count = column["count"]
        result = count["text"]
        if count["applies_text"]:
            result = f"{count['applies_text']}; đạt {result}"
        if count["sum"] is not None:
            result += f"; tổng {count['sum_text']}"
        if count["values_text"]:
            result += f" ({count['values_text']})"
        indicators.append({"code": column["code"], "text": column["text"],
                           "target_text": column["target_text"], "result": result})
    return {
        "heading": f"BẢNG TỔNG HỢP KẾT QUẢ THI ĐUA NĂM {board['year']}",
        "title": board["cluster_name"],
        "subtitle": f"{board['title']} — {board['status_label']}; {board['members']} "
                    f"{board['noun']}",
        "noun_title": NOUN_TITLES.get(board["noun"], board["noun"].capitalize()),
        "columns": columns, "rows": rows, "foot": foot, "indicators": indicators,
        "notes": notes,
    }


def board_xlsx(board: dict[str, Any]) -> bytes:
    data = sheet(board)
    wb = Workbook()
    ws = wb.active
    ws.title = f"Kết quả {board['year']}"
    wb.properties.creator = "TĐKT"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    ws.append([data["heading"]])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([data["title"]])
    ws.append([data["subtitle"]])
    headers = ["STT", data["noun_title"], *data["columns"]]
    ws.append(headers)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in data["rows"]:
        ws.append([row["no"], row["name"], *row["cells"]])
    for foot in data["foot"]:
        ws.append([foot["label"], None, *foot["cells"]])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
    ws.append([])
    for note in data["notes"]:
        ws.append([note])
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 24
    for index in range(3, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    indicators = wb.create_sheet("Chỉ tiêu")
    indicators.append(["Chỉ tiêu", "Nội dung", "Mức", "Kết quả"])
    for cell in indicators[1]:
        cell.font = Font(bold=True)
    for item in data["indicators"]:
        indicators.append([item["code"], item["text"], item["target_text"], item["result"]])
    for letter, width in (("A", 9), ("B", 80), ("C", 18), ("D", 60)):
        indicators.column_dimensions[letter].width = width
    raw = io.BytesIO()
    wb.save(raw)
    return _stable_zip(raw.getvalue())


@cache
def _source() -> bytes:
    return BOARD_SOURCE.read_bytes()


def board_pdf(board: dict[str, Any]) -> bytes:
    return typst_pdf(_source(), sheet(board))
