"""``Idempotency-Key``: a retried command is recorded once and gets the first answer again.

A pure ASGI middleware for ``POST``/``PUT``/``PATCH``/``DELETE`` that carry the header (1–200
printable ASCII characters; anything else is a 422 ``idempotency.key_invalid``) and a credential
(the ``Authorization`` token or the session's): keys are the caller's own — the claim's id is
made from a SHA-256 of the credential and the key (``domain.idempotency``). A request without a
credential (sign-in) is served as if it had no key.

The request is fingerprinted (SHA-256 of method, path, query, media type and body; a multipart
body without its random boundary). Then, when the key is claimed and live
(``TDKT_IDEMPOTENCY_HOURS``):

* same fingerprint, answered: the stored status, body and ``Location`` again, with
  ``Idempotent-Replayed: true``; nothing is recorded;
* same fingerprint, not answered yet (the first request is still running): wait up to
  ``WAIT_SECONDS`` for its answer; still none — 409 ``idempotency.in_progress`` with
  ``Retry-After``, or, when the claim is older than a minute (its answer was lost: the process
  died between the commit and the answer), the recorded subject's id, version and position;
* another fingerprint: 422 ``idempotency.key_reused``; nothing is recorded.

Otherwise the app runs with a pending claim in ``services.store.PENDING_CLAIM``: the store saves
the claim with the command's first save, in the same transaction. Of two racing requests one
save wins; the other's collides on the claim (nothing of it is recorded) — or its command was
refused because the winner's was recorded first (a decision number now taken) — and it is
answered like a retry. Once the app answers a command that was recorded (any status below 500),
``Answered`` is recorded before the answer leaves. A refusal that recorded nothing is not
remembered: a corrected retry with the same key is a new attempt.

**Pages' forms** send no header: each carries its own random ``form_key`` (a hidden field beside
the CSRF token, ``services.web.csrf``), read here from the posted body. Its key is the form key
with the body's fingerprint, so the same form sent twice (a double click, a resend) is one
command and gets where the first led (its ``Location``), while the same form sent again with
other values (after «back») is a new one. A page's answer body is not kept (a page may show
personal data): a redirect is replayed, a page answer (a temporary password shown once) makes
the form run again; waiting and lost answers are told as a short page. Only forms of a declared
size within ``TDKT_MAX_BODY_MB`` are read for their key (a large upload goes on unread).

The fingerprint kept in the log is an HMAC under the store's index key
(``services.personal_data``), not a bare SHA-256 of the body, which would let a citizen ID in it
be found again by trying candidates.

A kept answer's personal data is sealed as the events' are (``services.personal_data``) and
opened again for the replay.

An answer is kept up to ``MAX_ANSWER_BYTES`` of UTF-8 text, and never when it says
``Cache-Control: no-store`` or hands out a credential (a JSON ``token`` or ``password``: a new
credential is shown once and never written to the log); a replay of such an answer has the
original status and ``Location`` and, as body, the recorded subject and position.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import anyio
from eventsourcing.persistence import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.idempotency import MAX_ANSWER_BYTES, IdempotencyKey, key_id, valid_key
from domain.recipients import SEALED
from services.http.bodies import replaying
from services.http.deps import bearer_token
from services.http.limits import content_length
from services.store import PENDING_CLAIM, PendingClaim, Store

HEADER = b"idempotency-key"
METHODS = ("POST", "PUT", "PATCH", "DELETE")
WAIT_SECONDS = 3.0  # how long a retry waits for the first request's answer
POLL_SECONDS = 0.05
LOST_AFTER = timedelta(minutes=1)  # an unanswered claim this old lost its answer
RETRY_AFTER = 1
SECRET_FIELDS = ("token", "password")  # an answer that hands out a credential is never kept

KEY_INVALID = ("Tiêu đề Idempotency-Key không hợp lệ: cần một khóa từ 1 đến 200 ký tự ASCII in "
               "được (chữ, số, dấu), gửi một lần.")
KEY_REUSED = ("Khóa Idempotency-Key này đã được dùng cho một yêu cầu khác (khác phương thức, "
              "địa chỉ hoặc nội dung). Hãy dùng một khóa mới cho yêu cầu mới.")
IN_PROGRESS = ("Yêu cầu với khóa Idempotency-Key này đang được xử lý. Hãy thử lại sau giây lát "
               "(cùng khóa, cùng nội dung).")
NOT_KEPT = ("Yêu cầu này đã được thực hiện một lần với khóa Idempotency-Key này; nội dung câu "
            "trả lời không được lưu lại (ví dụ: mã truy cập chỉ hiển thị một lần).")
ANSWER_LOST = ("Yêu cầu này đã được ghi nhận một lần với khóa Idempotency-Key này nhưng câu trả "
               "lời ban đầu không còn; đây là hồ sơ đã ghi và vị trí trong nhật ký.")


def utc_now() -> datetime:
    return datetime.now(UTC)


def clock_of(app: Any) -> Callable[[], datetime]:
    """The keys' clock: ``app.state.idempotency_clock`` when set (tests), else UTC now."""
    return getattr(app.state, "idempotency_clock", None) or utc_now


def fingerprint(scope: Scope, body: bytes) -> str:
    content_type = dict(scope["headers"]).get(b"content-type", b"")
    media, _, params = content_type.partition(b";")
    for param in params.split(b";"):
        name, _, value = param.strip().partition(b"=")
        if name.lower() == b"boundary" and value.strip(b'"'):
            body = body.replace(b"--" + value.strip(b'"'), b"--")
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode("utf-8", "surrogateescape"),
                 scope.get("query_string", b""), media.strip().lower()):
        digest.update(part)
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


def kept_fingerprint(runtime: Any, scope: Scope, body: bytes) -> str:
    """The fingerprint as the claim keeps it: keyed (an HMAC under the store's index key), so
    that a body's digest in the log does not let a citizen ID in it be found again by trying
    candidates."""
    return str(runtime.personal.pseudonym(fingerprint(scope, body)))


class IdempotencyKeys:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in METHODS:
            await self.app(scope, receive, send)
            return
        given = [value for name, value in scope["headers"] if name == HEADER]
        page = not given and _page_form(scope)
        if not given and not page:
            await self.app(scope, receive, send)
            return
        key = given[0].decode("latin-1") if given else ""
        if given and (len(given) > 1 or not valid_key(key)):
            await _answer_json(send, 422, _error("idempotency.key_invalid", KEY_INVALID))
            return
        credential = bearer_token(Request(scope))
        if not credential:  # signing in: nobody's key to keep
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        if not complete:  # the client went away before its body was sent: nothing to do
            return
        application = scope["app"]
        runtime = application.state.runtime
        digest = kept_fingerprint(runtime, scope, body)
        if page:
            form_key = _form_key(scope, body)
            if form_key is None:  # a form of a page without its key: served as it is
                await self.app(scope, replaying(body, receive), send)
                return
            # the same form sent twice (a double click, a resend) is one command; the same
            # form sent again with other values (after «back») is a new one
            key = f"form:{form_key}:{digest}"
        store: Store = runtime.app
        ttl = timedelta(hours=runtime.settings.idempotency_hours)
        now = clock_of(application)()
        pending = PendingClaim(key_id=key_id(credential, key), fingerprint=digest,
                               method=scope["method"], path=scope["path"], now=now, ttl=ttl,
                               page=page)
        claim = await run_in_threadpool(store.load_or_none, IdempotencyKey, pending.key_id)
        if claim is not None and claim.is_live(now, ttl) and \
                await self._as_retry(application, store, claim, pending, send):
            return
        answer = _Answer(store, pending, send)
        token = PENDING_CLAIM.set(pending)
        try:
            await self.app(scope, replaying(body, receive), answer.send)
        finally:
            PENDING_CLAIM.reset(token)
        if answer.discarded:  # another request with this key was recorded: answer as its retry
            claim = await run_in_threadpool(store.load_or_none, IdempotencyKey, pending.key_id)
            if claim is None:
                await _in_progress(send, pending.page)
            elif not await self._as_retry(application, store, claim, pending, send):
                await _in_progress(send, pending.page)  # raced a page's own answer: rare

    async def _as_retry(self, application: Any, store: Store, claim: IdempotencyKey,
                        pending: PendingClaim, send: Send) -> bool:
        """Answer a request whose key is claimed already; False when it is to run as a new
        command instead (a page form whose first answer was a page, not a redirect: that page
        — a temporary password, say — was not kept, so the form does its work again)."""
        if claim.fingerprint != pending.fingerprint:
            await _answer_json(send, 422, _error("idempotency.key_reused", KEY_REUSED))
            return True
        deadline = time.monotonic() + WAIT_SECONDS
        while claim.answer is None and time.monotonic() < deadline:
            await anyio.sleep(POLL_SECONDS)
            again = await run_in_threadpool(store.load_or_none, IdempotencyKey, pending.key_id)
            if again is None:
                break
            claim = again
        if claim.fingerprint != pending.fingerprint:
            await _answer_json(send, 422, _error("idempotency.key_reused", KEY_REUSED))
        elif claim.answer is not None and pending.page and claim.spent:
            return False
        elif claim.answer is not None:
            await _replay(send, store, claim, pending.page)
        elif clock_of(application)() - claim.claimed_at >= LOST_AFTER:
            if pending.page:
                await _page_notice(send, 200, PAGE_RECORDED)
                return True
            body = _recorded(claim, await run_in_threadpool(store.max_position), ANSWER_LOST)
            await _answer_json(send, 200, body, replayed=True)
        else:
            await _in_progress(send, pending.page)
        return True


class _Answer:
    """The app's answer to a request with a pending claim: passed on as it is, kept (then
    passed on) when the command was recorded, or discarded when another request with the same
    key was recorded instead."""

    def __init__(self, store: Store, pending: PendingClaim, send: Send) -> None:
        self.store = store
        self.pending = pending
        self.downstream = send
        self.mode = "pass"
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.size = 0

    @property
    def discarded(self) -> bool:
        return self.mode == "discard"

    async def send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            await self._started(message)
        elif kind == "http.response.body" and self.mode == "keep":
            await self._body(message)
        elif self.mode != "discard":
            await self.downstream(message)

    async def _started(self, message: Message) -> None:
        pending = self.pending
        pending.open = False  # whatever is saved from now on is not the command
        if pending.used:
            self.mode = "keep" if message["status"] < 500 else "pass"
        elif pending.collided or await run_in_threadpool(self._claimed_meanwhile):
            self.mode = "discard"
        if self.mode == "keep":
            self.start = message
        elif self.mode == "pass":
            await self.downstream(message)

    def _claimed_meanwhile(self) -> bool:
        claim = self.store.load_or_none(IdempotencyKey, self.pending.key_id)
        return claim is not None and claim.is_live(self.pending.now, self.pending.ttl)

    async def _body(self, message: Message) -> None:
        chunk = message.get("body", b"")
        self.chunks.append(chunk)
        self.size += len(chunk)
        more = message.get("more_body", False)
        if more and self.size <= MAX_ANSWER_BYTES:
            return
        body = b"".join(self.chunks)
        await run_in_threadpool(self._record, None if more else body)
        assert self.start is not None
        await self.downstream(self.start)
        await self.downstream({"type": "http.response.body", "body": body, "more_body": more})
        self.mode = "pass"

    def _record(self, body: bytes | None) -> None:
        assert self.start is not None
        headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                   for name, value in self.start.get("headers", [])}
        # a page's answer is not kept, only where it led (its ``Location``): a page may show
        # personal data, which the log holds only sealed
        text = None if self.pending.page else _keepable(body, headers, self.store.conceal)
        position = headers.get("x-tdkt-position", "")
        claim = self.store.load_or_none(IdempotencyKey, self.pending.key_id)
        if (claim is None or claim.answer is not None or claim.claimed_at != self.pending.now
                or claim.fingerprint != self.pending.fingerprint):
            return
        claim.answered(status=self.start["status"], body=text,
                       content_type=headers.get("content-type", "application/json"),
                       location=headers.get("location"),
                       position=int(position) if position.isdigit() else None)
        with contextlib.suppress(IntegrityError):  # its time ran out, another claimed it again
            self.store.save(claim)


def _keepable(body: bytes | None, headers: dict[str, str],
              conceal: Callable[[Any], Any] | None) -> str | None:
    """The answer's text when it may be kept in the log: not ``no-store``, not a credential;
    a JSON answer with its personal data sealed as the log's events are
    (``services.personal_data``: a nomination's answer may carry a citizen ID)."""
    if body is None or len(body) > MAX_ANSWER_BYTES:
        return None
    if "no-store" in headers.get("cache-control", "").lower():
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if "json" in headers.get("content-type", ""):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and any(field in data for field in SECRET_FIELDS):
            return None
        if data is not None and conceal is not None:
            sealed = conceal(data)
            return text if sealed is data else _compact(sealed)
    return text


def _compact(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _recorded(claim: IdempotencyKey, position: int | None, message: str) -> dict[str, Any]:
    subject: UUID | None = claim.subject_id
    return {"id": str(subject) if subject else None, "version": claim.subject_version,
            "position": position, "replayed": True, "message": message}


async def _replay(send: Send, store: Store, claim: IdempotencyKey, page: bool = False) -> None:
    answer = claim.answer
    assert answer is not None
    if page and answer["body"] is None and not (300 <= answer["status"] < 400):
        await _page_notice(send, 200, PAGE_RECORDED, extra=[(b"idempotent-replayed", b"true")])
        return
    headers: list[tuple[bytes, bytes]] = [(b"idempotent-replayed", b"true")]
    if answer["location"]:
        headers.append((b"location", answer["location"].encode("latin-1")))
    if answer["position"] is not None:
        headers.append((b"x-tdkt-position", str(answer["position"]).encode()))
    if answer["body"] is None and page:  # a redirect: where the first answer led
        payload, content_type = b"", b"text/plain; charset=utf-8"
    elif answer["body"] is None:
        payload = _json(_recorded(claim, answer["position"], NOT_KEPT))
        content_type = b"application/json"
    else:
        payload = _opened(store, answer["body"]).encode("utf-8")
        content_type = answer["content_type"].encode("latin-1")
    await _send(send, answer["status"], payload, content_type, headers)


def _opened(store: Store, text: str) -> str:
    if SEALED not in text:
        return text
    try:
        data = json.loads(text)
    except ValueError:
        return text
    return _compact(store.reveal(data))


async def _in_progress(send: Send, page: bool = False) -> None:
    if page:
        await _page_notice(send, 409, PAGE_IN_PROGRESS,
                           extra=[(b"retry-after", str(RETRY_AFTER).encode())])
        return
    await _answer_json(send, 409, _error("idempotency.in_progress", IN_PROGRESS,
                                         {"retry_after": RETRY_AFTER}),
                       extra=[(b"retry-after", str(RETRY_AFTER).encode())])


def _error(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


async def _answer_json(send: Send, status: int, data: dict[str, Any], *, replayed: bool = False,
                       extra: list[tuple[bytes, bytes]] | None = None) -> None:
    headers = list(extra or [])
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await _send(send, status, _json(data), b"application/json", headers)


async def _send(send: Send, status: int, payload: bytes, content_type: bytes,
                headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type),
                            (b"content-length", str(len(payload)).encode()), *headers]})
    await send({"type": "http.response.body", "body": payload})


FORM_FIELD = "form_key"  # the hidden field every page form carries (``services.web.csrf``)
_FORM_KEY = re.compile(rb"(?:^|&)form_key=([A-Za-z0-9_-]{8,64})(?:&|$)")
_MULTIPART_KEY = re.compile(rb'name="form_key"\r\n\r\n([A-Za-z0-9_-]{8,64})\r\n')
PAGE_IN_PROGRESS = ("Biểu mẫu này vừa được gửi và đang được xử lý. Xin đợi vài giây rồi mở lại "
                    "trang để xem kết quả; không cần gửi lại.")
PAGE_RECORDED = ("Biểu mẫu này đã được gửi và ghi nhận một lần. Hãy mở lại trang để xem kết "
                 "quả; không cần gửi lại.")


def _media(scope: Scope) -> bytes:
    return dict(scope["headers"]).get(b"content-type", b"").partition(b";")[0].strip().lower()


def _page_form(scope: Scope) -> bool:
    """A page's form (not the API's), of a declared size within the ordinary body limit: only
    those are read here for their ``form_key`` (a large upload goes on to its own limit
    unread)."""
    if scope["method"] != "POST" or scope["path"].startswith("/api"):
        return False
    if _media(scope) not in (b"application/x-www-form-urlencoded", b"multipart/form-data"):
        return False
    length = content_length(scope)
    return length is not None and length <= scope["app"].state.runtime.settings.max_body_bytes


def _form_key(scope: Scope, body: bytes) -> str | None:
    """The page form's own key (``form_key``), where it carries one."""
    pattern = _MULTIPART_KEY if _media(scope) == b"multipart/form-data" else _FORM_KEY
    found = pattern.search(body)
    return found.group(1).decode("ascii") if found else None


async def _page_notice(send: Send, status: int, message: str,
                       extra: list[tuple[bytes, bytes]] | None = None) -> None:
    """A plain page for a browser whose form is being (or was) recorded."""
    html = ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>Biểu mẫu đã gửi</title></head><body><main><h1>Biểu mẫu đã gửi</h1>"
            f"<p>{message}</p><p><a href=\"/\">Về trang chính</a></p></main></body></html>")
    await _send(send, status, html.encode("utf-8"), b"text/html; charset=utf-8",
                list(extra or []))


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True
