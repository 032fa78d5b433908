"""Print-ready PDFs with Typst (its pip wheel): certificates in bulk, and decision documents.

Typst was chosen over WeasyPrint after measuring both kinds of engine on this machine: Typst lays
out thousands of A4 pages per second in one process, where an HTML engine does tens. Templates are
Jinja2 files in ``templates/`` that set the layout; the records reach Typst as JSON through
``sys.inputs`` so that no name or achievement text is ever read as markup.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import typst
import zxingcpp
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.errors import ValidationFailed

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MODES = ("full", "overlay")
# A fixed document timestamp: the same records give the same bytes.
_TIMESTAMP = 946684800  # 2000-01-01
CHUNK = 250


@cache
def _env() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                       autoescape=False, keep_trailing_newline=True)


@cache
def layouts() -> dict[str, Any]:
    return tomllib.loads((TEMPLATES / "certificates" / "layouts.toml").read_text("utf-8"))


def printers() -> list[str]:
    return sorted(layouts().get("printers", {}))


@cache
def certificate_source(mode: str, printer: str) -> bytes:
    """The Typst source for one print mode and printer (every template's layout inside)."""
    config = layouts()
    if mode not in MODES:
        raise ValidationFailed(
            reason="chế độ in phải là full (in cả mẫu) hoặc overlay (in lên phôi)")
    if printer not in config.get("printers", {}):
        raise ValidationFailed(reason=f"chưa có cấu hình máy in «{printer}»")
    offsets = config["printers"][printer]
    base = dict(config["overlay"]["default"])
    overlays = {heading: {**base, **fields} for heading, fields in config["overlay"].items()}
    text = _env().get_template("certificates/certificate.typ.j2").render(
        mode=mode, full=config["full"], overlays=overlays, dx=offsets.get("dx", 0),
        dy=offsets.get("dy", 0),
    )
    return text.encode("utf-8")


def qr_svg(url: str) -> str:
    """The verification QR code as SVG (zxing-cpp: a C++ encoder, ~1 ms a code)."""
    if not url:
        return ""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return code.to_svg()


def _compile(source: bytes, data: Any, fmt: str | None = None, ppi: int | None = None) -> Any:
    kwargs: dict[str, Any] = {"sys_inputs": {"data": json.dumps(data, ensure_ascii=False)},
                              "timestamp": _TIMESTAMP}
    if fmt:
        kwargs["format"] = fmt
    if ppi:
        kwargs["ppi"] = ppi
    return typst.compile(source, **kwargs)


def certificates_pdf(
    contexts: Sequence[dict[str, Any]],
    *,
    mode: str = "full",
    printer: str = "default",
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """One PDF, one page per certificate, in the given order, from one Typst compile.
    ``progress`` hears of the QR codes as they are made, then of the layout."""
    if not contexts:
        raise ValidationFailed(reason="không có giấy chứng nhận nào để in")
    source = certificate_source(mode, printer)
    data: list[dict[str, Any]] = []
    for start in range(0, len(contexts), CHUNK):
        chunk = contexts[start:start + CHUNK]
        data.extend({**c, "qr": qr_svg(c["verify_url"])} for c in chunk)
        if progress:
            progress(len(chunk))
    return _compile(source, data)


def certificate_png(context: dict[str, Any], *, mode: str = "full", ppi: int = 72) -> bytes:
    """A picture of one certificate (for a person to look at)."""
    data = [{**context, "qr": qr_svg(context["verify_url"])}]
    png = _compile(certificate_source(mode, "default"), data, "png", ppi)
    return png[0] if isinstance(png, list) else png


def decision_pdf(document: dict[str, Any]) -> bytes:
    source = _env().get_template("documents/decision.typ.j2").render().encode("utf-8")
    return _compile(source, document)
