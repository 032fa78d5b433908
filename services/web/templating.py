"""The pages' Jinja2 environment (``templates/pages/``) and the one way a page is rendered."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from domain.catalog import RECIPIENT_LABELS
from domain.money import format_dong
from domain.nomination import STATUS_LABELS, VOTE_LABELS
from services.authz import Actor
from services.web import csrf
from services.web.forms import dmy

TEMPLATES = Path(__file__).resolve().parent.parent.parent / "templates"
STATIC = TEMPLATES.parent / "static"  # the pages' style sheet (and any script): no CDN
templates = Jinja2Templates(directory=str(TEMPLATES / "pages"))
templates.env.filters["dong"] = format_dong
templates.env.filters["ngay"] = dmy  # a date (or ISO text) → dd/mm/yyyy, as offices write it
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")  # offices' time


def local_time(moment: str | datetime | None) -> str:
    """A moment (ISO text or datetime; naive means UTC, as the event log stores it) as the
    office reads it: dd/mm/yyyy HH:MM in Vietnam's time."""
    if not moment:
        return ""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL).strftime("%d/%m/%Y %H:%M")


templates.env.filters["gio"] = local_time
templates.env.globals["STATUS_LABELS"] = STATUS_LABELS
templates.env.globals["VOTE_LABELS"] = VOTE_LABELS
templates.env.globals["RECIPIENT_LABELS"] = RECIPIENT_LABELS
templates.env.globals["csrf_input"] = csrf.csrf_input

_RAW_ID = re.compile(r"\s*«?\b[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\b»?", re.IGNORECASE)


def page_message(error: Any) -> str:
    """What a page says of a refusal: its Vietnamese message, without raw ids ("Không tìm thấy
    đề nghị khen thưởng 3f2a…" → "Không tìm thấy đề nghị khen thưởng."); the machine code and
    the ids stay in the JSON API."""
    return _RAW_ID.sub("", str(getattr(error, "message", error))).strip()


templates.env.filters["page_message"] = page_message


def no_store(response: HTMLResponse) -> HTMLResponse:
    """A page kept by no cache, the browser's or a proxy's: one showing a password once, or
    carrying a citizen ID in a field."""
    response.headers["Cache-Control"] = "no-store"
    return response


def render(request: Request, name: str, context: dict[str, Any], status: int = 200,
           actor: Actor | None = None) -> HTMLResponse:
    """A page: the template with the signed-in user (for the menu) and today's date."""
    response = templates.TemplateResponse(
        request, name,
        {"actor": actor, "today": request.app.state.runtime.app.today(), **context},
        status_code=status,
    )
    csrf.remember(request, response)
    return response
