"""A cluster's members changing during the year through the pages (issue 19), on both stores:
the managing unit's office adds a member from a day, merges a member into another unit and
rotates the lead — each a form, a check page saying what will happen (nothing recorded yet), then
the record and the cluster page with a notice and the year's history (days dd/mm/yyyy, reasons);
the board then shows the members at the year's end and the new lead. Refusals: the form again
with the error summary by field and nothing recorded (the page's checks and the domain's 409);
a member's office that does not manage the cluster, or a user of another unit, is offered no
action and gets the 403 page on every form and POST."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from services.authz import SYSTEM
from services.web import pages_emulation
from tests.api.test_page_labels import unlabelled
from tests.helpers import error_summary_text as errors_of
from tests.helpers import head
from tests.helpers import page_main_text as main_text
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login

YEAR = 2025
INDICATORS = [
    {"code": "1", "text": "Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
     "measure": "yes_no"},
    {"code": "2", "text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
     "measure": "number", "target": "2", "unit": "hợp tác xã", "summable": True},
]
HANAM, NINHBINH, HANOI = "Hội LHPN tỉnh Hà Nam", "Hội LHPN tỉnh Ninh Bình", "Hội LHPN TP Hà Nội"
BACKAN = "Hội LHPN tỉnh Bắc Kạn"


@pytest.fixture
def cluster(client, world, rt, clock) -> dict[str, Any]:
    """A cluster managed by the centre, 2025: Hà Nội (lead), Hà Nam and Ninh Bình; the covenant
    signed and open; Hà Nam has reported indicator 2."""
    clock.today = date(YEAR, 6, 1)
    app = rt.app
    for key, name in (("hanam", HANAM), ("ninhbinh", NINHBINH)):
        world.units[key] = app.orgs.create_unit(SYSTEM, name=name, level="province",
                                                parent_id=world.units["root"],
                                                established_on=date(1997, 1, 1)).id
    app.users.create_user(SYSTEM, username="hnam.appr", full_name="hnam.appr",
                          password="mat-khau-123",
                          grants=[{"role": "approver", "unit_id": world.units["hanam"],
                                   "chair": False}])
    clusters = app.emulation.clusters
    cid = clusters.create(SYSTEM, name="Cụm thi đua đồng bằng", kind="cum",
                          managing_unit_id=world.units["root"]).id
    clusters.set_year(SYSTEM, cid, YEAR, lead_unit_id=world.units["hanoi"], members=[
        {"unit_id": world.units[key]} for key in ("hanoi", "hanam", "ninhbinh")],
        reason="Quyết định phân cụm năm 2025")
    clusters.put_covenant(SYSTEM, cid, YEAR, {"title": "Giao ước thi đua năm 2025",
                                              "indicators": INDICATORS})
    for unit in ("hanoi", "hanam", "ninhbinh"):
        clusters.sign(SYSTEM, cid, YEAR, unit_id=world.units[unit], on=date(YEAR, 1, 15))
    clusters.open(SYSTEM, cid, YEAR, date(YEAR, 2, 1))
    clusters.report(SYSTEM, cid, YEAR, world.units["hanam"], "2", value="3")
    rt.runner.catch_up()
    page = f"/emulation/clusters/{cid}"
    return {"id": cid, "page": page, "year": f"{page}/years/{YEAR}",
            "board": f"{page}/{YEAR}"}


def roster(rt, cid) -> dict[str, dict[str, Any]]:
    found = rt.app.emulation.clusters.cluster(cid)
    return {m.name: m.as_dict() for m in found.members_in(YEAR)}


def test_the_change_pages_are_routed_under_the_years():
    paths = {r.path for r in pages_emulation.router.routes}
    change = "/emulation/clusters/{cluster_id}/years/{year}/{change}"
    assert {change, change + "/check"} <= paths


def test_the_managing_office_adds_merges_and_rotates_the_lead(client, world, rt, cluster):
    login(client, "tw.appr")
    page = client.get(cluster["page"])
    assert page.status_code == 200
    for change in ("join", "merge", "lead"):
        assert f'href="{cluster["year"]}/{change}"' in page.text
    shown = main_text(page.text)
    assert "Thêm thành viên từ ngày…" in shown and "Sáp nhập thành viên…" in shown
    assert "Đổi cụm trưởng…" in shown
    # the history: the roster as set, with its reason
    assert "Cả năm Ghi danh sách 3 thành viên, cụm trưởng Hội LHPN TP Hà Nội " \
           "Quyết định phân cụm năm 2025" in shown
    assert not unlabelled(page.text)
    # the year's form leads to the same three
    year_form = client.get(f"{cluster['page']}/years?year={YEAR}")
    assert f'href="{cluster["year"]}/merge"' in year_form.text

    # -- a join: the form offers the subtree's units not yet members; the check; the record
    form = client.get(f"{cluster['year']}/join")
    assert form.status_code == 200 and not unlabelled(form.text)
    assert f'<option value="{world.u("backan")}">{BACKAN}</option>' in form.text
    assert f'<option value="{world.u("hanam")}">' not in form.text  # already a member
    position = head(client)
    check = post(client, f"{cluster['year']}/join/check", {
        "unit_id": world.u("backan"), "on": "01/07/2025", "reason": "Quyết định bổ sung"})
    assert check.status_code == 200, main_text(check.text)[:600]
    said = main_text(check.text)
    assert f"Từ 01/07/2025, {BACKAN} là thành viên của Cụm thi đua đồng bằng năm 2025." in said
    assert "Số thành viên cuối năm: 3 → 4." in said
    assert f"Bảng kết quả năm 2025 có thêm dòng {BACKAN}" in said
    assert f"{BACKAN} chưa ký giao ước năm 2025" in said
    assert head(client) == position  # the check recorded nothing
    # «Sửa lại» brings the form back as typed
    again = post(client, f"{cluster['year']}/join/check", {
        "unit_id": world.u("backan"), "on": "01/07/2025", "reason": "Quyết định bổ sung",
        "edit": "1"})
    assert again.status_code == 200 and 'value="01/07/2025"' in again.text
    assert f'<option value="{world.u("backan")}" selected>' in again.text
    done = post(client, f"{cluster['year']}/join", {
        "unit_id": world.u("backan"), "on": "01/07/2025", "reason": "Quyết định bổ sung"})
    assert done.status_code == 303, main_text(done.text)[:600]
    assert done.headers["location"].startswith(f"{cluster['page']}?done=joined&year=2025")
    assert roster(rt, cluster["id"])[BACKAN]["joined_on"] == "2025-07-01"
    shown = main_text(client.get(done.headers["location"]).text)
    assert f"Đã ghi thay đổi năm 2025: {BACKAN} tham gia cụm (từ 01/07/2025)." in shown
    assert f"01/07/2025 {BACKAN} tham gia cụm Quyết định bổ sung tw.appr," in shown
    assert f"{BACKAN} (từ 01/07/2025)" in shown

    # -- a merger (the day typed ISO): what happens to the merged member's results
    form = client.get(f"{cluster['year']}/merge")
    assert form.status_code == 200 and not unlabelled(form.text)
    check = post(client, f"{cluster['year']}/merge/check", {
        "from_unit_id": world.u("hanam"), "into_unit_id": world.u("ninhbinh"),
        "on": "2025-07-01", "reason": "Sắp xếp đơn vị hành chính cấp tỉnh"})
    assert check.status_code == 200, main_text(check.text)[:600]
    said = main_text(check.text)
    assert f"Từ 01/07/2025, {HANAM} sáp nhập vào {NINHBINH}." in said
    assert f"{HANAM} thôi là thành viên từ 01/07/2025" in said
    assert f"{NINHBINH} đã là thành viên: giữ nguyên" in said
    assert "Số thành viên cuối năm: 4 → 3." in said
    assert (f"{HANAM} không còn dòng trên bảng và không được tính vào số đạt từng chỉ tiêu, "
            "tổng điểm, xếp hạng và giới hạn đề nghị khen thưởng; kết quả của "
            f"{HANAM} không cộng sang {NINHBINH}.") in said
    assert f"1 kết quả {HANAM} đã báo cáo vẫn được lưu" in said
    assert "đang là cụm trưởng" not in said  # Hà Nam does not lead
    assert head(client) == position + 1  # only the join
    done = post(client, f"{cluster['year']}/merge", {
        "from_unit_id": world.u("hanam"), "into_unit_id": world.u("ninhbinh"),
        "on": "2025-07-01", "reason": "Sắp xếp đơn vị hành chính cấp tỉnh"})
    assert done.status_code == 303, main_text(done.text)[:600]
    merged = roster(rt, cluster["id"])[HANAM]
    assert (merged["left_on"], merged["merged_into"]) == ("2025-07-01", world.u("ninhbinh"))
    shown = main_text(client.get(done.headers["location"]).text)
    assert f"Đã ghi thay đổi năm 2025: {HANAM} sáp nhập vào {NINHBINH} (từ 01/07/2025)." \
        in shown
    assert f"{HANAM} (sáp nhập vào {NINHBINH} ngày 01/07/2025)" in shown
    assert "Sắp xếp đơn vị hành chính cấp tỉnh" in shown

    # -- the lead rotates from a day
    form = client.get(f"{cluster['year']}/lead")
    assert form.status_code == 200 and not unlabelled(form.text)
    check = post(client, f"{cluster['year']}/lead/check", {
        "unit_id": world.u("ninhbinh"), "on": "1/9/2025", "reason": "Luân phiên"})
    assert check.status_code == 200, main_text(check.text)[:600]
    said = main_text(check.text)
    assert (f"Từ 01/09/2025, {NINHBINH} làm cụm trưởng Cụm thi đua đồng bằng năm 2025, "
            f"thay {HANOI}.") in said
    assert f"Cụm trưởng luân phiên năm 2025: {HANOI} từ đầu năm; {NINHBINH} từ 01/09/2025." \
        in said
    done = post(client, f"{cluster['year']}/lead", {
        "unit_id": world.u("ninhbinh"), "on": "1/9/2025", "reason": "Luân phiên"})
    assert done.status_code == 303
    found = rt.app.emulation.clusters.cluster(cluster["id"])
    assert found.lead_history(YEAR)[-1] == {"unit_id": world.u("ninhbinh"), "from": "2025-09-01"}
    page = client.get(done.headers["location"])
    shown = main_text(page.text)
    assert f"Đã ghi thay đổi năm 2025: {NINHBINH} làm cụm trưởng (từ 01/09/2025)." in shown
    assert f"luân phiên: {HANOI}; {NINHBINH} từ 01/09/2025" in shown
    history = shown.split("Thay đổi thành viên, cụm trưởng năm 2025", 1)[1]
    rows = [f"Cả năm Ghi danh sách 3 thành viên, cụm trưởng {HANOI}",
            f"01/07/2025 {BACKAN} tham gia cụm", f"01/07/2025 {HANAM} sáp nhập vào {NINHBINH}",
            f"01/09/2025 {NINHBINH} làm cụm trưởng Luân phiên"]
    at = [history.index(row) for row in rows]
    assert at == sorted(at)  # oldest first
    assert re.search(r"tw\.appr, \d\d/\d\d/\d{4} \d\d:\d\d", history)

    # the board: the members at the year's end, the new lead
    board = main_text(client.get(cluster["board"]).text)
    assert f"Cụm trưởng {NINHBINH}" in board
    assert BACKAN in board and NINHBINH in board and HANOI in board
    assert HANAM not in board


def test_a_merged_lead_passes_the_lead_to_a_unit_that_joins(client, world, rt, cluster):
    login(client, "tw.appr")
    form = client.get(f"{cluster['year']}/merge")
    # into: the members, or a unit of the subtree that then joins
    assert '<optgroup label="Đơn vị khác (tham gia cụm từ ngày sáp nhập)">' in form.text
    check = post(client, f"{cluster['year']}/merge/check", {
        "from_unit_id": world.u("hanoi"), "into_unit_id": world.u("backan"),
        "on": "15/08/2025"})
    assert check.status_code == 200, main_text(check.text)[:600]
    said = main_text(check.text)
    assert f"{BACKAN} chưa là thành viên: tham gia cụm từ 15/08/2025." in said
    assert f"{HANOI} đang là cụm trưởng: từ 15/08/2025, {BACKAN} làm cụm trưởng." in said
    assert "Số thành viên cuối năm: 3 → 3." in said
    assert f"{BACKAN} chưa ký giao ước năm 2025" in said
    done = post(client, f"{cluster['year']}/merge", {
        "from_unit_id": world.u("hanoi"), "into_unit_id": world.u("backan"),
        "on": "15/08/2025"})
    assert done.status_code == 303
    found = rt.app.emulation.clusters.cluster(cluster["id"])
    assert found.lead_in(YEAR) == world.units["backan"]
    shown = main_text(client.get(done.headers["location"]).text)
    assert (f"15/08/2025 {HANOI} sáp nhập vào {BACKAN}; {BACKAN} tham gia cụm — tw.appr"
            in shown)
    board = main_text(client.get(cluster["board"]).text)
    assert f"Cụm trưởng {BACKAN}" in board and HANOI not in board


def test_refused_input_comes_back_by_field_and_records_nothing(client, world, rt, cluster):
    login(client, "tw.appr")
    position = head(client)
    for step in ("/check", ""):  # the check page and the record refuse alike
        blank = post(client, f"{cluster['year']}/merge{step}", {"on": "", "reason": "x"})
        assert blank.status_code == 422
        summary = errors_of(blank.text)
        assert "Chọn thành viên được sáp nhập" in summary
        assert "Chọn đơn vị mà thành viên sáp nhập vào" in summary
        assert "Cần ghi ngày, dạng dd/mm/yyyy" in summary
        for field in ("from_unit_id", "into_unit_id", "on"):
            assert f'href="#{field}"' in blank.text and f'id="{field}-error"' in blank.text
        assert ">x</textarea>" in blank.text  # what was typed is kept

        wrong_day = post(client, f"{cluster['year']}/join{step}",
                         {"unit_id": world.u("backan"), "on": "31/02/2025"})
        assert wrong_day.status_code == 422
        assert "không phải ngày có thật" in errors_of(wrong_day.text)
        assert 'value="31/02/2025"' in wrong_day.text
        other_year = post(client, f"{cluster['year']}/join{step}",
                          {"unit_id": world.u("backan"), "on": "01/07/2024"})
        assert other_year.status_code == 422
        assert "Ngày phải trong năm 2025" in errors_of(other_year.text)

        # a member again (a form read before another office added it): the domain's 409
        member = post(client, f"{cluster['year']}/join{step}",
                      {"unit_id": world.u("hanam"), "on": "01/07/2025"})
        assert member.status_code == 409
        assert (f"Đơn vị {HANAM} đã là thành viên của Cụm thi đua đồng bằng năm 2025"
                in errors_of(member.text))
        assert 'href="#unit_id"' in member.text

        itself = post(client, f"{cluster['year']}/merge{step}", {
            "from_unit_id": world.u("hanam"), "into_unit_id": world.u("hanam"),
            "on": "01/07/2025"})
        assert itself.status_code == 422
        assert "Chọn một đơn vị khác" in errors_of(itself.text)
        not_offered = post(client, f"{cluster['year']}/lead{step}",
                           {"unit_id": world.u("nt"), "on": "01/07/2025"})
        assert not_offered.status_code == 422
        assert "Cụm trưởng phải là thành viên của cụm năm 2025" in errors_of(not_offered.text)
        same = post(client, f"{cluster['year']}/lead{step}",
                    {"unit_id": world.u("hanoi"), "on": "01/07/2025"})
        assert same.status_code == 422
        assert f"{HANOI} đã là cụm trưởng ngày 01/07/2025" in errors_of(same.text)
    assert head(client) == position

    # a member merged away can no longer be merged, nor lead after its merger
    rt.app.emulation.clusters.merge_member(SYSTEM, cluster["id"], YEAR,
                                           from_unit_id=world.units["hanam"],
                                           into_unit_id=world.units["ninhbinh"],
                                           on=date(YEAR, 7, 1))
    position = head(client)
    gone = post(client, f"{cluster['year']}/merge/check", {
        "from_unit_id": world.u("hanam"), "into_unit_id": world.u("hanoi"),
        "on": "01/08/2025"})
    assert gone.status_code == 422
    assert f"{HANAM} đã sáp nhập vào {NINHBINH} ngày 01/07/2025" in errors_of(gone.text)
    lead = post(client, f"{cluster['year']}/lead", {"unit_id": world.u("hanam"),
                                                    "on": "01/08/2025"})
    assert lead.status_code == 422
    assert f"{HANAM} đã sáp nhập vào {NINHBINH} ngày 01/07/2025" in errors_of(lead.text)
    assert head(client) == position
    assert rt.app.emulation.clusters.cluster(cluster["id"]).lead_in(YEAR) == world.units["hanoi"]


def test_whoever_does_not_manage_the_cluster_gets_no_action_and_the_403_page(
        client, world, rt, cluster):
    body = {"unit_id": world.u("backan"), "on": "01/07/2025"}
    login(client, "hnam.appr")  # a member's office: reads the cluster, does not manage it
    position = head(client)
    page = client.get(cluster["page"])
    assert page.status_code == 200
    assert "Thay đổi thành viên, cụm trưởng năm 2025" in main_text(page.text)  # the history
    for change in ("join", "merge", "lead"):
        assert f"{cluster['year']}/{change}" not in page.text
        assert client.get(f"{cluster['year']}/{change}").status_code == 403
        assert post(client, f"{cluster['year']}/{change}/check", body).status_code == 403
        assert post(client, f"{cluster['year']}/{change}", body).status_code == 403
    assert "Thêm thành viên từ ngày" not in page.text
    assert head(client) == position

    login(client, "nt.nom")  # a commune elsewhere: not even a reader
    position = head(client)
    assert client.get(cluster["page"]).status_code == 403
    for change in ("join", "merge", "lead"):
        assert client.get(f"{cluster['year']}/{change}").status_code == 403
        assert post(client, f"{cluster['year']}/{change}", body).status_code == 403
    assert head(client) == position
    assert BACKAN not in roster(rt, cluster["id"])


def test_what_the_path_names_and_is_not_there_is_404(client, world, cluster):
    login(client, "tw.appr")
    for path in (f"{cluster['year']}/rename", f"{cluster['page']}/years/2024/join",
                 f"{cluster['page']}/years/abcd/join"):
        page = client.get(path)
        assert page.status_code == 404, path


def test_a_past_year_offers_the_units_of_that_year(client, world, rt, cluster):
    """A province merged away since (as in the 2025 reform) can still be entered as a member of
    the years it existed, under its name of that year; today's list does not offer it."""
    app = rt.app
    merged = app.orgs.create_unit(SYSTEM, name="Hội LHPN tỉnh Hà Tây", level="province",
                                  parent_id=world.units["root"],
                                  established_on=date(1997, 1, 1)).id
    rt.after(app.orgs.reorganise(SYSTEM, on=date(YEAR, 3, 1), operations=[
        {"op": "merge", "unit_ids": [str(merged)], "target_id": world.u("hanoi")}]))
    login(client, "tw.appr")
    past = client.get(f"{cluster['page']}/years?year={YEAR - 1}")
    assert past.status_code == 200 and f'value="{merged}"' in past.text
    assert "Hội LHPN tỉnh Hà Tây" in past.text
    now = client.get(f"{cluster['page']}/years?year={YEAR + 1}")
    assert now.status_code == 200 and f'value="{merged}"' not in now.text
