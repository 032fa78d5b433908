"""One place that turns refusals into HTTP answers.

Every error body has the same shape: ``{"error": {"code", "message", "details"}}`` with a stable
machine code and a Vietnamese message. Unknown exceptions are logged with a request id and
answered 500: a test that sees one has found a bug.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError

log = logging.getLogger("tdkt.api")

STATUS_BY_KIND = {
    "invalid": 422,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "unauthenticated": 401,
}

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


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def domain_error_response(error: DomainError) -> JSONResponse:
    status = STATUS_BY_KIND.get(error.kind, 422)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    details = {k: v for k, v in error.details.items() if _jsonable(v)}
    return JSONResponse(error_body(error.code, error.message, details), status, headers=headers)


def _jsonable(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool, type(None), list, dict))


def _field(loc: tuple[Any, ...]) -> str:
    # Only the leading location marker goes: a field may itself be named "body" (issuer.body).
    parts = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    return ".".join(str(p) for p in parts) or "body"


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def on_domain_error(request: Request, error: DomainError) -> JSONResponse:
        return domain_error_response(error)

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, error: RequestValidationError) -> JSONResponse:
        fields = []
        for item in error.errors():
            kind = item.get("type", "value_error")
            fields.append(
                {
                    "field": _field(tuple(item.get("loc", ()))),
                    "type": kind,
                    "message": _PYDANTIC_VI.get(kind, "giá trị không hợp lệ"),
                }
            )
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
            return JSONResponse(
                error_body("method_not_allowed", "Phương thức không được hỗ trợ tại địa chỉ này."),
                405,
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
        return JSONResponse(error_body(f"http.{error.status_code}", detail), error.status_code)

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
