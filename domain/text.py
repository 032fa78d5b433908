"""Vietnamese text: NFC on the way in, diacritic-free folding for keys and search.

Names arrive typed on phones, pasted from Word (NFD on macOS), with or without diacritics. Every
stored string is NFC with collapsed whitespace. ``fold`` turns "Nguyễn Thị Hồng Nhung" into
"nguyen thi hong nhung" so that search and identity keys ignore diacritics and case.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
# Control characters that are not whitespace (NUL, BEL, ESC, C1 controls): never part of a name or
# a text, and PostgreSQL text columns refuse NUL outright. Dropped on the way in.
# Control characters, and invisible format characters (zero-width spaces and joiners, bidi
# marks and isolates, the BOM, the soft hyphen): a name made only of them is no name.
_CONTROLS = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ufeff]"
)
# Characters that Unicode does not decompose but Vietnamese readers treat as a base letter + mark.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})
# Dashes and quotes that arrive from word processors.
_PUNCT = str.maketrans({"–": "-", "—": "-", "‐": "-", "‑": "-", "“": '"', "”": '"', "’": "'"})


def nfc(value: str) -> str:
    """NFC-normalise, drop control characters, strip and collapse runs of whitespace."""
    text = unicodedata.normalize("NFC", _CONTROLS.sub("", value))
    return _SPACES.sub(" ", text).strip()


def has_hidden(value: str) -> bool:
    """Does the text carry characters that ``nfc`` would silently drop? (A lookup key with a NUL
    or a zero-width space is not the key without it.)"""
    return bool(_CONTROLS.search(value))


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


class _FoldTable(dict):
    """``str.translate`` table (keyed by code point), filled on first sight of each character:
    its NFD form without combining marks. Unicode decomposes character by character, so folding
    characters one by one equals folding the string (the marks that canonical reordering would
    move are all dropped anyway)."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        base = char.translate(_FOLD_EXTRA).translate(_PUNCT)
        decomposed = unicodedata.normalize("NFD", base)
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(value: str) -> str:
    """Lower-case, diacritic-free, single-spaced form for matching ("Hồng" → "hong")."""
    return _SPACES.sub(" ", value.translate(_FOLD)).strip().casefold()


def fold_key(value: str) -> str:
    """A key for uniqueness: folded and without spaces around separators ("15 / QĐ-HPN")."""
    return re.sub(r"\s*([/\-.])\s*", r"\1", fold(value)).upper()


# -- Vietnamese sort order ----------------------------------------------------------------------
# The alphabet: a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (f j w z for loans).
# Letters first (primary), then the tone of each syllable (secondary: ngang, huyền, hỏi, ngã, sắc,
# nặng), then case. Unicode's default order puts "đ" among the "d"s and ignores the alphabet's
# order of ă/â, ê, ô/ơ, ư; ICU's Vietnamese tailoring would do this, at the cost of a system
# library, so the rule is written here.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
# Two digits per character: "00" ends the letters, "10" is a space, "11"–"20" digits, then letters.
_PRIMARY = {letter: index + 21 for index, letter in enumerate(_ALPHABET)}
_PRIMARY.update({str(digit): 11 + digit for digit in range(10)})
_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_BASE_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve (ă), circumflex (â ê ô), horn (ơ ư)
_CODES = {letter: str(code) for letter, code in _PRIMARY.items()}


class _LetterTable(dict):
    """Character → (base letter with its vowel mark, tone), or None for anything that is not a
    letter or digit (dropped); computed once per distinct character."""

    def __missing__(self, char: str) -> tuple[str, int] | None:
        parts = unicodedata.normalize("NFD", char)
        tone = 0
        kept = ""
        for mark in parts[1:]:
            if mark in _TONE_MARKS:
                tone = _TONE_MARKS[mark]
            elif mark in _BASE_MARKS:
                kept += mark
        letter = unicodedata.normalize("NFC", parts[0] + kept)
        info = (letter, tone) if letter in _PRIMARY else None
        self[char] = info
        return info


_LETTERS = _LetterTable()


@lru_cache(maxsize=65_536)
def _word_codes(word: str) -> tuple[str, str]:
    """(letter codes, tone digits) of one word; names reuse few words, so this is cached."""
    chars = unicodedata.normalize("NFC", word.lower())
    letters = [info for info in map(_LETTERS.__getitem__, chars) if info is not None]
    return "".join(_CODES[letter] for letter, _ in letters), "".join(
        str(tone) for _, tone in letters
    )


def vietnamese_sort_key(text: str, *, by_given_name: bool = False) -> str:
    """A digits-only key whose plain string order is Vietnamese alphabetical order.

    ``by_given_name``: people are listed by their given name (the last word), then the whole name
    — "Trần Thị Lan" before "Nguyễn Thị Mai". Digits only, so every database collation agrees.
    Words are separated by one space code; characters that are not letters or digits are ignored.
    """
    words = nfc(text).split()
    if by_given_name and len(words) > 1:
        words = [words[-1], *words]
    codes = [c for c in map(_word_codes, words) if c[0]]
    primary = "10".join(c[0] for c in codes)
    secondary = "0".join(c[1] for c in codes)
    return f"{primary}00{secondary}"
