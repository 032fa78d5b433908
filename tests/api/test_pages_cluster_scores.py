"""Scoring a cluster year in the pages (issue 19), on both stores: a covenant with a points table
(1.000 points, deductions, classes) set up through the API; from the member report pages the
member's office scores itself, another member's office cross-scores, the lead's office agrees
and deducts (each behind a check page saying the total before → after); the report shows every
score with its history and the board ranks and classes by what the scores give ("957,5").
Refusals: input the domain refuses comes back as typed with nothing recorded; whoever may not
act sees no form and gets the 403 page, nothing recorded."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from services.authz import SYSTEM
from services.web import pages_cluster_scores
from tests.api.test_page_labels import unlabelled
from tests.helpers import head, ok
from tests.helpers import page_main_text as main_text
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login

YEAR = 2024
COVENANT = {
    "title": "Giao ước thi đua năm 2024",
    "indicators": [
        {"code": "1", "text": "Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
         "measure": "yes_no", "max_points": "400"},
        {"code": "2", "text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
         "measure": "number", "target": "2", "unit": "hợp tác xã", "max_points": "300"}],
    "points": {"items": [{"code": "cum", "text": "Tham gia hoạt động chung của cụm",
                          "max_points": "300"}],
               "deductions": [{"code": "cham", "text": "Báo cáo chậm", "points": "10"},
                              {"code": "kl", "text": "Có cán bộ bị kỷ luật", "points": "50",
                               "per": "once"}],
               "total_max": "1000"},
    "thresholds": [{"code": "xuat_sac", "label": "Hoàn thành xuất sắc", "minimum": "950"},
                   {"code": "tot", "label": "Hoàn thành tốt", "minimum": "850"},
                   {"code": "hoan_thanh", "label": "Hoàn thành", "minimum": "0"}],
    "assessment_mode": "cross",
}


def scores_section(page: str) -> str:
    return main_text(page).split("Chấm điểm", 1)[1]


def api_report(client, world, cluster: dict[str, Any], unit: str) -> dict[str, Any]:
    return ok(client.get(f"{cluster['api']}/reports/{world.u(unit)}", headers=world.h("admin")))


def set_up(client, world, rt, mode: str = "cross") -> dict[str, Any]:
    """Through the API, as the centre's office: Hà Nội (lead) and Bắc Kạn, the covenant with its
    points table, signed and open."""
    if "bk.appr" not in world.tokens:
        rt.app.users.create_user(SYSTEM, username="bk.appr", full_name="bk.appr",
                                 password="mat-khau-123",
                                 grants=[{"role": "approver", "unit_id": world.units["backan"],
                                          "chair": False}])
        _, world.tokens["bk.appr"] = rt.app.users.issue_token(SYSTEM, username="bk.appr")
    tw = world.h("tw.appr")
    cid = ok(client.post("/api/emulation/clusters", headers=tw, json={
        "name": "Cụm thi đua có thang điểm", "kind": "cum",
        "managing_unit_id": world.u("root")}), 201)["id"]
    ok(client.put(f"/api/emulation/clusters/{cid}/years/{YEAR}", headers=tw, json={
        "members": [{"unit_id": world.u("hanoi"), "name": "Hà Nội"},
                    {"unit_id": world.u("backan"), "name": "Bắc Kạn"}],
        "lead_unit_id": world.u("hanoi")}))
    api = f"/api/emulation/clusters/{cid}/covenants/{YEAR}"
    ok(client.put(api, headers=tw, json={**COVENANT, "assessment_mode": mode}), 201)
    for unit in ("hanoi", "backan"):
        ok(client.post(f"{api}/sign", headers=tw, json={"unit_id": world.u(unit),
                                                         "on": "2024-01-15"}))
    ok(client.post(f"{api}/open", headers=tw, json={"on": "2024-02-01"}))
    rt.runner.catch_up()
    board = f"/emulation/clusters/{cid}/{YEAR}"
    return {"id": cid, "api": api, "board": board,
            "hanoi": f"{board}/reports/{world.u('hanoi')}",
            "backan": f"{board}/reports/{world.u('backan')}"}


@pytest.fixture
def cluster(client, world, rt, clock) -> dict[str, Any]:
    clock.today = date(YEAR, 11, 1)
    return set_up(client, world, rt)


def test_the_scoring_pages_are_routed_here():
    paths = {r.path for r in pages_cluster_scores.router.routes}
    report = "/emulation/clusters/{cluster_id}/{year}/reports/{unit_id}"
    assert {f"{report}/scores/{{item}}/{{by}}", f"{report}/scores/{{item}}/agree/check",
            f"{report}/deductions/{{rule}}/check", f"{report}/deductions/{{rule}}",
            "/emulation/clusters/{cluster_id}/{year}/scores/cross"} <= paths


def test_a_cluster_scores_its_year_from_the_pages(client, world, rt, cluster):
    backan, hanoi = cluster["backan"], cluster["hanoi"]

    # Bắc Kạn's office: its own report offers the self score only
    login(client, "bk.appr")
    page = client.get(backan)
    assert page.status_code == 200
    shown = scores_section(page.text)
    assert "Tổng điểm thống nhất" not in shown and "Chưa có điểm nào." in shown
    assert "các đơn vị chấm chéo, cụm trưởng thống nhất điểm" in shown
    for item, maximum in (("1", "400"), ("2", "300"), ("cum", "300")):
        assert f'action="{backan}/scores/{item}/self"' in page.text
        assert f"(tối đa {maximum} điểm)" in shown
    assert f"{backan}/scores/1/cross" not in page.text  # never itself
    assert "/agree/check" not in page.text and "/deductions/" not in page.text
    assert not unlabelled(page.text)
    for item, points in (("1", "380,5"), ("2", "287,5"), ("cum", "280")):
        done = post(client, f"{backan}/scores/{item}/self", {"points": points,
                                                             "note": "Theo báo cáo năm"})
        assert done.status_code == 303, main_text(done.text)[:500]
    assert done.headers["location"] == f"{backan}?done=scored&code=cum#diem-cum"
    assert "Đã ghi điểm mục cum." in main_text(client.get(done.headers["location"]).text)

    # …and on Hà Nội's report it cross-scores (as Bắc Kạn), nothing else
    page = client.get(hanoi)
    assert f'action="{hanoi}/scores/1/cross"' in page.text
    assert f"{hanoi}/scores/1/self" not in page.text and "/agree/check" not in page.text
    assert 'href="' + cluster["board"] + '/scores/cross"' in page.text
    assert post(client, f"{hanoi}/scores/1/cross", {"points": "350"}).status_code == 303
    assert "Chấm chéo (Bắc Kạn): 350" in scores_section(client.get(hanoi).text)

    # the lead's office (Hà Nội) on Bắc Kạn's report: cross score, agree, deduct
    login(client, "hn.appr")
    page = client.get(backan)
    assert f'action="{backan}/scores/1/cross"' in page.text
    assert f'action="{backan}/scores/1/agree/check"' in page.text
    assert f'action="{backan}/deductions/cham/check"' in page.text
    assert f"{backan}/scores/1/self" not in page.text
    assert not unlabelled(page.text)
    assert post(client, f"{backan}/scores/1/cross", {"points": "385",
                                                     "note": "Đủ minh chứng"}).status_code == 303
    shown = scores_section(client.get(backan).text)
    assert "Tự chấm (Bắc Kạn): 380,5" in shown and "Chấm chéo (Hà Nội): 385" in shown

    # agreeing: a score other than the latest given needs a reason; the check page records
    # nothing and says the total before → after
    position = head(client)
    missing = post(client, f"{backan}/scores/1/agree/check", {"points": "390"})
    assert missing.status_code == 422
    assert "Cần ghi rõ lý do" in main_text(missing.text) and 'value="390"' in missing.text
    check = post(client, f"{backan}/scores/1/agree/check",
                 {"points": "390", "note": "Thống nhất tại hội nghị cụm"})
    assert check.status_code == 200, main_text(check.text)[:500]
    shown = main_text(check.text)
    assert "Ghi điểm thống nhất mục 1 của Bắc Kạn?" in shown
    assert "chưa có → 390" in shown
    assert "0/1.000 (còn 3 mục chưa thống nhất điểm) → 390/1.000 (còn 2 mục" in shown
    assert f'action="{backan}/scores/1/agree"' in check.text
    assert head(client) == position  # a check page records nothing
    again = post(client, f"{backan}/scores/1/agree/check",
                 {"points": "390", "note": "Thống nhất tại hội nghị cụm", "edit": "1"})
    assert again.status_code == 200 and 'value="390"' in again.text
    assert head(client) == position
    done = post(client, f"{backan}/scores/1/agree",
                {"points": "390", "note": "Thống nhất tại hội nghị cụm"})
    assert done.status_code == 303
    assert "Đã ghi điểm thống nhất mục 1." in main_text(client.get(done.headers["location"]).text)
    # the latest score given: no reason needed; a decimal comma
    check = post(client, f"{backan}/scores/2/agree/check", {"points": "287,5"})
    assert check.status_code == 200 and "chưa có → 287,5" in main_text(check.text)
    assert post(client, f"{backan}/scores/2/agree", {"points": "287,5"}).status_code == 303
    assert post(client, f"{backan}/scores/cum/agree",
                {"points": "290", "note": "Cộng điểm tổ chức hội thi"}).status_code == 303
    # the same agreed score again: nothing to change
    same = post(client, f"{backan}/scores/cum/agree/check", {"points": "290", "note": "x"})
    assert same.status_code == 422 and "không có gì thay đổi" in main_text(same.text)

    # a deduction: the check page says the total before → after, then it is recorded
    position = head(client)
    check = post(client, f"{backan}/deductions/cham/check",
                 {"times": "1", "reason": "Báo cáo 6 tháng gửi chậm 5 ngày"})
    assert check.status_code == 200, main_text(check.text)[:500]
    shown = main_text(check.text)
    assert "Trừ điểm «Báo cáo chậm» của Bắc Kạn?" in shown
    assert "967,5/1.000 → 957,5/1.000" in shown
    assert "Hoàn thành xuất sắc → Hoàn thành xuất sắc" in shown
    assert head(client) == position
    done = post(client, f"{backan}/deductions/cham",
                {"times": "1", "reason": "Báo cáo 6 tháng gửi chậm 5 ngày"})
    assert done.status_code == 303
    assert done.headers["location"] == f"{backan}?done=deducted&code=cham#tru-diem"
    page = client.get(done.headers["location"])
    shown = scores_section(page.text)
    assert "Đã ghi trừ điểm «Báo cáo chậm»: 1 lần, trừ 10 điểm." in shown
    assert "Tổng điểm thống nhất: 957,5 / 1.000 điểm" in shown
    assert "xếp loại theo điểm hiện có: Hoàn thành xuất sắc" in shown
    # the history: who, when, what, why
    history = shown.split("Lịch sử chấm điểm mục 1", 1)[1].split("Mục 2", 1)[0]
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d bk\.appr Tự chấm \(Bắc Kạn\) 380,5", history)
    assert re.search(r"hn\.appr Chấm chéo \(Hà Nội\) 385 Đủ minh chứng", history)
    assert re.search(r"hn\.appr Thống nhất điểm — → 390 Thống nhất tại hội nghị cụm", history)
    assert re.search(r"hn\.appr Báo cáo chậm 0 → 1 \(trừ 10\) Báo cáo 6 tháng gửi chậm",
                     shown.split("Lịch sử trừ điểm", 1)[1])

    # a new agreed score keeps the earlier one
    assert post(client, f"{backan}/scores/1/agree",
                {"points": "395", "note": "Bổ sung minh chứng"}).status_code == 303
    shown = scores_section(client.get(backan).text)
    assert "(trước: 390 — Thống nhất tại hội nghị cụm)" in shown
    assert "390 → 395" in shown and "Tổng điểm thống nhất: 962,5 / 1.000 điểm" in shown

    # what the API and the board say is what the pages recorded
    report = api_report(client, world, cluster, "backan")
    assert report["total"]["points"] == "962.5" and report["total"]["deducted"] == "10"
    assert [s["by"] for s in report["scores"][0]["given"]] == ["self", "cross"]
    assert [a["points"] for a in report["scores"][0]["agreed_history"]] == ["390", "395"]
    rt.runner.catch_up()
    board = main_text(client.get(cluster["board"]).text)
    row = board.split("Bắc Kạn", 1)[1].split("Hà Nội", 1)[0]
    assert "962,5 1 Hoàn thành xuất sắc" in row
    assert re.search(r"Xếp hạng .*1 Bắc Kạn 962,5 — 2 Hà Nội 0", board)

    # lifting the deduction (0) goes through the same check
    check = post(client, f"{backan}/deductions/cham/check", {"times": "0",
                                                             "reason": "Đã giải trình"})
    assert "Bỏ trừ điểm «Báo cáo chậm» của Bắc Kạn?" in main_text(check.text)
    assert "962,5/1.000 → 972,5/1.000" in main_text(check.text)


def test_refused_input_comes_back_as_typed_and_records_nothing(client, world, cluster):
    backan = cluster["backan"]
    login(client, "bk.appr")
    position = head(client)
    for typed, words in (("450", "không được lớn hơn 400"), ("12,55", "chữ số thập phân"),
                         ("mười", "không phải là số"), ("", "cần ghi số điểm")):
        page = post(client, f"{backan}/scores/1/self", {"points": typed, "note": "ghi chú"})
        assert page.status_code == 422, typed
        shown = main_text(page.text)
        assert words in shown, (typed, shown[:400])
        assert f'value="{typed}"' in page.text and 'value="ghi chú"' in page.text
        assert 'href="#points-self-1"' in page.text  # the summary links to the field
        assert 'aria-invalid="true"' in page.text
    assert head(client) == position

    login(client, "hn.appr")
    position = head(client)
    for data, field, words in (
            ({"times": "hai", "reason": "x"}, "times-cham", "số nguyên"),
            ({"times": "1", "reason": " "}, "reason-cham", "Cần ghi lý do trừ điểm")):
        page = post(client, f"{backan}/deductions/cham/check", data)
        assert page.status_code == 422 and words in main_text(page.text)
        assert f'href="#{field}"' in page.text
    once = post(client, f"{backan}/deductions/kl/check", {"times": "2", "reason": "Hai người"})
    assert once.status_code == 422 and "chỉ trừ một lần" in main_text(once.text)
    assert 'value="2"' in once.text and 'value="Hai người"' in once.text
    record = post(client, f"{backan}/deductions/kl", {"times": "2", "reason": "Hai người"})
    assert record.status_code == 422
    assert post(client, f"{backan}/scores/cum/agree", {"points": "301"}).status_code == 422
    assert head(client) == position
    assert api_report(client, world, cluster, "backan")["id"] is None  # not even started


def test_who_may_not_act_sees_no_form_and_gets_the_403_page(client, world, cluster):
    backan, hanoi = cluster["backan"], cluster["hanoi"]
    login(client, "hn.member")  # a reviewer of Hà Nội: reads, is no office
    position = head(client)
    page = client.get(backan)
    assert page.status_code == 200 and "Chấm điểm" in main_text(page.text)
    assert "/scores/" not in page.text.split("<main>", 1)[1].replace(
        "/scores/cross", "") and "/deductions/" not in page.text
    for path, data in ((f"{backan}/scores/1/self", {"points": "10"}),
                       (f"{backan}/scores/1/cross", {"points": "10"}),
                       (f"{backan}/scores/1/agree/check", {"points": "10", "note": "x"}),
                       (f"{backan}/scores/1/agree", {"points": "10", "note": "x"}),
                       (f"{backan}/deductions/cham/check", {"times": "1", "reason": "x"}),
                       (f"{backan}/deductions/cham", {"times": "1", "reason": "x"})):
        refused = post(client, path, data)
        assert refused.status_code == 403, path
    assert client.get(f"{cluster['board']}/scores/cross").status_code == 403

    assert head(client) == position
    login(client, "bk.appr")  # a member: not the lead, not Hà Nội's office
    position = head(client)
    for path, data in ((f"{hanoi}/scores/1/self", {"points": "10"}),
                       (f"{hanoi}/scores/1/agree", {"points": "10", "note": "x"}),
                       (f"{backan}/scores/1/agree/check", {"points": "10", "note": "x"}),
                       (f"{backan}/deductions/cham", {"times": "1", "reason": "x"})):
        assert post(client, path, data).status_code == 403, path
    # Bắc Kạn may not cross-score itself: the form names no such assessor
    itself = post(client, f"{backan}/scores/1/cross",
                  {"points": "10", "assessor": world.u("backan")})
    assert itself.status_code in (403, 422)
    assert head(client) == position


def test_the_cross_list_shows_what_an_assessor_has_left(client, world, cluster):
    login(client, "bk.appr")
    page = client.get(f"{cluster['board']}/scores/cross")
    assert page.status_code == 200
    shown = main_text(page.text)
    assert "Bắc Kạn chấm chéo: còn 1 đơn vị chưa chấm đủ" in shown
    assert "Hà Nội 0/3 chưa chấm" in shown
    assert f'href="{cluster["hanoi"]}#diem"' in page.text
    assert not unlabelled(page.text)
    for item in ("1", "2", "cum"):
        assert post(client, f"{cluster['hanoi']}/scores/{item}/cross",
                    {"points": "250"}).status_code == 303
    shown = main_text(client.get(f"{cluster['board']}/scores/cross").text)
    assert "Bắc Kạn chấm chéo: đã chấm đủ" in shown and "Hà Nội 3/3 đã chấm đủ" in shown


def test_in_lead_mode_the_lead_scores_and_no_one_cross_scores(client, world, rt, clock):
    clock.today = date(YEAR, 11, 1)
    cluster = set_up(client, world, rt, mode="lead")
    backan = cluster["backan"]
    login(client, "hn.appr")
    page = client.get(backan)
    assert f'action="{backan}/scores/1/lead"' in page.text
    assert f"{backan}/scores/1/cross" not in page.text
    assert post(client, f"{backan}/scores/1/lead", {"points": "399,5"}).status_code == 303
    shown = scores_section(client.get(backan).text)
    assert "Cụm trưởng chấm (Hà Nội): 399,5" in shown
    login(client, "bk.appr")
    page = client.get(cluster["hanoi"])
    assert "/scores/1/cross" not in page.text and "/scores/1/lead" not in page.text
    position = head(client)
    refused = post(client, f"{cluster['hanoi']}/scores/1/cross", {"points": "10"})
    assert refused.status_code == 409 and "không nhận điểm chấm chéo" in main_text(refused.text)
    assert head(client) == position
    listed = main_text(client.get(f"{cluster['board']}/scores/cross").text)
    assert "không chấm chéo" in listed
