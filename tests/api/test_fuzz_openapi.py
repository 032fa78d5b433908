"""Every operation of the OpenAPI document, fuzzed with schemathesis: no input gives a 5xx.

For each operation of ``app.openapi()`` schemathesis generates requests that fit the document
(``positive``) and requests that break it (``negative``: wrong types, out-of-range numbers,
missing fields, junk in the path, the query and the headers). Each request goes in-process to the
app of the ``client`` fixture (schemathesis's own ASGI transport), on both stores, as the central
admin (half of them), the central approver, a nominator, a province admin, nobody, or with the
junk token schemathesis made up. Ids in the path, the query and the body are now and then
replaced by ids the seeded world knows (units, nominations, a submission, a decision, a ceremony,
certificate tokens, users other than the callers), so that requests reach past "not found".

Every answer must be one of 200/201/401/403/404/405/409/422 (429: the throttled sign-in) and one
the operation declares; an error carries our body ``{"error": {"code", "message", "details"}}``
with a Vietnamese message;
a 404 names what the path names (an unknown id in a body is a 422). Failures are collected over
every operation (each shrunk by hypothesis) and reported together.

The CI run sends 10 examples per operation and mode (about 1,550 requests per store). The big
run raises that (``scripts/fuzz``; 150 examples: about 23,000 requests per store):

    TDKT_FUZZ_EXAMPLES=150 .venv/bin/python -m pytest -p no:xdist -s tests/api/test_fuzz_openapi.py

``TDKT_FUZZ_REPORT=FILE`` appends a JSON line per store and mode to FILE: requests sent, statuses
and error codes per operation with a sample request of each, failures, and what schemathesis's
own checks (response schema, content type, headers, invalid data accepted) noted.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python import asgi
from schemathesis.specs.openapi import checks as openapi_checks

from domain.catalog import catalog
from services.api.deps import TOKEN_COOKIE
from tests.helpers import ok

EXAMPLES = int(os.environ.get("TDKT_FUZZ_EXAMPLES", "10"))
REPORT = os.environ.get("TDKT_FUZZ_REPORT")

# 429: sign-in throttled after repeated failures (declared by POST /api/auth/token only)
ALLOWED = {200, 201, 401, 403, 404, 405, 409, 422, 429}
ANONYMOUS = "<anonymous>"  # no token at all
GENERATED = "<generated>"  # the bearer token and cookie schemathesis made up (junk)
# Who sends a request (weights by repetition). None of them is ever a planted path parameter,
# so that the fuzzer cannot revoke the callers' own tokens, grants or passwords.
CALLERS = ["admin"] * 6 + ["tw.appr"] * 2 + ["xd.nom"] * 2 + ["hn.admin", ANONYMOUS, GENERATED]
VICTIMS = ["xd.member", "nt.nom", "btl.chair", "hn.member"]
UNITS = ["root", "hanoi", "btl", "xd", "cn1", "backan", "nt"]
WRITABLE_UNITS = UNITS[1:]  # the root is only read: dissolving it would end every test's world
# A 404 names what the path names (services/api/openapi.py): an unknown id in a body or a filter
# is a 422 ``reference.not_found``. ``not_found`` (no such address, a code, a token) goes anywhere.
NOT_FOUND_CODES: dict[str, str | tuple[str, ...]] = {
    "unit_id": ("org_unit.not_found", "emulation.report_not_found",
                "emulation.registration_not_found"),
    "username": "user.not_found",
    "nomination_id": "nomination.not_found",
    "submission_id": "submission.not_found",
    "decision_id": "decision.not_found",
    "line_no": "decision.line_not_found",
    "ceremony_id": "ceremony.not_found",
    "payment_no": "payment.not_found",
    # emulation (issue 19): a cluster's covenant of a year, a member's report, an indicator's
    # result, a points item, a deduction rule, a movement, a title registration and its entries
    "cluster_id": "emulation.cluster_not_found",
    "year": "emulation.covenant_not_found",
    "code": ("emulation.indicator_not_found", "emulation.result_not_found"),
    "item": "emulation.score_item_not_found",
    "rule": "emulation.deduction_not_found",
    "movement_id": "emulation.movement_not_found",
    "registration_id": "emulation.title_registration_not_found",
    "entry_no": "emulation.entry_not_found",
}


@dataclass
class Known:
    """Ids of the seeded world, by the name of the parameter or field that takes them."""

    units: list[str]
    writable_units: list[str]
    nominations: list[str]
    decisions: list[str]
    ceremonies: list[str]
    submissions: list[str]
    tokens: list[str]  # token ids of the victims
    verify_tokens: list[str]
    award_kinds: list[str] = field(default_factory=lambda: sorted(catalog().kinds))
    clusters: list[str] = field(default_factory=list)
    movements: list[str] = field(default_factory=list)
    registrations: list[str] = field(default_factory=list)

    def choices(self, name: str, method: str) -> list[Any] | None:
        """Known values for a parameter or body field of this name, or None."""
        reads = method.upper() == "GET"
        if name == "unit_id" or name.endswith("_unit_id") or name in ("parent_id", "into_id"):
            return self.units if reads else self.writable_units
        if name in ("nomination_id", "nomination_ids"):
            return self.nominations
        if name in ("decision_id", "decision_ids"):
            return self.decisions
        if name in ("ceremony_id", "ceremony_ids"):
            return self.ceremonies
        if name == "submission_id":
            return self.submissions
        if name == "username":
            return VICTIMS
        if name == "token_id":
            return self.tokens
        if name == "token":
            return self.verify_tokens
        if name in ("code", "award_kind"):
            return self.award_kinds + (["1", "2"] if name == "code" else [])
        if name == "line_no":
            return [0, 1, 2, 3, 4]
        # emulation (issue 19)
        if name == "cluster_id":
            return self.clusters
        if name == "movement_id":
            return self.movements
        if name == "registration_id":
            return self.registrations
        if name == "year":
            return [2024]
        if name == "item":
            return ["1", "2"]
        if name == "rule":
            return ["cham"]
        if name == "entry_no":
            return [1, 2]
        return None


def seed(client, world) -> Known:
    """A few resources of every kind, made through the API as the tests' users would."""
    xd, root = world.u("xd"), world.u("root")
    person = {"kind": "individual", "name": "Nguyễn Thị Hồng Nhung", "gender": "female",
              "birth_year": 1980, "unit_id": xd}
    nomination = {"proposing_unit_id": xd, "recipient": person, "award_kind": "giay_khen_hoi",
                  "achievement": "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2023",
                  "period": "2023"}
    draft = ok(client.post("/api/nominations", json=nomination, headers=world.h("xd.nom")), 201)
    other = ok(client.post("/api/nominations", headers=world.h("xd.nom"), json={
        **nomination, "recipient": {**person, "name": "Trần Thị Lan", "birth_year": 1975}}), 201)
    ok(client.post(f"/api/nominations/{other['id']}/submit", json={},
                   headers=world.h("xd.nom")))
    submission = ok(client.post("/api/submissions", headers=world.h("xd.nom"), json={
        "proposing_unit_id": xd, "title": "Tờ trình khen thưởng năm 2023",
        "candidates": [{**{k: v for k, v in nomination.items() if k != "proposing_unit_id"},
                        "recipient": {**person, "name": "Lê Thị Mai"}}]}), 201)
    decision = ok(client.post("/api/decisions", headers=world.h("tw.appr"), json={
        "number": "15/QĐ-ĐCT", "decided_on": "2024-05-01", "issuer": {"unit_id": root},
        "signer": {"name": "Hà Thị Nga"}, "award_kind": "bang_khen_tw_hoi", "period": "2023",
        "lines": [
            {"recipient": {**person, "name": "Phạm Thị Thu", "birth_year": 1970}},
            {"recipient": {"kind": "collective", "name": "Hội LHPN phường Cổ Nhuế 1",
                           "org_unit_id": world.u("cn1")}, "amount": 3_000_000},
        ]}), 201)
    ceremony = ok(client.post("/api/ceremonies", headers=world.h("tw.appr"), json={
        "title": "Hội nghị tổng kết", "held_on": "2024-06-01", "host_unit_id": root,
        "decision_ids": [decision["id"]], "announced_total": 9_000_000}), 201)
    tokens = []
    for username in VICTIMS:
        issued = ok(client.post(f"/api/users/{username}/tokens", json={"label": "fuzz"},
                                headers=world.h("admin")), 201)
        tokens.append(issued["token"].split("_", 3)[2])  # tdkt_<user>_<token id>_<secret>
    printing = client.post(f"/api/decisions/{decision['id']}/certificates", json={},
                           headers=world.h("tw.appr"))
    assert printing.status_code == 200, printing.text
    printed = ok(client.get(f"/api/decisions/{decision['id']}/certificates",
                            headers=world.h("tw.appr")))["items"]
    verify_tokens = [item["verify_url"].rsplit("/", 1)[1] for item in printed]
    emulation = seed_emulation(client, world)
    return Known(
        units=[world.u(u) for u in UNITS],
        writable_units=[world.u(u) for u in WRITABLE_UNITS],
        nominations=[draft["id"], other["id"], *submission["nomination_ids"]],
        decisions=[decision["id"]],
        ceremonies=[ceremony["id"]],
        submissions=[submission["id"]],
        tokens=tokens,
        verify_tokens=verify_tokens,
        **emulation,
    )


def seed_emulation(client, world) -> dict[str, list[str]]:
    """A cluster of the two provinces (its 2024 covenant open, a result reported), a movement of
    the district with a ward registered, a ward's title registration with an entry."""
    root, hanoi, backan = world.u("root"), world.u("hanoi"), world.u("backan")
    office = world.h("tw.appr")
    cluster = ok(client.post("/api/emulation/clusters", headers=office, json={
        "name": "Cụm thi đua thử nghiệm", "managing_unit_id": root}), 201)["id"]
    base = f"/api/emulation/clusters/{cluster}"
    ok(client.put(f"{base}/years/2024", headers=office, json={
        "members": [{"unit_id": hanoi}, {"unit_id": backan}], "lead_unit_id": hanoi}))
    ok(client.put(f"{base}/covenants/2024", headers=office, json={
        "indicators": [{"code": "1", "text": "Thành lập hợp tác xã", "target": "2",
                        "summable": True, "max_points": "600"},
                       {"code": "2", "text": "Có mô hình tiêu biểu", "measure": "yes_no",
                        "max_points": "400"}],
        "points": {"deductions": [{"code": "cham", "text": "Báo cáo chậm", "points": "10"}]},
        "thresholds": [{"code": "tot", "label": "Hoàn thành tốt", "minimum": "800"}],
        "proposal_rules": [{"rank_from": 1, "award_kind": "bang_khen_tw_hoi"}]}), 201)
    for unit in (hanoi, backan):
        ok(client.post(f"{base}/covenants/2024/sign", headers=office, json={"unit_id": unit}))
    ok(client.post(f"{base}/covenants/2024/open", headers=office))
    ok(client.post(f"{base}/covenants/2024/reports/{hanoi}/results/1", headers=office,
                   json={"value": "3"}))
    movement = ok(client.post("/api/emulation/movements", headers=world.h("btl.appr"), json={
        "unit_id": world.u("btl"), "title": "Phong trào thi đua thử", "year": 2024,
        "indicators": [{"code": "1", "text": "Hộ đạt tiêu chí", "target": "10"}],
        "participant_ids": [world.u("xd"), world.u("cn1")], "own_targets_allowed": True}),
        201)["id"]
    ok(client.post(f"/api/emulation/movements/{movement}/registrations",
                   headers=world.h("btl.appr"), json={"unit_id": world.u("xd")}), 201)
    registration = ok(client.post("/api/emulation/registrations", headers=world.h("xd.nom"),
                                  json={"unit_id": world.u("xd"), "year": 2024}), 201)["id"]
    ok(client.post(f"/api/emulation/registrations/{registration}/entries",
                   headers=world.h("xd.nom"), json={
                       "recipient": {"kind": "individual", "name": "Đỗ Thị Hạnh",
                                     "birth_year": 1985, "unit_id": world.u("xd")},
                       "award_kind": "lao_dong_tien_tien"}), 201)
    return {"clusters": [cluster], "movements": [movement], "registrations": [registration]}


# -- the fuzzer ----------------------------------------------------------------------------------


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    per_operation: Counter = field(default_factory=Counter)
    per_operation_status: Counter = field(default_factory=Counter)
    samples: dict[str, dict[str, Any]] = field(default_factory=dict)  # one per operation answer
    unauthenticated_callers: int = 0  # 401s answered to a caller with a token (drift check)
    bad: list[dict[str, Any]] = field(default_factory=list)  # every bad answer, before shrinking
    failures: list[str] = field(default_factory=list)  # one (shrunk) failure per operation
    nothing_to_break: list[str] = field(default_factory=list)  # negative mode, no input at all
    notes: list[dict[str, Any]] = field(default_factory=list)  # schemathesis's checks (report)


# Schemathesis's own checks, reported (TDKT_FUZZ_REPORT) but not asserted: "invalid data
# accepted" is often a lenient reading (an unknown query parameter ignored), not a bug.
NOTED_CHECKS = [openapi_checks.status_code_conformance, openapi_checks.content_type_conformance,
                openapi_checks.response_schema_conformance,
                openapi_checks.response_headers_conformance,
                openapi_checks.negative_data_rejection]


def plant(data: st.DataObject, known: Known, method: str, where: str, value: Any) -> Any:
    """The value with some of its ids replaced by known ones (a third of the time each)."""
    if isinstance(value, list):
        return [plant(data, known, method, f"{where}[]", item) for item in value]
    if not isinstance(value, dict):
        return value
    planted = {}
    for name, item in value.items():
        choices = known.choices(str(name), method)
        label = f"{where}.{name}"
        if choices and data.draw(st.integers(0, 2), label=f"plant {label}?") == 0:
            picked = choices[data.draw(st.integers(0, len(choices) - 1), label=label)]
            planted[name] = [picked] if isinstance(item, list) else picked
        else:
            planted[name] = plant(data, known, method, label, item)
    return planted


def problems_with(response: Any, declared: dict[str, Any], path: str) -> list[str]:
    """What is wrong with an answer (a schemathesis ``Response``: headers are lists)."""
    status = response.status_code
    found = []
    if status >= 500:
        found.append(f"server error {status}")
    elif status not in ALLOWED:
        found.append(f"status {status} is not one the API answers")
    if str(status) not in declared:
        found.append(f"status {status} is not declared by the operation ({sorted(declared)})")
    if status >= 400:
        try:
            body = response.json()
        except ValueError:
            return [*found, "error body is not JSON"]
        error = body.get("error") if isinstance(body, dict) else None
        if not (isinstance(body, dict) and set(body) == {"error"} and isinstance(error, dict)):
            return [*found, "error body is not {'error': {...}}"]
        if set(error) != {"code", "message", "details"}:
            found.append(f"error keys {sorted(error)}")
        if not (isinstance(error.get("code"), str) and error["code"]):
            found.append("error code missing")
        message = error.get("message")
        if not (isinstance(message, str) and message.strip()):
            found.append("error message missing")
        elif not any(ord(ch) > 127 for ch in message):
            found.append("error message is not Vietnamese")
        if not isinstance(error.get("details"), dict):
            found.append("error details is not an object")
        if status == 401 and response.headers.get("www-authenticate") != ["Bearer"]:
            found.append("401 without WWW-Authenticate: Bearer")
        named = {"not_found"} | {code for name, codes in NOT_FOUND_CODES.items()
                                 if f"{{{name}}}" in path
                                 for code in ((codes,) if isinstance(codes, str) else codes)}
        if status == 404 and error.get("code") not in named:
            found.append(f"404 {error.get('code')} for something the path does not name")
    return found


def error_code(response: Any) -> str:
    if response.status_code < 400:
        return ""
    try:
        return f" {response.json()['error']['code']}"
    except (ValueError, KeyError, TypeError):
        return " ?"


def describe(operation: Any, case: Any, who: str, response: Any) -> dict[str, Any]:
    request = response.request
    body = request.body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return {
        "operation": operation.label,
        "caller": who,
        "method": request.method,
        "url": request.url,
        "headers": {k: v for k, v in request.headers.items() if k.lower().startswith("x-")},
        "body": body[:2000] if isinstance(body, str) else body,
        "status": response.status_code,
        "answer": response.content[:1000].decode("utf-8", "replace"),
    }


def send(case: Any, who: str, world: Any, session: Any) -> Any:
    """The case as ``who`` sends it: her bearer token, or none, or the credentials generated."""
    if who != GENERATED:
        case.headers.pop("Authorization", None)
        case.cookies.pop(TOKEN_COOKIE, None)
    if who in (ANONYMOUS, GENERATED):
        return case.call(session=session)
    return case.call(session=session, headers=world.h(who))


def fuzz_operation(operation: Any, mode: GenerationMode, call: Callable[[Any, str], Any],
                   known: Known, declared: dict[str, Any], tally: Tally) -> None:
    strategy = operation.as_strategy(generation_mode=mode)

    @settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=False,
              report_multiple_bugs=False, suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate, Phase.shrink])
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        case = data.draw(strategy, label="case")
        who = data.draw(st.sampled_from(CALLERS), label="caller")
        meta = case.meta
        method = operation.method
        # Known ids go only where the case is valid: a negative part stays as generated.
        if not (meta and meta.is_negative_at(ParameterLocation.PATH)):
            case.path_parameters = plant(data, known, method, "path", case.path_parameters or {})
        if isinstance(case.query, dict) and not (meta and meta.is_negative_at(
                ParameterLocation.QUERY)):
            case.query = plant(data, known, method, "query", case.query)
        if isinstance(case.body, (dict, list)) and not (meta and meta.is_negative_at(
                ParameterLocation.BODY)):
            case.body = plant(data, known, method, "body", case.body)
        headers_negative = bool(meta and meta.is_negative_at(ParameterLocation.HEADER))
        tally.requests += 1  # counted as sent, before the answer (a crash counts too)
        try:
            response = call(case, who)
        except Exception as crash:  # the app raised: a real server answers 500
            seen = {"operation": operation.label, "caller": who, "problems": ["server error"],
                    "request": case.as_curl_command(), "error": repr(crash)[:1000]}
            tally.bad.append(seen)
            raise AssertionError(json.dumps(seen, ensure_ascii=False, indent=1)) from crash
        tally.statuses[response.status_code] += 1
        tally.per_operation[operation.label] += 1
        answer = f"{operation.label} {response.status_code}{error_code(response)}"
        tally.per_operation_status[answer] += 1
        if REPORT and answer not in tally.samples:
            tally.samples[answer] = describe(operation, case, who, response)
        if (response.status_code == 401 and who not in (ANONYMOUS, GENERATED)
                and "auth/token" not in case.path):
            tally.unauthenticated_callers += 1
        if REPORT:
            note(case, who, response, headers_negative and who != GENERATED, tally)
        found = problems_with(response, declared, operation.path)
        if found:
            seen = describe(operation, case, who, response)
            tally.bad.append({**seen, "problems": found})
            raise AssertionError(json.dumps({**seen, "problems": found}, ensure_ascii=False,
                                            indent=1, default=str))

    try:
        fuzz()
    except Unsatisfiable:
        if mode is not GenerationMode.NEGATIVE:
            raise
        tally.nothing_to_break.append(operation.label)  # no parameter, no body: nothing invalid
    except Exception as error:  # collected: reported together at the end
        tally.failures.append(f"{operation.label} ({mode}): {type(error).__name__}: {error}")


def note(case: Any, who: str, response: Any, credentials_replaced: bool, tally: Tally) -> None:
    """Schemathesis's own checks, for the report. A negative header the caller's token replaced
    is no longer negative: "invalid data accepted" is not asked then."""
    checks = [c for c in NOTED_CHECKS if not (
        credentials_replaced and c is openapi_checks.negative_data_rejection)]
    try:
        case.validate_response(response, checks=checks)
    except (Exception, FailureGroup) as noted:
        tally.notes.append({**describe(case.operation, case, who, response),
                            "check": str(noted)[:1500]})


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_no_input_to_any_operation_gives_a_5xx_or_an_undocumented_answer(
        client, world, store, clock, mode):
    clock.today = date(2024, 6, 30)
    known = seed(client, world)
    document = client.app.openapi()
    assert all(path.startswith("/api/") for path in document["paths"]), "pages in the schema"
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == sum(len(ops) for ops in document["paths"].values()) > 60
    # In-process, through schemathesis's own ASGI transport (a session not entered: the app's
    # lifespan already runs in the ``client`` fixture).
    session = asgi.get_client(client.app)

    def call(case: Any, who: str) -> Any:
        return send(case, who, world, session)

    tally = Tally()
    started = time.perf_counter()
    for operation in operations:
        declared = document["paths"][operation.path][operation.method.lower()]["responses"]
        fuzz_operation(operation, mode, call, known, declared, tally)
    elapsed = time.perf_counter() - started
    session.close()
    summary = {
        "store": store, "mode": str(mode), "examples": EXAMPLES, "requests": tally.requests,
        "seconds": round(elapsed, 1), "statuses": dict(sorted(tally.statuses.items())),
        "unauthenticated_callers": tally.unauthenticated_callers,
        "operations": len(operations), "failures": tally.failures, "bad": tally.bad,
        "notes": tally.notes, "nothing_to_break": tally.nothing_to_break,
        "per_operation": dict(sorted(tally.per_operation_status.items())),
        "samples": tally.samples,
    }
    print(json.dumps({**{k: v for k, v in summary.items()
                         if k not in ("bad", "notes", "per_operation", "samples")},
                      "failures": len(tally.failures), "notes": len(tally.notes)}))
    if REPORT:
        with open(REPORT, "a", encoding="utf-8") as out:
            out.write(json.dumps(summary, ensure_ascii=False, default=str) + "\n")
    missed = [op.label for op in operations
              if not tally.per_operation[op.label] and op.label not in tally.nothing_to_break]
    assert not tally.failures, "\n\n".join(tally.failures)
    assert not missed, f"operations never called: {missed}"
