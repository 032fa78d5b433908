"""``Idempotency-Key`` on the creating commands (issue 18, item 1), on both stores: a retry with
the same key and body gets the first answer again and records nothing more, also when the two
requests race; the same key with another body is a 422 and records nothing; without a key
nothing changes; a key's time runs out and it is then a new command; a refusal is not
remembered; keys are each caller's own; a command recorded whose answer was lost is answered
with what was recorded; the key's events are no view's (a rebuild equals the live views)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from domain.idempotency import IdempotencyKey, key_id
from services.authz import SYSTEM
from services.http import idempotency
from services.store import PENDING_CLAIM, PendingClaim
from tests.helpers import dump, head, nomination_body, ok, person, race, refused

T0 = datetime(2024, 6, 30, 8, 0, tzinfo=UTC)


@dataclass
class Command:
    """One creating request: who sends it, where, the body (and another one), what it records."""

    name: str
    path: str
    by: str
    body: dict[str, Any]
    other: dict[str, Any]  # the same command with another body
    topic: str  # the stored topic of the event it records once
    status: int = 201
    kept: bool = True  # the answer is kept (not one that hands out a credential)


def nomination(flow, world) -> Command:
    body = nomination_body(world)
    return Command("nomination", "/api/nominations", "xd.nom", body,
                   {**body, "achievement": "Một thành tích khác"},
                   "tdkt.nomination:Nomination.Created")


def submission(flow, world) -> Command:
    candidate = {k: v for k, v in nomination_body(world).items() if k != "proposing_unit_id"}
    body = {"proposing_unit_id": world.u("xd"), "title": "Tờ trình khen thưởng năm 2023",
            "candidates": [candidate]}
    return Command("submission", "/api/submissions", "xd.nom", body,
                   {**body, "title": "Tờ trình khác"}, "tdkt.submission:Submission.Created")


def org_unit(flow, world) -> Command:
    body = {"name": "Hội LHPN phường Cổ Nhuế 2", "level": "commune", "parent_id": world.u("btl"),
            "established_on": "2014-04-01"}
    return Command("org_unit", "/api/org-units", "admin", body,
                   {**body, "name": "Hội LHPN phường Đông Ngạc"}, "tdkt.org:OrgUnit.Created")


def token(flow, world) -> Command:
    return Command("token", "/api/users/xd.nom/tokens", "xd.nom", {"label": "máy chủ báo cáo"},
                   {"label": "máy khác"}, "tdkt.users:User.TokenIssued", kept=False)


def decision(flow, world) -> Command:
    first, second = (flow.recommended(recipient=person(name, unit_id=world.u("xd")))["id"]
                     for name in ("Nguyễn Thị Hoa", "Lê Thị Mai"))
    body = {"number": "15/QĐ-HPN", "decided_on": "2024-01-05",
            "issuer": {"unit_id": world.u("btl")},
            "lines": [{"nomination_id": first, "amount": 300_000}]}
    other = {**body, "number": "16/QĐ-HPN",
             "lines": [{"nomination_id": second, "amount": 300_000}]}
    return Command("decision", "/api/decisions", "btl.appr", body, other,
                   "tdkt.decision:AwardDecision.Created")


def ceremony(flow, world) -> Command:
    did = flow.decide([{"nomination_id": flow.recommended()["id"], "amount": 300_000}])["id"]
    body = {"title": "Hội nghị tổng kết năm 2023", "held_on": "2024-01-09",
            "place": "Bắc Từ Liêm", "host_unit_id": world.u("btl"), "decision_ids": [did]}
    return Command("ceremony", "/api/ceremonies", "btl.appr", body,
                   {**body, "title": "Hội nghị khác"}, "tdkt.ceremony:Ceremony.Created")


COMMANDS: list[Callable[[Any, Any], Command]] = [
    nomination, submission, org_unit, token, decision, ceremony]
ids = [c.__name__ for c in COMMANDS]


def recorded(rt, topic: str) -> int:
    """How many events of ``topic`` the log holds."""
    return len(rt.app.recorder.select_notifications(start=0, limit=1_000_000, topics=[topic]))


def send(client, world, command: Command, key: str | None, body: dict[str, Any] | None = None,
         by: str | None = None):
    headers = world.h(by or command.by)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(command.path, headers=headers,
                       json=command.body if body is None else body)


@pytest.fixture
def keys_clock(client):
    """The keys' clock, moved by tests."""
    now = {"at": T0}
    client.app.state.idempotency_clock = lambda: now["at"]
    return now


@pytest.mark.parametrize("make", COMMANDS, ids=ids)
def test_a_retry_gets_the_first_answer_and_records_nothing(make, client, world, flow, rt,
                                                           keys_clock):
    command = make(flow, world)
    before = recorded(rt, command.topic)
    first = send(client, world, command, "lan-1")
    answer = ok(first, command.status)
    assert "idempotent-replayed" not in first.headers
    assert recorded(rt, command.topic) == before + 1
    position = head(client)
    again = send(client, world, command, "lan-1")
    assert again.status_code == command.status
    assert again.headers["idempotent-replayed"] == "true"
    assert head(client) == position, "a replay recorded events"
    assert recorded(rt, command.topic) == before + 1
    assert again.headers.get("location") == first.headers.get("location")
    assert again.headers["x-tdkt-position"] == first.headers["x-tdkt-position"]
    if command.kept:
        assert again.json() == answer
    else:  # a new token is shown once: the replay names what was recorded, not the secret
        replay = again.json()
        assert "token" not in replay and replay["replayed"] is True
        assert replay["id"] == str(rt.app.users.user("xd.nom").id)
        assert replay["position"] == answer["position"]
        assert "một lần" in replay["message"]


@pytest.mark.parametrize("make", COMMANDS, ids=ids)
def test_racing_requests_with_one_key_record_once(make, client, world, flow, rt, keys_clock):
    command = make(flow, world)
    before = recorded(rt, command.topic)
    answers = race(6, lambda: send(client, world, command, "dua-nhau"))
    assert [a.status_code for a in answers] == [command.status] * 6, [a.text for a in answers]
    assert recorded(rt, command.topic) == before + 1
    replayed = [a for a in answers if a.headers.get("idempotent-replayed") == "true"]
    assert len(replayed) == 5
    original = next(a for a in answers if a not in replayed)
    assert {a.headers.get("location") for a in answers} == {original.headers.get("location")}
    if command.kept:
        assert all(a.json() == original.json() for a in answers)


@pytest.mark.parametrize("make", COMMANDS, ids=ids)
def test_the_same_key_with_another_body_is_refused(make, client, world, flow, rt, keys_clock):
    command = make(flow, world)
    ok(send(client, world, command, "mot-khoa"), command.status)
    position, count = head(client), recorded(rt, command.topic)
    body = refused(send(client, world, command, "mot-khoa", command.other), 422,
                   "idempotency.key_reused")
    assert "Idempotency-Key" in body["message"]
    assert head(client) == position and recorded(rt, command.topic) == count
    # the other body under a fresh key is a command of its own
    ok(send(client, world, command, "khoa-moi", command.other), command.status)
    assert recorded(rt, command.topic) == count + 1


@pytest.mark.parametrize("make", [nomination, org_unit, token], ids=["nomination", "org_unit",
                                                                      "token"])
def test_without_a_key_each_request_is_a_command(make, client, world, flow, rt):
    command = make(flow, world)
    before = recorded(rt, command.topic)
    first = ok(send(client, world, command, None), command.status)
    second = ok(send(client, world, command, None, command.other), command.status)
    assert recorded(rt, command.topic) == before + 2
    assert first.get("id", first.get("token")) != second.get("id", second.get("token"))


def test_without_a_key_a_retried_nomination_records_twice(client, world, flow, rt):
    command = nomination(flow, world)
    first = ok(send(client, world, command, None), 201)
    second = ok(send(client, world, command, None), 201)
    assert first["id"] != second["id"]
    assert recorded(rt, command.topic) == 2


@pytest.mark.parametrize("make", [nomination, decision], ids=["nomination", "decision"])
def test_a_key_is_remembered_for_its_time_then_names_a_new_command(make, client, world, flow,
                                                                   rt, keys_clock):
    command = make(flow, world)
    before = recorded(rt, command.topic)
    first = ok(send(client, world, command, "hom-qua"), 201)
    keys_clock["at"] = T0 + timedelta(hours=23, minutes=59)
    again = send(client, world, command, "hom-qua")
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first
    keys_clock["at"] = T0 + timedelta(hours=24, seconds=1)  # TDKT_IDEMPOTENCY_HOURS: 24
    # the key's time is over: the same key names a new command, with another body too
    body = command.other
    later = send(client, world, command, "hom-qua", body)
    assert later.status_code == 201, later.text
    assert "idempotent-replayed" not in later.headers
    assert later.json()["id"] != first["id"]
    assert recorded(rt, command.topic) == before + 2
    # ... and that new use is remembered in turn
    replay = send(client, world, command, "hom-qua", body)
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == later.json()
    claim = rt.app.load_or_none(IdempotencyKey, key_id(world.tokens[command.by], "hom-qua"))
    assert claim is not None and claim.version == 4  # claimed, answered, claimed, answered


def test_the_time_to_live_is_a_setting(monkeypatch):
    from services.config import load_settings

    assert load_settings({}).idempotency_hours == 24
    assert load_settings({"TDKT_IDEMPOTENCY_HOURS": "2.5"}).idempotency_hours == 2.5
    with pytest.raises(ValueError):
        load_settings({"TDKT_IDEMPOTENCY_HOURS": "0"})


@pytest.mark.parametrize("key", ["", "x" * 201, "khóa-có-dấu", "tab\there", "a\x7fb"])
def test_an_invalid_key_is_refused_and_records_nothing(key, client, world, flow):
    command = nomination(flow, world)
    position = head(client)
    headers = {**world.h("xd.nom"), "Idempotency-Key": key.encode("utf-8")}
    refused(client.post(command.path, headers=headers, json=command.body), 422,
            "idempotency.key_invalid")
    assert head(client) == position


def test_the_longest_key_is_accepted(client, world, flow, rt, keys_clock):
    command = nomination(flow, world)
    key = "".join(chr(32 + i % 95) for i in range(200))  # every printable ASCII character
    first = ok(send(client, world, command, key), 201)
    assert send(client, world, command, key).json() == first
    assert recorded(rt, command.topic) == 1


def test_a_refusal_is_not_remembered_so_a_corrected_retry_works(client, world, flow, rt,
                                                                 keys_clock):
    command = nomination(flow, world)
    position = head(client)
    wrong = {**command.body, "award_kind": "khong_co_loai_nay"}
    assert send(client, world, command, "sua-lai", wrong).status_code == 422
    assert head(client) == position, "a refusal recorded its key"
    ok(send(client, world, command, "sua-lai"), 201)
    assert recorded(rt, command.topic) == 1


def test_a_decision_retried_after_its_answer_was_lost_is_not_a_number_conflict(
        client, world, flow, rt, keys_clock):
    """The issue's case: the client got no answer although the decision was recorded; its retry
    used to answer 409 ``decision.number_taken``."""
    command = decision(flow, world)
    first = ok(send(client, world, command, "qd-15"), 201)
    again = send(client, world, command, "qd-15")
    assert again.status_code == 201 and again.json() == first
    # without a key, another decision with that number is the real conflict it always was
    refused(send(client, world, command, None, {**command.other, "number": "15/QĐ-HPN"}), 409,
            "decision.number_taken")


def test_keys_are_each_callers_own(client, world, flow, rt, keys_clock):
    command = org_unit(flow, world)
    before = recorded(rt, command.topic)
    one = ok(send(client, world, command, "chung"), 201)
    other = ok(send(client, world, command, "chung", command.other, by="hn.admin"), 201)
    assert one["id"] != other["id"]
    assert recorded(rt, command.topic) == before + 2


def test_a_recorded_command_whose_answer_was_lost(client, world, flow, rt, keys_clock,
                                                  monkeypatch):
    """The process died between the commit and the answer: the claim is recorded, unanswered.
    A retry waits, then says the request is still being processed (409, Retry-After); once the
    claim is a minute old, it answers with what was recorded — never a second record."""
    monkeypatch.setattr(idempotency, "WAIT_SECONDS", 0.2)
    command = nomination(flow, world)
    content = b'{"award_kind": "giay_khen_hoi"}'
    scope = {"method": "POST", "path": command.path, "query_string": b"",
             "headers": [(b"content-type", b"application/json")]}
    pending = PendingClaim(key_id=key_id(world.tokens["xd.nom"], "mat-tra-loi"),
                           fingerprint=idempotency.kept_fingerprint(rt, scope, content),
                           method="POST",
                           path=command.path, now=T0, ttl=timedelta(hours=24))
    token = PENDING_CLAIM.set(pending)
    try:  # the command, recorded with its claim, as the API would have done
        body = nomination_body(world)
        saved = rt.app.nominations.draft_nomination(
            world.actor("xd.nom"), proposing_unit_id=world.units["xd"],
            data={k: v for k, v in body.items() if k != "proposing_unit_id"})
    finally:
        PENDING_CLAIM.reset(token)
    assert pending.used
    rt.after(saved)
    position = head(client)
    headers = {**world.h("xd.nom"), "Idempotency-Key": "mat-tra-loi",
               "Content-Type": "application/json"}
    busy = client.post(command.path, headers=headers, content=content)
    refused(busy, 409, "idempotency.in_progress")
    assert busy.headers["retry-after"] == "1"
    keys_clock["at"] = T0 + timedelta(minutes=2)
    lost = client.post(command.path, headers=headers, content=content)
    assert lost.status_code == 200 and lost.headers["idempotent-replayed"] == "true"
    assert lost.json()["id"] == str(saved.id) and lost.json()["position"] >= saved.position
    assert head(client) == position
    assert recorded(rt, command.topic) == 1


def test_the_keys_events_are_no_views(client, world, flow, rt, keys_clock):
    for make in (nomination, org_unit, decision):
        command = make(flow, world)
        ok(send(client, world, command, f"khoa-{command.name}"), 201)
        send(client, world, command, f"khoa-{command.name}")
    views = rt.runner.views
    before = dump(rt.db, views)
    rt.runner.rebuild()
    assert dump(rt.db, views) == before
    assert set(rt.runner.positions().values()) == {rt.app.max_position()}
    assert "IdempotencyKey" not in " ".join(rt.runner.topics())


def test_other_saves_of_the_request_are_not_the_command(rt, world):
    """Only the first save of a request carries its claim; without a pending claim the store
    saves as before."""
    pending = PendingClaim(key_id=key_id("t", "k"), fingerprint="f", method="POST", path="/x",
                           now=T0, ttl=timedelta(hours=1))
    token = PENDING_CLAIM.set(pending)
    try:
        first = rt.app.orgs.create_unit(SYSTEM, name="Đơn vị một", level="commune",
                                        parent_id=world.units["btl"], established_on=T0.date())
        second = rt.app.orgs.create_unit(SYSTEM, name="Đơn vị hai", level="commune",
                                         parent_id=world.units["btl"], established_on=T0.date())
    finally:
        PENDING_CLAIM.reset(token)
    claim = rt.app.load_or_none(IdempotencyKey, pending.key_id)
    assert claim is not None and claim.version == 1
    assert claim.subject_id == first.id and claim.subject_id != second.id


def test_a_retried_upload_is_recorded_once_whatever_its_multipart_boundary(client, world, flow,
                                                                           rt, keys_clock):
    """A client that builds the upload again sends a new multipart boundary: still the same
    request."""
    nid = flow.draft()["id"]
    content = b"%PDF-1.4\n1 0 obj <<>> endobj\n% idem\ntrailer <<>>\n%%EOF\n"

    def upload(key: str, name: str = "bao-cao.pdf"):
        headers = {**world.h("xd.nom"), "Idempotency-Key": key}
        return client.post(f"/api/nominations/{nid}/attachments", headers=headers,
                           files={"file": (name, content, "application/pdf")},
                           data={"kind": "bao_cao_thanh_tich", "title": ""})

    first = ok(upload("tep-1"), 201)
    again = upload("tep-1")
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json() == first
    listed = ok(client.get(f"/api/nominations/{nid}/attachments", headers=world.h("xd.nom")))
    assert [item["no"] for item in listed["items"]] == [first["attachment"]["no"]]
    refused(upload("tep-1", "ten-khac.pdf"), 422, "idempotency.key_reused")
