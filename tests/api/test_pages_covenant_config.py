"""A cluster's covenant configured from the pages (issue 19), on both stores: the managing
unit's office drafts the year's covenant and records each part — indicators, points table,
thresholds and assessment mode, proposal rules with the cap, figures stated for the whole
cluster — as offices type numbers ("95,5", "1.000", "13.747"); what is recorded is what the
covenant then holds. «Thêm dòng» records nothing; a row's mistake is said beside its field and
the form comes back as typed (nothing recorded); a form older than the covenant is refused
with a sentence; locked parts (results reported, closed) are read-only with the reason; a member
reads, never changes; an outsider gets the 403 page."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from services.authz import SYSTEM
from services.web import pages_covenant_config, pages_emulation
from services.web import router as pages_router
from tests.api.test_page_labels import unlabelled
from tests.helpers import head
from tests.helpers import page_main_text as main_text
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login

YEAR = 2024


def field_value(page: str, name: str) -> str:
    found = re.search(rf'<input id="{re.escape(name)}" name="{re.escape(name)}" value="([^"]*)"',
                      page)
    assert found, name
    return found[1]


def version(page: str) -> str:
    return re.search(r'name="expected_version" value="(\d+)"', page)[1]


@pytest.fixture
def cluster(client, world, rt, clock) -> dict[str, Any]:
    """A cluster managed by the centre: Hà Nội (lead) and Bắc Kạn in 2024, no covenant yet."""
    clock.today = date(YEAR, 1, 5)
    app = rt.app
    app.users.create_user(SYSTEM, username="bk.appr", full_name="bk.appr",
                          password="mat-khau-123",
                          grants=[{"role": "approver", "unit_id": world.units["backan"],
                                   "chair": False}])
    clusters = app.emulation.clusters
    cid = clusters.create(SYSTEM, name="Cụm thi đua thử nghiệm", kind="cum",
                          managing_unit_id=world.units["root"]).id
    clusters.set_year(SYSTEM, cid, YEAR, lead_unit_id=world.units["hanoi"], members=[
        {"unit_id": world.units["hanoi"], "name": "Hà Nội"},
        {"unit_id": world.units["backan"], "name": "Bắc Kạn"}])
    rt.runner.catch_up()
    board = f"/emulation/clusters/{cid}/{YEAR}"
    return {"id": cid, "board": board, "config": f"{board}/covenant"}


def covenant(rt, cluster):
    clusters = rt.app.emulation.clusters
    return clusters.covenant(clusters.cluster(cluster["id"]), YEAR)


def draft(client, cluster) -> None:
    done = post(client, cluster["config"], {"title": ""})
    assert done.status_code == 303, main_text(done.text)[:500]


TWO = {"ind-rows": "4",
       "ind-1-code": "1", "ind-1-text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
       "ind-1-measure": "number", "ind-1-target": "2", "ind-1-unit": "hợp tác xã",
       "ind-1-summable": "1", "ind-1-max_points": "12,5", "ind-1-direction": "at_least",
       "ind-2-code": "2", "ind-2-text": "Hỗ trợ nạn nhân bạo lực gia đình được phát hiện",
       "ind-2-measure": "percent", "ind-2-target": "95,5%", "ind-2-when_cases": "1",
       "ind-2-direction": "at_least", "ind-2-note": "Số được hỗ trợ / số được phát hiện",
       "ind-3-measure": "number", "ind-4-measure": "number"}


def test_the_pages_are_routed_before_the_boards_catch_all():
    mine = "/emulation/clusters/{cluster_id}/{year}/covenant"
    assert {mine, mine + "/{part}"} <= {r.path for r in pages_covenant_config.router.routes}
    assert "/emulation/clusters/{cluster_id}/{year}/{action}" in {
        r.path for r in pages_emulation.router.routes}
    included = [getattr(r, "original_router", None) for r in pages_router.routes]
    assert included.index(pages_covenant_config.router) < included.index(
        pages_emulation.router)


def test_the_office_drafts_the_covenant_and_records_its_indicators(client, world, rt, cluster):
    login(client, "tw.appr")
    page = client.get(cluster["config"])
    assert page.status_code == 200
    shown = main_text(page.text)
    assert "Chưa có giao ước năm 2024" in shown
    assert f'action="{cluster["config"]}"' in page.text
    assert not unlabelled(page.text)
    done = post(client, cluster["config"], {"title": "Giao ước thi đua năm 2024"})
    assert done.status_code == 303
    assert done.headers["location"] == cluster["config"] + "?done=created"
    shown = main_text(client.get(done.headers["location"]).text)
    assert "Đã lập giao ước năm 2024 (dự thảo)" in shown
    assert "Chưa có chỉ tiêu" in shown
    assert covenant(rt, cluster).title == "Giao ước thi đua năm 2024"

    form = client.get(cluster["config"] + "/chi-tieu")
    assert form.status_code == 200
    assert not unlabelled(form.text)
    # «Thêm dòng»: more blank rows, nothing recorded
    position = head(client)
    more = post(client, cluster["config"] + "/chi-tieu",
                {"ind-rows": "3", "add": "ind", "ind-1-text": "Đang gõ dở",
                 "expected_version": version(form.text)})
    assert more.status_code == 200
    assert 'id="ind-6-text"' in more.text and 'id="ind-7-text"' not in more.text
    assert field_value(more.text, "ind-1-text") == "Đang gõ dở"
    assert head(client) == position

    done = post(client, cluster["config"] + "/chi-tieu",
                {**TWO, "expected_version": version(form.text)})
    assert done.status_code == 303, main_text(done.text)[:800]
    assert main_text(client.get(done.headers["location"]).text).count("Đã ghi các chỉ tiêu.") == 1
    found = covenant(rt, cluster).indicators
    assert [(i.code, i.measure, i.target, i.applies, i.summable, i.max_points, i.unit)
            for i in found] == [("1", "number", "2", "always", True, "12.5", "hợp tác xã"),
                                ("2", "percent", "95.5", "when_cases", False, "0", "%")]
    assert found[1].note == "Số được hỗ trợ / số được phát hiện"
    # the form shows them back the Vietnamese way, with blank rows under them
    again = client.get(cluster["config"] + "/chi-tieu")
    assert field_value(again.text, "ind-1-max_points") == "12,5"
    assert field_value(again.text, "ind-2-target") == "95,5"
    assert 'id="ind-5-text"' in again.text

    # removing a row by «Xóa»
    done = post(client, cluster["config"] + "/chi-tieu",
                {**TWO, "ind-1-remove": "1", "expected_version": version(again.text)})
    assert done.status_code == 303
    assert [i.code for i in covenant(rt, cluster).indicators] == ["2"]

    # the board offers the configuration to the office
    board = client.get(cluster["board"])
    assert f'href="{cluster["config"]}"' in board.text


def test_mistakes_come_back_beside_their_fields_and_nothing_is_recorded(client, world, rt,
                                                                       cluster):
    login(client, "tw.appr")
    draft(client, cluster)
    form = client.get(cluster["config"] + "/chi-tieu")
    position = head(client)
    typed = {**TWO, "ind-1-target": "", "ind-2-target": "120",
             "expected_version": version(form.text)}
    page = post(client, cluster["config"] + "/chi-tieu", typed)
    assert page.status_code == 422
    shown = main_text(page.text)
    assert "Chưa ghi được, vui lòng sửa:" in shown
    assert "Dòng 1: cần mức chỉ tiêu" in shown
    assert 'href="#ind-1-target"' in page.text and 'id="ind-1-target-error"' in page.text
    assert "không được lớn hơn 100" in shown and 'href="#ind-2-target"' in page.text
    assert field_value(page.text, "ind-2-target") == "120"  # as typed
    assert field_value(page.text, "ind-1-text") == TWO["ind-1-text"]
    assert head(client) == position

    # two rows with one code: beside the second
    page = post(client, cluster["config"] + "/chi-tieu",
                {**TWO, "ind-2-code": "1", "expected_version": version(form.text)})
    assert page.status_code == 422
    assert 'href="#ind-2-code"' in page.text and "bị trùng" in main_text(page.text)
    assert head(client) == position
    assert covenant(rt, cluster).indicators == ()


def test_a_stale_form_is_refused_with_a_sentence(client, world, rt, cluster):
    login(client, "tw.appr")
    draft(client, cluster)
    old = client.get(cluster["config"] + "/chi-tieu")
    assert post(client, cluster["config"] + "/chi-tieu",
                {**TWO, "expected_version": version(old.text)}).status_code == 303
    position = head(client)
    page = post(client, cluster["config"] + "/so-lieu-chung", {
        "fig-rows": "3", "fig-1-indicator_code": "1", "fig-1-what": "hợp tác xã",
        "fig-1-value": "12", "expected_version": version(old.text)})
    assert page.status_code == 409
    assert "Giao ước vừa được người khác thay đổi" in main_text(page.text)
    assert field_value(page.text, "fig-1-what") == "hợp tác xã"
    assert head(client) == position


def test_points_thresholds_rules_and_stated_figures(client, world, rt, cluster):
    login(client, "tw.appr")
    draft(client, cluster)
    base = cluster["config"]

    def current() -> str:
        return version(client.get(base + "/chi-tieu").text)

    assert post(client, base + "/chi-tieu", {**TWO, "expected_version": current()}
                ).status_code == 303
    # the points table: the indicator's 12,5 + 500 + 487,5 = 1.000
    page = client.get(base + "/thang-diem")
    assert "Chỉ tiêu 1: 12,5 điểm" in main_text(page.text)
    assert not unlabelled(page.text)
    typed = {"item-rows": "3", "item-1-text": "Tổ chức hoạt động chung của cụm",
             "item-1-max_points": "500", "item-2-code": "HD", "item-2-text": "Công tác báo cáo",
             "item-2-max_points": "487,5", "ded-rows": "3", "ded-1-text": "Báo cáo chậm",
             "ded-1-points": "10", "ded-1-per": "each", "total_max": "999"}
    position = head(client)
    wrong = post(client, base + "/thang-diem", {**typed, "expected_version": current()})
    assert wrong.status_code == 422
    assert 'href="#total_max"' in wrong.text
    assert "khác tổng điểm các mục (1.000)" in main_text(wrong.text)
    assert head(client) == position
    done = post(client, base + "/thang-diem",
                {**typed, "total_max": "1.000", "expected_version": current()})
    assert done.status_code == 303, main_text(done.text)[:600]
    table = covenant(rt, cluster).points_table
    assert [(i.code, str(i.max_points)) for i in table.items] == [
        ("1", "12.5"), ("3", "500"), ("HD", "487.5")]
    assert table.total_max == 1000 and table.deductions[0].text == "Báo cáo chậm"

    # thresholds: codes from the labels; the assessment mode
    done = post(client, base + "/xep-loai", {
        "lvl-rows": "3", "lvl-1-label": "Hoàn thành xuất sắc", "lvl-1-minimum": "950",
        "lvl-2-label": "Hoàn thành tốt", "lvl-2-minimum": "850,5", "assessment_mode": "lead",
        "expected_version": current()})
    assert done.status_code == 303, main_text(done.text)[:600]
    found = covenant(rt, cluster)
    assert [(t.code, t.label, str(t.minimum)) for t in found.thresholds] == [
        ("hoan_thanh_xuat_sac", "Hoàn thành xuất sắc", "950"),
        ("hoan_thanh_tot", "Hoàn thành tốt", "850.5")]
    assert found.assessment_mode == "lead"

    # proposal rules: the kinds offered are the collective ones in force
    page = client.get(base + "/de-nghi")
    assert '<option value="co_thi_dua_hoi"' in page.text
    assert '<option value="lao_dong_tien_tien"' not in page.text  # individuals only
    assert '<option value="hoan_thanh_tot">Hoàn thành tốt</option>' in page.text
    assert not unlabelled(page.text)
    rules = {"rule-rows": "3", "rule-1-rank_from": "1", "rule-1-award_kind": "co_thi_dua_hoi",
             "rule-1-requires_class": "hoan_thanh_xuat_sac", "rule-2-rank_from": "2",
             "rule-2-rank_to": "3", "rule-2-award_kind": "bang_khen_tw_hoi"}
    position = head(client)
    wrong = post(client, base + "/de-nghi", {**rules, "cap": "một phần ba",
                                             "expected_version": current()})
    assert wrong.status_code == 422 and 'href="#cap"' in wrong.text
    assert head(client) == position
    done = post(client, base + "/de-nghi", {**rules, "cap": "1/3",
                                            "expected_version": current()})
    assert done.status_code == 303, main_text(done.text)[:600]
    found = covenant(rt, cluster)
    assert [(r.rank_from, r.rank_to, r.award_kind, r.requires_class)
            for r in found.proposal_rules] == [
        (1, 1, "co_thi_dua_hoi", "hoan_thanh_xuat_sac"), (2, 3, "bang_khen_tw_hoi", None)]
    assert found.proposal_cap == "1/3"

    # figures for the whole cluster, "13.747" thirteen thousand
    done = post(client, base + "/so-lieu-chung", {
        "fig-rows": "3", "fig-1-indicator_code": "1", "fig-1-what": "hợp tác xã thành lập mới",
        "fig-1-value": "13.747", "fig-1-unit": "hợp tác xã", "fig-1-source": "Báo cáo cụm",
        "expected_version": current()})
    assert done.status_code == 303, main_text(done.text)[:600]
    assert [(s.indicator_code, s.value) for s in covenant(rt, cluster).stated_totals] == [
        ("1", "13747")]
    shown = main_text(client.get(base).text)
    assert "2 chỉ tiêu, 1 chỉ tiêu có điểm" in shown
    assert "3 mục chấm điểm, tổng tối đa 1.000 điểm; 1 mục trừ điểm" in shown
    assert "2 mức xếp loại; cụm trưởng chấm điểm" in shown
    assert "2 quy định; đề nghị tối đa 1/3 số thành viên" in shown
    assert "1 số liệu" in shown


def test_locked_parts_are_read_only_with_the_reason(client, world, rt, cluster):
    clusters = rt.app.emulation.clusters
    clusters.put_covenant(SYSTEM, cluster["id"], YEAR, {"indicators": [
        {"code": "1", "text": "Thành lập hợp tác xã", "measure": "number", "target": "2"}]})
    for unit in ("hanoi", "backan"):
        clusters.sign(SYSTEM, cluster["id"], YEAR, unit_id=world.units[unit],
                      on=date(YEAR, 1, 2))
    clusters.open(SYSTEM, cluster["id"], YEAR, date(YEAR, 1, 3))
    clusters.report(SYSTEM, cluster["id"], YEAR, world.units["hanoi"], "1", value="3")
    rt.runner.catch_up()
    login(client, "hn.appr")  # the lead's office configures too
    page = client.get(cluster["config"] + "/chi-tieu")
    assert page.status_code == 200
    assert "Đã có thành viên báo cáo kết quả" in main_text(page.text)
    assert f'action="{cluster["config"]}/chi-tieu"' not in page.text
    assert "Thành lập hợp tác xã" in main_text(page.text)
    position = head(client)
    refused = post(client, cluster["config"] + "/chi-tieu", {
        "ind-rows": "1", "ind-1-text": "Khác", "ind-1-target": "1",
        "expected_version": str(covenant(rt, cluster).version)})
    assert refused.status_code == 409
    assert head(client) == position
    # thresholds may still change
    page = client.get(cluster["config"] + "/xep-loai")
    assert f'action="{cluster["config"]}/xep-loai"' in page.text
    done = post(client, cluster["config"] + "/xep-loai", {
        "lvl-rows": "3", "lvl-1-label": "Đạt", "lvl-1-minimum": "0",
        "assessment_mode": "self", "expected_version": version(page.text)})
    assert done.status_code == 303, main_text(done.text)[:500]

    clusters.close(SYSTEM, cluster["id"], YEAR, date(YEAR, 1, 4))
    rt.runner.catch_up()
    for part in ("chi-tieu", "thang-diem", "xep-loai", "de-nghi", "so-lieu-chung"):
        page = client.get(f"{cluster['config']}/{part}")
        assert "Giao ước đã kết thúc" in main_text(page.text), part
        assert "<form method=\"post\" action" not in page.text.split("<main>", 1)[1], part
    assert "Cấu hình giao ước" not in client.get(cluster["board"]).text


def test_members_read_outsiders_get_the_403_page_and_nothing_is_recorded(client, world, rt,
                                                                         cluster):
    login(client, "tw.appr")
    draft(client, cluster)
    login(client, "bk.appr")  # a member's office: reads, never changes
    page = client.get(cluster["config"])
    assert page.status_code == 200
    assert "Chỉ văn phòng của đơn vị quản lý cụm hoặc của cụm trưởng" in main_text(page.text)
    page = client.get(cluster["config"] + "/chi-tieu")
    assert page.status_code == 200
    assert f'action="{cluster["config"]}/chi-tieu"' not in page.text
    assert "Cấu hình giao ước" not in client.get(cluster["board"]).text
    position = head(client)
    refused = post(client, cluster["config"] + "/chi-tieu", {**TWO, "expected_version": "1"})
    assert refused.status_code == 403
    assert head(client) == position

    login(client, "nt.nom")  # outside the cluster
    position = head(client)
    assert client.get(cluster["config"]).status_code == 403
    assert client.get(cluster["config"] + "/chi-tieu").status_code == 403
    assert post(client, cluster["config"], {"title": "x"}).status_code == 403
    assert head(client) == position

    login(client, "tw.appr")
    assert client.get(cluster["config"] + "/khong-co").status_code == 404
    assert client.get(f"/emulation/clusters/{cluster['id']}/2031/covenant/chi-tieu"
                      ).status_code == 404


def test_no_covenant_before_the_years_members(client, world, rt, cluster):
    login(client, "tw.appr")
    path = f"/emulation/clusters/{cluster['id']}/2025/covenant"
    page = client.get(path)
    assert page.status_code == 200
    assert "Cần ghi thành viên và cụm trưởng năm 2025" in main_text(page.text)
    assert f'href="/emulation/clusters/{cluster["id"]}/years?year=2025"' in page.text
    position = head(client)
    refused = post(client, path, {"title": ""})
    assert refused.status_code == 409
    assert "chưa có danh sách thành viên năm 2025" in main_text(refused.text)
    assert head(client) == position
