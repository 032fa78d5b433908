"""The emulation pages (issue 19), on both stores, as people use them: the lists cut to the
reader's units; a cluster's board with every count computed from the recorded results; a
member's office reports from its report page, the lead's office confirms and corrects (each
behind a confirmation page) and the history shows who did what; the managing unit's office
opens, closes and turns the results into nominations once. A movement launched, joined and
reported; a title registration with its findings, closed and nominated. Refusals: the 403 page
for whoever may not read or act (nothing recorded), 422 with the form as typed, a form without
this browser's CSRF token refused, 404 for what the path names and is not there."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from services.authz import SYSTEM
from services.web import (
    pages_cluster_reports,
    pages_emulation,
    pages_movements,
    pages_registrations,
)
from tests.api.test_page_labels import unlabelled
from tests.helpers import head
from tests.helpers import page_main_text as main_text
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login
from tests.helpers import page_text as text

YEAR = 2024
INDICATORS = [
    {"code": "1", "text": "Mỗi cơ sở Hội duy trì ít nhất 01 loại hình hoạt động",
     "measure": "yes_no"},
    {"code": "2", "text": "Thành lập mới hợp tác xã có phụ nữ tham gia quản lý",
     "measure": "number", "target": "2", "unit": "hợp tác xã", "summable": True},
    {"code": "3", "text": "Hỗ trợ nạn nhân bạo lực gia đình được phát hiện",
     "measure": "percent", "target": "80", "applies": "when_cases"},
]
STATED = [{"indicator_code": "2", "what": "hợp tác xã thành lập mới", "value": "12",
           "unit": "hợp tác xã", "source": "Báo cáo tổng kết cụm"}]


@pytest.fixture
def cluster(client, world, rt, clock) -> dict[str, Any]:
    """A cluster of two provinces (Hà Nội leading, Bắc Kạn) managed by the centre, its 2024
    covenant signed and open, some results reported: Hà Nội all three, Bắc Kạn indicators 2
    (one cooperative) and 3 (no case)."""
    clock.today = date(YEAR, 6, 1)
    app = rt.app
    for username, role, unit in (("bk.appr", "approver", "backan"),
                                 ("tw.nom", "nominator", "root")):
        app.users.create_user(SYSTEM, username=username, full_name=username,
                              password="mat-khau-123",
                              grants=[{"role": role, "unit_id": world.units[unit],
                                       "chair": False}])
    clusters = app.emulation.clusters
    cid = clusters.create(SYSTEM, name="Cụm thi đua thử nghiệm", kind="cum",
                          managing_unit_id=world.units["root"]).id
    clusters.set_year(SYSTEM, cid, YEAR, lead_unit_id=world.units["hanoi"], members=[
        {"unit_id": world.units["hanoi"], "name": "Hà Nội"},
        {"unit_id": world.units["backan"], "name": "Bắc Kạn"}])
    clusters.put_covenant(SYSTEM, cid, YEAR, {"title": "Giao ước thi đua năm 2024",
                                              "indicators": INDICATORS, "stated_totals": STATED})
    for unit in ("hanoi", "backan"):
        clusters.sign(SYSTEM, cid, YEAR, unit_id=world.units[unit], on=date(YEAR, 1, 15))
    clusters.open(SYSTEM, cid, YEAR, date(YEAR, 2, 1))
    hanoi, backan = world.units["hanoi"], world.units["backan"]
    clusters.report(SYSTEM, cid, YEAR, hanoi, "1", value="yes")
    clusters.report(SYSTEM, cid, YEAR, hanoi, "2", value="5")
    clusters.report(SYSTEM, cid, YEAR, hanoi, "3", cases_occurred=True, value="100")
    clusters.report(SYSTEM, cid, YEAR, backan, "2", value="1")
    clusters.report(SYSTEM, cid, YEAR, backan, "3", cases_occurred=False)
    rt.runner.catch_up()
    board = f"/emulation/clusters/{cid}/{YEAR}"
    return {"id": cid, "board": board, "hanoi": f"{board}/reports/{hanoi}",
            "backan": f"{board}/reports/{backan}"}


def test_the_emulation_pages_are_routed_here():
    paths = {getattr(r, "path", None)  # multipart forms come in an included router
             for module in (pages_emulation, pages_cluster_reports, pages_movements,
                            pages_registrations) for r in module.router.routes}
    assert {"/emulation", "/emulation/clusters/new", "/emulation/clusters/{cluster_id}",
            "/emulation/clusters/{cluster_id}/{year}",
            "/emulation/clusters/{cluster_id}/{year}/reports/{unit_id}",
            "/emulation/movements/new", "/emulation/movements/{movement_id}",
            "/emulation/registrations/new",
            "/emulation/registrations/{registration_id}"} <= paths


def test_the_menu_leads_to_the_lists_cut_to_the_readers_units(client, world, cluster):
    login(client, "hn.appr")
    home = client.get("/")
    assert '<a href="/emulation">Thi đua</a>' in home.text
    page = client.get("/emulation")
    assert page.status_code == 200
    shown = main_text(page.text)
    assert "Cụm thi đua thử nghiệm" in shown and "Năm 2024" in shown
    assert f'href="{cluster["board"]}"' in page.text
    assert not unlabelled(page.text)

    login(client, "nt.nom")  # a commune of Bắc Kạn: neither the centre nor a member
    page = client.get("/emulation")
    assert page.status_code == 200
    assert "Cụm thi đua thử nghiệm" not in page.text
    assert "Chưa có cụm, khối thi đua nào có đơn vị của bạn" in main_text(page.text)
    assert "Lập cụm, khối thi đua" not in page.text  # a nominator is no office


def test_the_board_shows_the_counts_computed_from_the_results(client, world, cluster):
    login(client, "bk.appr")
    page = client.get(cluster["board"])
    assert page.status_code == 200, text(page.text)[:500]
    shown = main_text(page.text)
    # indicator 1: Hà Nội yes, Bắc Kạn not reported: unknown, never counted as not achieved
    assert "Chỉ tiêu 1: 1/1 (1 chưa có số liệu) tỉnh đạt" in shown
    # indicator 2: 5 (exceeded) and 1 (below 2): 1/2; the sum and the cluster's own figure
    assert "Chỉ tiêu 2: 1/2 tỉnh đạt" in shown
    assert "6 hợp tác xã" in shown
    assert "Hà Nội 05; Bắc Kạn 01" in shown
    assert "12 hợp tác xã — hợp tác xã thành lập mới; cộng từ các thành viên: 6 hợp tác xã" \
        in shown
    # indicator 3: only where cases occurred
    assert "1/2 tỉnh có trường hợp xảy ra" in shown
    assert "Chỉ tiêu 3: 1/1 tỉnh đạt" in shown
    # each cell in words with a text mark
    for words in ("▲ vượt", "✗ không đạt", "– không áp dụng", "? chưa có số liệu"):
        assert words in shown, words
    assert "chờ xác nhận" in shown  # nothing confirmed yet
    # the files: the API's, which takes the session
    api = f"/api/emulation/clusters/{cluster['id']}/covenants/{YEAR}"
    assert f'href="{api}/board.xlsx"' in page.text and f'href="{api}/board.pdf"' in page.text
    xlsx = client.get(f"{api}/board.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(f"{api}/board.pdf")
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    # a member's office is no steering office: no open/close offered
    assert "Kết thúc giao ước" not in page.text
    assert not unlabelled(page.text)


def test_a_member_reports_the_lead_confirms_and_corrects_the_history_shows_it(
        client, world, cluster):
    login(client, "bk.appr")
    page = client.get(cluster["backan"])
    assert page.status_code == 200
    assert f'action="{cluster["backan"]}/results/1"' in page.text
    assert "Xác nhận chỉ tiêu" not in page.text  # the member does not confirm
    assert not unlabelled(page.text)
    done = post(client, f"{cluster['backan']}/results/1",
                {"value": "yes", "evidence": "Báo cáo tổng kết năm 2024"})
    assert done.status_code == 303, text(done.text)[:600]
    assert done.headers["location"].startswith(cluster["backan"] + "?done=reported&code=1")
    page = client.get(done.headers["location"])
    shown = main_text(page.text)
    assert "Đã ghi kết quả chỉ tiêu 1." in shown
    assert "đã báo cáo" in shown and "Minh chứng: Báo cáo tổng kết năm 2024" in shown
    # re-reported before confirmation, with a decimal comma
    assert post(client, f"{cluster['backan']}/results/2", {"value": "2,5"}).status_code == 303

    login(client, "hn.appr")  # the lead's office
    page = client.get(cluster["backan"])
    assert f'href="{cluster["backan"]}/results/1/confirm"' in page.text
    assert f'action="{cluster["backan"]}/results/1"' not in page.text  # not the member
    check = client.get(f"{cluster['backan']}/results/1/confirm")
    assert check.status_code == 200
    assert "Xác nhận kết quả chỉ tiêu 1 của Bắc Kạn?" in main_text(check.text)
    done = post(client, f"{cluster['backan']}/results/1/confirm")
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    shown = main_text(page.text)
    assert "Đã xác nhận kết quả chỉ tiêu 1." in shown
    history = shown.split("Chỉ tiêu 1", 1)[1].split("Chỉ tiêu 2", 1)[0]
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d bk\.appr báo cáo — → có", history), history
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d hn\.appr xác nhận có \(giữ nguyên\)", history)

    # a correction: the form, its check (old → new), then the record
    form = client.get(f"{cluster['backan']}/results/2/correct")
    assert form.status_code == 200 and 'value="2,5"' in form.text
    position = head(client)
    check = post(client, f"{cluster['backan']}/results/2/correct/check",
                 {"value": "2", "reason": "Một HTX chưa có quyết định thành lập"})
    assert check.status_code == 200, main_text(check.text)[:600]
    assert "2,5 → 2" in main_text(check.text)
    assert head(client) == position  # the check recorded nothing
    done = post(client, f"{cluster['backan']}/results/2/correct",
                {"value": "2", "reason": "Một HTX chưa có quyết định thành lập"})
    assert done.status_code == 303
    shown = main_text(client.get(done.headers["location"]).text)
    assert "điều chỉnh 2,5 → 2" in shown
    assert "Lý do: Một HTX chưa có quyết định thành lập" in shown

    # the board now counts them
    board = main_text(client.get(cluster["board"]).text)
    assert "Chỉ tiêu 1: 2/2 tỉnh đạt" in board and "Chỉ tiêu 2: 2/2 tỉnh đạt" in board

    # confirmed: the member no longer reports it
    login(client, "bk.appr")
    page = client.get(cluster["backan"])
    assert f'action="{cluster["backan"]}/results/1"' not in page.text
    position = head(client)
    again = post(client, f"{cluster['backan']}/results/1", {"value": "no"})
    assert again.status_code == 409
    assert "đã được xác nhận" in main_text(again.text)
    assert head(client) == position


def test_whoever_may_not_gets_the_403_page_and_nothing_is_recorded(client, world, cluster):
    login(client, "nt.nom")  # outside the cluster
    position = head(client)  # (signing in records a session)
    for path in (cluster["board"], cluster["backan"], f"{cluster['backan']}/results/2/confirm",
                 f"/emulation/clusters/{cluster['id']}"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert "Không thực hiện được" in page.text
    refused = post(client, f"{cluster['backan']}/results/2", {"value": "9"})
    assert refused.status_code == 403
    assert head(client) == position

    login(client, "hn.appr")  # the lead reads Bắc Kạn's report but does not report for it
    position = head(client)
    refused = post(client, f"{cluster['backan']}/results/1", {"value": "yes"})
    assert refused.status_code == 403
    assert "Không thực hiện được" in refused.text
    assert head(client) == position

    login(client, "bk.appr")  # a member does not confirm, nor open or close
    position = head(client)
    for path in (f"{cluster['backan']}/results/2/confirm", f"{cluster['hanoi']}/results/2",
                 f"{cluster['board']}/close"):
        refused = post(client, path, {"value": "1"})
        assert refused.status_code == 403, path
    assert client.get(f"{cluster['board']}/close").status_code == 403
    assert client.get(f"/emulation/clusters/{cluster['id']}/years").status_code == 403
    assert head(client) == position


def test_a_report_with_mistakes_comes_back_as_typed(client, world, cluster):
    login(client, "bk.appr")
    position = head(client)
    blank = post(client, f"{cluster['backan']}/results/2", {"value": "",
                                                           "evidence": "Theo báo cáo quý"})
    assert blank.status_code == 422
    shown = main_text(blank.text)
    assert "Chưa ghi được, vui lòng sửa:" in shown
    assert "Chỉ tiêu 2: cần ghi số liệu" in shown
    assert 'href="#value-2"' in blank.text and 'aria-invalid="true"' in blank.text
    assert "Theo báo cáo quý" in blank.text
    wrong = post(client, f"{cluster['backan']}/results/2", {"value": "ba", "evidence": "x"})
    assert wrong.status_code == 422
    assert 'value="ba"' in wrong.text
    assert "không phải là số" in main_text(wrong.text)
    both = post(client, f"{cluster['backan']}/results/3", {"no_cases": "1", "value": "90"})
    assert both.status_code == 422
    assert "Không có trường hợp xảy ra" in main_text(both.text)
    too_much = post(client, f"{cluster['backan']}/results/3", {"value": "120"})
    assert too_much.status_code == 422
    assert "không được lớn hơn 100" in main_text(too_much.text)
    assert head(client) == position

    login(client, "hn.appr")
    no_reason = post(client, f"{cluster['backan']}/results/2/correct/check", {"value": "3"})
    assert no_reason.status_code == 422
    assert "Cần ghi lý do điều chỉnh" in main_text(no_reason.text)
    assert 'value="3"' in no_reason.text


def test_a_form_without_the_browsers_token_is_refused(client, world, cluster):
    login(client, "bk.appr")
    position = head(client)
    forged = client.post(f"{cluster['backan']}/results/1", data={"value": "yes"},
                         follow_redirects=False)
    assert forged.status_code == 403
    wrong = client.post(f"{cluster['backan']}/results/1",
                        data={"value": "yes", "csrf_token": "x" * 43}, follow_redirects=False)
    assert wrong.status_code == 403
    assert head(client) == position


def test_what_the_path_names_and_is_not_there_is_404(client, world, cluster):
    login(client, "hn.appr")
    unknown = "00000000-0000-4000-8000-000000000000"
    for path in (f"/emulation/clusters/{unknown}", f"/emulation/clusters/nope/{YEAR}",
                 f"/emulation/clusters/{cluster['id']}/2019",
                 f"/emulation/clusters/{cluster['id']}/abcd",
                 f"{cluster['board']}/reports/{unknown}",
                 f"{cluster['backan']}/results/9/confirm",
                 f"/emulation/movements/{unknown}", f"/emulation/registrations/{unknown}",
                 f"{cluster['board']}/nothing"):
        page = client.get(path)
        assert page.status_code == 404, (path, page.status_code)
        assert "Không thực hiện được" in page.text


def test_the_managing_office_runs_the_cluster_and_proposes_once(client, world, cluster, rt):
    login(client, "tw.appr")
    # a new cluster through the pages, then its year
    form = client.get("/emulation/clusters/new")
    assert form.status_code == 200 and not unlabelled(form.text)
    empty = post(client, "/emulation/clusters/new", {"name": "", "kind": "cum"})
    assert empty.status_code == 422 and "Cần ghi tên cụm" in main_text(empty.text)
    done = post(client, "/emulation/clusters/new", {
        "name": "Khối thi đua các tỉnh miền núi", "kind": "khoi",
        "managing_unit_id": world.u("root")})
    assert done.status_code == 303
    new = done.headers["location"].split("?")[0]
    page = client.get(done.headers["location"])
    assert "Khối thi đua các tỉnh miền núi" in page.text and "Khối thi đua" in page.text
    year = client.get(f"{new}/years?year=2025")
    assert year.status_code == 200 and not unlabelled(year.text)
    wrong = post(client, f"{new}/years", {"year": "2025", "members": [world.u("backan")],
                                          "lead": world.u("hanoi")})
    assert wrong.status_code == 422
    assert "Cụm trưởng phải là một trong các thành viên" in main_text(wrong.text)
    done = post(client, f"{new}/years", {"year": "2025", "lead": world.u("backan"),
                                         "members": [world.u("backan"), world.u("hanoi")]})
    assert done.status_code == 303
    shown = main_text(client.get(done.headers["location"]).text)
    assert "Năm 2025" in shown and "Hội LHPN tỉnh Bắc Kạn" in shown
    renamed = post(client, f"{new}/rename", {"name": "Khối thi đua miền núi phía Bắc"})
    assert renamed.status_code == 303
    assert "Khối thi đua miền núi phía Bắc" in client.get(new).text

    # closing the covenant: a confirmation, then the board says so
    check = client.get(f"{cluster['board']}/close")
    assert check.status_code == 200
    assert "Kết thúc giao ước thi đua năm 2024?" in main_text(check.text)
    bad = post(client, f"{cluster['board']}/close", {"on": "31/02/2024"})
    assert bad.status_code == 422 and "không phải ngày có thật" in main_text(bad.text)
    done = post(client, f"{cluster['board']}/close", {"on": "20/12/2024"})
    assert done.status_code == 303
    shown = main_text(client.get(done.headers["location"]).text)
    assert "Giao ước đã kết thúc" in shown and "kết thúc ngày 20/12/2024" in shown
    # no points table: nothing ranked, nothing to propose
    assert "Lập đề nghị khen thưởng từ kết quả" not in shown
    assert "giao ước không có thang điểm" in shown


def test_proposals_become_nominations_once(client, world, rt, clock):
    """A scored covenant: the agreed scores rank the members, the first is proposed; the
    managing unit's nominator turns it into a draft nomination after a confirmation, once."""
    clock.today = date(YEAR, 12, 20)
    app = rt.app
    app.users.create_user(SYSTEM, username="tw.nom", full_name="tw.nom",
                          password="mat-khau-123",
                          grants=[{"role": "nominator", "unit_id": world.units["root"],
                                   "chair": False}])
    clusters = app.emulation.clusters
    cid = clusters.create(SYSTEM, name="Cụm có thang điểm", kind="cum",
                          managing_unit_id=world.units["root"]).id
    clusters.set_year(SYSTEM, cid, YEAR, lead_unit_id=world.units["hanoi"], members=[
        {"unit_id": world.units["hanoi"]}, {"unit_id": world.units["backan"]}])
    clusters.put_covenant(SYSTEM, cid, YEAR, {
        "indicators": INDICATORS[:1],
        "points": {"items": [{"code": "cum", "text": "Hoạt động chung", "max_points": "100"}]},
        "proposal_rules": [{"rank_from": 1, "award_kind": "bang_khen_tw_hoi"}]})
    for unit in ("hanoi", "backan"):
        clusters.sign(SYSTEM, cid, YEAR, unit_id=world.units[unit], on=date(YEAR, 1, 2))
    clusters.open(SYSTEM, cid, YEAR, date(YEAR, 1, 3))
    board = f"/emulation/clusters/{cid}/{YEAR}"
    hanoi = f"{board}/reports/{world.u('hanoi')}"

    login(client, "hn.appr")  # Hà Nội's office scores itself, and is the lead: it agrees
    page = client.get(hanoi)
    assert 'action="' + hanoi + '/scores/cum/self"' in page.text
    assert not unlabelled(page.text)
    too_many = post(client, f"{hanoi}/scores/cum/self", {"points": "120"})
    assert too_many.status_code == 422
    assert 'value="120"' in too_many.text
    assert post(client, f"{hanoi}/scores/cum/self", {"points": "95,5"}).status_code == 303
    differs = post(client, f"{hanoi}/scores/cum/agree", {"points": "95"})
    assert differs.status_code == 422  # not the score given: a reason is needed
    assert "Cần ghi rõ lý do" in main_text(differs.text) and 'value="95"' in differs.text
    assert post(client, f"{hanoi}/scores/cum/agree",
                {"points": "95", "note": "Trừ 0,5 điểm báo cáo chậm"}).status_code == 303
    assert post(client, f"{board}/reports/{world.u('backan')}/scores/cum/agree",
                {"points": "80"}).status_code == 303
    shown = main_text(client.get(hanoi).text)
    assert "Tự chấm (Hội LHPN TP Hà Nội): 95,5" in shown and "Tổng điểm thống nhất: 95 / 100" \
        in shown
    clusters.close(SYSTEM, cid, YEAR, date(YEAR, 12, 15))
    rt.runner.catch_up()

    shown = main_text(client.get(board).text)
    assert "Xếp hạng" in shown and "Bằng khen" in shown
    assert "Lập đề nghị khen thưởng từ kết quả" not in shown  # the lead is not the centre

    login(client, "tw.nom")
    page = client.get(board)
    assert f'href="{board}/propose"' in page.text
    check = client.get(f"{board}/propose")
    assert check.status_code == 200
    assert "Lập 1 đề nghị khen thưởng" in main_text(check.text)
    done = post(client, f"{board}/propose")
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    found = re.findall(r'href="/nominations/([0-9a-f-]{36})"', page.text)
    assert found, main_text(page.text)[:800]
    assert "Đã lập các đề nghị khen thưởng" in main_text(page.text)
    nomination = client.get(f"/nominations/{found[0]}")
    assert nomination.status_code == 200 and "Hà Nội" in nomination.text
    position = head(client)
    again = client.get(f"{board}/propose")
    assert "Không còn đề nghị nào để lập" in main_text(again.text)
    assert post(client, f"{board}/propose").status_code == 303
    assert head(client) == position  # nothing created twice
    assert set(re.findall(r'href="/nominations/([0-9a-f-]{36})"', client.get(board).text)) \
        == {found[0]}


def test_a_movement_launched_joined_reported_and_confirmed(client, world, rt, clock):
    clock.today = date(2025, 3, 1)
    login(client, "tw.appr")
    form = client.get("/emulation/movements/new")
    assert form.status_code == 200 and not unlabelled(form.text)
    nothing = post(client, "/emulation/movements/new", {"unit_id": world.u("root"),
                                                        "title": "Phong trào thử"})
    assert nothing.status_code == 422
    assert "Cần ít nhất một chỉ tiêu" in main_text(nothing.text)
    assert 'value="Phong trào thử"' in nothing.text
    done = post(client, "/emulation/movements/new", {
        "unit_id": world.u("root"), "title": "Phụ nữ khởi nghiệp", "year": "2025",
        "own_targets": "1", "participants": [world.u("hanoi"), world.u("backan")],
        "ind-1-code": "1", "ind-1-text": "Hỗ trợ phụ nữ khởi nghiệp", "ind-1-measure": "number",
        "ind-1-target": "10", "ind-1-unit": "phụ nữ", "ind-1-summable": "1",
        "ind-2-text": "Có mô hình điểm", "ind-2-measure": "yes_no"})
    assert done.status_code == 303, main_text(done.text)[:600]
    movement = done.headers["location"].split("?")[0]
    shown = main_text(client.get(done.headers["location"]).text)
    assert "Phụ nữ khởi nghiệp" in shown and "0/2 đã đăng ký" in shown

    login(client, "hn.appr")
    page = client.get(movement)
    assert "Đăng ký tham gia cho Hội LHPN TP Hà Nội" in page.text
    assert "Đăng ký tham gia cho Hội LHPN tỉnh Bắc Kạn" not in page.text
    assert not unlabelled(page.text)
    easier = post(client, f"{movement}/register", {"unit_id": world.u("hanoi"),
                                                   "target-1": "5"})
    assert easier.status_code == 422 and "thấp hơn mức của phong trào" in main_text(easier.text)
    done = post(client, f"{movement}/register", {"unit_id": world.u("hanoi"), "target-1": "12",
                                                 "pledge": "Hỗ trợ 12 phụ nữ"})
    assert done.status_code == 303
    unit_page = f"{movement}/units/{world.u('hanoi')}"
    page = client.get(unit_page)
    assert page.status_code == 200 and "≥ 12 phụ nữ" in page.text
    assert post(client, f"{unit_page}/results/1", {"value": "15"}).status_code == 303

    login(client, "tw.appr")
    assert client.get(f"{unit_page}/results/1/confirm").status_code == 200
    assert post(client, f"{unit_page}/results/1/confirm").status_code == 303
    shown = main_text(client.get(unit_page).text)
    assert "đã xác nhận" in shown and "tw.appr xác nhận" in shown
    board = main_text(client.get(movement).text)
    assert "1/1 (1 chưa có số liệu)" in board and "mức riêng ≥ 12 phụ nữ" in board
    assert client.get(f"{movement}/close").status_code == 200
    assert post(client, f"{movement}/close", {"on": "31/12/2025"}).status_code == 303
    assert "Phong trào đã kết thúc" in main_text(client.get(movement + "?done=closed").text)

    login(client, "nt.nom")
    assert client.get(movement).status_code == 403


def test_a_title_registration_with_its_findings_closed_and_nominated(client, world, rt,
                                                                      clock):
    clock.today = date(2025, 1, 10)
    login(client, "xd.nom")
    form = client.get("/emulation/registrations/new")
    assert form.status_code == 200 and not unlabelled(form.text)
    done = post(client, "/emulation/registrations/new", {"unit_id": world.u("xd"),
                                                         "year": "2025"})
    assert done.status_code == 303
    registration = done.headers["location"]
    page = client.get(registration)
    assert "Đăng ký danh hiệu thi đua năm 2025" in main_text(page.text)
    assert not unlabelled(page.text)
    person = {"kind": "individual", "name": "Nguyễn Thị Lan", "birth_year": "1980",
              "gender": "female", "position": "Chi hội trưởng"}
    refused = post(client, f"{registration}/entries",
                   {**person, "award_kind": "chien_si_thi_dua_toan_quoc"})
    assert refused.status_code == 409
    shown = main_text(refused.text)
    assert "Chưa thấy đủ điều kiện" in shown and "không đủ điều kiện" in shown
    assert "Căn cứ: Luật Thi đua, khen thưởng 2022" in shown
    assert 'value="Nguyễn Thị Lan"' in refused.text
    done = post(client, f"{registration}/entries", {
        **person, "award_kind": "chien_si_thi_dua_toan_quoc",
        "override_reason": "Đạt CSTĐ tỉnh 2021, 2024 (trước khi có hệ thống)"})
    assert done.status_code == 303
    done = post(client, f"{registration}/entries", {**person, "award_kind":
                                                    "chien_si_thi_dua_bo_tinh"})
    assert done.status_code == 303  # a warning only: the rule is not verified
    shown = main_text(client.get(registration).text)
    assert "Vẫn đăng ký, lý do: Đạt CSTĐ tỉnh 2021, 2024" in shown
    assert "lưu ý" in shown and "chưa được xác minh" in shown  # marked as unverified
    assert "Năm sinh 1980" in shown

    login(client, "nt.nom")  # another province: may not read it
    assert client.get(registration).status_code == 403

    login(client, "xd.nom")
    withdraw = client.get(f"{registration}/entries/2/withdraw")
    assert withdraw.status_code == 200
    assert post(client, f"{registration}/entries/2/withdraw", {"reason": ""}).status_code == 422
    assert post(client, f"{registration}/entries/2/withdraw",
                {"reason": "Chuyển công tác"}).status_code == 303
    early = client.get(f"{registration}/nominate")
    assert "Bản đăng ký chưa khóa" in main_text(early.text)
    assert client.get(f"{registration}/close").status_code == 200
    assert post(client, f"{registration}/close", {"on": "15/12/2025"}).status_code == 303
    check = client.get(f"{registration}/nominate")
    assert "Dòng 1: Nguyễn Thị Lan" in main_text(check.text)
    done = post(client, f"{registration}/nominate")
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "Đã lập 1 đề nghị khen thưởng" in main_text(page.text)
    [nomination] = re.findall(r'href="/nominations/([0-9a-f-]{36})"', page.text)
    assert client.get(f"/nominations/{nomination}").status_code == 200


@pytest.mark.parametrize(("typed", "read"), [
    ("13.747", "13747"), ("1.234,5", "1234.5"), ("12,5", "12,5"), ("12.5", "12.5"), ("3", "3")])
def test_numbers_are_read_as_vietnamese_offices_type_them(typed, read):
    """Dots group thousands when they do ("13.747" families), a comma marks decimals."""
    from domain.emulation.indicators import indicator_from_dict
    from services.web.emulation_forms import read_result

    indicator = indicator_from_dict({"code": "4", "text": "Gia đình đạt 8 tiêu chí",
                                     "unit": "gia đình", "measure": "number", "target": "1"})
    out, errors = read_result({"value": typed, "evidence": ""}, indicator)
    assert errors == {} and out["value"] == read
