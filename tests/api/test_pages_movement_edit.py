"""Changing a movement after its launch from the pages (issue 19), on both stores: the launching
unit's office changes the indicators (the launch form's rows, a check page saying what changes,
the record with the version the form was read at) and adds participating units (check page,
record); a form read before someone else's change is refused and records nothing; once a result
is reported the indicators are locked and the page says why instead of offering the form; once
closed nothing changes; whoever is not the launching unit's office is offered nothing and gets
the 403 page. The movement's page shows its history: who did what, when, in local time."""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from domain.emulation.movement import Movement
from services.authz import SYSTEM
from tests.api.test_page_labels import unlabelled
from tests.helpers import head
from tests.helpers import page_main_text as main_text
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login

INDICATORS = [
    {"code": "1", "text": "Hỗ trợ phụ nữ khởi nghiệp", "measure": "number", "target": "10",
     "unit": "phụ nữ", "summable": True},
    {"code": "2", "text": "Có mô hình điểm", "measure": "yes_no"},
    {"code": "3", "text": "Tỷ lệ hộ nghèo do phụ nữ làm chủ", "measure": "percent",
     "target": "5", "direction": "at_most", "note": "Theo danh sách hộ nghèo của xã"},
]
WHEN = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


@pytest.fixture
def movement(client, world, rt, clock) -> dict[str, Any]:
    """A movement of the centre for 2025, launched by tw.appr with Hà Nội taking part."""
    clock.today = date(2025, 3, 1)
    rt.app.users.create_user(SYSTEM, username="bk.appr", full_name="bk.appr",
                             password="mat-khau-123",
                             grants=[{"role": "approver", "unit_id": world.units["backan"],
                                      "chair": False}])
    saved = rt.app.emulation.movements.launch(
        world.actor("tw.appr"), unit_id=world.units["root"], title="Phụ nữ khởi nghiệp",
        year=2025, indicators=INDICATORS, participant_ids=[world.units["hanoi"]])
    rt.runner.catch_up()
    return {"id": saved.id, "page": f"/emulation/movements/{saved.id}"}


def load(rt, movement: dict[str, Any]) -> Movement:
    return rt.app.emulation.movements.movement(movement["id"])


def edit_form(form: dict[str, str], **changes: str) -> dict[str, str]:
    """The indicators form as shown (its prefilled rows), with some fields changed."""
    return {**form, **changes}


def shown_form(page: str) -> dict[str, str]:
    """The text inputs and checked boxes of a page's form, as a browser would send them."""
    fields = {}
    for tag in re.findall(r"<input [^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or name[1] == "csrf_token":
            continue
        if 'type="checkbox"' in tag and " checked" not in tag:
            continue
        fields[name[1]] = value[1] if value else ""
    for select in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', select[1])
        fields[select[0]] = chosen[1] if chosen else ""
    return fields


def test_the_launching_office_changes_the_indicators(client, world, rt, movement):
    login(client, "tw.appr")
    page = client.get(movement["page"])
    assert page.status_code == 200
    assert f'href="{movement["page"]}/indicators"' in page.text
    assert f'href="{movement["page"]}/participants"' in page.text
    form_page = client.get(f"{movement['page']}/indicators")
    assert form_page.status_code == 200 and not unlabelled(form_page.text)
    form = shown_form(form_page.text)
    assert form["ind-1-text"] == "Hỗ trợ phụ nữ khởi nghiệp" and form["ind-1-target"] == "10"
    assert form["ind-2-measure"] == "yes_no" and form["ind-3-target"] == "5"
    assert form["ind-1-summable"] == "1" and form["expected_version"] == "1"
    assert "mức là mức tối đa" in main_text(form_page.text)

    position = head(client)
    same = post(client, f"{movement['page']}/indicators/check", form)
    assert same.status_code == 422 and "không có gì để ghi" in main_text(same.text)
    blank = post(client, f"{movement['page']}/indicators/check",
                 edit_form(form, **{"ind-4-text": "Chỉ tiêu mới chưa có mức"}))
    assert blank.status_code == 422
    assert "Dòng 4: cần mức chỉ tiêu" in main_text(blank.text)
    assert 'value="Chỉ tiêu mới chưa có mức"' in blank.text  # what was typed is kept

    changed = edit_form(form, **{"ind-1-target": "12", "ind-2-text": "",
                                 "ind-4-code": "4", "ind-4-text": "Thành lập câu lạc bộ",
                                 "ind-4-target": "3", "ind-4-unit": "câu lạc bộ"})
    check = post(client, f"{movement['page']}/indicators/check", changed)
    assert check.status_code == 200, main_text(check.text)[:500]
    shown = main_text(check.text)
    assert "Thêm 1 chỉ tiêu" in shown and "Chỉ tiêu 4 — Thành lập câu lạc bộ" in shown
    assert "Sửa 1 chỉ tiêu" in shown and "≥ 10 phụ nữ → ≥ 12 phụ nữ" in shown
    assert "Bỏ 1 chỉ tiêu" in shown and "Chỉ tiêu 2 — Có mô hình điểm" in shown
    assert "Giữ nguyên: chỉ tiêu 3" in shown
    assert head(client) == position  # the check recorded nothing
    assert load(rt, movement).version == 1

    again = post(client, f"{movement['page']}/indicators", {**shown_form(check.text),
                                                           "edit": "1"})
    assert again.status_code == 200 and 'value="Thành lập câu lạc bộ"' in again.text
    assert head(client) == position

    done = post(client, f"{movement['page']}/indicators", shown_form(check.text))
    assert done.status_code == 303, main_text(done.text)[:500]
    found = load(rt, movement)
    assert [(i.code, i.target) for i in found.indicators] == [("1", "12"), ("3", "5"),
                                                              ("4", "3")]
    kept = found.indicator("3")  # what the form does not show stays as it was
    assert kept.direction == "at_most" and kept.note == "Theo danh sách hộ nghèo của xã"
    assert found.indicator("1").summable is True
    page = client.get(done.headers["location"])
    shown = main_text(page.text)
    assert "Đã ghi chỉ tiêu mới của phong trào" in shown
    history = shown.split("Lịch sử phong trào", 1)[1]
    assert re.search(WHEN.pattern + r" tw\.appr Phát động phong trào 3 chỉ tiêu, 1 đơn vị",
                     history)
    assert re.search(WHEN.pattern + r" tw\.appr Sửa chỉ tiêu Thêm chỉ tiêu 4 \(≥ 3 câu lạc bộ\); "
                     r"sửa chỉ tiêu 1 \(mức ≥ 10 phụ nữ → ≥ 12 phụ nữ\); bỏ chỉ tiêu 2",
                     history)
    assert "Chỉ tiêu 4 — Thành lập câu lạc bộ" in shown


def test_a_stale_form_records_nothing(client, world, rt, movement):
    login(client, "tw.appr")
    form = shown_form(client.get(f"{movement['page']}/indicators").text)
    # someone else changes the indicators meanwhile
    rt.app.emulation.movements.set_indicators(
        world.actor("tw.appr"), movement["id"], [{**INDICATORS[0], "target": "20"},
                                                 *INDICATORS[1:]])
    rt.runner.catch_up()
    position = head(client)
    typed = edit_form(form, **{"ind-1-target": "15"})
    stale = post(client, f"{movement['page']}/indicators/check", typed)
    assert stale.status_code == 409
    shown = main_text(stale.text)
    assert "phong trào đã được thay đổi" in shown and "Chưa ghi gì" in shown
    assert "(mức ≥ 20 phụ nữ)" in shown  # the indicators as they are now
    assert 'value="15"' in stale.text  # what was typed is kept
    assert 'name="expected_version" value="2"' in stale.text  # read against the movement now
    # the check page of the old form, sent after the change: refused too
    recorded = post(client, f"{movement['page']}/indicators", typed)
    assert recorded.status_code == 409 and "Chưa ghi gì" in main_text(recorded.text)
    assert head(client) == position
    assert load(rt, movement).indicator("1").target == "20"
    # read again, the same change goes through, said against the indicators as they are now
    check = post(client, f"{movement['page']}/indicators/check",
                 {**typed, "expected_version": "2"})
    assert check.status_code == 200 and "≥ 20 phụ nữ → ≥ 15 phụ nữ" in main_text(check.text)
    assert post(client, f"{movement['page']}/indicators",
                shown_form(check.text)).status_code == 303
    assert load(rt, movement).indicator("1").target == "15"


def test_the_indicators_lock_once_a_result_is_reported(client, world, rt, movement):
    movements = rt.app.emulation.movements
    hanoi = world.actor("hn.appr")
    movements.register(hanoi, movement["id"], unit_id=world.units["hanoi"])
    movements.report(hanoi, movement["id"], world.units["hanoi"], "1", value="4")
    rt.runner.catch_up()
    login(client, "tw.appr")
    page = client.get(movement["page"])
    shown = main_text(page.text)
    assert f'href="{movement["page"]}/indicators"' not in page.text
    assert "Đã có kết quả báo cáo theo các chỉ tiêu của phong trào «Phụ nữ khởi nghiệp»" \
        in shown
    assert f'href="{movement["page"]}/participants"' in page.text  # still open
    assert re.search(WHEN.pattern + r" hn\.appr Báo cáo kết quả đầu tiên Hội LHPN TP Hà Nội, "
                     r"chỉ tiêu 1", shown)
    form = client.get(f"{movement['page']}/indicators")
    assert form.status_code == 200 and 'name="ind-1-text"' not in form.text
    assert "không thể thay đổi danh sách chỉ tiêu nữa" in main_text(form.text)
    position = head(client)
    version = str(load(rt, movement).version)
    typed = {"expected_version": version, "ind-1-code": "1", "ind-1-text": "Mới",
             "ind-1-measure": "number", "ind-1-target": "1"}
    for path in ("/indicators/check", "/indicators"):
        refused = post(client, movement["page"] + path, typed)
        assert refused.status_code == 409
        assert "không thể thay đổi danh sách chỉ tiêu nữa" in main_text(refused.text)
    assert head(client) == position
    assert load(rt, movement).indicator("1").text == "Hỗ trợ phụ nữ khởi nghiệp"


def test_the_launching_office_adds_participants(client, world, rt, movement):
    login(client, "tw.appr")
    form = client.get(f"{movement['page']}/participants")
    assert form.status_code == 200 and not unlabelled(form.text)
    offered = set(re.findall(r'name="participants" value="([0-9a-f-]{36})"', form.text))
    assert world.u("backan") in offered and world.u("nt") in offered
    assert world.u("hanoi") not in offered  # taking part already
    position = head(client)
    nothing = post(client, f"{movement['page']}/participants/check", {})
    assert nothing.status_code == 422 and "Chọn ít nhất một đơn vị" in main_text(nothing.text)
    stranger = post(client, f"{movement['page']}/participants/check",
                    {"participants": [world.u("hanoi")]})
    assert stranger.status_code == 422 and "không còn trong danh sách" in main_text(stranger.text)
    check = post(client, f"{movement['page']}/participants/check",
                 {"participants": [world.u("backan")]})
    assert check.status_code == 200
    shown = main_text(check.text)
    assert "Thêm 1 đơn vị tham gia phong trào «Phụ nữ khởi nghiệp»?" in shown
    assert "Hội LHPN tỉnh Bắc Kạn" in shown
    assert head(client) == position and load(rt, movement).participant_ids == [
        world.units["hanoi"]]
    back = post(client, f"{movement['page']}/participants",
                {"participants": [world.u("backan")], "edit": "1"})
    assert back.status_code == 200
    assert re.search(rf'value="{world.u("backan")}" checked', back.text)
    done = post(client, f"{movement['page']}/participants",
                {"participants": [world.u("backan")]})
    assert done.status_code == 303
    assert load(rt, movement).participant_ids == [world.units["hanoi"], world.units["backan"]]
    shown = main_text(client.get(done.headers["location"]).text)
    assert "Đã thêm đơn vị tham gia" in shown and "0/2 đã đăng ký" in shown
    assert re.search(WHEN.pattern + r" tw\.appr Thêm đơn vị tham gia Hội LHPN tỉnh Bắc Kạn",
                     shown)
    # the new participant's office may now register
    login(client, "bk.appr")
    assert "Đăng ký tham gia cho Hội LHPN tỉnh Bắc Kạn" in client.get(movement["page"]).text


def test_a_closed_movement_changes_no_more(client, world, rt, movement):
    rt.app.emulation.movements.close(world.actor("tw.appr"), movement["id"], date(2025, 12, 31))
    rt.runner.catch_up()
    login(client, "tw.appr")
    page = client.get(movement["page"])
    shown = main_text(page.text)
    assert f'href="{movement["page"]}/participants"' not in page.text
    assert f'href="{movement["page"]}/indicators"' not in page.text
    assert "kết thúc ngày 31/12/2025: không thêm đơn vị tham gia được nữa" in shown
    assert "kết thúc ngày 31/12/2025: không sửa chỉ tiêu được nữa" in shown
    assert re.search(WHEN.pattern + r" tw\.appr Kết thúc phong trào Ngày kết thúc 31/12/2025",
                     shown)
    position = head(client)
    refused = post(client, f"{movement['page']}/participants",
                   {"participants": [world.u("backan")]})
    assert refused.status_code == 409 and "không thêm đơn vị" in main_text(refused.text)
    assert head(client) == position and len(load(rt, movement).participant_ids) == 1


@pytest.mark.parametrize("username", ["hn.appr", "nt.nom"])
def test_whoever_is_not_the_launching_office_gets_nothing(client, world, rt, movement,
                                                          username):
    login(client, username)
    page = client.get(movement["page"])
    if username == "hn.appr":  # a participant's office reads the movement, changes nothing
        assert page.status_code == 200
        assert "/indicators" not in page.text and "/participants" not in page.text
        assert "Sửa chỉ tiêu" not in main_text(page.text)
        assert "Lịch sử phong trào" in main_text(page.text)
    else:
        assert page.status_code == 403
    position = head(client)
    for path in ("/indicators", "/participants"):
        assert client.get(movement["page"] + path).status_code == 403
    typed = {"expected_version": "1", "ind-1-code": "1", "ind-1-text": "Mới",
             "ind-1-measure": "number", "ind-1-target": "1",
             "participants": [world.u("backan")]}
    for path in ("/indicators/check", "/indicators", "/participants/check", "/participants"):
        answer = post(client, movement["page"] + path, typed)
        assert answer.status_code == 403, path
        assert "Mới" not in answer.text
    assert head(client) == position
    found = load(rt, movement)
    assert found.version == 1 and found.participant_ids == [UUID(world.u("hanoi"))]


def test_a_movement_with_more_indicators_than_the_launch_form_has_rows(client, world, rt,
                                                                         clock):
    """A movement launched through the API with more indicators than the launch form's rows
    (``pages_movements.INDICATOR_ROWS``) is edited on a form with a row for each and two blank
    ones; changing the last one's target keeps the others."""
    clock.today = date(2025, 3, 1)
    many = [{"code": str(n), "text": f"Chỉ tiêu thứ {n}", "measure": "number", "target": "1"}
            for n in range(1, 8)]
    saved = rt.app.emulation.movements.launch(
        world.actor("tw.appr"), unit_id=world.units["root"], title="Nhiều chỉ tiêu", year=2025,
        indicators=many, participant_ids=[world.units["hanoi"]])
    rt.runner.catch_up()
    page_path = f"/emulation/movements/{saved.id}"
    login(client, "tw.appr")
    assert f'href="{page_path}/indicators"' in client.get(page_path).text
    form = client.get(f"{page_path}/indicators")
    assert form.status_code == 200
    assert 'name="ind-7-text"' in form.text and 'name="ind-9-text"' in form.text
    assert 'name="ind-10-text"' not in form.text
    typed = {"expected_version": "1"}
    for n in range(1, 8):
        typed |= {f"ind-{n}-code": str(n), f"ind-{n}-text": f"Chỉ tiêu thứ {n}",
                  f"ind-{n}-measure": "number", f"ind-{n}-target": "3" if n == 7 else "1"}
    check = post(client, f"{page_path}/indicators/check", typed)
    assert check.status_code == 200, check.text
    assert "Chỉ tiêu thứ 7" in main_text(check.text)
    done = post(client, f"{page_path}/indicators", typed)
    assert done.status_code == 303, done.text
    found = rt.app.emulation.movements.movement(saved.id).indicators
    assert [(i.code, i.target_text) for i in found] == \
        [(str(n), "≥ 3" if n == 7 else "≥ 1") for n in range(1, 8)]
