"""Print-ready PDFs with Typst (its pip wheel): certificates in bulk, and decision documents.

Typst was chosen over WeasyPrint after measuring both kinds of engine on this machine: Typst lays
out thousands of A4 pages per second in one process, where an HTML engine does tens. Templates are
Jinja2 files in ``templates/`` that set the layout; the records reach Typst as JSON through
``sys.inputs`` so that no name or achievement text is ever read as markup.
"""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
from collections.abc import Callable, Sequence
from functools import cache, lru_cache
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


@lru_cache(maxsize=64)
def certificate_source(mode: str, printer: str, dx: float = 0.0, dy: float = 0.0) -> bytes:
    """The Typst source for one print mode and printer (every template's layout inside).
    ``dx``/``dy``: millimetres added to the printer's calibration offsets (a person's own
    adjustment in the print form; the overlay mode only: the full design has no blank to meet).
    """
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
        mode=mode, full=config["full"], overlays=overlays, dx=offsets.get("dx", 0) + dx,
        dy=offsets.get("dy", 0) + dy,
    )
    return text.encode("utf-8")


def qr_matrix(url: str) -> tuple[bytes, int]:
    """The verification QR code as raw 8-bit grey pixels, one per module, quiet zone included,
    and its side in modules (zxing-cpp: a C++ encoder, fast enough for thousands of codes)."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=True)
    return bytes(memoryview(image)), image.shape[0]


def qr_svg(url: str) -> str:
    """The same QR code as an SVG document (for a page), scalable: one unit per module."""
    code = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return re.sub(r'<svg width="(\d+)" height="(\d+)"',
                  r'<svg width="\1" height="\2" viewBox="0 0 \1 \2" shape-rendering="crispEdges"',
                  code.to_svg(add_quiet_zones=True), count=1)


def _compile(source: bytes | Path, data: Any, **kwargs: Any) -> Any:
    return typst.compile(str(source) if isinstance(source, Path) else source,
                         sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                         timestamp=_TIMESTAMP, **kwargs)


def _compile_certificates(source: bytes, contexts: Sequence[dict[str, Any]],
                          progress: Callable[[int], None] | None = None, **kwargs: Any) -> Any:
    """Compile certificates; each page's QR code reaches Typst as raw pixels in one binary file
    beside the source (``qr.bin``, its slice named by ``qr_at``/``qr_n``).

    Raw pixels, not SVG: an SVG code must be encoded, written and turned by Typst into vector
    paths, which took most of a page's time (figures in bench/RESULTS.md, "Measurements behind
    design choices")."""
    blob = bytearray()
    data: list[dict[str, Any]] = []
    for start in range(0, len(contexts), CHUNK):
        chunk = contexts[start:start + CHUNK]
        for c in chunk:
            pixels, side = qr_matrix(c["verify_url"]) if c.get("verify_url") else (b"", 0)
            data.append({**c, "qr_at": len(blob), "qr_n": side})
            blob += pixels
        if progress:
            progress(len(chunk))
    with tempfile.TemporaryDirectory(prefix="tdkt-print-") as folder:
        main = Path(folder) / "main.typ"
        main.write_bytes(source)
        (Path(folder) / "qr.bin").write_bytes(bytes(blob))
        return _compile(main, data, root=folder, **kwargs)


def certificates_pdf(
    contexts: Sequence[dict[str, Any]],
    *,
    mode: str = "full",
    printer: str = "default",
    progress: Callable[[int], None] | None = None,
    offset: tuple[float, float] = (0.0, 0.0),
) -> bytes:
    """One PDF, one page per certificate, in the given order, from one Typst compile.
    ``progress`` hears of the QR codes as they are made, then of the layout.

    The PDF is untagged: it is a print run for a printer, not a document to be read on screen
    (the tag tree costs about a tenth of the time: bench/RESULTS.md); decision documents stay
    tagged."""
    if not contexts:
        raise ValidationFailed(reason="không có giấy chứng nhận nào để in")
    return _compile_certificates(certificate_source(mode, printer, *offset), contexts,
                                 progress, pdf_tags=False)


def certificate_png(context: dict[str, Any], *, mode: str = "full", ppi: int = 72) -> bytes:
    """A picture of one certificate (for a person to look at)."""
    png = _compile_certificates(certificate_source(mode, "default"), [context], format="png",
                                ppi=ppi)
    return png[0] if isinstance(png, list) else png


def document_pdf(template: str, data: dict[str, Any]) -> bytes:
    """A document laid out by Typst: ``templates/documents/<template>`` reads ``data`` (passed
    as JSON, never pasted into the source)."""
    source = _env().get_template(f"documents/{template}").render().encode("utf-8")
    return _compile(source, data)


def typst_pdf(source: bytes, data: Any) -> bytes:
    """A document from a Typst source kept elsewhere than ``templates/`` (an area's own layout,
    e.g. the emulation board beside ``services/emulation``); ``data`` reaches it as JSON."""
    return _compile(source, data)


def decision_pdf(document: dict[str, Any]) -> bytes:
    return document_pdf("decision.typ.j2", document)


def payout_pdf(sheet: dict[str, Any]) -> bytes:
    """The payout sheet of a ceremony (``services.payouts.payout_sheet``)."""
    return document_pdf("payout.typ.j2", sheet)
