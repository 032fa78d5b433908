"""Every refusal of the nomination, review and submission workflow, through the HTTP API alone.

Each refusal is checked four ways: the HTTP status, the machine ``code``, a non-empty Vietnamese
``message``, and that nothing was recorded (the event-log head, and where there is one, the
resource with its history or the list it would have joined, are unchanged).
"""

from __future__ import annotations

import copy
import uuid

import pytest

from tests.helpers import (
    READER,
    case,
    nom_paths,
    nomination_body,
    nothing_recorded,
    ok,
    person,
    refused,
)

# The nominations each test starts from come from ``flow`` (tests/workflow.py): ``flow.draft()``,
# ``flow.submitted()``, ``flow.nomination_in("rejected")`` … — all of phường Xuân Đỉnh.

LISTS = ("/api/nominations", "/api/submissions")


# -- drafting ----------------------------------------------------------------------------------


def test_nominator_outside_her_subtree_cannot_draft(client, world, flow):
    # nt.nom (xã Nông Thượng, Bắc Kạn) proposes for phường Xuân Đỉnh (Hà Nội).
    with nothing_recorded(client, world, *LISTS):
        body = refused(
            client.post(
                "/api/nominations", json=nomination_body(world, "xd"), headers=world.h("nt.nom")
            ),
            403,
            "auth.outside_scope",
        )
    assert body["details"]["unit_id"] == world.u("xd")
    # The same nominator is fine in her own unit (the refusal was about scope, not the body).
    flow.draft("nt")


CASES_DRAFTING_NEEDS_THE_NOMINATOR_ROLE = ["xd.member", "xd.chair", "btl.appr", "hn.admin"]


def test_drafting_needs_the_nominator_role(client, world):
    for user in CASES_DRAFTING_NEEDS_THE_NOMINATOR_ROLE:
        with case(user), nothing_recorded(client, world, *LISTS):
            refused(
                client.post("/api/nominations", json=nomination_body(world), headers=world.h(user)),
                403,
                "auth.role_required",
            )


def test_nominator_cannot_draft_for_the_parent_unit(client, world):
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/nominations", json=nomination_body(world, "btl"), headers=world.h("xd.nom")
            ),
            403,
            "auth.outside_scope",
        )


def test_recipient_outside_the_proposing_unit_is_refused(client, world):
    body = nomination_body(world)
    body["recipient"]["unit_id"] = world.u("cn1")  # a sister ward
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post("/api/nominations", json=body, headers=world.h("xd.nom")),
            403,
            "auth.outside_scope",
        )
    collective = nomination_body(
        world, recipient={"kind": "collective", "org_unit_id": world.u("btl")}
    )
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post("/api/nominations", json=collective, headers=world.h("xd.nom")),
            403,
            "auth.outside_scope",
        )


def test_unknown_units_named_in_the_body(client, world):
    ghost = str(uuid.uuid4())
    bodies = [
        nomination_body(world, proposing_unit_id=ghost),
        nomination_body(world, recipient=person(unit_id=ghost)),
        nomination_body(world, recipient={"kind": "collective", "org_unit_id": ghost}),
    ]
    for body in bodies:
        with nothing_recorded(client, world, *LISTS):
            out = refused(
                client.post("/api/nominations", json=body, headers=world.h("xd.nom")),
                422,
                "reference.not_found",
            )
        assert out["details"]["ref"] == ghost


def test_unknown_award_kind(client, world):
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/nominations",
                json=nomination_body(world, award_kind="huy_chuong_vang_mo"),
                headers=world.h("xd.nom"),
            ),
            422,
            "award_kind.unknown",
        )


def test_collective_for_an_individual_only_kind(client, world):
    body = nomination_body(
        world,
        award_kind="lao_dong_tien_tien",
        recipient={"kind": "collective", "org_unit_id": world.u("xd")},
    )
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post("/api/nominations", json=body, headers=world.h("xd.nom")),
            422,
            "award_kind.recipient_not_allowed",
        )


CASES_WRONG_TYPES_AND_UNKNOWN_FIELDS_IN_A_DRAFT = [
    ({"achievement": None}, "achievement"),
    ({"period": 2023}, "period"),
    ({"award_kind": ["giay_khen_hoi"]}, "award_kind"),
    ({"recipient": "Nguyễn Thị Hồng Nhung"}, "recipient"),
    ({"proposing_unit_id": "xd"}, "proposing_unit_id"),
    ({"note": "trường lạ"}, "note"),
    ({"attachments": "to-trinh.pdf"}, "attachments"),
    ({"recipient": person(birth_year="1980")}, "recipient.birth_year"),
    ({"recipient": person(birth_year=1980.0)}, "recipient.birth_year"),
    ({"recipient": person(birth_year=1850)}, "recipient.birth_year"),
    ({"recipient": person(gender="f")}, "recipient.gender"),
    ({"recipient": person(kind="robot")}, "recipient.kind"),
    ({"recipient": person(nickname="Nhung")}, "recipient.nickname"),
    ({"recipient": person(unit_id="not-a-uuid")}, "recipient.unit_id"),
    ({"recipient": person(birth_date="30/06/1980")}, "recipient.birth_date"),
    ({"recipient": person(women_share=101)}, "recipient.women_share"),
    ({"recipient": person(citizen_id="0" * 21)}, "recipient.citizen_id"),
]


def test_wrong_types_and_unknown_fields_in_a_draft(client, world):
    for change, field in CASES_WRONG_TYPES_AND_UNKNOWN_FIELDS_IN_A_DRAFT:
        with case((change, field)):
            body = nomination_body(world)
            body.update(change)
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    client.post("/api/nominations", json=body, headers=world.h("xd.nom")),
                    422,
                    "validation.invalid",
                )
            assert out["message"].startswith("Dữ liệu không hợp lệ")
            assert field in [f["field"] for f in out["details"]["fields"]], out


def test_missing_required_fields(client, world):
    body = nomination_body(world)
    del body["achievement"], body["period"]
    with nothing_recorded(client, world, *LISTS):
        out = refused(
            client.post("/api/nominations", json=body, headers=world.h("xd.nom")),
            422,
            "validation.invalid",
        )
    fields = {f["field"]: f for f in out["details"]["fields"]}
    assert set(fields) == {"achievement", "period"}
    assert {f["type"] for f in fields.values()} == {"missing"}
    assert "thiếu trường bắt buộc" in out["message"]


CASES_VALUES_THE_DOMAIN_REFUSES_IN_A_DRAFT = [
    {"achievement": "   \n  "},
    {"period": "  "},
    {"award_type": "khen_bua"},
    {"attachments": ["to-trinh.pdf", "   "]},
    {"recipient": person(name="   ")},
    {"recipient": person(citizen_id="12345")},
    {"recipient": person(birth_year=1981, birth_date="1980-02-03")},
    {"recipient": person(org_unit_id="$xd")},  # a person is not a unit
    {"recipient": {"kind": "collective", "name": "Chi hội 5", "birth_year": 1990}},
    {"recipient": {"kind": "household", "org_unit_id": "$xd"}},
]


def test_values_the_domain_refuses_in_a_draft(client, world):
    for change in CASES_VALUES_THE_DOMAIN_REFUSES_IN_A_DRAFT:
        with case(change):
            body = nomination_body(world)
            body.update(copy.deepcopy(change))
            if body["recipient"].get("org_unit_id") == "$xd":
                body["recipient"]["org_unit_id"] = world.u("xd")
            with nothing_recorded(client, world, *LISTS):
                refused(
                    client.post("/api/nominations", json=body, headers=world.h("xd.nom")),
                    422,
                    "validation.invalid",
                )


CASES_MALFORMED_JSON_IS_REFUSED = [
    b"{not json",
    b'{"proposing_unit_id": ',
    b"",
    b"[1, 2, 3]",
    b'"a string"',
    b"null",
]


def test_malformed_json_is_refused(client, world):
    for raw in CASES_MALFORMED_JSON_IS_REFUSED:
        with case(raw):
            headers = {**world.h("xd.nom"), "Content-Type": "application/json"}
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    client.post("/api/nominations", content=raw, headers=headers),
                    422,
                    "validation.invalid",
                )
            assert out["message"].startswith("Dữ liệu không hợp lệ —")
            assert out["details"]["fields"]
            assert all(f["message"] for f in out["details"]["fields"])


def test_malformed_json_on_commands_with_optional_bodies(client, world, flow):
    nid = flow.draft()["id"]
    headers = {**world.h("xd.nom"), "Content-Type": "application/json"}
    for action in ("submit", "withdraw"):
        with nothing_recorded(client, world, *nom_paths(nid)):
            refused(
                client.post(f"/api/nominations/{nid}/{action}", content=b"{oops", headers=headers),
                422,
                "validation.invalid",
            )
        with nothing_recorded(client, world, *nom_paths(nid)):
            refused(
                client.post(
                    f"/api/nominations/{nid}/{action}",
                    json={"expected_version": "1"},
                    headers=world.h("xd.nom"),
                ),
                422,
                "validation.invalid",
            )


def test_proposing_unit_no_longer_active(client, world, flow):
    # The admin dissolves the ward as of 2024-06-01; today (2024-06-30) it cannot nominate.
    ok(
        client.post(
            f"/api/org-units/{world.u('xd')}/dissolve",
            headers=world.h("admin"),
            json={"effective_on": "2024-06-01", "reason": "Sắp xếp đơn vị hành chính"},
        )
    )
    with nothing_recorded(client, world, *LISTS):
        flow.draft(expect=409, code="org_unit.not_active")


# -- editing -----------------------------------------------------------------------------------


def test_edit_after_submission(client, world, flow):
    nom = flow.submitted()
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        out = flow.edit(
            nom["id"],
            achievement="Sửa sau khi đã trình",
            expect=409,
            code="nomination.not_editable",
        )
    assert "Đang xét duyệt" in out["message"]


@pytest.mark.parametrize("state", ["recommended", "rejected", "decided"])
def test_edit_after_the_council_has_ruled(client, world, flow, state):
    nom = flow.nomination_in(state)
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        flow.edit(nom["id"], period="2024", expect=409, code="nomination.not_editable")


def test_edit_with_a_stale_version(client, world, flow):
    nom = flow.draft()
    first = flow.edit(nom["id"], expected_version=nom["version"], achievement="Bản sửa thứ nhất")
    assert first["version"] == nom["version"] + 1
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        out = flow.edit(
            nom["id"],
            expected_version=nom["version"],
            achievement="Bản sửa đè",
            expect=409,
            code="concurrency.stale_version",
        )
    assert out["details"] == {"current": first["version"], "expected": nom["version"]}
    current = flow.nomination(nom["id"], by="xd.nom")
    assert current["achievement"] == "Bản sửa thứ nhất"


def test_edit_by_a_nominator_elsewhere(client, world, flow):
    nom = flow.draft()
    for user, code in (("nt.nom", "auth.outside_scope"), ("xd.chair", "auth.role_required")):
        with nothing_recorded(client, world, *nom_paths(nom["id"])):
            flow.edit(nom["id"], by=user, achievement="Sửa hộ", expect=403, code=code)


def test_edit_to_an_invalid_state(client, world, flow):
    nom = flow.draft()
    patches = [
        ({"award_kind": "tap_the_lao_dong_tien_tien"}, "award_kind.recipient_not_allowed"),
        ({"award_kind": "khong_co"}, "award_kind.unknown"),
        ({"achievement": ""}, "validation.invalid"),
        ({"recipient": person(unit_id=world.u("nt"))}, "auth.outside_scope"),
        ({"recipient": person(unit_id=str(uuid.uuid4()))}, "reference.not_found"),
        ({"proposing_unit_id": world.u("cn1")}, "validation.invalid"),
        ({"status": "recommended"}, "validation.invalid"),
        ({"expected_version": 1.0}, "validation.invalid"),
    ]
    for change, code in patches:
        status = 403 if code.startswith("auth.") else 422
        with nothing_recorded(client, world, *nom_paths(nom["id"])):
            flow.edit(nom["id"], **change, expect=status, code=code)


# -- submitting and withdrawing ----------------------------------------------------------------


def test_submit_twice(client, world, flow):
    nom = flow.submitted()
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        out = flow.submit(nom["id"], expect=409, code="nomination.not_submittable")
    assert out["details"]["status"] == "under_review"


@pytest.mark.parametrize("state", ["forwarded", "recommended", "rejected", "decided", "withdrawn"])
def test_submit_in_other_states(client, world, flow, state):
    nid = flow.nomination_in(state)["id"]
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.submit(nid, expect=409, code="nomination.not_submittable")


def test_submit_with_a_stale_version(client, world, flow):
    nom = flow.draft()
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        flow.submit(
            nom["id"],
            expected_version=nom["version"] + 1,
            expect=409,
            code="concurrency.stale_version",
        )
    flow.submit(nom["id"], expected_version=nom["version"])


CASES_SUBMIT_AND_WITHDRAW_BY_OTHERS = [
    ("nt.nom", "auth.outside_scope"),
    ("xd.member", "auth.role_required"),
    ("btl.appr", "auth.role_required"),
]


def test_submit_and_withdraw_by_others(client, world, flow):
    for user, code in CASES_SUBMIT_AND_WITHDRAW_BY_OTHERS:
        with case((user, code)):
            nid = flow.draft()["id"]
            for action in (flow.submit, flow.withdraw):
                with nothing_recorded(client, world, *nom_paths(nid)):
                    action(nid, by=user, expect=403, code=code)


def test_withdraw_a_decided_nomination(client, world, flow):
    nom = flow.decided()
    with nothing_recorded(client, world, *nom_paths(nom["id"]), "/api/decisions"):
        out = flow.withdraw(
            nom["id"], reason="Không muốn nữa", expect=409, code="nomination.not_withdrawable"
        )
    assert out["details"]["status"] == "decided"


@pytest.mark.parametrize("state", ["recommended", "rejected", "withdrawn"])
def test_withdraw_in_other_final_states(client, world, flow, state):
    nid = flow.nomination_in(state)["id"]
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.withdraw(nid, expect=409, code="nomination.not_withdrawable")


def test_withdraw_with_a_stale_version(client, world, flow):
    nom = flow.submitted()
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        flow.withdraw(
            nom["id"],
            expected_version=nom["version"] - 1,
            reason="Rút",
            expect=409,
            code="concurrency.stale_version",
        )


# -- council review ----------------------------------------------------------------------------


def test_vote_after_the_review_closed(client, world, flow):
    nom = flow.rejected()
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        out = flow.vote(nom["id"], by="xd.chair", expect=409, code="review.not_open")
    assert "Không được đề nghị" in out["message"]


def test_vote_on_a_draft_or_a_recommended_nomination(client, world, flow):
    nid = flow.draft()["id"]
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.vote(nid, by="xd.member", expect=409, code="review.not_open")
    nid = flow.recommended(period="2022")["id"]
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.vote(nid, by="btl.chair", expect=409, code="review.not_open")


CASES_VOTE_BY_SOMEONE_NOT_ON_THAT_UNITS_COUNCIL = [
    "hn.member",
    "hn.chair",
    "btl.chair",
    "xd.nom",
    "nt.nom",
    "tw.appr",
]


def test_vote_by_someone_not_on_that_units_council(client, world, flow):
    for user in CASES_VOTE_BY_SOMEONE_NOT_ON_THAT_UNITS_COUNCIL:
        with case(user):
            nid = flow.submitted()["id"]  # under review at the ward (xd)
            with nothing_recorded(client, world, *nom_paths(nid)):
                flow.vote(nid, by=user, expect=403, code="review.not_council_member")
            with nothing_recorded(client, world, *nom_paths(nid)):
                flow.recuse(nid, by=user, expect=403, code="review.not_council_member")


def test_ward_council_cannot_vote_once_forwarded_to_the_district(client, world, flow):
    nid = flow.forwarded()["id"]
    for user in ("xd.member", "xd.chair"):
        with nothing_recorded(client, world, *nom_paths(nid)):
            flow.vote(nid, by=user, expect=403, code="review.not_council_member")
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.close(
            nid,
            by="xd.chair",
            outcome="rejected",
            reason="Xét lại",
            expect=403,
            code="review.not_chair",
        )


CASES_CLOSE_BY_SOMEONE_WHO_IS_NOT_THE_CHAIR_OF_THAT_COUNCIL = [
    "xd.member",
    "hn.chair",
    "btl.chair",
    "xd.nom",
    "tw.chair",
]


def test_close_by_someone_who_is_not_the_chair_of_that_council(client, world, flow):
    for user in CASES_CLOSE_BY_SOMEONE_WHO_IS_NOT_THE_CHAIR_OF_THAT_COUNCIL:
        with case(user):
            nid = flow.submitted()["id"]
            flow.vote(nid, by="xd.member")
            flow.vote(nid, by="xd.chair")
            with nothing_recorded(client, world, *nom_paths(nid)):
                flow.close(nid, by=user, expect=403, code="review.not_chair")


def test_recommend_without_majority(client, world, flow):
    nid = flow.submitted()["id"]
    # No votes at all.
    with nothing_recorded(client, world, *nom_paths(nid)):
        out = flow.close(nid, by="xd.chair", expect=409, code="review.no_majority")
    assert out["details"] == {"agree": 0, "cast": 0}
    # A tie is not a majority.
    flow.vote(nid, by="xd.member", choice="agree")
    flow.vote(nid, by="xd.chair", choice="disagree")
    with nothing_recorded(client, world, *nom_paths(nid)):
        out = flow.close(nid, by="xd.chair", expect=409, code="review.no_majority")
    assert out["details"] == {"agree": 1, "cast": 2}
    assert "1/2" in out["message"]
    # An abstention counts as cast: still no majority.
    flow.vote(nid, by="xd.chair", choice="abstain")
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.close(nid, by="xd.chair", expect=409, code="review.no_majority")


CASES_REJECT_OR_RETURN_WITHOUT_REASON = [None, "", "   \n\t "]


@pytest.mark.parametrize("outcome", ["rejected", "returned"])
def test_reject_or_return_without_reason(client, world, flow, outcome):
    for reason in CASES_REJECT_OR_RETURN_WITHOUT_REASON:
        with case(reason):
            nid = flow.submitted()["id"]
            flow.vote(nid, by="xd.member", choice="disagree")
            given = {} if reason is None else {"reason": reason}  # no reason, or a blank one
            with nothing_recorded(client, world, *nom_paths(nid)):
                flow.close(
                    nid,
                    by="xd.chair",
                    outcome=outcome,
                    **given,
                    expect=422,
                    code="review.reason_required",
                )


def test_close_with_a_stale_version(client, world, flow):
    nom = flow.submitted()
    flow.vote(nom["id"], by="xd.member")  # the nomination moved on since it was read
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        out = flow.close(
            nom["id"],
            by="xd.chair",
            expected_version=nom["version"],
            expect=409,
            code="concurrency.stale_version",
        )
    assert out["details"]["expected"] == nom["version"]
    assert out["details"]["current"] == nom["version"] + 1


def test_close_twice(client, world, flow):
    nom = flow.rejected()
    with nothing_recorded(client, world, *nom_paths(nom["id"])):
        flow.close(
            nom["id"],
            by="xd.chair",
            outcome="returned",
            reason="Bổ sung hồ sơ",
            expect=409,
            code="review.not_open",
        )


def test_recusal_rules(client, world, flow):
    nid = flow.submitted()["id"]
    flow.vote(nid, by="xd.member")
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.recuse(
            nid, by="xd.member", reason="Người thân", expect=409, code="review.already_voted"
        )
    flow.recuse(nid, by="xd.chair")
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.vote(nid, by="xd.chair", expect=409, code="review.recused")
    with nothing_recorded(client, world, *nom_paths(nid)):
        flow.recuse(nid, by="xd.chair", expect=409, code="review.recused")


CASES_INVALID_BALLOTS = [
    {"vote": "yes"},
    {"vote": "AGREE"},
    {},
    {"vote": "agree", "score": 101},
    {"vote": "agree", "score": -1},
    {"vote": "agree", "score": 9.5},
    {"vote": "agree", "score": "90"},
    {"vote": "agree", "weight": 2},
    {"vote": "agree", "comment": 5},
]


def test_invalid_ballots(client, world, flow):
    for body in CASES_INVALID_BALLOTS:
        with case(body):
            nid = flow.submitted()["id"]
            with nothing_recorded(client, world, *nom_paths(nid)):
                refused(
                    client.post(
                        f"/api/nominations/{nid}/votes", headers=world.h("xd.member"), json=body
                    ),
                    422,
                    "validation.invalid",
                )


CASES_INVALID_CLOSE_REVIEW_BODIES = [
    {"outcome": "approved"},
    {},
    {"outcome": "recommended", "expected_version": "3"},
    {"outcome": "recommended", "forward_to": "hanoi"},
]


def test_invalid_close_review_bodies(client, world, flow):
    for body in CASES_INVALID_CLOSE_REVIEW_BODIES:
        with case(body):
            nid = flow.submitted()["id"]
            flow.vote(nid, by="xd.member")
            with nothing_recorded(client, world, *nom_paths(nid)):
                refused(
                    client.post(
                        f"/api/nominations/{nid}/close-review",
                        headers=world.h("xd.chair"),
                        json=body,
                    ),
                    422,
                    "validation.invalid",
                )


# -- submissions (tờ trình) --------------------------------------------------------------------


def candidate(world, unit: str = "xd", **extra) -> dict:
    body = nomination_body(world, unit, **extra)
    del body["proposing_unit_id"]
    return body


def submission_body(world, candidates: list[dict], unit: str = "xd") -> dict:
    return {
        "proposing_unit_id": world.u(unit),
        "number": "05/TTr-HPN",
        "title": "Tờ trình đề nghị khen thưởng năm 2023",
        "submitted_on": "2024-01-02",
        "candidates": candidates,
    }


def test_submission_is_all_or_nothing(client, world):
    good = candidate(world)
    cases = [
        (candidate(world, award_kind="khong_co"), 422, "award_kind.unknown"),
        (candidate(world, achievement="  "), 422, "validation.invalid"),
        (candidate(world, recipient=person(unit_id=world.u("cn1"))), 403, "auth.outside_scope"),
        (candidate(world, recipient=person(unit_id=str(uuid.uuid4()))), 422, "reference.not_found"),
        (
            candidate(
                world,
                award_kind="lao_dong_tien_tien",
                recipient={"kind": "collective", "org_unit_id": world.u("xd")},
            ),
            422,
            "award_kind.recipient_not_allowed",
        ),
    ]
    for bad, status, code in cases:
        with nothing_recorded(client, world, *LISTS):
            out = refused(
                client.post(
                    "/api/submissions",
                    json=submission_body(world, [good, bad]),
                    headers=world.h("xd.nom"),
                ),
                status,
                code,
            )
        if code == "validation.invalid":
            assert "ứng viên 2" in out["message"]
            assert out["details"]["candidate"] == 2
    listed = ok(client.get("/api/nominations", headers=world.h(READER)))
    assert listed["total"] == 0


def test_submission_scope_and_references(client, world):
    body = submission_body(world, [candidate(world)])
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post("/api/submissions", json=body, headers=world.h("nt.nom")),
            403,
            "auth.outside_scope",
        )
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post("/api/submissions", json=body, headers=world.h("xd.chair")),
            403,
            "auth.role_required",
        )
    ghost = {**body, "proposing_unit_id": str(uuid.uuid4())}
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post("/api/submissions", json=ghost, headers=world.h("xd.nom")),
            422,
            "reference.not_found",
        )


CASES_INVALID_SUBMISSION_BODIES = [
    {"candidates": []},
    {"candidates": None},
    {"candidates": "Nguyễn Thị Hồng Nhung"},
    {"submitted_on": "02/01/2024"},
    {"number": 5},
    {"reviewer": "xd.chair"},
]


def test_invalid_submission_bodies(client, world):
    for change in CASES_INVALID_SUBMISSION_BODIES:
        with case(change):
            body = {**submission_body(world, [candidate(world)]), **change}
            with nothing_recorded(client, world, *LISTS):
                refused(
                    client.post("/api/submissions", json=body, headers=world.h("xd.nom")),
                    422,
                    "validation.invalid",
                )


def test_candidate_with_unknown_field(client, world):
    body = submission_body(
        world, [candidate(world), {**candidate(world), "proposing_unit_id": world.u("xd")}]
    )
    with nothing_recorded(client, world, *LISTS):
        out = refused(
            client.post("/api/submissions", json=body, headers=world.h("xd.nom")),
            422,
            "validation.invalid",
        )
    assert [f["field"] for f in out["details"]["fields"]] == ["candidates.1.proposing_unit_id"]


def test_nominations_of_a_submission_refuse_a_second_submit(client, world, flow):
    filed = ok(
        client.post(
            "/api/submissions",
            json=submission_body(world, [candidate(world), candidate(world, period="2022")]),
            headers=world.h("xd.nom"),
        ),
        201,
    )
    for nid in filed["nomination_ids"]:
        with nothing_recorded(client, world, *nom_paths(nid)):
            flow.submit(nid, expect=409, code="nomination.not_submittable")
        with nothing_recorded(client, world, *nom_paths(nid)):
            flow.edit(nid, period="2021", expect=409, code="nomination.not_editable")


# -- unknown ids in paths ----------------------------------------------------------------------


NOMINATION_CALLS = [
    ("GET", "", None),
    ("GET", "/history", None),
    ("PATCH", "", {"achievement": "Sửa"}),
    ("POST", "/submit", None),
    ("POST", "/withdraw", None),
    ("POST", "/votes", {"vote": "agree"}),
    ("POST", "/recusal", {}),
    ("POST", "/close-review", {"outcome": "recommended"}),
]


def test_unknown_nomination_in_path(client, world):
    for method, suffix, body in NOMINATION_CALLS:
        with case((method, suffix, body)):
            ghost = str(uuid.uuid4())
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    client.request(
                        method,
                        f"/api/nominations/{ghost}{suffix}",
                        json=body,
                        headers=world.h("xd.nom"),
                    ),
                    404,
                    "nomination.not_found",
                )
            assert out["details"]["nomination_id"] == ghost


def test_id_of_another_kind_of_record_is_not_a_nomination(client, world):
    # A submission id, a user id and a unit id are all real aggregates — none is a nomination.
    filed = ok(
        client.post(
            "/api/submissions",
            json=submission_body(world, [candidate(world)]),
            headers=world.h("xd.nom"),
        ),
        201,
    )
    me = ok(client.get("/api/me", headers=world.h("xd.nom")))
    for method, suffix, body in NOMINATION_CALLS:
        for other in (filed["id"], me["id"], world.u("xd")):
            with case((method, suffix, other)), nothing_recorded(client, world, *LISTS):
                refused(
                    client.request(
                        method,
                        f"/api/nominations/{other}{suffix}",
                        json=body,
                        headers=world.h("xd.nom"),
                    ),
                    404,
                    "nomination.not_found",
                )


CASES_MALFORMED_IDS_IN_PATH = ["123", "not-a-uuid", "00000000-0000-0000-0000-00000000000g"]


def test_malformed_ids_in_path(client, world):
    for bad in CASES_MALFORMED_IDS_IN_PATH:
        with case(bad):
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    client.get(f"/api/nominations/{bad}", headers=world.h("xd.nom")),
                    422,
                    "validation.invalid",
                )
            assert out["details"]["fields"][0]["field"] == "nomination_id"
            with nothing_recorded(client, world, *LISTS):
                refused(
                    client.post(f"/api/nominations/{bad}/submit", headers=world.h("xd.nom")),
                    422,
                    "validation.invalid",
                )


def test_unknown_submission_in_path(client, world, flow):
    ghost = str(uuid.uuid4())
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.get(f"/api/submissions/{ghost}", headers=world.h("xd.nom")),
            404,
            "submission.not_found",
        )
    nid = flow.draft()["id"]  # a nomination is not a submission
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.get(f"/api/submissions/{nid}", headers=world.h("xd.nom")),
            404,
            "submission.not_found",
        )


CASES_INVALID_LIST_PARAMETERS = [
    {"limit": 0},
    {"limit": 501},
    {"offset": -1},
    {"min_position": -5},
    {"proposing_unit_id": "xd"},
    {"q": "x" * 201},
]


def test_invalid_list_parameters(client, world):
    for params in CASES_INVALID_LIST_PARAMETERS:
        with case(params):
            refused(
                client.get("/api/nominations", params=params, headers=world.h("xd.nom")),
                422,
                "validation.invalid",
            )
