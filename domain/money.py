"""Money: integer đồng, Vietnamese display ("73.640.000 đ") and words for documents.

Display and words come from well-kept libraries (Babel, num2words); this module only fixes the
conventions: thousands separated by dots, the "đ" sign after a space, words capitalised and ending
in "đồng".
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel.numbers import format_decimal
from num2words import num2words

from domain.errors import ValidationFailed


def format_dong(amount: int | None, missing: str = "không ghi số tiền") -> str:
    if amount is None:
        return missing
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("money is integer đồng")
    return _formatted(amount)


@lru_cache(maxsize=4096)
def _formatted(amount: int) -> str:
    # Babel is slow per call; a decision's lines repeat a few amounts, so cache them.
    return f"{format_decimal(amount, locale='vi_VN')} đ"


_GROUP_NAMES = ("", "nghìn", "triệu", "tỷ", "nghìn tỷ", "triệu tỷ")


def _group_words(group: int, inner: bool) -> str:
    """One group of three digits, read the way accounting documents read it.

    num2words reads a lone group correctly ("một trăm linh năm"); an *inner* group under a hundred
    must also say its hundreds ("không trăm linh một"), or 1.001.000 would read as 1.100.000's
    neighbour "một triệu một nghìn" and lose the zeroes that make the figure unambiguous.
    """
    words = num2words(group, lang="vi").replace("lẻ", "linh")
    if inner and group < 100:
        words = ("không trăm linh " if group < 10 else "không trăm ") + words
    return words


def dong_in_words(amount: int) -> str:
    """"Bảy mươi ba triệu sáu trăm bốn mươi nghìn đồng" for 73_640_000.

    Groups of three digits from the top; a group of zeroes is skipped, an inner group says its
    hundreds ("Một triệu không trăm linh một nghìn đồng" for 1.001.000).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError("money is a non-negative integer of đồng")
    if amount >= 1000 ** len(_GROUP_NAMES):
        raise ValueError("amount too large to read")
    groups = []
    rest = amount
    while rest:
        rest, group = divmod(rest, 1000)
        groups.append(group)
    parts = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        inner = index != len(groups) - 1
        parts.append(_group_words(group, inner))
        if _GROUP_NAMES[index]:
            parts.append(_GROUP_NAMES[index])
    words = " ".join(parts) if parts else "không"
    return f"{words[:1].upper()}{words[1:]} đồng"


# whole đồng as offices type them: digits, optionally grouped by threes with one separator
_TYPED = re.compile(r"[0-9]{1,3}(?:([., \u00a0\u202f])[0-9]{3})?(?:\1[0-9]{3})*|[0-9]+")
TYPED_DIGITS = 12  # up to 999.999.999.999 đ


def parse_dong(text: str | None, what: str = "số tiền") -> int | None:
    """Whole đồng, not negative, typed with or without thousands separators ("73.640.000",
    "73 640 000 đ", "1.500.000 đồng"); None when blank; else refused, naming ``what``."""
    raw = (text or "").strip()
    if not raw:
        return None
    bare = raw.removesuffix("đồng").removesuffix("đ").strip()
    if _TYPED.fullmatch(bare):
        digits = re.sub(r"[^0-9]", "", bare)
        if len(digits) <= TYPED_DIGITS:
            return int(digits)
    if raw.startswith("-"):
        raise ValidationFailed(reason=f"{what} không được âm")
    raise ValidationFailed(reason=f"{what} «{raw[:40]}» phải là số nguyên đồng, ví dụ 300.000")
