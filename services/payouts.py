"""A ceremony's payout in words and on paper: the JSON of what it owes, has paid and still owes
(``domain.payouts``), and the payout sheet — *danh sách ký nhận tiền thưởng* — as PDF (Typst,
``templates/documents/payout.typ.j2``) and XLSX (``services.exports``).

The sheet lists the lines in force of each decision presented, in the ceremony's order: STT,
name, unit, award, amount and an empty column for the recipient's signature, a subtotal per
decision (each issuer pays from its own fund), the total and the total in words. Lines that state
no amount are listed (the recipient signs for the award) and counted apart; the total never
pretends they are 0 đ. Nothing personal beyond the name and unit is printed.
"""

from __future__ import annotations

from typing import Any

from domain.catalog import RECIPIENT_LABELS
from domain.ceremony import PAYMENT_STATUSES, Ceremony
from domain.decision import AwardDecision, DecisionLine
from domain.money import dong_in_words, format_dong
from domain.payouts import STATE_LABELS, Payout, PayoutLine
from domain.totals import RECIPIENTS, line_totals
from services import exports
from services.presentation.certificates import award_title
from services.presentation.totals import counts_text, not_stated_text

SHEET_TITLE = "Danh sách ký nhận tiền thưởng"
SHEET_FILENAME = "danh-sach-ky-nhan-tien-thuong"
NO_AMOUNT = "—"


def _money(amount: int | None) -> dict[str, Any]:
    return {"amount": amount, "text": format_dong(amount)}


def recipient_unit(line: DecisionLine) -> str:
    """The unit a recipient belongs to as the decision names it (a collective that is itself a
    unit: the unit above it)."""
    path = line.unit_path or ()
    if not path:
        return ""
    unit = str(path[-1].get("name") or "")
    if line.recipient_kind == "collective" and unit == line.recipient_name and len(path) > 1:
        return str(path[-2].get("name") or "")
    return unit


def decision_heading(decision: AwardDecision) -> str:
    return (f"Quyết định số {decision.number} ngày {decision.decided_on.strftime('%d/%m/%Y')} "
            f"của {decision.issuer['name']}")


def payment_record(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "payment_no": record["payment_no"],
        "decision_id": str(record["decision_id"]),
        "decision_number": record["decision_number"],
        "line_no": record["line_no"],
        "recipient_name": record["recipient_name"],
        "amount": record["amount"],
        "amount_text": format_dong(record["amount"]),
        "paid_on": record["paid_on"].isoformat(),
        "status": record["status"],
        "status_label": PAYMENT_STATUSES[record["status"]],
        "note": record["note"],
        "reason": record["reason"],
        "recorded_by": record["recorded_by"],
        "corrections": record["corrections"],
        "correction_reason": record["correction_reason"],
        "corrected_by": record.get("corrected_by", ""),
    }


def payout_line(row: PayoutLine) -> dict[str, Any]:
    line = row.line
    return {
        "decision_id": str(row.decision.id),
        "decision_number": row.decision.number,
        "line_no": line.line_no,
        "key": f"{row.decision.id}:{line.line_no}",
        "recipient": {"name": line.recipient_name, "kind": line.recipient_kind,
                      "kind_label": RECIPIENT_LABELS.get(line.recipient_kind,
                                                         line.recipient_kind)},
        "unit": recipient_unit(line),
        "award_title": award_title(line.award_kind, row.decision.issuer,
                                   row.decision.decided_on),
        "in_force": line.in_force,
        "revoked_on": line.revoked_on.isoformat() if line.revoked_on else None,
        "line_amount": line.amount,
        "committed": row.committed,
        "committed_text": format_dong(row.committed),
        "paid": row.paid,
        "paid_text": format_dong(row.paid),
        "outstanding": row.outstanding,
        "outstanding_text": format_dong(row.outstanding),
        "excess": row.excess,
        "excess_text": format_dong(row.excess),
        "state": row.state,
        "state_label": STATE_LABELS[row.state],
        "payment_nos": [p["payment_no"] for p in row.payments],
    }


def payout(ceremony: Ceremony, result: Payout) -> dict[str, Any]:
    """The payout as the API answers it and the ceremony page shows it."""
    totals = result.totals
    return {
        "ceremony_id": str(ceremony.id),
        "version": ceremony.version,
        "title": ceremony.title,
        "held_on": ceremony.held_on.isoformat(),
        "totals": {
            "lines": totals["lines"],
            "individuals": totals["individuals"],
            "collectives": totals["collectives"],
            "households": totals["households"],
            RECIPIENTS: totals[RECIPIENTS],  # distinct, by kind (``domain.totals``)
            "counts_text": counts_text(totals),
            "lines_without_amount": totals["lines_without_amount"],
            "committed": result.committed,  # None when no line in force states an amount
            "committed_text": format_dong(result.committed),
            "paid": result.paid,
            "paid_text": format_dong(result.paid),
            "outstanding": result.outstanding,
            "outstanding_text": format_dong(result.outstanding),
            "excess": result.excess,
            "excess_text": format_dong(result.excess),
            "lines_unpaid": sum(1 for r in result.lines if r.line.in_force and r.outstanding),
        },
        "lines": [payout_line(row) for row in result.lines],
        "payments": [payment_record(p) for p in ceremony.payments],
        "statuses": PAYMENT_STATUSES,
    }


# -- the payout sheet ----------------------------------------------------------------------------


def _sheet_amount(amount: int | None) -> str:
    return format_dong(amount, NO_AMOUNT).removesuffix(" đ")


def payout_sheet(ceremony: Ceremony, result: Payout, host_name: str) -> dict[str, Any]:
    """What the sheet says: sections per decision, each line in force with an empty signature
    cell, subtotals, the total and its words (the PDF's data; the XLSX is made from it)."""
    sections: list[dict[str, Any]] = []
    number = 0
    for row in result.lines:
        if not row.line.in_force:
            continue
        if not sections or sections[-1]["decision_id"] != str(row.decision.id):
            sections.append({"decision_id": str(row.decision.id),
                             "heading": decision_heading(row.decision),
                             "number": row.decision.number, "rows": [], "lines": []})
        number += 1
        line = row.line
        sections[-1]["lines"].append((line.recipient_kind, line.amount, line.recipient_key))
        sections[-1]["rows"].append({
            "no": number, "name": line.recipient_name, "unit": recipient_unit(line),
            "award": award_title(line.award_kind, row.decision.issuer, row.decision.decided_on),
            "amount": line.amount, "amount_text": _sheet_amount(line.amount)})
    for section in sections:
        sub = line_totals(section.pop("lines"))
        section["subtotal"] = sub["amount"]
        section["subtotal_text"] = _sheet_amount(sub["amount"])
        section["summary"] = counts_text(sub)
    totals = result.totals
    missing = totals["lines_without_amount"]
    held = ceremony.held_on.strftime("%d/%m/%Y")
    return {
        "title": SHEET_TITLE.upper(),
        "host_upper": host_name.upper(),
        "ceremony": ceremony.title,
        "when_where": f"Ngày {held}" + (f" tại {ceremony.place}" if ceremony.place else ""),
        "sections": sections,
        "count": number,
        "total": result.committed,
        "total_text": _sheet_amount(result.committed),
        "words": dong_in_words(result.committed) if result.committed is not None else "",
        "summary": f"{counts_text(totals) or '0 dòng'}, {format_dong(result.committed)}",
        "not_stated": (f"{not_stated_text(missing)} (ký nhận khen thưởng, không tính vào tổng "
                       "tiền).") if missing else "",
        "signers": ["NGƯỜI LẬP BIỂU", "KẾ TOÁN", "THỦ TRƯỞNG ĐƠN VỊ"],
    }


SHEET_COLUMNS = [
    exports.Column("STT", 6), exports.Column("Họ tên / tập thể", 32), exports.Column("Đơn vị", 36),
    exports.Column("Hình thức khen thưởng", 40), exports.Column("Quyết định", 18),
    exports.Column("Số tiền (đồng)", 16, money=True), exports.Column("Ký nhận", 20),
]


def payout_table(sheet: dict[str, Any]) -> exports.Table:
    """The sheet as a spreadsheet: one row per line (its decision in a column), the totals row
    and the words beneath (``exports.to_xlsx``), subtotals per decision in the notes."""
    rows = [[r["no"], r["name"], r["unit"], r["award"], s["number"], r["amount"], None]
            for s in sheet["sections"] for r in s["rows"]]
    notes = [f"Cộng {s['heading']}: {s['summary'] or '0 dòng'}, "
             f"{format_dong(s['subtotal'])}" for s in sheet["sections"]]
    notes.append(f"Tổng cộng: {sheet['summary']}")
    if sheet["not_stated"]:
        notes.append(sheet["not_stated"])
    return exports.Table(title=SHEET_TITLE, columns=SHEET_COLUMNS, rows=rows,
                         subtitle=f"{sheet['host_upper']} — {sheet['ceremony']} — "
                                  f"{sheet['when_where']}",
                         total_amount=sheet["total"], notes=notes)


def payout_xlsx(sheet: dict[str, Any]) -> bytes:
    return exports.to_xlsx(payout_table(sheet))
