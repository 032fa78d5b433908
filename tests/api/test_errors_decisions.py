"""Every refusal around award decisions, revocations and ceremonies, through the HTTP API alone.

Each refusal is checked four ways: the HTTP status, the machine ``code``, a non-empty Vietnamese
``message``, and that nothing was recorded (the event-log head, and the resource with its history
or the list it would have joined, are unchanged). Today is 2024-06-30 (the test clock).
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Any

import pytest

from tests.helpers import (
    case,
    cer_paths,
    dec_paths,
    nom_paths,
    nothing_recorded,
    ok,
    person,
    refused,
)

LISTS = ("/api/decisions", "/api/ceremonies", "/api/nominations")
NHUNG = "Nguyễn Thị Hồng Nhung"


# -- helpers -----------------------------------------------------------------------------------
# Nominations come from ``flow`` (tests/workflow.py): ``flow.nomination_in("recommended")`` is a
# Giấy khen of phường Xuân Đỉnh recommended by both councils, waiting for quận Bắc Từ Liêm.


def line(name: str = "Lê Thị Mai", birth_year: int = 1975, **extra: Any) -> dict:
    out: dict[str, Any] = {
        "recipient": {"kind": "individual", "name": name, "birth_year": birth_year},
        "award_kind": "giay_khen_hoi",
        "period": "2023",
        "amount": 300_000,
    }
    out.update(extra)
    return out


def decision_body(world, unit: str = "btl", **extra: Any) -> dict:
    body: dict[str, Any] = {
        "number": "15/QĐ-HPN",
        "decided_on": "2024-01-05",
        "issuer": {"unit_id": world.u(unit)},
        "signer": {"name": "Bùi Thị Trinh", "title": "TM. Ban Thường vụ – Chủ tịch"},
        "lines": [line()],
    }
    body.update(extra)
    return body


def issue(client, world, user: str = "btl.appr", unit: str = "btl", **extra: Any):
    return client.post(
        "/api/decisions", json=decision_body(world, unit, **extra), headers=world.h(user)
    )


def issued(client, world, user: str = "btl.appr", unit: str = "btl", **extra: Any) -> dict:
    return ok(issue(client, world, user, unit, **extra), 201)


def ceremony_body(world, decision_ids: list[str], **extra: Any) -> dict:
    body: dict[str, Any] = {
        "title": "Hội nghị tổng kết năm 2023",
        "held_on": "2024-01-09",
        "place": "Bắc Từ Liêm",
        "host_unit_id": world.u("btl"),
        "decision_ids": decision_ids,
    }
    body.update(extra)
    return body


def planned(client, world, decision_ids: list[str], **extra: Any) -> dict:
    return ok(
        client.post(
            "/api/ceremonies",
            json=ceremony_body(world, decision_ids, **extra),
            headers=world.h("btl.appr"),
        ),
        201,
    )


def revoke(client, world, did: str, line_no: int | None = None, user: str = "btl.appr", **extra):
    body = {"revoked_on": "2024-03-01", "ground": "b", "reason": "Hồ sơ không trung thực"}
    body.update(extra)
    path = (
        f"/api/decisions/{did}/revoke"
        if line_no is None
        else f"/api/decisions/{did}/lines/{line_no}/revoke"
    )
    return client.post(path, json=body, headers=world.h(user))


# -- decisions and nominations -----------------------------------------------------------------


@pytest.mark.parametrize(
    "state", ["draft", "under_review", "forwarded", "returned", "rejected", "withdrawn"]
)
def test_decision_including_a_nomination_not_yet_recommended(client, world, flow, state):
    nid = flow.nomination_in(state)["id"]
    lines = [line(), {"nomination_id": nid, "amount": 300_000}]
    with nothing_recorded(client, world, *LISTS, *nom_paths(nid)):
        out = refused(issue(client, world, lines=lines), 409, "nomination.not_decidable")
    assert out["details"]["nomination_id"] == nid
    assert out["details"]["status"] == state.replace("forwarded", "under_review")
    # All or nothing: the number and the first line's achievement were not taken.
    assert issued(client, world, lines=[line()])["number"] == "15/QĐ-HPN"


def test_nomination_decided_twice(client, world, flow):
    nid = flow.nomination_in("recommended")["id"]
    issued(client, world, lines=[{"nomination_id": nid}])
    with nothing_recorded(client, world, *LISTS, *nom_paths(nid)):
        refused(
            issue(client, world, number="16/QĐ-HPN", lines=[{"nomination_id": nid}]),
            409,
            "nomination.already_decided",
        )


def test_nomination_decided_at_another_unit(client, world, flow):
    # Recommended to the district (it decides Giấy khen); the city office may not take it.
    nid = flow.nomination_in("recommended")["id"]
    with nothing_recorded(client, world, *LISTS, *nom_paths(nid)):
        refused(
            issue(client, world, "hn.appr", "hanoi", lines=[{"nomination_id": nid}]),
            409,
            "nomination.wrong_deciding_unit",
        )


CASES_LINE_THAT_CONTRADICTS_ITS_NOMINATION = [
    {"award_kind": "lao_dong_tien_tien"},
    {"period": "2022"},
    {"recipient": person(name="Lê Thị Mai")},
]


def test_line_that_contradicts_its_nomination(client, world, flow):
    for override in CASES_LINE_THAT_CONTRADICTS_ITS_NOMINATION:
        with case(override):
            nid = flow.nomination_in("recommended")["id"]
            with nothing_recorded(client, world, *LISTS, *nom_paths(nid)):
                refused(
                    issue(client, world, lines=[{"nomination_id": nid, **override}]),
                    422,
                    "nomination.mismatch",
                )


def test_same_nomination_twice_in_one_decision(client, world, flow):
    nid = flow.nomination_in("recommended")["id"]
    lines = [{"nomination_id": nid}, {"nomination_id": nid}]
    with nothing_recorded(client, world, *LISTS, *nom_paths(nid)):
        refused(issue(client, world, lines=lines), 422, "validation.invalid")


# -- decision numbers --------------------------------------------------------------------------


CASES_DECISION_NUMBER_REUSED_BY_THE_SAME_ISSUER_IN_THE_SAME_YEAR = [
    "15/QĐ-HPN",
    "15 / QĐ - HPN",
    "15/QD-HPN",
    "15/qđ-hpn",
]


def test_decision_number_reused_by_the_same_issuer_in_the_same_year(client, world):
    first = issued(client, world)
    for number in CASES_DECISION_NUMBER_REUSED_BY_THE_SAME_ISSUER_IN_THE_SAME_YEAR:
        with case(number):
            with nothing_recorded(client, world, *LISTS, *dec_paths(first["id"])):
                out = refused(
                    issue(
                        client,
                        world,
                        number=number,
                        decided_on="2024-06-01",
                        lines=[line("Trần Thị Lan", 1982)],
                    ),
                    409,
                    "decision.number_taken",
                )
            assert out["details"]["year"] == 2024
            assert "Hội LHPN quận Bắc Từ Liêm" in out["message"]


def test_same_number_allowed_for_another_issuer_or_another_year(client, world):
    issued(client, world)
    other_issuer = issued(client, world, "hn.appr", "hanoi", lines=[line("Trần Thị Lan", 1982)])
    assert other_issuer["number"] == "15/QĐ-HPN"
    other_year = issued(client, world, decided_on="2023-01-05", lines=[line(period="2022")])
    assert other_year["number"] == "15/QĐ-HPN"
    outside = issued(
        client,
        world,
        issuer={"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
        recorded_by_unit_id=world.u("btl"),
        lines=[line("Phạm Thị Hoa", 1990, award_kind="giay_khen_ubnd_huyen")],
    )
    assert outside["external"] is True
    # The outside body's own numbers are unique too, whatever the spelling of its name.
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(
                client,
                world,
                issuer={"body": "government", "level": "district", "name": "ubnd quan bac tu liem"},
                recorded_by_unit_id=world.u("btl"),
                lines=[line("Vũ Thị Thu", 1991, award_kind="giay_khen_ubnd_huyen")],
            ),
            409,
            "decision.number_taken",
        )


def test_decision_number_not_reusable_after_revocation(client, world):
    first = issued(client, world)
    ok(revoke(client, world, first["id"]))
    with nothing_recorded(client, world, *LISTS, *dec_paths(first["id"])):
        refused(issue(client, world, decided_on="2024-04-01"), 409, "decision.number_taken")
    # The revoked award itself may be decided again, under a new number.
    assert (
        issued(client, world, number="30/QĐ-HPN", decided_on="2024-04-01")["status"] == "in_force"
    )


# -- one achievement, one award ----------------------------------------------------------------


CASES_SAME_ACHIEVEMENT_AWARDED_TWICE = [
    NHUNG,
    "Nguyen Thi Hong Nhung",
    "NGUYỄN THỊ HỒNG NHUNG",
    unicodedata.normalize("NFD", NHUNG),
    "  Nguyễn  Thị Hồng   Nhung ",
]


def test_same_achievement_awarded_twice(client, world):
    first = issued(client, world, lines=[line(NHUNG, 1980)])
    for name in CASES_SAME_ACHIEVEMENT_AWARDED_TWICE:
        with case(name):
            with nothing_recorded(client, world, *LISTS, *dec_paths(first["id"])):
                out = refused(
                    issue(
                        client,
                        world,
                        number="16/QĐ-HPN",
                        decided_on="2024-02-01",
                        lines=[line(name, 1980)],
                    ),
                    409,
                    "award.achievement_already_awarded",
                )
            assert out["details"]["decision_number"] == "15/QĐ-HPN"
            assert out["details"]["decision_id"] == first["id"]
            assert NHUNG in out["message"]


def test_same_achievement_refused_whoever_issues_it(client, world):
    issued(client, world, lines=[line(NHUNG, 1980)])
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(client, world, "hn.appr", "hanoi", lines=[line("Nguyen Thi Hong Nhung", 1980)]),
            409,
            "award.achievement_already_awarded",
        )
    # Another period, another person (born another year) or another kind is another achievement.
    issued(client, world, "hn.appr", "hanoi", lines=[line(NHUNG, 1980, period="2022")])
    issued(client, world, number="17/QĐ-HPN", lines=[line(NHUNG, 1981)])
    issued(
        client,
        world,
        number="18/QĐ-HPN",
        lines=[line(NHUNG, 1980, award_kind="lao_dong_tien_tien")],
    )


def test_collective_achievement_awarded_twice(client, world):
    cn1 = {"kind": "collective", "org_unit_id": world.u("cn1")}
    issued(client, world, lines=[line(recipient=cn1, amount=500_000)])
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(
                client,
                world,
                number="16/QĐ-HPN",
                lines=[line(recipient={**cn1, "name": "Hội LHPN phường Cổ Nhuế 1 (mới)"})],
            ),
            409,
            "award.achievement_already_awarded",
        )


def test_achievement_may_be_awarded_again_after_revocation(client, world):
    first = issued(client, world, lines=[line(NHUNG, 1980), line()])
    ok(revoke(client, world, first["id"], 1))
    again = issued(
        client,
        world,
        number="16/QĐ-HPN",
        decided_on="2024-04-01",
        lines=[line("Nguyen Thi Hong Nhung", 1980)],
    )
    assert again["status"] == "in_force"
    # …but the line that was not revoked still holds its achievement.
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(client, world, number="17/QĐ-HPN", decided_on="2024-04-02", lines=[line()]),
            409,
            "award.achievement_already_awarded",
        )


def test_duplicate_lines_in_one_decision(client, world):
    lines = [line(NHUNG, 1980), line(), line("Nguyen Thi Hong Nhung", 1980, amount=None)]
    with nothing_recorded(client, world, *LISTS):
        out = refused(issue(client, world, lines=lines), 422, "decision.duplicate_line")
    assert out["details"] == {"line_no": 3, "other_line_no": 1}


# -- once per lifetime: Kỷ niệm chương ---------------------------------------------------------


def knc(name: str = NHUNG, birth_year: int = 1970, period: str = "2023", **extra) -> dict:
    return line(
        name, birth_year, award_kind="ky_niem_chuong_phu_nu", period=period, amount=None, **extra
    )


def test_ky_niem_chuong_given_twice_in_different_years(client, world):
    first = issued(
        client,
        world,
        "tw.appr",
        "root",
        number="120/QĐ-ĐCT",
        decided_on="2023-03-08",
        lines=[knc()],
    )
    for name in (NHUNG, "Nguyen Thi Hong Nhung"):
        with nothing_recorded(client, world, *LISTS, *dec_paths(first["id"])):
            out = refused(
                issue(
                    client,
                    world,
                    "tw.appr",
                    "root",
                    number="95/QĐ-ĐCT",
                    decided_on="2024-03-08",
                    lines=[knc(name, period="2024", achievement="Nhiều năm cống hiến")],
                ),
                409,
                "award.already_received",
            )
        assert out["details"]["decision_number"] == "120/QĐ-ĐCT"
        assert "Kỷ niệm chương" in out["message"]
    # Another person is fine.
    issued(
        client,
        world,
        "tw.appr",
        "root",
        number="95/QĐ-ĐCT",
        decided_on="2024-03-08",
        lines=[knc("Lê Thị Mai", 1968, period="2024")],
    )


def test_ky_niem_chuong_twice_in_one_decision(client, world):
    lines = [knc(), knc("Nguyen Thi Hong Nhung", period="2024")]
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(client, world, "tw.appr", "root", number="120/QĐ-ĐCT", lines=lines),
            422,
            "decision.duplicate_line",
        )


CASES_KY_NIEM_CHUONG_ONLY_DECIDED_CENTRALLY = [("btl.appr", "btl"), ("hn.appr", "hanoi")]


def test_ky_niem_chuong_only_decided_centrally(client, world):
    for user, unit in CASES_KY_NIEM_CHUONG_ONLY_DECIDED_CENTRALLY:
        with case((user, unit)):
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    issue(client, world, user, unit, lines=[knc()]),
                    409,
                    "award_kind.above_authority",
                )
            assert out["details"]["award_kind"] == "ky_niem_chuong_phu_nu"


def test_ky_niem_chuong_is_for_individuals(client, world):
    lines = [knc(recipient={"kind": "collective", "org_unit_id": world.u("hanoi")})]
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(client, world, "tw.appr", "root", lines=lines),
            422,
            "award_kind.recipient_not_allowed",
        )


# -- authority, recipients, issuers ------------------------------------------------------------


CASES_ISSUER_ABOVE_ITS_AUTHORITY = [
    ("btl.appr", "btl", "bang_khen_tw_hoi"),
    ("hn.appr", "hanoi", "bang_khen_tw_hoi"),
    ("btl.appr", "btl", "bang_khen_hoi_tinh"),
    ("btl.appr", "btl", "co_thi_dua_hoi"),
    ("btl.appr", "btl", "giay_khen_ubnd_huyen"),  # a state form: the UBND decides it
    ("tw.appr", "root", "giay_khen_hoi"),
]


def test_issuer_above_its_authority(client, world):
    for user, unit, kind in CASES_ISSUER_ABOVE_ITS_AUTHORITY:
        with case((user, unit, kind)):
            recipient = {"kind": "collective", "org_unit_id": world.u("xd")}
            # Line 1: a kind every Union level from the district up decides; line 2: out of reach.
            lines = [
                line(award_kind="chien_si_thi_dua_co_so"),
                line(award_kind=kind, recipient=recipient),
            ]
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    issue(client, world, user, unit, lines=lines), 409, "award_kind.above_authority"
                )
            assert out["details"]["line_no"] == 2


def test_outside_body_above_its_authority(client, world):
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(
                client,
                world,
                issuer={"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
                recorded_by_unit_id=world.u("btl"),
                lines=[line(award_kind="bang_khen_ubnd_tinh")],
            ),
            409,
            "award_kind.above_authority",
        )


CASES_COLLECTIVE_RECEIVING_AN_INDIVIDUAL_ONLY_KIND = [
    "lao_dong_tien_tien",
    "chien_si_thi_dua_co_so",
]


def test_collective_receiving_an_individual_only_kind(client, world):
    for kind in CASES_COLLECTIVE_RECEIVING_AN_INDIVIDUAL_ONLY_KIND:
        with case(kind):
            lines = [
                line(
                    award_kind=kind, recipient={"kind": "collective", "org_unit_id": world.u("cn1")}
                )
            ]
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    issue(client, world, lines=lines), 422, "award_kind.recipient_not_allowed"
                )
            assert "tập thể" in out["message"]


def test_individual_receiving_a_collective_only_kind(client, world):
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(client, world, lines=[line(award_kind="tap_the_lao_dong_tien_tien")]),
            422,
            "award_kind.recipient_not_allowed",
        )


def test_unknown_award_kind_in_a_line(client, world):
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(client, world, lines=[line(award_kind="bang_khen_vu_tru")]),
            422,
            "award_kind.unknown",
        )
    with nothing_recorded(client, world, *LISTS):
        refused(issue(client, world, lines=[line(award_kind=None)]), 422, "award_kind.unknown")


def test_issuer_unit_not_active_on_the_decision_date(client, world):
    # The district Union of Bắc Từ Liêm was established on 2014-04-01.
    with nothing_recorded(client, world, *LISTS):
        refused(issue(client, world, decided_on="2010-01-05"), 409, "org_unit.not_active")


CASES_ISSUING_NEEDS_THE_APPROVER_ROLE_FOR_THAT_UNIT = [
    ("xd.nom", "btl", 403, "auth.role_required"),
    ("btl.chair", "btl", 403, "auth.role_required"),
    ("btl.appr", "hanoi", 403, "auth.outside_scope"),
    ("hn.appr", "backan", 403, "auth.outside_scope"),
]


def test_issuing_needs_the_approver_role_for_that_unit(client, world):
    for user, unit, status, code in CASES_ISSUING_NEEDS_THE_APPROVER_ROLE_FOR_THAT_UNIT:
        with case((user, unit, status, code)), nothing_recorded(client, world, *LISTS):
            refused(issue(client, world, user, unit), status, code)


def test_outside_decision_needs_a_recording_unit(client, world):
    outside = {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"}
    lines = [line(award_kind="giay_khen_ubnd_huyen")]
    with nothing_recorded(client, world, *LISTS):
        refused(issue(client, world, issuer=outside, lines=lines), 422, "validation.invalid")
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(
                client,
                world,
                issuer={**outside, "name": "  "},
                recorded_by_unit_id=world.u("btl"),
                lines=lines,
            ),
            422,
            "validation.invalid",
        )
    with nothing_recorded(client, world, *LISTS):
        refused(
            issue(
                client,
                world,
                "btl.appr",
                issuer=outside,
                recorded_by_unit_id=world.u("hanoi"),
                lines=lines,
            ),
            403,
            "auth.outside_scope",
        )


# -- money and dates ---------------------------------------------------------------------------


CASES_AMOUNT_MUST_BE_A_NON_NEGATIVE_INTEGER_OF_DONG = [
    -1,
    -300_000,
    1.5,
    300_000.0,
    "300000",
    "300.000 đ",
    True,
    [300_000],
    10**13 + 1,
]


def test_amount_must_be_a_non_negative_integer_of_dong(client, world):
    for amount in CASES_AMOUNT_MUST_BE_A_NON_NEGATIVE_INTEGER_OF_DONG:
        with case(amount):
            lines = [line(), line("Trần Thị Lan", 1982, amount=amount)]
            with nothing_recorded(client, world, *LISTS):
                out = refused(issue(client, world, lines=lines), 422, "validation.invalid")
            assert [f["field"] for f in out["details"]["fields"]] == ["lines.1.amount"]


CASES_DECIDED_ON_IN_THE_FUTURE = ["2024-07-01", "2025-01-01", "2099-12-31"]


def test_decided_on_in_the_future(client, world):
    for decided_on in CASES_DECIDED_ON_IN_THE_FUTURE:
        with case(decided_on):
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    issue(client, world, decided_on=decided_on), 422, "validation.invalid"
                )
            assert "ngày quyết định" in out["message"]
    # Today itself is fine.
    assert issued(client, world, decided_on="2024-06-30")["decided_on"] == "2024-06-30"


CASES_DECIDED_ON_MUST_BE_A_DATE = [
    "2024-13-01",
    "2024-02-30",
    "05/01/2024",
    "",
    None,
    20240105,
    "2024-01-05T10:30:00",
]


def test_decided_on_must_be_a_date(client, world):
    for decided_on in CASES_DECIDED_ON_MUST_BE_A_DATE:
        with case(decided_on):
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    issue(client, world, decided_on=decided_on), 422, "validation.invalid"
                )
            assert [f["field"] for f in out["details"]["fields"]] == ["decided_on"]


# -- shapes of the decision body ---------------------------------------------------------------


CASES_MALFORMED_DECISION_BODIES = [
    ({"number": 15}, "number"),
    ({"number": "x" * 61}, "number"),
    ({"lines": []}, "lines"),
    ({"lines": {"recipient": "Lê Thị Mai"}}, "lines"),
    ({"issuer": "Hội LHPN quận Bắc Từ Liêm"}, "issuer"),
    ({"issuer": {"unit_id": "btl"}}, "issuer.unit_id"),
    ({"issuer": {"body": "company", "level": "district", "name": "Công ty X"}}, "issuer.body"),
    ({"issuer": {"body": "government", "level": "planet", "name": "UBND"}}, "issuer.level"),
    ({"issuer": {"unit_id": None, "seal": "đỏ"}}, "issuer.seal"),
    ({"signer": {"name": 5}}, "signer.name"),
    ({"signer": {"name": "Bùi Thị Trinh", "phone": "0912"}}, "signer.phone"),
    ({"approved": True}, "approved"),
    ({"lines": [{**line(), "bonus": 1}]}, "lines.0.bonus"),
    ({"lines": [{**line(), "nomination_id": "n-1"}]}, "lines.0.nomination_id"),
    (
        {"lines": [line(recipient={"kind": "individual", "name": "A", "age": 40})]},
        "lines.0.recipient.age",
    ),
]


def test_malformed_decision_bodies(client, world):
    for change, field in CASES_MALFORMED_DECISION_BODIES:
        with case((change, field)):
            with nothing_recorded(client, world, *LISTS):
                out = refused(issue(client, world, **change), 422, "validation.invalid")
            assert field in [f["field"] for f in out["details"]["fields"]], out


CASES_LINES_THE_DOMAIN_REFUSES = [
    {"award_kind": "giay_khen_hoi", "period": "2023"},  # nobody
    line(recipient={"kind": "individual", "name": "  "}),
    line(period="   "),
    line(recipient={"kind": "individual", "name": "Lê Thị Mai", "citizen_id": "12-34"}),
    line(recipient={"kind": "collective", "name": "Chi hội 3", "gender": "female"}),
]


def test_lines_the_domain_refuses(client, world):
    for bad_line in CASES_LINES_THE_DOMAIN_REFUSES:
        with case(bad_line):
            with nothing_recorded(client, world, *LISTS):
                out = refused(
                    issue(client, world, lines=[line(), bad_line]), 422, "validation.invalid"
                )
            assert "dòng 2" in out["message"]
            assert out["details"]["line_no"] == 2


CASES_DECISION_NEEDS_A_NUMBER = ["", "   "]


def test_decision_needs_a_number(client, world):
    for number in CASES_DECISION_NEEDS_A_NUMBER:
        with case(number), nothing_recorded(client, world, *LISTS):
            refused(issue(client, world, number=number), 422, "validation.invalid")


CASES_MALFORMED_JSON_FOR_DECISIONS_AND_CEREMONIES = [
    b"{",
    b"not json at all",
    '{"number": "1/QĐ",}'.encode(),
    b"[]",
]


def test_malformed_json_for_decisions_and_ceremonies(client, world):
    for raw in CASES_MALFORMED_JSON_FOR_DECISIONS_AND_CEREMONIES:
        with case(raw):
            headers = {**world.h("btl.appr"), "Content-Type": "application/json"}
            for path in ("/api/decisions", "/api/ceremonies"):
                with nothing_recorded(client, world, *LISTS):
                    out = refused(
                        client.post(path, content=raw, headers=headers), 422, "validation.invalid"
                    )
                assert out["message"].startswith("Dữ liệu không hợp lệ —")


# -- unknown references in bodies --------------------------------------------------------------


def test_unknown_ids_in_a_decision_body(client, world):
    ghost = str(uuid.uuid4())
    bodies = [
        {"issuer": {"unit_id": ghost}},
        {
            "issuer": {"body": "government", "level": "district", "name": "UBND quận Bắc Từ Liêm"},
            "recorded_by_unit_id": ghost,
            "lines": [line(award_kind="giay_khen_ubnd_huyen")],
        },
        {"lines": [line(recipient={"kind": "collective", "org_unit_id": ghost})]},
        {"lines": [line(recipient={"kind": "individual", "name": NHUNG, "unit_id": ghost})]},
        {"lines": [line(), {"nomination_id": ghost}]},
    ]
    for change in bodies:
        with nothing_recorded(client, world, *LISTS):
            out = refused(issue(client, world, **change), 422, "reference.not_found")
        assert out["details"]["ref"] == ghost


def test_a_decision_id_is_not_a_nomination(client, world):
    first = issued(client, world)
    with nothing_recorded(client, world, *LISTS, *dec_paths(first["id"])):
        refused(
            issue(client, world, number="16/QĐ-HPN", lines=[{"nomination_id": first["id"]}]),
            422,
            "reference.not_found",
        )


# -- revocation --------------------------------------------------------------------------------


def test_revoke_twice(client, world):
    dec = issued(client, world, lines=[line(), line(NHUNG, 1980)])
    ok(revoke(client, world, dec["id"], 1))
    with nothing_recorded(client, world, *dec_paths(dec["id"])):
        out = refused(
            revoke(client, world, dec["id"], 1, revoked_on="2024-03-02"),
            409,
            "decision.already_revoked",
        )
    assert "2024-03-01" in out["message"]
    ok(revoke(client, world, dec["id"], revoked_on="2024-04-01"))
    with nothing_recorded(client, world, *dec_paths(dec["id"])):
        refused(
            revoke(client, world, dec["id"], revoked_on="2024-04-02"),
            409,
            "decision.already_revoked",
        )
    for line_no in (1, 2):
        with nothing_recorded(client, world, *dec_paths(dec["id"])):
            refused(revoke(client, world, dec["id"], line_no), 409, "decision.already_revoked")


def test_revoke_a_decision_whose_lines_are_all_revoked(client, world):
    dec = issued(client, world, lines=[line(), line(NHUNG, 1980)])
    ok(revoke(client, world, dec["id"], 1))
    done = ok(revoke(client, world, dec["id"], 2, revoked_on="2024-03-05"))
    assert done["status"] == "revoked"
    with nothing_recorded(client, world, *dec_paths(dec["id"])):
        refused(
            revoke(client, world, dec["id"], revoked_on="2024-04-01"),
            409,
            "decision.already_revoked",
        )


@pytest.mark.parametrize("line_no", [None, 1])
def test_revocation_date_before_the_decision_date(client, world, line_no):
    dec = issued(client, world)  # decided on 2024-01-05
    with nothing_recorded(client, world, *dec_paths(dec["id"])):
        out = refused(
            revoke(client, world, dec["id"], line_no, revoked_on="2024-01-04"),
            422,
            "decision.revocation_date_invalid",
        )
    assert "2024-01-05" in out["message"]
    # The decision date itself is fine.
    assert (
        ok(revoke(client, world, dec["id"], line_no, revoked_on="2024-01-05"))["status"]
        == "revoked"
    )


CASES_INVALID_REVOCATIONS = [
    {"reason": ""},
    {"reason": "   "},
    {"reason": None},
    {"ground": "e"},
    {"ground": None},
    {"revoked_on": "01/03/2024"},
    {"revoked_on": None},
    {"note": "thêm"},
]


def test_invalid_revocations(client, world):
    dec = issued(client, world)
    for change in CASES_INVALID_REVOCATIONS:
        with case(change):
            for line_no in (None, 1):
                with nothing_recorded(client, world, *dec_paths(dec["id"])):
                    refused(
                        revoke(client, world, dec["id"], line_no, **change),
                        422,
                        "validation.invalid",
                    )


def test_revoke_an_unknown_line(client, world):
    dec = issued(client, world, lines=[line(), line(NHUNG, 1980)])
    with nothing_recorded(client, world, *dec_paths(dec["id"])):
        out = refused(revoke(client, world, dec["id"], 3), 404, "decision.line_not_found")
    assert out["details"]["line_no"] == 3
    for bad in ("0", "-1", "abc", "1.5"):
        with nothing_recorded(client, world, *dec_paths(dec["id"])):
            refused(
                client.post(
                    f"/api/decisions/{dec['id']}/lines/{bad}/revoke",
                    json={"revoked_on": "2024-03-01", "ground": "b", "reason": "x"},
                    headers=world.h("btl.appr"),
                ),
                422,
                "validation.invalid",
            )


CASES_REVOKE_BY_SOMEONE_WITHOUT_AUTHORITY = [
    ("xd.nom", "auth.role_required"),
    ("btl.chair", "auth.role_required"),
    ("btl.appr", "auth.outside_scope"),
]


def test_revoke_by_someone_without_authority(client, world):
    dec = issued(client, world, "hn.appr", "hanoi")
    for user, code in CASES_REVOKE_BY_SOMEONE_WITHOUT_AUTHORITY:
        with case((user, code)):
            for line_no in (None, 1):
                with nothing_recorded(client, world, *dec_paths(dec["id"])):
                    refused(revoke(client, world, dec["id"], line_no, user=user), 403, code)


def test_revoking_a_decided_nomination_keeps_it_linked(client, world, flow):
    # A refused revocation must not touch the nomination either.
    nid = flow.nomination_in("recommended")["id"]
    dec = issued(client, world, lines=[{"nomination_id": nid}])
    with nothing_recorded(client, world, *dec_paths(dec["id"]), *nom_paths(nid)):
        refused(
            revoke(client, world, dec["id"], 1, revoked_on="2023-12-31"),
            422,
            "decision.revocation_date_invalid",
        )
    ok(revoke(client, world, dec["id"], 1))
    with nothing_recorded(client, world, *dec_paths(dec["id"]), *nom_paths(nid)):
        refused(revoke(client, world, dec["id"]), 409, "decision.already_revoked")
    assert flow.nomination(nid, by="xd.nom")["status"] == "revoked"


# -- unknown ids in paths ----------------------------------------------------------------------


REVOKE = {"revoked_on": "2024-03-01", "ground": "b", "reason": "Hồ sơ không trung thực"}


CASES_UNKNOWN_DECISION_IN_PATH = [
    ("GET", "", None),
    ("GET", "/history", None),
    ("POST", "/revoke", REVOKE),
    ("POST", "/lines/1/revoke", REVOKE),
]


def test_unknown_decision_in_path(client, world, flow):
    for method, suffix, body in CASES_UNKNOWN_DECISION_IN_PATH:
        with case((method, suffix, body)):
            nid = flow.draft()["id"]  # a real aggregate, but not a decision
            for ghost in (str(uuid.uuid4()), nid):
                with nothing_recorded(client, world, *LISTS):
                    out = refused(
                        client.request(
                            method,
                            f"/api/decisions/{ghost}{suffix}",
                            json=body,
                            headers=world.h("btl.appr"),
                        ),
                        404,
                        "decision.not_found",
                    )
                assert out["details"]["decision_id"] == ghost


CASES_UNKNOWN_CEREMONY_IN_PATH = [
    ("GET", "", None),
    ("GET", "/history", None),
    ("PATCH", "", {"title": "Hội nghị"}),
    ("POST", "/decisions", {"decision_id": "$decision"}),
    ("DELETE", "/decisions/$decision", None),
]


def test_unknown_ceremony_in_path(client, world):
    dec = issued(client, world)
    for method, suffix, body in CASES_UNKNOWN_CEREMONY_IN_PATH:
        with case((method, suffix, body)):
            suffix = suffix.replace("$decision", dec["id"])
            if body and body.get("decision_id") == "$decision":
                body = {"decision_id": dec["id"]}
            for ghost in (str(uuid.uuid4()), dec["id"]):
                with nothing_recorded(client, world, *LISTS):
                    out = refused(
                        client.request(
                            method,
                            f"/api/ceremonies/{ghost}{suffix}",
                            json=body,
                            headers=world.h("btl.appr"),
                        ),
                        404,
                        "ceremony.not_found",
                    )
                assert out["details"]["ceremony_id"] == ghost


def test_removing_an_unknown_decision_from_a_ceremony(client, world):
    dec = issued(client, world)
    cer = planned(client, world, [dec["id"]])
    ghost = str(uuid.uuid4())
    with nothing_recorded(client, world, *cer_paths(cer["id"])):
        refused(
            client.delete(
                f"/api/ceremonies/{cer['id']}/decisions/{ghost}", headers=world.h("btl.appr")
            ),
            404,
            "decision.not_found",
        )


CASES_MALFORMED_IDS_IN_DECISION_PATHS = [
    "/api/decisions/15",
    "/api/ceremonies/abc/history",
    "/api/decisions/x/revoke",
]


def test_malformed_ids_in_decision_paths(client, world):
    for path in CASES_MALFORMED_IDS_IN_DECISION_PATHS:
        with case(path):
            method = "POST" if path.endswith("revoke") else "GET"
            with nothing_recorded(client, world, *LISTS):
                refused(
                    client.request(method, path, json=REVOKE, headers=world.h("btl.appr")),
                    422,
                    "validation.invalid",
                )


# -- ceremonies --------------------------------------------------------------------------------


def test_ceremony_adding_the_same_decision_twice(client, world):
    dec = issued(client, world)
    cer = planned(client, world, [dec["id"]])
    with nothing_recorded(client, world, *cer_paths(cer["id"])):
        out = refused(
            client.post(
                f"/api/ceremonies/{cer['id']}/decisions",
                json={"decision_id": dec["id"]},
                headers=world.h("btl.appr"),
            ),
            409,
            "ceremony.decision_already_listed",
        )
    assert "15/QĐ-HPN" in out["message"]


def test_ceremony_planned_with_a_decision_listed_twice(client, world):
    dec = issued(client, world)
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/ceremonies",
                json=ceremony_body(world, [dec["id"], dec["id"]]),
                headers=world.h("btl.appr"),
            ),
            409,
            "ceremony.decision_already_listed",
        )


def test_ceremony_removing_a_decision_not_listed(client, world):
    listed = issued(client, world)
    other = issued(client, world, number="16/QĐ-HPN", lines=[line(NHUNG, 1980)])
    cer = planned(client, world, [listed["id"]])
    with nothing_recorded(client, world, *cer_paths(cer["id"])):
        refused(
            client.delete(
                f"/api/ceremonies/{cer['id']}/decisions/{other['id']}", headers=world.h("btl.appr")
            ),
            409,
            "ceremony.decision_not_listed",
        )
    ok(
        client.delete(
            f"/api/ceremonies/{cer['id']}/decisions/{listed['id']}", headers=world.h("btl.appr")
        )
    )
    with nothing_recorded(client, world, *cer_paths(cer["id"])):
        refused(
            client.delete(
                f"/api/ceremonies/{cer['id']}/decisions/{listed['id']}", headers=world.h("btl.appr")
            ),
            409,
            "ceremony.decision_not_listed",
        )


def test_ceremony_with_a_stale_version(client, world):
    dec = issued(client, world)
    cer = planned(client, world, [])
    ok(
        client.patch(
            f"/api/ceremonies/{cer['id']}",
            json={"place": "Hội trường quận"},
            headers=world.h("btl.appr"),
        )
    )
    with nothing_recorded(client, world, *cer_paths(cer["id"])):
        refused(
            client.patch(
                f"/api/ceremonies/{cer['id']}",
                json={"expected_version": cer["version"], "title": "Tên mới"},
                headers=world.h("btl.appr"),
            ),
            409,
            "concurrency.stale_version",
        )
    with nothing_recorded(client, world, *cer_paths(cer["id"])):
        refused(
            client.post(
                f"/api/ceremonies/{cer['id']}/decisions",
                json={"decision_id": dec["id"], "expected_version": cer["version"]},
                headers=world.h("btl.appr"),
            ),
            409,
            "concurrency.stale_version",
        )


def test_ceremony_unknown_references_in_bodies(client, world, flow):
    ghost = str(uuid.uuid4())
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/ceremonies", json=ceremony_body(world, [ghost]), headers=world.h("btl.appr")
            ),
            422,
            "reference.not_found",
        )
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/ceremonies",
                json=ceremony_body(world, [], host_unit_id=ghost),
                headers=world.h("btl.appr"),
            ),
            422,
            "reference.not_found",
        )
    cer = planned(client, world, [])
    nid = flow.draft()["id"]  # a nomination id is not a decision
    for ref in (ghost, nid):
        with nothing_recorded(client, world, *cer_paths(cer["id"])):
            out = refused(
                client.post(
                    f"/api/ceremonies/{cer['id']}/decisions",
                    json={"decision_id": ref},
                    headers=world.h("btl.appr"),
                ),
                422,
                "reference.not_found",
            )
        assert out["details"]["ref"] == ref


@pytest.mark.parametrize(
    ("user", "code"),
    [
        ("xd.nom", "auth.role_required"),
        ("btl.chair", "auth.role_required"),
        ("btl.appr", "auth.outside_scope"),
    ],
)
def test_ceremony_needs_the_approver_role_for_the_host(client, world, user, code):
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/ceremonies",
                json=ceremony_body(world, [], host_unit_id=world.u("hanoi")),
                headers=world.h(user),
            ),
            403,
            code,
        )
    cer = ok(
        client.post(
            "/api/ceremonies",
            json=ceremony_body(world, [], host_unit_id=world.u("hanoi")),
            headers=world.h("hn.appr"),
        ),
        201,
    )
    dec = issued(client, world, "hn.appr", "hanoi")
    calls = [
        ("PATCH", f"/api/ceremonies/{cer['id']}", {"title": "Đổi tên"}),
        ("POST", f"/api/ceremonies/{cer['id']}/decisions", {"decision_id": dec["id"]}),
    ]
    for method, path, body in calls:
        with nothing_recorded(client, world, *cer_paths(cer["id"])):
            refused(client.request(method, path, json=body, headers=world.h(user)), 403, code)


CASES_MALFORMED_CEREMONY_BODIES = [
    {"announced_total": -1},
    {"announced_total": 1.5},
    {"announced_total": "73.640.000"},
    {"title": 5},
    {"held_on": "9/1/2024"},
    {"host_unit_id": "btl"},
    {"decision_ids": "15/QĐ-HPN"},
    {"decision_ids": ["not-a-uuid"]},
    {"budget": 1},
]


def test_malformed_ceremony_bodies(client, world):
    for change in CASES_MALFORMED_CEREMONY_BODIES:
        with case(change):
            body = {**ceremony_body(world, []), **change}
            with nothing_recorded(client, world, *LISTS):
                refused(
                    client.post(
                        "/api/ceremonies",
                        json=body,
                        headers=world.h("btl.appr"),
                    ),
                    422,
                    "validation.invalid",
                )


CASES_INVALID_CEREMONY_CHANGES = [
    ({"announced_total": -5}, "validation.invalid"),
    ({"announced_total": 2.5}, "validation.invalid"),
    ({"title": "   "}, "validation.invalid"),
    ({"title": ""}, "validation.invalid"),
    ({"held_on": "2024-02-30"}, "validation.invalid"),
    ({"host_unit_id": "$hanoi"}, "validation.invalid"),
    ({"expected_version": "1"}, "validation.invalid"),
]


def test_invalid_ceremony_changes(client, world):
    for change, code in CASES_INVALID_CEREMONY_CHANGES:
        with case((change, code)):
            cer = planned(client, world, [])
            if change.get("host_unit_id") == "$hanoi":
                change = {"host_unit_id": world.u("hanoi")}
            with nothing_recorded(client, world, *cer_paths(cer["id"])):
                refused(
                    client.patch(
                        f"/api/ceremonies/{cer['id']}", json=change, headers=world.h("btl.appr")
                    ),
                    422,
                    code,
                )


def test_blank_ceremony_title(client, world):
    with nothing_recorded(client, world, *LISTS):
        refused(
            client.post(
                "/api/ceremonies",
                json=ceremony_body(world, [], title="  "),
                headers=world.h("btl.appr"),
            ),
            422,
            "validation.invalid",
        )
