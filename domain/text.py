"""Vietnamese text: NFC on the way in, diacritic-free folding for keys and search.

Names arrive typed on phones, pasted from Word (NFD on macOS), with or without diacritics. Every
stored string is NFC with collapsed whitespace. ``fold`` turns "Nguyễn Thị Hồng Nhung" into
"nguyen thi hong nhung" so that search and identity keys ignore diacritics and case.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Control characters that are not whitespace (NUL, BEL, ESC, C1 controls): never part of a name or
# a text, and PostgreSQL text columns refuse NUL outright. Dropped on the way in.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
# Characters that Unicode does not decompose but Vietnamese readers treat as a base letter + mark.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
# Dashes and quotes that arrive from word processors.
_PUNCT = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "“": '"', "”": '"', "’": "'"})


def nfc(value: str) -> str:
    """NFC-normalise, drop control characters, strip and collapse runs of whitespace."""
    text = unicodedata.normalize("NFC", _CONTROLS.sub("", value))
    return _SPACES.sub(" ", text).strip()


def nfc_optional(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = nfc(value)
    return cleaned or None


def nfc_multiline(value: str) -> str:
    """NFC for free text: keeps line breaks, trims each line."""
    text = unicodedata.normalize("NFC", _CONTROLS.sub("", value)).replace("\r\n", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


def fold(value: str) -> str:
    """Lower-case, diacritic-free, single-spaced form for matching ("Hồng" → "hong")."""
    decomposed = unicodedata.normalize("NFD", value.translate(_FOLD_EXTRA).translate(_PUNCT))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def fold_key(value: str) -> str:
    """A key for uniqueness: folded and without spaces around separators ("15 / QĐ-HPN")."""
    return re.sub(r"\s*([/\-.])\s*", r"\1", fold(value)).upper()
