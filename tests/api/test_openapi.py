"""The OpenAPI document tells the truth, and the documentation pages work without internet.

* Error answers (401/403/404/409/422) are declared with our error body, ``{"error": {"code",
  "message", "details"}}`` — FastAPI's ``HTTPValidationError`` is gone, since the handler never
  answers with it — and real refusals match what their operation declares.
* Exports, documents and certificates declare their real content types, and answer with them.
* A wrong method answers 405 with ``Allow`` (every method of the path) and our error body.
* ``/docs`` and ``/redoc`` name no other host; their assets are served here, with their types.
"""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from services.api.errors import ErrorResponse, ValidationErrorResponse
from services.api.openapi import CSV, DOCX, PDF, XLSX, HealthOut, LoginOut, UserOut
from tests.helpers import case, ok

ERRORS = {"401", "403", "404", "409", "422", "429"}


def document(client) -> dict[str, Any]:
    return ok(client.get("/openapi.json"))


def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    assert ref.startswith("#/components/schemas/"), ref
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]


def declared(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    return doc["paths"][path][method]["responses"]


def error_schema_name(response: dict[str, Any]) -> str:
    assert list(response["content"]) == ["application/json"], response
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]


# -- error answers -------------------------------------------------------------------------------


SAMPLE = {  # (method, path) → the error statuses it declares
    ("post", "/api/nominations"): {"401", "403", "409", "422"},
    ("get", "/api/nominations"): {"401", "403", "422"},
    ("get", "/api/nominations/{nomination_id}"): {"401", "403", "404", "422"},
    ("post", "/api/nominations/{nomination_id}/submit"): {"401", "403", "404", "409", "422"},
    ("post", "/api/decisions"): {"401", "403", "409", "422"},
    ("post", "/api/decisions/{decision_id}/revoke"): {"401", "403", "404", "409", "422"},
    ("patch", "/api/ceremonies/{ceremony_id}"): {"401", "403", "404", "409", "422"},
    ("delete", "/api/users/{username}/tokens/{token_id}"): {"401", "403", "404", "409", "422"},
    ("get", "/api/registry/history"): {"401", "403", "404", "422"},
    ("get", "/api/me"): {"401"},
    # public, but a wrong password is a 401, and too many of them a 429
    ("post", "/api/auth/token"): {"401", "422", "429"},
    ("get", "/api/verify/{token}"): {"404", "422"},  # public
    ("get", "/api/health"): set(),
}


def test_error_answers_are_declared_with_our_body(client):
    doc = document(client)
    for (method, path), statuses in SAMPLE.items():
        with case((method, path)):
            responses = declared(doc, method, path)
            assert ERRORS & set(responses) == statuses
            for status in statuses:
                name = error_schema_name(responses[status])
                assert name == ("ValidationErrorResponse" if status == "422" else "ErrorResponse")
                assert responses[status]["description"]
            if "401" in statuses:
                assert "WWW-Authenticate" in responses["401"]["headers"]
            if "429" in statuses:
                assert "Retry-After" in responses["429"]["headers"]


def test_every_error_answer_of_every_operation_is_ours(client):
    doc = document(client)
    operations = [(m, p, op) for p, ops in doc["paths"].items() for m, op in ops.items()]
    assert len(operations) > 60
    for method, path, operation in operations:
        with case((method, path)):
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert status in ERRORS
                    assert error_schema_name(response) in {
                        "ErrorResponse", "ValidationErrorResponse"}
            protected = "401" in operation["responses"] and path != "/api/auth/token"
            assert ("security" in operation) == protected


def test_the_error_schema_is_the_body_the_handler_writes(client):
    doc = document(client)
    text = str(doc)
    assert "HTTPValidationError" not in text  # FastAPI's 422: never answered here
    assert "#/components/schemas/ValidationError'" not in text
    body = resolve(doc, {"$ref": "#/components/schemas/ErrorResponse"})
    assert body["required"] == ["error"]
    info = resolve(doc, body["properties"]["error"])
    assert set(info["required"]) == {"code", "message", "details"}
    assert info["properties"]["code"]["type"] == "string"
    assert info["properties"]["message"]["type"] == "string"
    assert info["properties"]["details"]["type"] == "object"
    invalid = resolve(doc, {"$ref": "#/components/schemas/ValidationErrorResponse"})
    invalid_info = resolve(doc, invalid["properties"]["error"])
    assert set(invalid_info["required"]) == {"code", "message", "details"}
    fields = resolve(doc, invalid_info["properties"]["details"])["properties"]["fields"]
    item = resolve(doc, next(s for s in fields["anyOf"] if s.get("type") == "array")["items"])
    assert set(item["properties"]) == {"field", "type", "message"}


def test_every_reference_resolves(client):
    doc = document(client)
    refs = set(re.findall(r"'\$ref': '#/components/schemas/([^']+)'", str(doc)))
    assert {"ErrorResponse", "ValidationErrorResponse", "HealthOut", "UserOut"} <= refs
    assert refs <= set(doc["components"]["schemas"])


def enum_of(doc: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """The allowed values a (possibly optional) schema lists."""
    schema = resolve(doc, schema)
    if "enum" in schema:
        return schema["enum"]
    options = [resolve(doc, option) for option in schema["anyOf"]]
    (listed,) = [option["enum"] for option in options if "enum" in option]
    return listed


def test_closed_sets_of_values_are_listed_as_the_domain_defines_them(client):
    """Levels, recipient kinds, roles… are written once (domain, catalog) and the API takes
    them from there (``services.api.choices``); its document lists them, in the same order."""
    from domain.catalog import BODIES, RECIPIENT_KINDS, catalog
    from domain.decision import REVOCATION_GROUNDS
    from domain.nomination import OUTCOMES, VOTES
    from domain.pricing import AMOUNT_MODES
    from domain.users import ROLES
    from projections.registry import GROUP_NAMES

    doc = document(client)
    levels = list(catalog().levels)
    assert levels == ["central", "province", "district", "commune", "branch"]
    bodies = {  # component → field → the domain's values
        "RecipientIn": {"kind": RECIPIENT_KINDS},
        "UnitCreateIn": {"level": levels},
        "ReorganisationOp": {"level": levels},
        "GrantIn": {"role": ROLES},
        "VoteIn": {"vote": VOTES},
        "CloseReviewIn": {"outcome": OUTCOMES},
        "IssuerIn": {"body": BODIES, "level": levels},
        "LineIn": {"amount_mode": AMOUNT_MODES},
        "RevokeIn": {"ground": REVOCATION_GROUNDS},
        "InternalRateIn": {"recipient_kind": RECIPIENT_KINDS},
    }
    for component, fields in bodies.items():
        properties = doc["components"]["schemas"][component]["properties"]
        for field, values in fields.items():
            with case((component, field)):
                assert enum_of(doc, properties[field]) == list(values)
    queries = {
        ("/api/registry/totals", "level"): levels,
        ("/api/registry/totals", "group_by"): GROUP_NAMES,
        ("/api/registry/totals", "recipient_kind"): RECIPIENT_KINDS,
        ("/api/registry", "status"): ("active", "revoked", "all"),
        ("/api/calculator", "recipient_kind"): RECIPIENT_KINDS,
        ("/api/calculator", "issuer_body"): BODIES,
        ("/api/calculator", "issuer_level"): levels,
    }
    for (path, name), values in queries.items():
        with case((path, name)):
            (param,) = [p for p in doc["paths"][path]["get"]["parameters"] if p["name"] == name]
            assert enum_of(doc, param["schema"]) == list(values)


def test_real_refusals_match_what_their_operation_declares(client, world):
    doc = document(client)
    unknown = uuid.uuid4()
    refusals = [
        (401, "get", "/api/me", client.get("/api/me")),
        (401, "post", "/api/auth/token",
         client.post("/api/auth/token", json={"username": "xd.nom", "password": "sai-mat-khau"})),
        (403, "get", "/api/users", client.get("/api/users", headers=world.h("xd.nom"))),
        (404, "get", "/api/nominations/{nomination_id}",
         client.get(f"/api/nominations/{unknown}", headers=world.h("xd.nom"))),
        (409, "post", "/api/users",
         client.post("/api/users", headers=world.h("admin"), json={
             "username": "xd.nom", "full_name": "Trùng tên",
             "grants": [{"role": "nominator", "unit_id": world.u("xd")}]})),
        (422, "post", "/api/nominations",
         client.post("/api/nominations", json={"award_kind": 12}, headers=world.h("xd.nom"))),
        (422, "get", "/api/nominations",
         client.get("/api/nominations?limit=abc", headers=world.h("xd.nom"))),
    ]
    for status, method, path, response in refusals:
        with case((status, method, path)):
            assert response.status_code == status, response.text
            assert str(status) in declared(doc, method, path)
            body = response.json()
            model = ValidationErrorResponse if status == 422 else ErrorResponse
            model.model_validate(body)
            assert set(body) == {"error"}
            assert set(body["error"]) == {"code", "message", "details"}
            assert body["error"]["message"]
    fields = refusals[-2][3].json()["error"]["details"]["fields"]
    assert fields and all(set(f) == {"field", "type", "message"} for f in fields)


# -- files ---------------------------------------------------------------------------------------


FILES = {
    ("get", "/api/registry/export.{fmt}"): {XLSX, CSV},
    ("get", "/api/decisions/{decision_id}/export.{fmt}"): {XLSX, CSV},
    ("get", "/api/ceremonies/{ceremony_id}/export.{fmt}"): {XLSX, CSV},
    ("get", "/api/decisions/{decision_id}/document.{fmt}"): {PDF, DOCX},
    ("post", "/api/decisions/{decision_id}/certificates"): {PDF},
    ("post", "/api/ceremonies/{ceremony_id}/certificates"): {PDF},
}


def test_files_declare_their_real_content_types(client):
    doc = document(client)
    assert XLSX == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert DOCX == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    for (method, path), media in FILES.items():
        with case((method, path)):
            answer = declared(doc, method, path)["200"]
            assert set(answer["content"]) == media  # no application/json
            for content in answer["content"].values():
                assert content["schema"] == {"type": "string", "format": "binary"}
            assert "Content-Disposition" in answer["headers"]


def test_exports_answer_with_the_declared_types(client, world):
    doc = document(client)
    content = declared(doc, "get", "/api/registry/export.{fmt}")["200"]["content"]
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/api/registry/export.{fmt}", headers=world.h("tw.appr"))
        assert response.status_code == 200, response.text
        media = response.headers["content-type"].split(";")[0].strip()
        assert media in content
        assert media == {"xlsx": XLSX, "csv": CSV}[fmt]


# -- documented JSON answers -----------------------------------------------------------------------


def test_documented_answers_are_what_the_endpoints_return(client, world):
    doc = document(client)
    answers = [
        ("get", "/api/health", HealthOut, client.get("/api/health")),
        ("get", "/api/me", UserOut, client.get("/api/me", headers=world.h("xd.chair"))),
        ("post", "/api/auth/token", LoginOut,
         client.post("/api/auth/token", json={"username": "xd.nom", "password": "mat-khau-123"})),
    ]
    for method, path, model, response in answers:
        with case(path):
            schema = declared(doc, method, path)["200"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": f"#/components/schemas/{model.__name__}"}
            body = ok(response)
            model.model_validate(body)
            assert set(body) == set(model.model_fields)  # nothing hidden, nothing invented
    me = answers[1][3].json()
    assert me["grants"] and set(me["grants"][0]) == {"role", "role_label", "unit_id", "chair"}


# -- 405 -----------------------------------------------------------------------------------------


def test_wrong_method_is_405_with_allow_and_our_body(client):
    for method, path, allowed in [
        ("DELETE", "/api/health", ["GET"]),
        ("PUT", "/api/auth/token", ["POST"]),
        ("DELETE", "/api/nominations", ["GET", "POST"]),  # two routes, one path
        ("PUT", f"/api/ceremonies/{uuid.uuid4()}", ["GET", "PATCH"]),
        ("POST", "/docs-assets/swagger-ui.css", ["GET", "HEAD"]),
    ]:
        with case((method, path)):
            response = client.request(method, path)
            assert response.status_code == 405, response.text
            assert [m.strip() for m in response.headers["allow"].split(",")] == allowed
            body = response.json()
            ErrorResponse.model_validate(body)
            error = body["error"]
            assert error["code"] == "method_not_allowed"
            assert "không được hỗ trợ" in error["message"]
            assert method in error["message"]
            assert error["details"] == {"allowed": allowed}


# -- documentation pages, offline ------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def test_docs_pages_name_no_other_host_and_their_assets_are_served(client):
    for page in ("/docs", "/redoc"):
        with case(page):
            response = client.get(page)
            assert response.status_code == 200
            html = response.text
            assert "http://" not in html and "https://" not in html
            parser = Links()
            parser.feed(html)
            assert len(parser.urls) >= 2
            for url in parser.urls:
                parts = urlsplit(url)
                assert not parts.scheme and not parts.netloc, url
                assert url.startswith("/docs-assets/"), url
                asset = client.get(url)
                assert asset.status_code == 200, url
                kind = ASSET_TYPES[url[url.rfind("."):]]
                assert kind in asset.headers["content-type"], (url, asset.headers)
                assert len(asset.content) > 1000
    swagger = client.get("/docs").text
    assert "'/openapi.json'" in swagger
    assert '"validatorUrl": null' in swagger  # no call to validator.swagger.io either
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = client.get("/docs-assets/swagger-ui-bundle.js").text
    version = re.search(r'PACKAGE_VERSION:"(\d+)\.', bundle)
    assert version and int(version.group(1)) >= 5  # Swagger UI 4 cannot read OpenAPI 3.1
