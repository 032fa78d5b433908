"""How every download names its file: ``Content-Disposition`` with the UTF-8 name (RFC 6266 and
RFC 5987 ``filename*``, percent-encoded, so "125/QĐ-HPN" stays "QĐ") and a plain ASCII
``filename`` for clients that know only that ("Đ"/"đ" → "D"/"d", other diacritics stripped)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from domain.text import nfc

_SEPARATORS = re.compile(r"[/\\]+")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]+")
_NOT_PLAIN = re.compile(r"[^A-Za-z0-9._-]+")


def clean_filename(filename: str) -> str:
    """The file's own name: NFC, no path separators (a decision number's "/" becomes "-"), no
    control characters."""
    name = _SEPARATORS.sub("-", nfc(filename))
    return _CONTROLS.sub("", name).strip() or "tep"


def ascii_filename(filename: str) -> str:
    """"quyet-dinh-125-QĐ-HPN.pdf" → "quyet-dinh-125-QD-HPN.pdf"."""
    name = clean_filename(filename).replace("Đ", "D").replace("đ", "d")
    stripped = "".join(c for c in unicodedata.normalize("NFKD", name)
                       if not unicodedata.combining(c))
    return _NOT_PLAIN.sub("_", stripped).strip("_") or "tep"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    name = clean_filename(filename)
    return (f'{disposition}; filename="{ascii_filename(name)}"; '
            f"filename*=UTF-8''{quote(name, safe='')}")
