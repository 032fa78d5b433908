"""Request bodies limited at the edge (issue 18, point 3), on both stores: a body larger than
``TDKT_MAX_BODY_MB`` is refused from its ``Content-Length`` before a byte is read and before the
token is looked at (413 ``request.too_large``, in Vietnamese); one without a length is counted
while read and refused past the limit; the upload routes keep their own, larger limit."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace

import pytest

from services.config import POSTGRES
from tests.conftest import make_settings
from tests.helpers import err, head, nomination_body, ok, page_login

BODY_MB = 0.02  # 20.971 bytes: these tests' limit of an ordinary body
ATTACHMENT_MB = 0.1  # 104.857 bytes: these tests' limit of a file


@pytest.fixture
def settings(store, tmp_path, pg_server, pg_schema):
    return make_settings(store, tmp_path, pg_server if store == POSTGRES else None, pg_schema,
                         attachments_dir=tmp_path / "blobs", attachment_max_mb=ATTACHMENT_MB,
                         max_body_mb=BODY_MB)


def too_large(answer) -> dict:
    body = err(answer, 413, "request.too_large")
    assert "quá lớn" in body["message"] and "0,02 MB" in body["message"]
    return body


def post_scope(path: str, headers: dict[str, str]) -> dict:
    """An HTTP POST's ASGI scope, as the server would pass it."""
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
            "root_path": "", "query_string": b"", "server": ("testserver", 80),
            "client": ("127.0.0.1", 5000),
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}


def raw_post(app, path: str, headers: dict[str, str], chunks: list[bytes]
             ) -> tuple[int, dict[str, str], bytes, int]:
    """The app called as the server would: (status, headers, body, body messages read)."""
    read = 0
    sent: list[dict] = []

    async def receive() -> dict:
        nonlocal read
        read += 1
        if read <= len(chunks):
            return {"type": "http.request", "body": chunks[read - 1],
                    "more_body": read < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = post_scope(path, headers)
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    answer_headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], answer_headers, body, read


def test_a_declared_length_over_the_limit_is_refused_before_reading(client, world):
    """Unauthenticated or not: no byte of the body is read, no token looked at."""
    app = client.app
    for headers in ({}, {"Authorization": f"Bearer {world.tokens['xd.nom']}"},
                    {"Authorization": "Bearer tdkt_sai"}):
        status, answer_headers, body, read = raw_post(
            app, "/api/nominations",
            {"content-type": "application/json", "content-length": str(100 * 1024 * 1024),
             **headers}, [b"{}"])
        assert (status, read) == (413, 0)
        error = json.loads(body)["error"]
        assert error["code"] == "request.too_large" and "0,02 MB" in error["message"]
        assert answer_headers["content-security-policy"]  # the house headers, too


def test_over_the_limit_by_the_test_client(client, world):
    position = head(client)
    big = nomination_body(world, achievement="ệ" * 9_000)  # valid, 54 KB as JSON
    too_large(client.post("/api/nominations", json=big, headers=world.h("xd.nom")))
    too_large(client.post("/api/nominations", json=big))  # not signed in: the same 413
    too_large(client.post("/api/auth/token", content=b"{" + b" " * 30_000 + b"}",
                          headers={"content-type": "application/json"}))
    assert head(client) == position
    # within the limit: as before
    ok(client.post("/api/nominations", json=nomination_body(world), headers=world.h("xd.nom")),
       201)


def test_a_body_without_length_is_counted_while_read(client, world):
    position = head(client)

    def endless():
        yield b'{"username": "'
        for _ in range(200):  # 12,8 MB if it were all read
            yield b"x" * 65536
        yield b'"}'

    too_large(client.post("/api/auth/token", content=endless(),
                          headers={"content-type": "application/json"}))
    status, _, body, read = raw_post(
        client.app, "/api/nominations", {"content-type": "application/json"},
        [b"x" * 8192] * 50)  # 400 KB in 50 messages, no length
    assert status == 413 and json.loads(body)["error"]["code"] == "request.too_large"
    assert read == 3  # stopped at the first message past the limit
    assert head(client) == position


def test_a_page_form_over_the_limit_is_a_page(client, world):
    assert page_login(client, "xd.nom").status_code == 303
    answer = client.post("/nominations/new", data={"achievement": "x" * 30_000},
                         follow_redirects=False)
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "Dữ liệu gửi lên quá lớn" in answer.text and "request.too_large" not in answer.text


def pdf(size: int) -> bytes:
    start = b"%PDF-1.4\n1 0 obj <<>> endobj\n"
    end = b"\ntrailer <<>>\n%%EOF\n"
    return start + b"x" * (size - len(start) - len(end)) + end


def test_uploads_keep_their_own_larger_limit(client, world, rt):
    nid = ok(client.post("/api/nominations", json=nomination_body(world),
                         headers=world.h("xd.nom")), 201)["id"]
    file_limit = int(ATTACHMENT_MB * 1024 * 1024)
    content = pdf(file_limit)  # five times the ordinary body limit: accepted
    answer = ok(client.post(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom"),
                            files={"file": ("bao-cao.pdf", content, "application/pdf")},
                            data={"kind": "bao_cao_thanh_tich"}), 201)
    assert answer["attachment"]["size"] == len(content)
    position = head(client)
    refusal = err(client.post(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom"),
                              files={"file": ("lon.pdf", pdf(file_limit + 1), "application/pdf")},
                              data={"kind": "khac"}), 422, "attachment.too_large")
    assert "0,1 MB" in refusal["message"]
    assert head(client) == position


def test_the_limit_is_the_settings(client, world, rt):
    rt.settings = replace(rt.settings, max_body_mb=1.0)
    big = nomination_body(world, achievement="ệ" * 9_000)
    saved = ok(client.post("/api/nominations", json=big, headers=world.h("xd.nom")), 201)
    assert saved["achievement"] == "ệ" * 9_000


def stalled_post(app, path: str, headers: dict[str, str], first: bytes
                 ) -> tuple[int, bytes]:
    """A client that sends the start of its body and then nothing more (a slow or stalled
    connection): the app called as the server would."""
    sent: list[dict] = []
    calls = 0

    async def receive() -> dict:
        nonlocal calls
        calls += 1
        if calls == 1:
            return {"type": "http.request", "body": first, "more_body": True}
        await asyncio.sleep(3600)  # never comes
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = post_scope(path, headers)
    asyncio.run(asyncio.wait_for(app(scope, receive, send), timeout=30))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent
                                      if m["type"] == "http.response.body")


def test_a_body_that_stops_coming_is_cut_off_after_the_timeout(client, world, rt):
    """``TDKT_BODY_TIMEOUT_SECONDS``: a request whose body stalls holds the server no longer;
    it is answered 408 ``request.timeout`` (a page for the pages) and records nothing."""
    position = head(client)
    client.app.state.runtime.settings = replace(rt.settings, body_timeout_seconds=0.3)
    body = json.dumps(nomination_body(world)).encode()
    status, answer = stalled_post(
        client.app, "/api/nominations",
        {"content-type": "application/json", "content-length": str(len(body)),
         "authorization": world.h("xd.nom")["Authorization"]}, body[:40])
    assert status == 408
    refused = json.loads(answer)["error"]
    assert refused["code"] == "request.timeout" and "quá chậm" in refused["message"]
    status, answer = stalled_post(client.app, "/nominations/new",
                                  {"content-type": "application/x-www-form-urlencoded"},
                                  b"award_kind=giay")
    assert status == 408 and "Gửi dữ liệu quá chậm" in answer.decode()
    assert head(client) == position


def test_a_body_cut_off_by_a_client_that_goes_away_records_nothing(client, world):
    """A client gone before its whole body arrived: the command does not run on what came."""
    position = head(client)
    body = json.dumps(nomination_body(world)).encode()
    for headers in ({"idempotency-key": "cut-off"}, {}):
        sent: list[dict] = []
        parts = iter([{"type": "http.request", "body": body[:-40], "more_body": True},
                      {"type": "http.disconnect"}])

        async def receive(parts=parts) -> dict:
            return next(parts, {"type": "http.disconnect"})

        async def send(message: dict, sent=sent) -> None:
            sent.append(message)

        scope = post_scope("/api/nominations", {
            "content-type": "application/json", "content-length": str(len(body)),
            "authorization": world.h("xd.nom")["Authorization"], **headers})
        asyncio.run(client.app(scope, receive, send))
        assert all(m.get("status", 0) != 201 for m in sent), sent
    assert head(client) == position
