"""The OpenAPI document as the API really answers, and its documentation pages served offline.

FastAPI's generated document is refined once, centrally (no route declares its errors by hand):

* the error answers of each operation — 401 and 403 where a token is needed, 404 where the path
  names a resource, 409 for writes, 422 wherever input is read — all with the one error body
  ``{"error": {"code", "message", "details"}}`` (``services.api.errors``); FastAPI's own 422
  ``HTTPValidationError`` is replaced, since the handler never answers with it;
* the real content types of the files the API answers (XLSX, CSV, PDF, DOCX);
* the bearer token (or the pages' cookie) as the security scheme of every protected operation;
* a schema for a few JSON answers, documented without filtering what the endpoint returns.

``/docs`` (Swagger UI 5) and ``/redoc`` load their JavaScript, CSS and icon from ``/docs-assets``,
files shipped by the ``fastapi-offline`` package: they work without internet and name no other
host.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from services.api.deps import TOKEN_COOKIE, current_actor
from services.api.errors import ErrorResponse, ValidationErrorResponse, flat_routes

ASSETS_URL = "/docs-assets"
ASSETS_PACKAGE = ("fastapi_offline", "static")  # swagger-ui-bundle.js, swagger-ui.css, redoc…

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# (method, path) → the media types its 200 answer really has (the path's {fmt} chooses one).
FILES: dict[tuple[str, str], tuple[str, ...]] = {
    ("get", "/api/registry/export.{fmt}"): (XLSX, CSV),
    ("get", "/api/decisions/{decision_id}/export.{fmt}"): (XLSX, CSV),
    ("get", "/api/ceremonies/{ceremony_id}/export.{fmt}"): (XLSX, CSV),
    ("get", "/api/decisions/{decision_id}/document.{fmt}"): (PDF, DOCX),
    ("post", "/api/decisions/{decision_id}/certificates"): (PDF,),
    ("post", "/api/ceremonies/{ceremony_id}/certificates"): (PDF,),
    ("get", "/api/emulation/clusters/{cluster_id}/covenants/{year}/board.xlsx"): (XLSX,),
    ("get", "/api/emulation/clusters/{cluster_id}/covenants/{year}/board.pdf"): (PDF,),
}

# Public operations that still answer 401 (a wrong password).
PUBLIC_401 = {("post", "/api/auth/token")}
# Protected reads open to every signed-in user: no 403.
OPEN_TO_ANY_USER = {
    ("get", "/api/me"),
    ("get", "/api/projections"),
    ("get", "/api/catalog/award-kinds"),
    ("get", "/api/catalog/award-kinds/{code}"),
    ("get", "/api/catalog/options"),
    ("get", "/api/catalog/levels"),
}
# Writes that cannot conflict with anything.
NO_409 = {("post", "/api/auth/token")}
# Throttled operations (too many failed sign-ins: 429 with Retry-After).
THROTTLED = {("post", "/api/auth/token")}
WRITES = {"post", "put", "patch", "delete"}
# 404 is the answer of a path naming an unknown resource ({id}, {code}, {username}…; not {fmt},
# a choice among formats) and of these operations. An unknown id in a body or a filter is a 422
# (`reference.not_found`), a 403 (outside the caller's units) or an empty list, never a 404.
NOT_A_RESOURCE = {"fmt"}
EXTRA_404 = {("get", "/api/registry/history")}

ERRORS: dict[int, tuple[str, type[BaseModel], str]] = {
    401: (
        "Chưa đăng nhập, mã truy cập sai hoặc đã bị thu hồi, sai mật khẩu "
        "(`auth.unauthenticated`, `auth.bad_credentials`).",
        ErrorResponse,
        "auth.unauthenticated",
    ),
    403: (
        "Không có quyền: ngoài phạm vi đơn vị, thiếu vai trò, không phải Chủ tịch Hội đồng… "
        "(`auth.outside_scope`, `auth.role_required`, `review.not_chair`…).",
        ErrorResponse,
        "auth.outside_scope",
    ),
    404: (
        "Không tìm thấy tài nguyên được nêu (`not_found`, `nomination.not_found`, "
        "`decision.not_found`…).",
        ErrorResponse,
        "not_found",
    ),
    409: (
        "Xung đột với trạng thái hiện tại hoặc phiên bản đã cũ (`concurrency.stale_version`, "
        "`nomination.not_submittable`, `decision.number_taken`, `award.already_received`…). "
        "Không có gì được ghi.",
        ErrorResponse,
        "concurrency.stale_version",
    ),
    422: (
        "Dữ liệu không hợp lệ: `validation.invalid` với `details.fields` khi sai dạng, hoặc mã "
        "của quy tắc bị vi phạm (`money.negative`, `award_kind.recipient_not_allowed`…). "
        "Không có gì được ghi.",
        ValidationErrorResponse,
        "validation.invalid",
    ),
    429: (
        "Đăng nhập sai quá nhiều lần với tài khoản này hoặc từ địa chỉ này (`auth.throttled`): "
        "thử lại sau số giây trong `Retry-After` (`details.retry_after`).",
        ErrorResponse,
        "auth.throttled",
    ),
}
EXAMPLE_MESSAGES = {
    401: "Cần đăng nhập (mã truy cập không hợp lệ hoặc đã bị thu hồi).",
    403: "Bạn không có quyền thực hiện thao tác này tại đơn vị này.",
    404: "Không tìm thấy đề nghị khen thưởng.",
    409: "Dữ liệu đã được người khác thay đổi. Hãy tải lại rồi thử lại.",
    422: "Dữ liệu không hợp lệ — amount: phải là số nguyên",
    429: "Đăng nhập sai quá nhiều lần nên tạm thời bị khóa để bảo vệ tài khoản. Vui lòng thử "
         "lại sau 15 phút (lúc 10:45).",
}


# -- documented JSON answers (schema only: the endpoints' answers are not filtered) ---------------


class HealthOut(BaseModel):
    status: Literal["ok"]
    store: Literal["sqlite", "postgres"] = Field(description="Kho sự kiện đang dùng")
    projections: Literal["inline", "worker"] = Field(
        description="`inline`: bảng đọc được cập nhật ngay sau mỗi lệnh; `worker`: tiến trình riêng"
    )
    position: int = Field(description="Vị trí cuối của nhật ký sự kiện")


class GrantOut(BaseModel):
    role: str
    role_label: str
    unit_id: str
    chair: bool


class TokenInfoOut(BaseModel):
    id: str
    label: str
    revoked: bool


class UserOut(BaseModel):
    id: str
    version: int
    username: str
    full_name: str
    home_unit_id: str | None = Field(description="Đơn vị của người dùng (không kèm vai trò)")
    has_password: bool
    grants: list[GrantOut]
    tokens: list[TokenInfoOut]


class LoginOut(BaseModel):
    token: str = Field(description="Gửi lại trong tiêu đề `Authorization: Bearer …`")
    username: str
    token_type: Literal["bearer"]


ANSWERS: dict[tuple[str, str], type[BaseModel]] = {
    ("get", "/api/health"): HealthOut,
    ("get", "/api/me"): UserOut,
    ("post", "/api/auth/token"): LoginOut,
}


# -- refining the generated document -----------------------------------------------------------


def _depends_on(dependant: Dependant | None, call: Any) -> bool:
    if dependant is None:
        return False
    return any(d.call is call or _depends_on(d, call) for d in dependant.dependencies)


def _operations(app: FastAPI) -> list[tuple[Any, str]]:
    """(route, method) of every documented API operation, prefixes applied."""
    found = []
    for route in flat_routes(app):
        original = getattr(route, "original_route", route)
        if not isinstance(original, APIRoute) or not route.include_in_schema:
            continue
        found.extend((route, method) for method in sorted(m.lower() for m in route.methods))
    return found


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _add_schemas(schema: dict[str, Any], models: list[type[BaseModel]]) -> None:
    _, defs = models_json_schema(
        [(m, "serialization") for m in models], ref_template="#/components/schemas/{model}"
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in defs.get("$defs", {}).items():
        if schemas.setdefault(name, definition) != definition:  # a request model's name
            raise RuntimeError(f"two schemas named {name} in the OpenAPI document")


def error_answer(status: int) -> dict[str, Any]:
    description, model, code = ERRORS[status]
    example = {"error": {"code": code, "message": EXAMPLE_MESSAGES[status], "details": {}}}
    if status == 422:
        example["error"]["details"] = {
            "fields": [{"field": "amount", "type": "int_type", "message": "phải là số nguyên"}]
        }
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": _ref(model.__name__), "example": example}},
    }
    if status == 401:
        answer["headers"] = {
            "WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}
        }
    if status == 429:
        example["error"]["details"] = {"retry_after": 900, "scope": "account",
                                       "wait": "15 phút", "at": "10:45"}
        answer["headers"] = {
            "Retry-After": {"description": "Số giây cần chờ", "schema": {"type": "integer"}}
        }
    return answer


def _file_answer(media_types: tuple[str, ...], previous: dict[str, Any]) -> dict[str, Any]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "description": previous.get("description") or "Tệp",
        "headers": {
            "Content-Disposition": {
                "description": "`attachment; filename=\"…\"`",
                "schema": {"type": "string"},
            }
        },
        "content": {media: dict(binary) for media in media_types},
    }


def _statuses(route: Any, method: str, operation: dict[str, Any]) -> list[int]:
    key = (method, route.path_format)
    protected = _depends_on(route.dependant, current_actor)
    params = operation.get("parameters", [])
    has_body = "requestBody" in operation
    statuses = []
    if protected or key in PUBLIC_401:
        statuses.append(401)
    if protected and key not in OPEN_TO_ANY_USER:
        statuses.append(403)
    names_resource = any(
        p.get("in") == "path" and p.get("name") not in NOT_A_RESOURCE for p in params
    )
    if names_resource or key in EXTRA_404:
        statuses.append(404)
    if method in WRITES and key not in NO_409:
        statuses.append(409)
    if params or has_body or "422" in operation.get("responses", {}):
        statuses.append(422)
    if key in THROTTLED:
        statuses.append(429)
    return statuses


def refine(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    _add_schemas(
        schema, [ErrorResponse, ValidationErrorResponse, *dict.fromkeys(ANSWERS.values())]
    )
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {}).update(
        {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "Mã truy cập từ `POST /api/auth/token` hoặc "
                "`POST /api/users/{username}/tokens`",
            },
            "cookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": TOKEN_COOKIE,
                "description": "Phiên đăng nhập của các trang (đặt bởi `/login` hoặc "
                "`POST /api/auth/token`; có hạn: hết hạn khi không dùng hoặc sau thời gian tối "
                "đa, kết thúc khi đăng xuất)",
            },
        }
    )
    paths = schema.get("paths", {})
    for route, method in _operations(app):
        operation = paths.get(route.path_format, {}).get(method)
        if operation is None:
            continue
        key = (method, route.path_format)
        responses = operation.setdefault("responses", {})
        for status in _statuses(route, method, operation):
            responses[str(status)] = error_answer(status)
        if key in FILES:
            ok = next((s for s in ("200", "201") if s in responses), "200")
            responses[ok] = _file_answer(FILES[key], responses.get(ok, {}))
        if key in ANSWERS:
            responses.setdefault("200", {"description": "Successful Response"})
            responses["200"]["content"] = {
                "application/json": {"schema": _ref(ANSWERS[key].__name__)}
            }
        if _depends_on(route.dependant, current_actor):
            operation["security"] = [{"bearer": []}, {"cookie": []}]
    # FastAPI's validation error schemas: the handler never answers with them.
    text = repr(paths)
    for name in ("HTTPValidationError", "ValidationError"):
        if f"#/components/schemas/{name}'" not in text:
            components.get("schemas", {}).pop(name, None)
    return schema


# -- installing ----------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Call with ``FastAPI(docs_url=None, redoc_url=None)``: this serves both pages itself."""
    generate = app.openapi  # FastAPI's: cached, regenerated when the routes change
    refined: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = generate()
        if not refined or refined[0] is not schema:
            refined[:] = [refine(app, schema)]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.mount(ASSETS_URL, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")

    def urls(request: Request) -> tuple[str, str]:
        root = request.scope.get("root_path", "").rstrip("/")
        return f"{root}{app.openapi_url}", f"{root}{ASSETS_URL}"

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        spec, assets = urls(request)
        return with_docs_policy(get_swagger_ui_html(
            openapi_url=spec,
            title=f"{app.title} — tài liệu API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon.png",
            oauth2_redirect_url=None,
            # validatorUrl: Swagger UI would otherwise send the document's address to
            # validator.swagger.io and show its badge.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None},
        ))

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        spec, assets = urls(request)
        return with_docs_policy(get_redoc_html(
            openapi_url=spec,
            title=f"{app.title} — tài liệu API (ReDoc)",
            redoc_js_url=f"{assets}/redoc.standalone.js",
            redoc_favicon_url=f"{assets}/favicon.png",
            with_google_fonts=False,
        ))


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def with_docs_policy(page: HTMLResponse) -> HTMLResponse:
    """The documentation pages' own Content-Security-Policy (the pages' strict one is
    ``services.http.headers``): their inline script allowed by its hash only; the styles that
    Swagger UI and ReDoc inject, and ReDoc's worker (a blob), allowed; still nothing from
    another host, no frame, no plugin."""
    body = bytes(page.body).decode("utf-8")
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
        + "'" for script in _INLINE_SCRIPT.findall(body))
    page.headers["Content-Security-Policy"] = (
        f"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        f"script-src 'self' {hashes}; worker-src 'self' blob:; font-src 'self' data:; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
    ).replace("'self' ;", "'self';")
    return page
