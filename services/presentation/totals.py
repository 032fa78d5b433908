"""The words of totals, for every output: the API's JSON, the pages, the registry's sentences, the
decision document and the spreadsheets.

The numbers come from ``domain.totals`` (one rule of summing everywhere); only their words are
here — "16 tập thể, 30 cá nhân", "33.840.000 đ", "2 dòng không ghi số tiền" — so that every
output says a total the same way.

Counts do not pretend: a kind is said by its distinct recipients, and where they are fewer than
their award lines both are said — "1 tập thể nhận 2 hình thức khen thưởng" (a collective given a
Bằng khen and a Cờ thi đua), "2 tập thể nhận 3 hình thức khen thưởng"; where each recipient has
one line, as before: "2 tập thể".
"""

from __future__ import annotations

from typing import Any

from domain.catalog import RECIPIENT_LABELS
from domain.money import format_dong
from domain.totals import RECIPIENT_COUNT_KEYS, RECIPIENTS

TOTAL_LABEL = "Tổng cộng"
NOT_STATED = "không ghi số tiền"  # a total whose lines state no amount (``format_dong``'s word)
# the order a total names its recipients in: "16 tập thể, 30 cá nhân, 2 hộ gia đình"
COUNTED_KINDS = ("collective", "individual", "household")
AWARDS_RECEIVED = "nhận {} hình thức khen thưởng"  # said after recipients fewer than their lines


def recipients_of(totals: dict[str, Any], kind: str) -> int | None:
    """The distinct recipients of a kind in a total; ``None`` where they were not counted
    (``domain.totals``)."""
    counted = totals.get(RECIPIENTS)
    return None if counted is None else counted[kind]


def kind_count_text(totals: dict[str, Any], kind: str) -> str:
    """"2 tập thể"; "1 tập thể nhận 2 hình thức khen thưởng" when recipients are fewer than
    their award lines; "2 khen thưởng tập thể" where recipients were not counted (never "2 tập
    thể" for two awards that may have gone to one)."""
    lines = totals[RECIPIENT_COUNT_KEYS[kind]]
    recipients = recipients_of(totals, kind)
    if recipients is None:
        return f"{lines} khen thưởng {RECIPIENT_LABELS[kind]}"
    text = f"{recipients} {RECIPIENT_LABELS[kind]}"
    return f"{text} {AWARDS_RECEIVED.format(lines)}" if recipients < lines else text


def counts_text(totals: dict[str, Any], sep: str = ", ", shown: tuple[str, ...] = ()) -> str:
    """"16 tập thể, 30 cá nhân, 2 hộ gia đình", "1 tập thể nhận 2 hình thức khen thưởng, 30 cá
    nhân" ("" when there are none); the kinds in ``shown`` are said even when none ("0 tập
    thể")."""
    parts = [kind_count_text(totals, kind) for kind in COUNTED_KINDS
             if totals[RECIPIENT_COUNT_KEYS[kind]] or kind in shown]
    return sep.join(parts)


def counts_phrase(totals: dict[str, Any]) -> str:
    """The recipients in a sentence of a document: "16 tập thể và 30 cá nhân", "1 tập thể nhận 2
    hình thức khen thưởng và 30 cá nhân" ("0 cá nhân")."""
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
    """"UBND quận Bắc Từ Liêm: 16 tập thể, 30 cá nhân, 33.840.000 đ" ("Hội nghị: 1 tập thể nhận
    2 hình thức khen thưởng, 5.000.000 đ"), with the lines that state no amount after it when
    some do ("… (2 dòng không ghi số tiền)")."""
    money = format_dong(totals["amount"]) if totals["amount"] is not None else NOT_STATED
    text = f"{label}: {counts_text(totals) or '0 dòng'}, {money}"
    if totals["amount"] is not None and totals["lines_without_amount"]:
        text += f" ({not_stated_text(totals['lines_without_amount'])})"
    return text


def worded(totals: dict[str, Any], label: str = TOTAL_LABEL) -> dict[str, Any]:
    """A total as the answers give it: its numbers, its amount written, its counts in words
    (``counts_text``) and its summary."""
    out = with_amount_text(totals)
    return {**out, "counts_text": counts_text(out), "summary": summary_text(label, out)}
