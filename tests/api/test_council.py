"""Councils (issue 16): scoring criteria per unit and award kind, scored ballots, what a member has
already voted, the reviews kept visible after they close, and the minutes of the council meeting
as PDF and DOCX — every number computed from the ballots cast here."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from docx import Document
from pypdf import PdfReader

from tests.helpers import err, nomination_body, nothing_recorded, ok, page_login, person, refused

CRITERIA = [{"name": "Thành tích công tác Hội", "max": 40},
            {"name": "Phong trào thi đua", "max": 30}]


def today_local() -> str:
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()


def set_criteria(client, world, by="btl.appr", **body):
    payload = {"unit_id": world.u("xd"), "award_kind": "giay_khen_hoi", "mode": "criteria",
               "criteria": CRITERIA, **body}
    return client.put("/api/council/criteria", json=payload, headers=world.h(by))


def ballot(client, world, nid, by, **body):
    return client.post(f"/api/nominations/{nid}/votes", json=body, headers=world.h(by))


def submission(client, world, *names: str) -> tuple[str, list[str]]:
    candidates = []
    for name in names:
        fields = nomination_body(world, "xd", recipient=person(name, unit_id=world.u("xd")))
        del fields["proposing_unit_id"]
        candidates.append(fields)
    got = ok(client.post("/api/submissions", headers=world.h("xd.nom"), json={
        "proposing_unit_id": world.u("xd"), "number": "12/TTr-HPN", "title": "Tờ trình khen",
        "candidates": candidates}), 201)
    return got["id"], got["nomination_ids"]


def test_criteria_set_by_the_office_or_the_chair_and_refused_to_others(client, world):
    got = ok(set_criteria(client, world))
    assert got["mode"] == "criteria" and got["maximum"] == 70 and got["recorded"]
    assert [c["code"] for c in got["criteria"]] == ["1", "2"]
    for user, status, code in (("xd.nom", 403, "auth.role_required"),
                               ("xd.member", 403, "auth.role_required"),
                               ("nt.nom", 403, "auth.outside_scope")):
        with nothing_recorded(client, world):
            refused(set_criteria(client, world, by=user, criteria=[{"name": "X", "max": 5}]),
                    status, code)
    ok(set_criteria(client, world, by="xd.chair", mode="plain", criteria=[], max=20,
                    expected_version=2))  # the council's own chair
    ok(set_criteria(client, world, by="admin", mode="plain", criteria=[], max=10))
    read = ok(client.get("/api/council/criteria", headers=world.h("xd.member"),
                         params={"unit_id": world.u("xd"), "award_kind": "giay_khen_hoi"}))
    assert read["mode"] == "plain" and read["max"] == 10 and read["version"] == 4
    refused(set_criteria(client, world, criteria=[{"name": "A", "max": 5},
                                                  {"name": "a", "max": 5}]),
            422, "council.criteria_invalid")
    refused(set_criteria(client, world, mode="none", criteria=[], expected_version=1), 409,
            "concurrency.stale_version")
    listed = ok(client.get("/api/council/criteria", headers=world.h("nt.nom"),
                           params={"unit_id": world.u("nt")}))
    assert all(not item["recorded"] for item in listed["items"])
    refused(client.get("/api/council/criteria", headers=world.h("nt.nom"),
                       params={"unit_id": world.u("xd")}), 403, "auth.outside_scope")


def test_scored_votes_queue_reviews_and_minutes(client, world, flow):
    ok(set_criteria(client, world))
    sub_id, (first, second) = submission(client, world, "Lê Thị Mai", "Trần Thị Hoa")
    # criteria asked for: a plain vote, a missing criterion, a score above its maximum — refused
    with nothing_recorded(client, world, f"/api/nominations/{first}"):
        flow.vote(first, by="xd.member", expect=422, code="vote.score_invalid")
        refused(ballot(client, world, first, "xd.member", vote="agree", scores={"1": 30}), 422,
                "vote.score_invalid")
        refused(ballot(client, world, first, "xd.member", vote="agree",
                       scores={"1": 41, "2": 10}), 422, "vote.score_invalid")
        refused(ballot(client, world, first, "xd.nom", vote="agree",
                       scores={"1": 1, "2": 1}), 403, "review.not_council_member")
    got = ok(ballot(client, world, first, "xd.member", vote="agree", comment="Xứng đáng",
                    scores={"1": 35, "2": 28}))
    [mine] = got["review"]["votes"]
    assert mine["score"] == 63 and [s["score"] for s in mine["scores"]] == [35, 28]
    ok(ballot(client, world, first, "xd.chair", vote="agree", scores={"1": 30, "2": 20}))
    ok(ballot(client, world, second, "xd.chair", vote="disagree", comment="Chưa đủ minh chứng",
              scores={"1": 10, "2": 5}))
    flow.recuse(second, by="xd.member", reason="Là người thân của ứng viên")

    # the queue shows what each member has done
    queue = ok(client.get("/api/council/queue", headers=world.h("xd.member"),
                          params={"unit_id": world.u("xd")}))
    mine = {i["nomination_id"]: i["my_ballot"] for i in queue["items"]}
    assert mine[first]["state"] == "voted" and mine[second]["state"] == "recused"
    page = client.get(f"/council?unit_id={world.u('xd')}", headers=world.h("xd.member"))
    assert page.status_code == 200, page.text
    assert "Đã bỏ phiếu" in page.text and "Đã xin không tham gia" in page.text

    flow.close(first, by="xd.chair")  # recommended: forwarded to the district
    flow.close(second, by="xd.chair", outcome="rejected", reason="Chưa đạt tiêu chuẩn")

    # a closed review still shows its votes, recusals and conclusion
    reviews = ok(client.get(f"/api/council/nominations/{second}/reviews",
                            headers=world.h("xd.nom")))
    [r] = reviews["rounds"]
    assert r["closed"]["outcome"] == "rejected" and r["closed"]["reason"] == "Chưa đạt tiêu chuẩn"
    assert [(v["reviewer"], v["vote"], v["score"]) for v in r["votes"]] == [
        ("xd.chair", "disagree", 15)]
    assert r["recused"][0]["reason"] == "Là người thân của ứng viên"
    client.cookies.clear()
    assert page_login(client, "xd.nom").status_code == 303
    html = client.get(f"/nominations/{first}").text
    for text in ("Xứng đáng", "Thành tích công tác Hội: 35/40", "Đề nghị khen thưởng",
                 "xd.chair", "Điểm bình quân: 56,5/70"):
        assert text in html, text
    client.cookies.clear()

    # the minutes of the submission, and of the day: counts and scores from the ballots
    data = ok(client.get("/api/council/minutes", headers=world.h("xd.chair"),
                         params={"unit_id": world.u("xd"), "submission_id": sub_id}))
    by_name = {c["name"]: c for c in data["candidates"]}
    assert (by_name["Lê Thị Mai"]["agree"], by_name["Lê Thị Mai"]["disagree"]) == (2, 0)
    assert by_name["Lê Thị Mai"]["score_text"] == "56,5/70"
    assert (by_name["Trần Thị Hoa"]["disagree"], by_name["Trần Thị Hoa"]["recused"]) == (1, 1)
    assert {m["username"] for m in data["members"]} == {"xd.chair", "xd.member"}
    same_day = ok(client.get("/api/council/minutes", headers=world.h("xd.chair"),
                             params={"unit_id": world.u("xd"), "closed_on": today_local()}))
    assert same_day["candidates"] == data["candidates"] or \
        {c["name"] for c in same_day["candidates"]} >= set(by_name)
    params = {"unit_id": world.u("xd"), "submission_id": sub_id}
    pdf = client.get("/api/council/minutes.pdf", headers=world.h("xd.nom"), params=params)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    text = " ".join(text.split())
    for part in ("BIÊN BẢN", "xd.chair", "xd.member", "Lê Thị Mai", "Trần Thị Hoa",
                 "Là người thân của ứng viên", "56,5/70", "Không đề nghị",
                 "1 đề nghị khen thưởng, 1 không đề nghị", "12/TTr-HPN"):
        assert part in text, (part, text[:3000])
    docx = client.get("/api/council/minutes.docx", headers=world.h("xd.nom"), params=params)
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    words = "\n".join([p.text for p in doc.paragraphs]
                      + [c.text for t in doc.tables for row in t.rows for c in row.cells])
    for part in ("xd.chair", "xd.member: Đồng ý, 63 điểm: Xứng đáng", "Chưa đạt tiêu chuẩn",
                 "1 đề nghị khen thưởng, 1 không đề nghị", "56,5/70"):
        assert part in words, (part, words[:3000])
    minutes_page = client.get("/council/minutes", headers=world.h("xd.chair"), params=params)
    assert minutes_page.status_code == 200 and "Lê Thị Mai" in minutes_page.text
    # readers only; nothing to minute is a 404; a selection is needed
    refused(client.get("/api/council/minutes.pdf", headers=world.h("nt.nom"), params=params),
            403, "auth.outside_scope")
    refused(client.get("/api/council/minutes", headers=world.h("xd.chair"),
                       params={"unit_id": world.u("xd"), "closed_on": "2020-01-01"}), 422,
            "minutes.no_review")
    refused(client.get("/api/council/minutes", headers=world.h("xd.chair"),
                       params={"unit_id": world.u("xd"), "submission_id": world.u("nt")}), 422,
            "reference.not_found")
    err(client.get("/api/council/minutes", headers=world.h("xd.chair"),
                   params={"unit_id": world.u("xd")}), 422, "validation.invalid")


def test_plain_and_none_scoring(client, world, flow):
    ok(set_criteria(client, world, mode="plain", criteria=[], max=10))
    nid = flow.submitted()["id"]
    flow.vote(nid, by="xd.member", expect=422, code="vote.score_invalid")  # a score is needed
    flow.vote(nid, by="xd.member", score=11, expect=422, code="vote.score_invalid")
    got = flow.vote(nid, by="xd.member", score=9)
    assert got["review"]["votes"][0]["score"] == 9
    flow.vote(nid, by="xd.chair", choice="abstain")  # an abstention needs none
    ok(set_criteria(client, world, mode="none", criteria=[]))
    flow.vote(nid, by="xd.member", score=5, expect=422, code="vote.score_invalid")
    flow.vote(nid, by="xd.member")


def test_scored_vote_through_the_page(client, world, flow):
    ok(set_criteria(client, world))
    nid = flow.submitted()["id"]
    assert page_login(client, "xd.member").status_code == 303
    page = client.get(f"/nominations/{nid}")
    assert 'name="score_1"' in page.text and "Phong trào thi đua (0–30 điểm)" in page.text
    token = client.cookies.get("tdkt_csrf")
    sent = client.post(f"/nominations/{nid}/vote", follow_redirects=False, data={
        "csrf_token": token, "vote": "agree", "score_1": "40", "score_2": "30", "comment": ""})
    assert sent.status_code == 303, sent.text
    refusal = client.post(f"/nominations/{nid}/vote", data={
        "csrf_token": token, "vote": "agree", "score_1": "41", "score_2": "30"})
    assert refusal.status_code == 422 and "Thành tích công tác Hội" in refusal.text
    client.cookies.clear()
    got = flow.nomination(nid)
    assert got["review"]["votes"][0]["score"] == 70
