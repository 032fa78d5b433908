"""Sign in, sign out, and the home page with the signed-in user's work queues."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse

from domain.errors import DomainError
from domain.nomination import DRAFT, RECOMMENDED, RETURNED, UNDER_REVIEW
from services.http.deps import TOKEN_COOKIE, RuntimeDep
from services.web.deps import SignedInDep
from services.web.routing import page_router
from services.web.templating import render

router = page_router()


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    return render(request, "login.html", {"next": next if next.startswith("/") else "/"})


@router.post("/login")
async def login(request: Request, rt: RuntimeDep):
    form = await request.form()
    target = str(form.get("next") or "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    try:
        _, token = rt.app.users.login(
            username=str(form.get("username") or ""), password=str(form.get("password") or "")
        )
    except DomainError as error:
        return render(request, "login.html", {"next": target, "error": error}, 401)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="lax")
    return response


@router.post("/logout")
def logout():
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(TOKEN_COOKIE)
    return response


# (role → [(status, filter field, label)]): one queue per grant and status it works on.
QUEUE_KINDS = {
    "reviewer": [(UNDER_REVIEW, "review_unit_id", "Chờ Hội đồng {unit} xét")],
    "approver": [(RECOMMENDED, "review_unit_id", "Chờ quyết định tại {unit}")],
    "nominator": [(DRAFT, "proposing_unit_id", "Bản nháp của {unit}"),
                  (RETURNED, "proposing_unit_id", "Bị trả lại — {unit}")],
}


@router.get("/", response_class=HTMLResponse)
def home(request: Request, rt: RuntimeDep, actor: SignedInDep):
    rt.ensure_position(rt.app.max_position())
    queues = []
    for grant in actor.grants:
        unit_id = str(grant.unit_id)
        unit = rt.queries.unit_names({unit_id}).get(unit_id, "")
        for status, field, label in QUEUE_KINDS.get(grant.role, []):
            found = rt.queries.nominations(status=status, **{field: unit_id})
            queues.append({"label": label.format(unit=unit), "count": found["total"],
                           "href": f"/nominations?status={status}&{field}={unit_id}"})
    grants = [
        {"role": g.role, "unit": rt.queries.unit_names({str(g.unit_id)}).get(str(g.unit_id), ""),
         "chair": g.chair}
        for g in actor.grants
    ]
    return render(request, "home.html", {"queues": queues, "grants": grants}, actor=actor)
