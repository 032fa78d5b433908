"""The HTTP API (JSON) and the pages, over one ``Runtime``."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.api import errors, openapi
from services.api.body import StrictJSONBody
from services.api.routes_attachments import router as attachments_router
from services.api.routes_audit import router as audit_router
from services.api.routes_catalogue import router as catalogue_router
from services.api.routes_certificates import router as certificates_router
from services.api.routes_council import router as council_router
from services.api.routes_decisions import router as decisions_router
from services.api.routes_emulation import router as emulation_router
from services.api.routes_imports import router as imports_router
from services.api.routes_money import router as money_router
from services.api.routes_orgs import router as orgs_router
from services.api.routes_payouts import router as payouts_router
from services.api.routes_personal_data import router as personal_data_router
from services.api.routes_registry import router as registry_router
from services.api.routes_system import router as system_router
from services.api.routes_workflow import router as workflow_router
from services.app import Runtime
from services.http.headers import SecurityHeaders
from services.http.idempotency import IdempotencyKeys
from services.http.limits import BodyLimit
from services.http.sessions import Sessions
from services.secret_key import load_secret
from services.web import install as install_page_errors
from services.web import router as web_router
from services.web.templating import STATIC

DESCRIPTION = """
**TĐKT** — quản lý thi đua, khen thưởng theo mô hình event sourcing cho Hội LHPN Việt Nam.

Mọi thao tác ghi trả về `position` (vị trí trong nhật ký sự kiện). Gửi lại giá trị đó trong
`min_position` (hoặc tiêu đề `X-TDKT-Min-Position`) khi đọc danh sách để chắc chắn thấy điều mình
vừa ghi. Lỗi luôn có dạng `{"error": {"code", "message", "details"}}`.

Lệnh ghi (`POST`/`PUT`/`PATCH`/`DELETE`) nhận tiêu đề `Idempotency-Key` (1–200 ký tự ASCII): gửi
lại cùng khóa và cùng nội dung thì nhận lại đúng câu trả lời đầu (tiêu đề `Idempotent-Replayed:
true`) và không ghi thêm gì, kể cả khi hai yêu cầu chạy song song; cùng khóa khác nội dung → 422
`idempotency.key_reused`. Nội dung yêu cầu quá `TDKT_MAX_BODY_MB` → 413 `request.too_large`.
"""


def create_app(runtime: Runtime | None = None) -> FastAPI:
    owned = runtime is None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.runtime.prepare()  # this release's money data; views caught up (embedded)
        yield
        if owned:
            app.state.runtime.close()

    # /docs and /redoc are served by openapi.install, from local files (no CDN).
    app = FastAPI(title="TĐKT", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.runtime = runtime or Runtime()
    settings = app.state.runtime.settings
    # the pages' sessions (signed cookie, expiry, sign-in throttling); tests set its clock
    app.state.sessions = Sessions(
        settings, lambda: load_secret(settings, app.state.runtime.db))
    errors.install(app)  # refusals as JSON ...
    install_page_errors(app)  # ... except from pages: the error page, or the sign-in redirect
    app.add_middleware(IdempotencyKeys)  # inside StrictJSONBody: retried commands recorded once
    app.add_middleware(StrictJSONBody)
    app.add_middleware(BodyLimit)  # bodies refused by size before any reading or sign-in
    app.add_middleware(SecurityHeaders)  # CSP & co. on every answer; renews session cookies
    openapi.install(app)
    app.include_router(system_router)
    app.include_router(catalogue_router)
    app.include_router(orgs_router)
    app.include_router(workflow_router)
    app.include_router(attachments_router)
    app.include_router(council_router)
    app.include_router(money_router)
    app.include_router(registry_router)
    app.include_router(imports_router)
    app.include_router(decisions_router)
    app.include_router(payouts_router)
    app.include_router(personal_data_router)
    app.include_router(certificates_router)
    app.include_router(emulation_router)
    app.include_router(audit_router)
    app.include_router(web_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
