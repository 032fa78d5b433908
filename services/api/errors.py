"""One place that turns refusals into the API's JSON answers.

Every error body has the same shape: ``{"error": {"code", "message", "details"}}`` with a stable
machine code and a Vietnamese message; the status of each kind of refusal is the pages' too
(``services.http.errors``), and a refusal raised from a page is answered with the error page
instead (``services.web.errors``, installed after this). Unknown exceptions are logged with a
request id and answered 500: a test that sees one has found a bug.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi import routing as fastapi_routing
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from domain.errors import DomainError
from services.http.errors import retry_headers, status_for

log = logging.getLogger("tdkt.api")

# pydantic error types → Vietnamese explanations.
_PYDANTIC_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "trường không được phép",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên (không có phần thập phân)",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_inexact": "phải là ngày dạng YYYY-MM-DD",
    "uuid_type": "phải là mã UUID",
    "uuid_parsing": "phải là mã UUID",
    "list_type": "phải là danh sách",
    "dict_type": "phải là đối tượng JSON",
    "model_type": "phải là đối tượng JSON",
    "model_attributes_type": "phải là đối tượng JSON",
    "json_invalid": "JSON không hợp lệ",
    "json_type": "JSON không hợp lệ",
    "literal_error": "giá trị không nằm trong danh sách cho phép",
    "enum": "giá trị không nằm trong danh sách cho phép",
    "greater_than_equal": "quá nhỏ",
    "less_than_equal": "quá lớn",
    "greater_than": "quá nhỏ",
    "less_than": "quá lớn",
    "too_long": "quá nhiều phần tử",
    "too_short": "quá ít phần tử",
    "value_error": "giá trị không hợp lệ",
    "string_pattern_mismatch": "sai định dạng",
}


def _message(kind: str, item: dict[str, Any]) -> str:
    """Vietnamese for a pydantic error; a rule of ours (a ValueError raised by a validator, such
    as the date range) keeps its own Vietnamese sentence."""
    cause = (item.get("ctx") or {}).get("error")
    if kind == "value_error" and cause is not None and str(cause):
        return str(cause)
    return _PYDANTIC_VI.get(kind, "giá trị không hợp lệ")


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


# -- the body's schema, as the OpenAPI document declares it (services/api/openapi.py) -----------


class ErrorInfo(BaseModel):
    code: str = Field(description="Mã lỗi ổn định cho máy đọc, ví dụ `concurrency.stale_version`")
    message: str = Field(description="Thông báo bằng tiếng Việt cho người dùng")
    details: dict[str, Any] = Field(description="Chi tiết (tùy mã lỗi); `{}` khi không có")


class ErrorResponse(BaseModel):
    """Mọi câu trả lời lỗi: `{"error": {"code", "message", "details"}}`."""

    error: ErrorInfo


class FieldProblem(BaseModel):
    field: str = Field(description="Trường sai, ví dụ `lines.0.amount`; `body` cho cả thân")
    type: str = Field(description="Loại lỗi (của pydantic), ví dụ `missing`, `int_type`")
    message: str = Field(description="Giải thích bằng tiếng Việt")


class ValidationDetails(BaseModel):
    model_config = ConfigDict(extra="allow")

    fields: list[FieldProblem] | None = Field(
        None, description="Từng trường sai (khi dữ liệu gửi lên sai kiểu, thiếu, thừa…)"
    )


class ValidationErrorInfo(ErrorInfo):
    details: ValidationDetails = Field(
        description="`fields` khi dữ liệu sai dạng; chi tiết của quy tắc khi sai nghiệp vụ"
    )


class ValidationErrorResponse(BaseModel):
    """Dữ liệu không hợp lệ (422): `validation.invalid` với `details.fields`, hoặc mã của quy tắc
    nghiệp vụ bị vi phạm (`money.negative`, `award_kind.recipient_not_allowed`…)."""

    error: ValidationErrorInfo


# Allow lists methods in this order (then any other, alphabetically).
_METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def flat_routes(app: Any) -> list[Any]:
    """The application's routes with the routers' prefixes applied. FastAPI ≥ 0.16x keeps each
    included router as one entry of ``app.routes`` and flattens them with ``iter_route_contexts``
    (each context answers ``path_format``, ``methods``, ``dependant``, ``matches``…); earlier
    versions copy every route into ``app.routes``."""
    routes = list(getattr(app, "routes", []))
    flatten = getattr(fastapi_routing, "iter_route_contexts", None)
    return list(flatten(routes)) if flatten is not None else routes


def allowed_methods(request: Request, error: StarletteHTTPException) -> list[str]:
    """Every method some route accepts at this path — Starlette's own ``Allow`` names only the
    first route that matched the path (``GET /api/nominations`` hides ``POST``)."""
    methods: set[str] = set()
    given = (error.headers or {}).get("Allow") or (error.headers or {}).get("allow") or ""
    methods.update(m.strip().upper() for m in given.split(",") if m.strip())
    scope = request.scope
    probe = {
        "type": "http",
        "path": scope["path"],
        "root_path": scope.get("app_root_path", scope.get("root_path", "")),
        "method": scope["method"],
    }
    for route in flat_routes(request.app):
        if not getattr(route, "methods", None) or not hasattr(route, "matches"):
            continue  # mounts (their own 405 carries its Allow), websockets
        match, _ = route.matches(probe)
        if match is not Match.NONE:
            methods.update(route.methods)
    rank = {m: i for i, m in enumerate(_METHOD_ORDER)}
    return sorted(methods, key=lambda m: (rank.get(m, len(rank)), m))


def domain_error_response(error: DomainError) -> JSONResponse:
    status = status_for(error)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else retry_headers(error) or None
    details = {k: v for k, v in error.details.items() if _jsonable(v)}
    return JSONResponse(error_body(error.code, error.message, details), status, headers=headers)


def _jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), list, dict))


def _field(loc: tuple[Any, ...]) -> str:
    # Only the leading location marker goes: a field may itself be named "body" (issuer.body).
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    return ".".join(str(p) for p in parts) or "body"


def field_problems(items: list[Any]) -> list[dict[str, str]]:
    """Pydantic's errors as the API names them: each wrong field, its error type, and what is
    wrong in Vietnamese (``details.fields``; the CLI says the same of its files)."""
    problems = []
    for item in items:
        kind = item.get("type", "value_error")
        problems.append({"field": _field(tuple(item.get("loc", ()))), "type": kind,
                         "message": _message(kind, item)})
    return problems


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, error: DomainError) -> JSONResponse:
        return domain_error_response(error)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = field_problems(list(error.errors()))
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields[:5])
        return JSONResponse(
            error_body(
                "validation.invalid", f"Dữ liệu không hợp lệ — {summary}", {"fields": fields}
            ),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        if error.status_code == 404:
            return JSONResponse(error_body("not_found", "Không tìm thấy địa chỉ này."), 404)
        if error.status_code == 405:
            allowed = allowed_methods(request, error)
            listed = ", ".join(allowed)
            message = f"Phương thức {request.method} không được hỗ trợ tại địa chỉ này."
            if allowed:
                message += f" Phương thức được phép: {listed}."
            return JSONResponse(
                error_body("method_not_allowed", message, {"allowed": allowed}),
                405,
                headers={"Allow": listed},
            )
        if error.status_code == 400:
            # FastAPI's answer to a body it cannot decode (e.g. not UTF-8): the same 422, code and
            # Vietnamese message as any other malformed JSON.
            field = {
                "field": "body",
                "type": "json_invalid",
                "message": _PYDANTIC_VI["json_invalid"],
            }
            return JSONResponse(
                error_body(
                    "validation.invalid",
                    f"Dữ liệu không hợp lệ — body: {field['message']}",
                    {"fields": [field]},
                ),
                422,
            )
        detail = error.detail if isinstance(error.detail, str) else "Yêu cầu không hợp lệ."
        return JSONResponse(
            error_body(f"http.{error.status_code}", detail), error.status_code,
            headers=error.headers,
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        request_id = uuid.uuid4().hex[:12]
        log.exception(
            "unhandled error, request %s %s %s", request_id, request.method, request.url.path
        )
        return JSONResponse(
            error_body(
                "internal",
                f"Lỗi hệ thống (mã yêu cầu {request_id}). Xin báo quản trị.",
                {"request_id": request_id},
            ),
            500,
        )
