"""Print-ready PDFs with Typst (its pip wheel): certificates in bulk, and decision documents.

Typst was chosen over WeasyPrint after measuring both kinds of engine on this machine: Typst lays
out thousands of A4 pages per second in one process, where an HTML engine does tens. Templates are
Jinja2 files in ``templates/`` that set the layout; the records reach Typst as JSON through
``sys.inputs`` so that no name or achievement text is ever read as markup.
"""

from __future__ import annotations

import io
import json
import tomllib
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import segno
import typst
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from domain.errors import ValidationFailed

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MODES = ("full", "overlay")
# A fixed document timestamp: the same records give the same bytes.
_TIMESTAMP = 946684800  # 2000-01-01
CHUNK = 500


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
def certificate_source(mode: str, printer: str, heading: str) -> bytes:
    config = layouts()
    if mode not in MODES:
        raise ValidationFailed(
            reason="chế độ in phải là full (in cả mẫu) hoặc overlay (in lên phôi)")
    if printer not in config.get("printers", {}):
        raise ValidationFailed(reason=f"chưa có cấu hình máy in «{printer}»")
    offsets = config["printers"][printer]
    fields = dict(config["overlay"]["default"])
    fields.update(config["overlay"].get(heading, {}))
    text = _env().get_template("certificates/certificate.typ.j2").render(
        mode=mode, full=config["full"], fields=fields, dx=offsets.get("dx", 0),
        dy=offsets.get("dy", 0),
    )
    return text.encode("utf-8")


def qr_svg(url: str) -> str:
    if not url:
        return ""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, svgns=True, nl=False,
                                    border=1)
    return out.getvalue().decode("ascii")


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
    """One PDF, one page per certificate, in the given order. Rendered in chunks (for progress);
    the chunks are joined without re-rendering."""
    if not contexts:
        raise ValidationFailed(reason="không có giấy chứng nhận nào để in")
    pieces: list[bytes] = []
    for start in range(0, len(contexts), CHUNK):
        chunk = contexts[start:start + CHUNK]
        data = [{**c, "qr": qr_svg(c["verify_url"])} for c in chunk]
        # consecutive certificates with the same heading share one template and one compile
        run: list[dict[str, Any]] = []
        for item in [*data, None]:
            if run and (item is None or item["heading"] != run[0]["heading"]):
                pieces.append(_compile(certificate_source(mode, printer, run[0]["heading"]), run))
                run = []
            if item is not None:
                run.append(item)
        if progress:
            progress(len(chunk))
    return pieces[0] if len(pieces) == 1 else _join(pieces)


def _join(pieces: list[bytes]) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for piece in pieces:
        writer.append(io.BytesIO(piece))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def certificate_png(context: dict[str, Any], *, mode: str = "full", ppi: int = 72) -> bytes:
    """A picture of one certificate (for a person to look at)."""
    data = [{**context, "qr": qr_svg(context["verify_url"])}]
    png = _compile(certificate_source(mode, "default", context["heading"]), data, "png", ppi)
    return png[0] if isinstance(png, list) else png


def decision_pdf(document: dict[str, Any]) -> bytes:
    source = _env().get_template("documents/decision.typ.j2").render().encode("utf-8")
    return _compile(source, document)
