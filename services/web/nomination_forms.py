"""The nomination form (new and edit), read and written back: the recipient from the typed
fields, a nomination's fields as the form shows them, each refusal placed beside its field, and
the award kinds offered with who decides each and what money it carries today."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.calculator import LEGAL, coefficient_text, quote
from domain.catalog import AwardKind, catalog
from domain.errors import (
    DomainError,
    OutsideScope,
    RecipientKindNotAllowed,
    UnknownAwardKind,
    ValidationFailed,
)
from domain.money import format_dong
from domain.recipients import refuse_sealed
from domain.schedules import MoneySchedules
from services.web.forms import day_typed, dmy, whole

FIELDS = ("proposing_unit_id", "award_kind", "award_type", "period", "recipient_kind",
          "recipient_name", "gender", "birth_year", "birth_date", "position", "citizen_id",
          "recipient_unit_id", "recipient_is_unit", "achievement")
GENDER_LABELS = {"female": "Nữ", "male": "Nam"}


def recipient_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The recipient as the services take it; a year or a date that cannot be read is refused
    (``ValidationFailed``, placed beside its field by ``field_errors``)."""
    recipient: dict[str, Any] = {"kind": form.get("recipient_kind") or "individual",
                                 "name": form.get("recipient_name") or ""}
    if form.get("recipient_unit_id"):
        key = "org_unit_id" if form.get("recipient_is_unit") else "unit_id"
        recipient[key] = form["recipient_unit_id"]
    for field in ("gender", "position", "citizen_id"):
        if form.get(field):
            recipient[field] = form[field]
    if form.get("birth_year"):
        birth_year = whole(form["birth_year"], 1900, 2100)
        if birth_year is None:
            raise ValidationFailed(reason="năm sinh phải là số từ 1900 đến 2100")
        recipient["birth_year"] = birth_year
    born = day_typed(form.get("birth_date"), "ngày sinh")
    if born is not None:
        recipient["birth_date"] = born.isoformat()
    return refuse_sealed(recipient)


def fields_from_form(form: dict[str, str]) -> dict[str, Any]:
    """The editable fields of a nomination, from the form."""
    return {"recipient": recipient_from_form(form), "award_kind": form.get("award_kind", ""),
            "award_type": form.get("award_type") or None,
            "achievement": form.get("achievement", ""), "period": form.get("period", "")}


def form_from_view(view: dict[str, Any]) -> dict[str, str]:
    """A nomination (``representations.nomination``) as its edit form shows it."""
    r = view["recipient"]
    unit = r.get("org_unit_id") or r.get("unit_id") or ""
    return {
        "proposing_unit_id": view["proposing_unit_id"], "award_kind": view["award_kind"],
        "award_type": view["award_type"], "period": view["period"],
        "recipient_kind": r["kind"], "recipient_name": r.get("name") or "",
        "gender": r.get("gender") or "",
        "birth_year": str(r["birth_year"]) if r.get("birth_year") else "",
        "birth_date": dmy(r.get("birth_date")), "position": r.get("position") or "",
        "citizen_id": r.get("citizen_id") or "", "recipient_unit_id": unit,
        "recipient_is_unit": "1" if r.get("org_unit_id") else "",
        "achievement": view["achievement"],
    }


# what a refusal's sentence names → the field it belongs beside (first match wins)
_FIELD_WORDS = (
    ("ngày sinh", "birth_date"), ("năm sinh", "birth_year"), ("cccd", "citizen_id"),
    ("giới tính", "gender"), ("chức vụ", "position"), ("họ tên", "recipient_name"),
    ("tên tập thể", "recipient_name"), ("tên quá dài", "recipient_name"),
    ("loại đối tượng", "recipient_kind"), ("cá nhân không thể", "recipient_is_unit"),
    ("hộ gia đình không thể", "recipient_is_unit"), ("thành tích", "achievement"),
    ("thời gian", "period"), ("loại hình", "award_type"),
)


def field_errors(error: DomainError) -> dict[str, str]:
    """The refusal beside the field it concerns ({field: sentence}); {} when it concerns none
    (the page shows it above the form)."""
    from services.web.templating import page_message

    message = page_message(error)
    sentence = message[:1].upper() + message[1:]
    if isinstance(error, (RecipientKindNotAllowed, UnknownAwardKind)):
        return {"award_kind": sentence}
    if isinstance(error, OutsideScope):
        return {"recipient_unit_id": sentence}
    if isinstance(error, ValidationFailed):
        lowered = message.lower()
        for words, field in _FIELD_WORDS:
            if words in lowered:
                return {field: sentence}
    return {}


# -- award kinds: who decides, what money -----------------------------------------------------

_UNION_LEVEL = {"central": "Trung ương", "province": "tỉnh", "district": "huyện",
                "commune": "xã", "branch": "chi hội"}
_STATE_LEVEL = {"province": "tỉnh", "district": "huyện", "commune": "xã"}
_PRIME_MINISTER = ("bang_khen_thu_tuong", "co_thi_dua_chinh_phu", "chien_si_thi_dua_toan_quoc")


def deciders_text(kind: AwardKind) -> str:
    """Who decides the kind: "Hội LHPN tỉnh", "UBND tỉnh/huyện", "Thủ tướng Chính phủ"…"""
    if kind.extra.get("deciders_text"):  # the catalog says it (kinds of many bodies)
        return str(kind.extra["deciders_text"])
    parts = []
    union = [_UNION_LEVEL.get(level, level) for level in kind.deciders.get("union", ())]
    if union:
        parts.append("Hội LHPN " + "/".join(union))
    state = list(kind.deciders.get("government", ()))
    if "central" in state:
        parts.append("Chủ tịch nước" if kind.group == "huan_chuong"
                     else "Thủ tướng Chính phủ" if kind.code in _PRIME_MINISTER
                     else "bộ, ngành Trung ương")
    local = [_STATE_LEVEL[level] for level in state if level in _STATE_LEVEL]
    if local:
        parts.append("UBND " + "/".join(local))
    return " hoặc ".join(parts)


def money_text(kind: AwardKind, schedules: MoneySchedules, on: date) -> str:
    """What money the kind carries on ``on``, short: by the first body that decides it."""
    body = "union" if kind.deciders.get("union") else "government"
    levels = kind.deciders.get(body) or ("central",)
    recipient = "individual" if kind.allows("individual") else kind.recipients[0]
    try:
        found = quote(award_kind=kind.code, recipient_kind=recipient, issuer_body=body,
                      issuer_level=levels[0], on=on, schedules=schedules)
    except DomainError:
        return "chưa tính được tiền thưởng"
    rule = found.rule
    if rule.get("rule") == "internal":
        return "tiền thưởng theo mức riêng của đơn vị"
    if found.source != LEGAL:
        if rule.get("rule") is None:
            return "không có mức tiền thưởng theo quy định"
        return "chưa có bảng hệ số hoặc mức lương cơ sở áp dụng hôm nay"
    times = coefficient_text(rule["coefficient"])
    factor = rule.get("factor")
    if factor not in (None, 1):
        shown = factor if isinstance(factor, int) else coefficient_text(str(factor))
        times = f"{shown} × {times}"
    who = {"individual": "", "collective": " (tập thể)"}.get(recipient, " (hộ gia đình)")
    if found.maximum is not None:
        return f"tối đa {times} × lương cơ sở = {format_dong(found.maximum)}{who}"
    return f"{times} × lương cơ sở = {format_dong(found.amount)}{who}"


def kind_choices(schedules: MoneySchedules, on: date) -> list[dict[str, Any]]:
    """The award kinds in two groups (the Union's, the State's), each with the sentence the
    picker shows: "Bằng khen Hội LHPN tỉnh — Hội LHPN tỉnh quyết định; tiền thưởng …"."""
    union: list[dict[str, str]] = []
    state: list[dict[str, str]] = []
    for kind in catalog().kinds.values():
        label = (f"{kind.short_title} — {deciders_text(kind)} quyết định; "
                 f"{money_text(kind, schedules, on)}")
        (union if kind.deciders.get("union") else state).append(
            {"code": kind.code, "title": kind.title, "label": label})
    return [{"label": "Khen thưởng của Hội LHPN", "kinds": union},
            {"label": "Khen thưởng của Nhà nước", "kinds": state}]
