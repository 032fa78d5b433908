"""The words of totals, for every output: the API's JSON, the pages, the registry's sentences, the
decision document and the spreadsheets.

The numbers come from ``domain.totals`` (one rule of summing everywhere); only their words are
here — "16 tập thể, 30 cá nhân", "33.840.000 đ", "2 dòng không ghi số tiền" — so that every
output says a total the same way.
"""

from __future__ import annotations

from typing import Any

from domain.catalog import RECIPIENT_LABELS
from domain.money import format_dong
from domain.totals import RECIPIENT_COUNT_KEYS

TOTAL_LABEL = "Tổng cộng"
NOT_STATED = "không ghi số tiền"  # a total whose lines state no amount (``format_dong``'s word)
# the order a total names its recipients in: "16 tập thể, 30 cá nhân, 2 hộ gia đình"
COUNTED_KINDS = ("collective", "individual", "household")


def counts_text(totals: dict[str, Any], sep: str = ", ") -> str:
    """"16 tập thể, 30 cá nhân, 2 hộ gia đình" ("" when there are none)."""
    parts = [f"{totals[RECIPIENT_COUNT_KEYS[kind]]} {RECIPIENT_LABELS[kind]}"
             for kind in COUNTED_KINDS if totals[RECIPIENT_COUNT_KEYS[kind]]]
    return sep.join(parts)


def counts_phrase(totals: dict[str, Any]) -> str:
    """The recipients in a sentence of a document: "16 tập thể và 30 cá nhân" ("0 cá nhân")."""
    return counts_text(totals, " và ") or "0 cá nhân"


def not_stated_text(lines_without_amount: int) -> str:
    """"2 dòng không ghi số tiền" ("" when every line states an amount)."""
    return f"{lines_without_amount} dòng {NOT_STATED}" if lines_without_amount else ""


def with_amount_text(totals: dict[str, Any]) -> dict[str, Any]:
    """A total with its amount written beside it (``amount_text``: "33.840.000 đ", or "không
    ghi số tiền" when no line states one), in the order the answers give them."""
    out: dict[str, Any] = {}
    for key, value in totals.items():
        out[key] = value
        if key == "amount":
            out["amount_text"] = format_dong(value)
    return out


def summary_text(label: str, totals: dict[str, Any]) -> str:
    """"UBND quận Bắc Từ Liêm: 16 tập thể, 30 cá nhân, 33.840.000 đ", with the lines that state
    no amount after it when some do ("… (2 dòng không ghi số tiền)")."""
    money = format_dong(totals["amount"]) if totals["amount"] is not None else NOT_STATED
    text = f"{label}: {counts_text(totals) or '0 dòng'}, {money}"
    if totals["amount"] is not None and totals["lines_without_amount"]:
        text += f" ({not_stated_text(totals['lines_without_amount'])})"
    return text


def worded(totals: dict[str, Any], label: str = TOTAL_LABEL) -> dict[str, Any]:
    """A total as the answers give it: its numbers, its amount written, and its summary."""
    out = with_amount_text(totals)
    return {**out, "summary": summary_text(label, out)}
