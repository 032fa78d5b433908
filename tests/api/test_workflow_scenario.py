"""The whole award workflow through the HTTP API alone, on SQLite and PostgreSQL."""

from __future__ import annotations

from tests.helpers import nomination_body, ok


def test_nomination_to_decision_to_ceremony(client, world, flow):
    h = world.h
    # A commune nominator drafts a nomination; names arrive in NFD and are stored NFC.
    body = nomination_body(world)
    body["recipient"]["name"] = "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng Nhung"
    draft = flow.draft(body=body)
    nid = draft["id"]
    assert draft["status"] == "draft"
    assert draft["recipient"]["name"] == "Nguyễn Thị Hồng Nhung"

    # She fixes the achievement, then submits to her own council.
    edited = flow.edit(
        nid,
        expected_version=draft["version"],
        achievement="Hoàn thành xuất sắc nhiệm vụ; vận động 120 hội viên mới",
    )
    submitted = flow.submit(nid, expected_version=edited["version"])
    assert submitted["status"] == "under_review"
    assert submitted["review_unit_id"] == world.u("xd")

    # The ward council votes; a Giấy khen is above the ward's authority: forwarded to the district.
    flow.vote(nid, by="xd.member", comment="Xứng đáng", score=90)
    flow.vote(nid, by="xd.chair")
    forwarded = flow.close(nid, by="xd.chair", outcome="recommended")
    assert forwarded["status"] == "under_review"
    assert forwarded["review_unit_id"] == world.u("btl")
    assert forwarded["closed_reviews"][0]["tally"]["agree"] == 2

    # The district council recommends: the district decides Giấy khen, so it waits there.
    ready = flow.recommend(nid, by="btl.chair")
    assert ready["status"] == "recommended"
    assert ready["decision_unit_id"] == world.u("btl")

    # The council's queue (a projection) shows it, read-your-writes via min_position.
    queue = ok(
        client.get(
            "/api/nominations",
            headers=h("btl.appr"),
            params={"status": "recommended", "min_position": ready["position"]},
        )
    )
    assert [n["nomination_id"] for n in queue["items"]] == [nid]

    # The district office issues the decision from the nomination.
    decision = flow.decide(
        [
            {"nomination_id": nid, "amount": 300_000},
            {
                "recipient": {"kind": "collective", "org_unit_id": world.u("cn1")},
                "award_kind": "giay_khen_hoi",
                "period": "2023",
                "amount": 500_000,
            },
            {
                "recipient": {"kind": "individual", "name": "Lê Thị Mai", "birth_year": 1975},
                "award_kind": "giay_khen_hoi",
                "period": "2023",
            },
        ],
        number="15/QĐ-HPN",
        decided_on="2024-01-05",
        signer={"name": "Bùi Thị Trinh", "title": "TM. Ban Thường vụ – Chủ tịch"},
    )
    assert decision["totals"]["amount"] == 800_000
    assert decision["totals"]["lines_without_amount"] == 1
    assert decision["lines"][0]["recipient"]["name"] == "Nguyễn Thị Hồng Nhung"
    assert decision["lines"][1]["recipient"]["name"] == "Hội LHPN phường Cổ Nhuế 1"
    assert [p["name"] for p in decision["lines"][0]["unit_path"]][-1] == "Hội LHPN phường Xuân Đỉnh"
    assert flow.nomination(nid, by="xd.nom")["status"] == "decided"

    # A ceremony presents it; the organisers' announced total is kept beside the computed one.
    ceremony = flow.ceremony(
        [decision["id"]],
        title="Hội nghị tổng kết năm 2023",
        held_on="2024-01-09",
        place="Bắc Từ Liêm",
        announced_total=1_000_000,
    )
    expected = {
        "computed": 800_000,
        "announced": 1_000_000,
        "announced_source": "",
        "difference": 200_000,
        "lines_without_amount": 1,
        "individuals": 2,
        "collectives": 1,
        "households": 0,
    }
    assert {k: ceremony["totals"][k] for k in expected} == expected

    # Revoking a line keeps history and changes totals from then on.
    revoked = flow.revoke(
        decision["id"], 2, revoked_on="2024-03-01", ground="b", reason="Hồ sơ không trung thực"
    )
    assert revoked["status"] == "partly_revoked"
    assert revoked["totals"]["amount"] == 300_000
    flow.revoke(
        decision["id"], 2, revoked_on="2024-03-02", reason="lần hai",
        expect=409, code="decision.already_revoked",
    )
    cer = ok(client.get(f"/api/ceremonies/{ceremony['id']}", headers=h("btl.appr")))
    assert cer["totals"]["computed"] == 300_000

    # Every resource has its full history: what, who, when.
    events = ok(client.get(f"/api/nominations/{nid}/history", headers=h("xd.nom")))["events"]
    assert [e["event"] for e in events] == [
        "Nomination.Created",
        "Nomination.Edited",
        "Nomination.Submitted",
        "Nomination.VoteCast",
        "Nomination.VoteCast",
        "Nomination.ReviewClosed",
        "Nomination.Forwarded",
        "Nomination.VoteCast",
        "Nomination.ReviewClosed",
        "Nomination.Decided",
    ]
    assert events[0]["by"] == "xd.nom" and events[0]["at"]
    history = ok(client.get(f"/api/decisions/{decision['id']}/history", headers=h("btl.appr")))
    assert [e["event"] for e in history["events"]] == [
        "AwardDecision.Created",
        "AwardDecision.LineRevoked",
    ]
