"""A cluster's yearly covenant (giao ước thi đua) configured from the pages (issue 19), as the
API's ``PUT …/covenants/{year}`` does (``Clusters.put_covenant``, ``Covenant.configure``).

* ``/emulation/clusters/{id}/{year}/covenant``: the task list «Cấu hình giao ước» — each part
  with what it holds and whether it may still change; where the year has no covenant yet, the
  form that drafts one (its title; the year's members and lead must be set first);
* ``…/covenant/{part}``: one part's form — ``chi-tieu`` (indicators), ``thang-diem`` (the
  covenant's own points items, deductions, total maximum), ``xep-loai`` (thresholds, assessment
  mode), ``de-nghi`` (proposal rules with an award kind of the catalogue in force that a
  collective may receive, the cap "1/3"), ``so-lieu-chung`` (figures stated for the whole
  cluster). Rows: those recorded plus a few blank ones; «Thêm dòng» gives more (nothing
  recorded); a row is removed by clearing it or ticking «Xóa». Each form sends the covenant's
  version (``expected_version``): a form older than the covenant is refused with a sentence
  saying so, what was typed kept.

Who may change it is the service's rule (the office of the managing unit or of the year's lead;
``office`` asks it first, ``require`` before a form is read). What may change is the domain's:
nothing once the covenant is closed; the indicators once a result is reported (or a score
given); the points table once a score is given. A part that may not change is shown read-only
with the reason. Numbers are typed the Vietnamese way ("957,5", "13.747" thirteen thousand);
each row is checked by the domain's own rules first so that its refusal is said beside the
row's field, the whole configuration then by ``Covenant.configure``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.catalog import catalog
from domain.emulation.cluster import (
    ASSESSMENT_MODES,
    CLOSED,
    CROSS,
    Covenant,
    EmulationCluster,
)
from domain.emulation.errors import CovenantInvalid
from domain.emulation.indicators import (
    ALWAYS,
    AT_LEAST,
    AT_MOST,
    DIRECTION_LABELS,
    MEASURE_LABELS,
    MEASURES,
    NUMBER,
    PERCENT,
    WHEN_CASES,
    YES,
    YES_NO,
    Indicator,
    indicators_from,
    stated_totals_from,
    vi_number,
)
from domain.emulation.scoring import (
    EACH,
    PER_LABELS,
    clean_points_data,
    proposal_rules_from,
    thresholds_from,
)
from domain.errors import DomainError, NotFound, StaleVersion
from domain.text import fold, nfc
from services.app import Runtime
from services.authz import Actor
from services.emulation import present
from services.emulation.common import require
from services.http.deps import RuntimeDep
from services.web.deps import SignedInDep
from services.web.emulation_forms import (
    FORM,
    checked,
    office,
    page_id,
    page_year,
    posted,
    recorded,
    refused,
    sentence,
    typed_number,
)
from services.web.forms import dmy, whole
from services.web.routing import page_router
from services.web.templating import render

router = page_router()
BOARD = "/emulation/clusters/{cluster_id}/{year}"
CONFIG = BOARD + "/covenant"
PARTS = {"chi-tieu": "Chỉ tiêu", "thang-diem": "Thang điểm",
         "xep-loai": "Xếp loại và cách chấm điểm", "de-nghi": "Đề nghị khen thưởng",
         "so-lieu-chung": "Số liệu chung của cụm"}
BLANK_ROWS = 3  # blank rows under those recorded; «Thêm dòng» adds as many
# the row groups: prefix → (part, most rows, the fields of a row)
GROUPS: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "ind": ("chi-tieu", 100, ("code", "text", "unit", "measure", "target", "direction",
                              "when_cases", "summable", "max_points", "note")),
    "item": ("thang-diem", 100, ("code", "text", "max_points")),
    "ded": ("thang-diem", 50, ("code", "text", "points", "per")),
    "lvl": ("xep-loai", 10, ("code", "label", "minimum")),
    "rule": ("de-nghi", 20, ("rank_from", "rank_to", "award_kind", "requires_class")),
    "fig": ("so-lieu-chung", 100, ("indicator_code", "what", "value", "unit", "source")),
}
# fields a row is "filled" by (a select or checkbox alone does not make a row)
TYPED = {"ind": ("code", "text", "unit", "target", "max_points", "note"),
         "item": ("code", "text", "max_points"), "ded": ("code", "text", "points"),
         "lvl": ("code", "label", "minimum"), "rule": ("rank_from", "rank_to"),
         "fig": ("what", "value", "unit", "source")}
# where a domain refusal of one row is said: the first field whose words its reason holds
FIELD_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ind": (("mã chỉ tiêu", "code"), ("mức chỉ tiêu", "target"), ("điểm tối đa", "max_points"),
            ("đơn vị tính", "unit"), ("cách tính", "note"), ("cộng", "summable"),
            ("chiều", "direction"), ("cách đo", "measure"), ("phạm vi", "when_cases")),
    "item": (("mã mục", "code"), ("điểm tối đa", "max_points")),
    "ded": (("mã mục", "code"), ("số điểm trừ", "points"), ("per", "per")),
    "lvl": (("mã mức", "code"), ("tên mức", "label"), ("điểm tối thiểu", "minimum")),
    "rule": (("thứ hạng", "rank_from"), ("hạng đầu", "rank_from"),
             ("mức xếp loại", "requires_class")),
    "fig": (("nội dung", "what"), ("đơn vị tính", "unit"), ("nguồn", "source"),
            ("không có chỉ tiêu", "indicator_code")),
}
FIRST_FIELD = {"ind": "text", "item": "text", "ded": "text", "lvl": "label",
               "rule": "award_kind", "fig": "value"}
DONE = {"created": "Đã lập giao ước năm {year} (dự thảo). Tiếp theo: ghi các chỉ tiêu.",
        "chi-tieu": "Đã ghi các chỉ tiêu.",
        "chi-tieu-ky": "Đã ghi các chỉ tiêu. Các chữ ký trước đó không còn giá trị (các thành "
                       "viên đã ký một danh sách chỉ tiêu khác): các thành viên cần ký lại.",
        "thang-diem": "Đã ghi thang điểm.", "xep-loai": "Đã ghi xếp loại và cách chấm điểm.",
        "de-nghi": "Đã ghi quy định đề nghị khen thưởng.",
        "so-lieu-chung": "Đã ghi số liệu chung của cụm."}
STALE = ("Giao ước vừa được người khác thay đổi sau khi bạn mở trang này, nên chưa ghi được. "
         "Mở lại trang để xem bản mới nhất rồi sửa lại; những gì bạn đã gõ vẫn ở dưới đây.")


# -- numbers as typed, and as shown in a form ---------------------------------------------------

def number_typed(value: Any) -> str | None:
    """A number as offices type it (``emulation_forms.typed_number``); None when blank."""
    return typed_number(value) or None


def number_shown(value: Any) -> str:
    """A recorded number in a form field ("957.5" → "957,5"; never grouped, which would come
    back as another number)."""
    return "" if value is None else str(value).replace(".", ",")


def _text(form: FORM, key: str) -> str:
    return str(form.get(key) or "").strip()


# -- who, what ----------------------------------------------------------------------------------


def _lead(cluster: EmulationCluster, year: int) -> UUID | None:
    return cluster.lead_in(year) if str(year) in cluster.years else None


def _may(rt: Runtime, actor: Actor, cluster: EmulationCluster, year: int) -> bool:
    return office(rt, actor, [cluster.managing_unit_id, _lead(cluster, year)])


def _require(rt: Runtime, actor: Actor, cluster: EmulationCluster, year: int) -> None:
    require(rt.app.authz, actor, [cluster.managing_unit_id, _lead(cluster, year)])


def locked(covenant: Covenant, part: str) -> str | None:
    """Why a part may not change any more (None: it may)."""
    if covenant.status == CLOSED:
        ended = f" ngày {dmy(covenant.closed_on)}" if covenant.closed_on else ""
        return f"Giao ước đã kết thúc{ended}: không sửa được nữa."
    if part == "chi-tieu" and covenant.results_started:
        return ("Đã có thành viên báo cáo kết quả theo các chỉ tiêu: danh sách chỉ tiêu không "
                "sửa được nữa.")
    if part in ("chi-tieu", "thang-diem") and covenant.scoring_started:
        return ("Đã có điểm chấm theo thang điểm: các chỉ tiêu, mục chấm điểm và điểm tối đa "
                "không sửa được nữa.")
    return None


def _context(rt: Runtime, actor: Actor, cluster_id: str, year_text: str
             ) -> tuple[EmulationCluster, int, Covenant | None, dict[str, Any]]:
    clusters = rt.app.emulation.clusters
    cluster = clusters.readable(actor, page_id(cluster_id, "cụm thi đua"))
    year = page_year(year_text)
    covenant = clusters.covenant_or_none(cluster, year)
    base = f"/emulation/clusters/{cluster.id}/{year}"
    return cluster, year, covenant, {
        "cluster": cluster, "year": year, "covenant": covenant, "board": base,
        "base": base + "/covenant", "may": _may(rt, actor, cluster, year),
        "year_set": str(year) in cluster.years,
        "managing": office(rt, actor, [cluster.managing_unit_id]),
        "cov": present.covenant(covenant, cluster) if covenant else None}


def _config(covenant: Covenant) -> dict[str, Any]:
    """The whole recorded configuration, as ``put_covenant`` takes it."""
    return {"indicators": [dict(i) for i in covenant.indicator_data],
            "points": dict(covenant.points_data),
            "thresholds": [dict(t) for t in covenant.threshold_data],
            "assessment_mode": covenant.assessment_mode,
            "proposal_rules": [dict(r) for r in covenant.proposal_data],
            "proposal_cap": covenant.proposal_cap,
            "stated_totals": [dict(s) for s in covenant.stated_data]}


# -- the task list ------------------------------------------------------------------------------


def _summaries(covenant: Covenant) -> dict[str, str]:
    table = covenant.points_table
    items = len(table.items)
    count = len(covenant.indicator_data)
    with_points = sum(1 for i in covenant.indicators if i.points > 0)
    return {
        "chi-tieu": (f"{count} chỉ tiêu" + (f", {with_points} chỉ tiêu có điểm" if with_points
                                            else "")) if count else "Chưa có chỉ tiêu",
        "thang-diem": (f"{items} mục chấm điểm, tổng tối đa {vi_number(table.total_max)} điểm"
                       + (f"; {len(table.deductions)} mục trừ điểm" if table.deductions else "")
                       ) if items else "Không chấm điểm (chưa có mục chấm điểm)",
        "xep-loai": ((f"{len(covenant.threshold_data)} mức xếp loại" if covenant.threshold_data
                      else "Không xếp loại")
                     + f"; {ASSESSMENT_MODES[covenant.assessment_mode]}"),
        "de-nghi": ((f"{len(covenant.proposal_data)} quy định" if covenant.proposal_data
                     else "Chưa có quy định")
                    + (f"; đề nghị tối đa {covenant.proposal_cap} số thành viên"
                       if covenant.proposal_cap else "")),
        "so-lieu-chung": (f"{len(covenant.stated_data)} số liệu" if covenant.stated_data
                          else "Không có"),
    }


@router.get(CONFIG, response_class=HTMLResponse)
def config_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                year: str, done: str = ""):
    cluster, year_, _, context = _context(rt, actor, cluster_id, year)
    return _task_list(request, actor, context, {"title": _default_title(cluster, year_)},
                      notice=DONE.get(done[:20], "").format(year=year_) or None)


def _default_title(cluster: EmulationCluster, year: int) -> str:
    return f"Giao ước thi đua năm {year} — {cluster.name}"


def _task_list(request: Request, actor: Actor, context: dict[str, Any], form: FORM,
               errors: dict[str, str] | None = None, status: int = 200,
               notice: str | None = None) -> HTMLResponse:
    covenant = context["covenant"]
    parts = []
    if covenant is not None:
        summaries = _summaries(covenant)
        for part, label in PARTS.items():
            parts.append({"part": part, "label": label, "summary": summaries[part],
                          "locked": locked(covenant, part) if context["may"] else None})
    return render(request, "emulation_covenant_config.html", {
        **context, "parts": parts, "form": form, "errors": errors or {}, "notice": notice,
        "closed": covenant is not None and covenant.status == CLOSED}, status, actor)


@router.post(CONFIG)
async def create_covenant(request: Request, rt: RuntimeDep, actor: SignedInDep,
                          cluster_id: str, year: str):
    """Draft the year's covenant (its title; every part empty, cross assessment)."""
    cluster, year_, covenant, context = _context(rt, actor, cluster_id, year)
    _require(rt, actor, cluster, year_)
    if covenant is not None:  # drafted meanwhile (another tab, a colleague): its task list
        return RedirectResponse(context["base"], status_code=303)
    form = await posted(request)
    errors: dict[str, str] = {}
    title = _text(form, "title")
    if len(title) > 300:
        errors["title"] = "Tên giao ước dài quá 300 ký tự"
    if not errors:
        try:
            saved = rt.app.emulation.clusters.put_covenant(
                actor, cluster.id, year_, {"title": title or _default_title(cluster, year_)},
                expected_version=0)
        except DomainError as error:
            status = refused(error, errors, "title" if type(error) is CovenantInvalid else "_")
            return _task_list(request, actor, context, form, errors, status)
        return recorded(rt, saved, f"{context['base']}?done=created")
    return _task_list(request, actor, context, form, errors, 422)


# -- a part's form: the recorded rows, as a form ------------------------------------------------


def _rows_of(prefix: str, rows: list[dict[str, Any]]) -> FORM:
    form: FORM = {f"{prefix}-rows": str(len(rows) + BLANK_ROWS)}
    for i, row in enumerate(rows, start=1):
        for key, value in row.items():
            form[f"{prefix}-{i}-{key}"] = value
    return form


def filled_form(covenant: Covenant, part: str) -> FORM:
    """The part's form as recorded."""
    if part == "chi-tieu":
        return _rows_of("ind", [{
            "code": i.code, "text": i.text, "unit": i.unit if i.measure == NUMBER else "",
            "measure": i.measure, "direction": i.direction,
            "target": ("có" if i.target == YES else "không") if i.measure == YES_NO
            else number_shown(i.target),
            "when_cases": "1" if i.applies == WHEN_CASES else "",
            "summable": "1" if i.summable else "",
            "max_points": "" if i.points == 0 else number_shown(i.max_points), "note": i.note}
            for i in covenant.indicators])
    if part == "thang-diem":
        points = covenant.points_data
        return {**_rows_of("item", [{"code": i["code"], "text": i["text"],
                                     "max_points": number_shown(i["max_points"])}
                                    for i in points["items"]]),
                **_rows_of("ded", [{"code": d["code"], "text": d["text"],
                                    "points": number_shown(d["points"]), "per": d["per"]}
                                   for d in points["deductions"]]),
                "total_max": number_shown(points.get("total_max"))}
    if part == "xep-loai":
        return {**_rows_of("lvl", [{"code": t["code"], "label": t["label"],
                                    "minimum": number_shown(t["minimum"])}
                                   for t in covenant.threshold_data]),
                "assessment_mode": covenant.assessment_mode}
    if part == "de-nghi":
        return {**_rows_of("rule", [{"rank_from": str(r["rank_from"]),
                                     "rank_to": str(r["rank_to"]),
                                     "award_kind": r["award_kind"],
                                     "requires_class": r["requires_class"] or ""}
                                    for r in covenant.proposal_data]),
                "cap": covenant.proposal_cap or ""}
    return _rows_of("fig", [{**s, "value": number_shown(s["value"])}
                            for s in covenant.stated_data])


# -- a part's form as typed, read ---------------------------------------------------------------


def _count(form: FORM, prefix: str) -> int:
    most = GROUPS[prefix][1]
    return whole(str(form.get(f"{prefix}-rows") or ""), 0, most + BLANK_ROWS) or BLANK_ROWS


def _used_rows(form: FORM, prefix: str) -> list[int]:
    """The rows that say something and are not ticked «Xóa»."""
    return [i for i in range(1, _count(form, prefix) + 1)
            if not checked(form.get(f"{prefix}-{i}-remove"))
            and any(_text(form, f"{prefix}-{i}-{f}") for f in TYPED[prefix])]


def _row_refusal(error: DomainError, prefix: str, i: int, errors: dict[str, str]) -> None:
    """A domain refusal of one row, beside the row's field its reason names."""
    reason = str(error.details.get("reason") or sentence(error)).rstrip(".")
    where = next((f for words, f in FIELD_WORDS[prefix] if words in reason.lower()),
                 FIRST_FIELD[prefix])
    errors.setdefault(f"{prefix}-{i}-{where}", f"Dòng {i}: {reason[:1].upper()}{reason[1:]}")


def _checked_row(prefix: str, i: int, errors: dict[str, str], check: Callable[[], Any]) -> None:
    try:
        check()
    except DomainError as error:
        if error.kind in ("forbidden", "unauthenticated"):
            raise
        _row_refusal(error, prefix, i, errors)


def read_indicators(form: FORM, errors: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in _used_rows(form, "ind"):
        p = f"ind-{i}-"
        measure = form.get(p + "measure") if form.get(p + "measure") in MEASURES else NUMBER
        direction = AT_MOST if form.get(p + "direction") == AT_MOST else AT_LEAST
        target = number_typed(str(form.get(p + "target") or "").replace("%", ""))
        if measure == YES_NO:
            target = nfc(_text(form, p + "target")).lower() or YES
        text = _text(form, p + "text")
        if not text:
            errors[p + "text"] = f"Dòng {i}: cần ghi nội dung chỉ tiêu"
        if measure != YES_NO and target is None:
            errors[p + "target"] = (f"Dòng {i}: cần mức chỉ tiêu, ví dụ 2 (số lượng) hoặc 80 "
                                    "(tỷ lệ %)")
        if measure == YES_NO and direction == AT_MOST:
            errors[p + "direction"] = (f"Dòng {i}: chỉ tiêu có/không không có chiều «tối đa»: "
                                       "chọn «tối thiểu»")
        summable = checked(form.get(p + "summable"))
        if summable and measure != NUMBER:
            errors[p + "summable"] = (f"Dòng {i}: chỉ cộng được số liệu dạng số lượng (không "
                                      "cộng tỷ lệ %, có/không)")
        row = {"code": _text(form, p + "code") or str(i), "text": text,
               "unit": "%" if measure == PERCENT else _text(form, p + "unit"),
               "measure": measure, "target": target, "direction": direction,
               "applies": WHEN_CASES if checked(form.get(p + "when_cases")) else ALWAYS,
               "summable": summable,
               "max_points": number_typed(form.get(p + "max_points")) or "0",
               "note": _text(form, p + "note")}
        if not any(k.startswith(p) for k in errors):
            _checked_row("ind", i, errors, lambda row=row: Indicator(**row))
        out.append(row)
    return out


def _free_code(taken: set[str], start: int) -> str:
    n = start
    while str(n).casefold() in taken:
        n += 1
    return str(n)


def read_points(form: FORM, errors: dict[str, str], covenant: Covenant) -> dict[str, Any]:
    taken = {i.code.casefold() for i in covenant.indicators}
    items: list[dict[str, Any]] = []
    for i in _used_rows(form, "item"):
        p = f"item-{i}-"
        code = _text(form, p + "code") or _free_code(taken, len(covenant.indicator_data) + 1)
        taken.add(code.casefold())
        row = {"code": code, "text": _text(form, p + "text"),
               "max_points": number_typed(form.get(p + "max_points"))}
        if row["max_points"] is None:
            errors[p + "max_points"] = f"Dòng {i}: cần điểm tối đa của mục, ví dụ 100"
        else:
            _checked_row("item", i, errors, lambda row=row: clean_points_data({"items": [row]}))
        items.append(row)
    deductions: list[dict[str, Any]] = []
    for i in _used_rows(form, "ded"):
        p = f"ded-{i}-"
        row = {"code": _text(form, p + "code") or f"t{i}", "text": _text(form, p + "text"),
               "points": number_typed(form.get(p + "points")),
               "per": form.get(p + "per") if form.get(p + "per") in PER_LABELS else EACH}
        if row["points"] is None:
            errors[p + "points"] = f"Dòng {i}: cần số điểm trừ, ví dụ 10"
        else:
            _checked_row("ded", i, errors,
                         lambda row=row: clean_points_data({"deductions": [row]}))
        deductions.append(row)
    return {"items": items, "deductions": deductions,
            "total_max": number_typed(form.get("total_max"))}


def _class_code(label: str, taken: set[str]) -> str:
    """A threshold's code from its label ("Hoàn thành tốt" → hoan_thanh_tot)."""
    code = re.sub(r"[^a-z0-9]+", "_", fold(label)).strip("_")[:36] or "muc"
    if not code[0].isalpha():
        code = "muc_" + code
    base, n = code, 2
    while code in taken:
        code, n = f"{base}_{n}", n + 1
    return code


def read_thresholds(form: FORM, errors: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    taken = {_text(form, f"lvl-{i}-code") for i in _used_rows(form, "lvl")}
    for i in _used_rows(form, "lvl"):
        p = f"lvl-{i}-"
        label = _text(form, p + "label")
        code = _text(form, p + "code") or _class_code(label, taken)
        taken.add(code)
        row = {"code": code, "label": label, "minimum": number_typed(form.get(p + "minimum"))}
        if not label:
            errors[p + "label"] = f"Dòng {i}: cần tên mức xếp loại, ví dụ «Hoàn thành tốt»"
        elif row["minimum"] is None:
            errors[p + "minimum"] = f"Dòng {i}: cần điểm tối thiểu của mức, ví dụ 850"
        else:
            _checked_row("lvl", i, errors, lambda row=row: thresholds_from([row]))
        out.append(row)
    return out


def read_rules(form: FORM, errors: dict[str, str], covenant: Covenant) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    classes = covenant.thresholds
    for i in _used_rows(form, "rule"):
        p = f"rule-{i}-"
        low = whole(_text(form, p + "rank_from"), 1, 1000)
        high = whole(_text(form, p + "rank_to"), 1, 1000) if _text(form, p + "rank_to") else low
        if low is None:
            errors[p + "rank_from"] = f"Dòng {i}: hạng là số nguyên từ 1 đến 1000, ví dụ 1"
        if high is None:
            errors[p + "rank_to"] = (f"Dòng {i}: hạng là số nguyên từ 1 đến 1000; để trống "
                                     "nếu chỉ một hạng")
        kind = _text(form, p + "award_kind")
        if not kind:
            errors[p + "award_kind"] = f"Dòng {i}: chọn hình thức khen thưởng"
        row = {"rank_from": low, "rank_to": high, "award_kind": kind,
               "requires_class": _text(form, p + "requires_class") or None}
        if low is not None and high is not None and kind:
            _checked_row("rule", i, errors,
                         lambda row=row: proposal_rules_from([row], classes))
        out.append(row)
    return out


def read_stated(form: FORM, errors: dict[str, str], covenant: Covenant
                ) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in _used_rows(form, "fig"):
        p = f"fig-{i}-"
        row = {"indicator_code": _text(form, p + "indicator_code"),
               "what": _text(form, p + "what"), "value": number_typed(form.get(p + "value")),
               "unit": _text(form, p + "unit"), "source": _text(form, p + "source")}
        if not row["indicator_code"]:
            errors[p + "indicator_code"] = f"Dòng {i}: chọn chỉ tiêu của số liệu"
        elif not row["what"]:
            errors[p + "what"] = (f"Dòng {i}: cần ghi nội dung, ví dụ «gia đình đạt 08 tiêu "
                                  "chí»")
        elif row["value"] is None:
            errors[p + "value"] = f"Dòng {i}: cần ghi số liệu, ví dụ 13.747"
        else:
            _checked_row("fig", i, errors, lambda row=row: stated_totals_from(
                [row], covenant.indicators, CovenantInvalid, covenant.where))
        out.append(row)
    return out


def read_part(part: str, form: FORM, covenant: Covenant, errors: dict[str, str]
              ) -> dict[str, Any]:
    """The whole configuration with the part as typed (the other parts as recorded)."""
    config = _config(covenant)
    if part == "chi-tieu":
        config["indicators"] = read_indicators(form, errors)
    elif part == "thang-diem":
        config["points"] = read_points(form, errors, covenant)
    elif part == "xep-loai":
        config["thresholds"] = read_thresholds(form, errors)
        mode = form.get("assessment_mode")
        config["assessment_mode"] = mode if mode in ASSESSMENT_MODES else CROSS
    elif part == "de-nghi":
        config["proposal_rules"] = read_rules(form, errors, covenant)
        cap = _text(form, "cap")
        config["proposal_cap"] = cap or None
        if cap and not re.fullmatch(r"\d{1,4}\s*/\s*\d{1,4}", cap):
            errors["cap"] = "Giới hạn là một phân số như 1/3; để trống nếu không giới hạn"
    else:
        config["stated_totals"] = read_stated(form, errors, covenant)
    return config


# -- a refusal of the whole configuration, at its row where the reason names one ----------------

_NAMED = re.compile(r"«([^»]{1,40})»")


def _whole_refusal(error: DomainError, part: str, form: FORM, errors: dict[str, str]) -> None:
    """A refusal of ``configure``: beside the row whose code it names (a duplicate code), else
    on top."""
    message = sentence(error)
    named = _NAMED.search(message)
    prefixes = [p for p, (owner, _, _) in GROUPS.items() if owner == part]
    if named and ("trùng" in message):
        for prefix in prefixes:
            rows = [i for i in _used_rows(form, prefix)
                    if _text(form, f"{prefix}-{i}-code").casefold() == named[1].casefold()]
            if rows:
                errors[f"{prefix}-{rows[-1]}-code"] = f"Dòng {rows[-1]}: {message}"
                return
    if part == "thang-diem" and "tổng điểm tối đa" in message:
        errors["total_max"] = message
        return
    if part == "chi-tieu" and "tổng điểm tối đa" in message:
        message += (" Sửa hoặc để trống tổng điểm tối đa ở phần «Thang điểm» (để trống: bằng "
                    "tổng điểm các mục) rồi ghi lại các chỉ tiêu.")
    errors["_"] = message


# -- a part's page ------------------------------------------------------------------------------


def _award_kinds(rt: Runtime, form: FORM) -> list[tuple[str, str]]:
    """The award kinds of the catalogue in force today that a collective may receive, and any
    kind a row already names (a kind retired since stays readable)."""
    kinds = [(code, kind.title) for code, kind in catalog().kinds_on(rt.app.today()).items()
             if kind.allows("collective")]
    known = {code for code, _ in kinds}
    for key, value in form.items():
        if key.startswith("rule-") and key.endswith("-award_kind") and value and (
                value not in known):
            kinds.append((value, present.award_title(value)))
            known.add(value)
    return kinds


def _part_page(request: Request, rt: Runtime, actor: Actor, context: dict[str, Any],
               part: str, form: FORM | None = None, errors: dict[str, str] | None = None,
               status: int = 200) -> HTMLResponse:
    covenant: Covenant = context["covenant"]
    why = (locked(covenant, part) if context["may"] else
           "Chỉ văn phòng của đơn vị quản lý cụm hoặc của cụm trưởng được sửa giao ước.")
    form = form if form is not None else filled_form(covenant, part)
    counts = {prefix: _count(form, prefix) for prefix, (owner, _, _) in GROUPS.items()
              if owner == part}
    form.setdefault("expected_version", str(covenant.version))
    table = covenant.points_table
    return render(request, "emulation_covenant_part.html", {
        **context, "part": part, "label": PARTS[part], "form": form, "errors": errors or {},
        "why": why, "editable": why is None, "counts": counts, "most": {
            p: g[1] for p, g in GROUPS.items()},
        "measures": [(m, MEASURE_LABELS[m]) for m in MEASURES],
        "directions": [(AT_LEAST, f"{DIRECTION_LABELS[AT_LEAST]} (≥)"),
                       (AT_MOST, f"{DIRECTION_LABELS[AT_MOST]} (≤)")],
        "pers": list(PER_LABELS.items()), "modes": list(ASSESSMENT_MODES.items()),
        "kinds": _award_kinds(rt, form) if part == "de-nghi" else [],
        "classes": [(t.code, t.label) for t in covenant.thresholds],
        "indicator_items": [{"code": i.code, "points_text": vi_number(i.max_points)}
                            for i in table.items if i.from_indicator],
        "indicator_points": vi_number(sum((i.max_points for i in table.items
                                           if i.from_indicator), Decimal(0))),
        "indicator_choices": [(i.code, f"Chỉ tiêu {i.code}: {_short(i.text)}")
                              for i in covenant.indicators],
        "signed": bool(covenant.signatures) and covenant.status != CLOSED,
    }, status, actor)


def _short(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + "…"


def _part_of(part: str) -> str:
    if part not in PARTS:
        raise NotFound(what="phần này của giao ước")
    return part


def _existing(rt: Runtime, actor: Actor, cluster_id: str, year: str
              ) -> tuple[EmulationCluster, int, Covenant, dict[str, Any]]:
    cluster, year_, covenant, context = _context(rt, actor, cluster_id, year)
    if covenant is None:
        rt.app.emulation.clusters.covenant(cluster, year_)  # the 404 naming it
    assert covenant is not None
    return cluster, year_, covenant, context


@router.get(CONFIG + "/{part}", response_class=HTMLResponse)
def part_page(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
              year: str, part: str):
    part = _part_of(part)
    _, _, _, context = _existing(rt, actor, cluster_id, year)
    return _part_page(request, rt, actor, context, part)


@router.post(CONFIG + "/{part}")
async def save_part(request: Request, rt: RuntimeDep, actor: SignedInDep, cluster_id: str,
                    year: str, part: str):
    part = _part_of(part)
    cluster, year_, covenant, context = _existing(rt, actor, cluster_id, year)
    _require(rt, actor, cluster, year_)
    form = await posted(request)
    added = str(form.get("add") or "")
    if added in GROUPS and GROUPS[added][0] == part:  # «Thêm dòng»: nothing recorded
        most = GROUPS[added][1]
        form[f"{added}-rows"] = str(min(_count(form, added) + BLANK_ROWS, most + BLANK_ROWS))
        return _part_page(request, rt, actor, context, part, form)
    why = locked(covenant, part)
    errors: dict[str, str] = {}
    if why is not None:
        errors["_"] = why
        return _part_page(request, rt, actor, context, part, form, errors, 409)
    config = read_part(part, form, covenant, errors)
    version = whole(str(form.get("expected_version") or ""), 0, 10**9)
    if version is None:
        errors["_"] = STALE
    if errors:
        return _part_page(request, rt, actor, context, part, form, errors, 422)
    resign = False
    if part == "chi-tieu" and covenant.signatures:
        try:
            resign = [i.as_dict() for i in indicators_from(config["indicators"])] != (
                covenant.indicator_data)
        except DomainError:
            resign = False
    try:
        saved = rt.app.emulation.clusters.put_covenant(actor, cluster.id, year_, config,
                                                       expected_version=version)
    except StaleVersion:
        errors["_"] = STALE
        return _part_page(request, rt, actor, context, part, form, errors, 409)
    except DomainError as error:
        status = refused(error, {})  # the person's refusals raise; the status of the rest
        _whole_refusal(error, part, form, errors)
        return _part_page(request, rt, actor, context, part, form, errors, status)
    done = "chi-tieu-ky" if resign else part
    return recorded(rt, saved, f"{context['base']}?done={done}")


__all__ = ["router"]
