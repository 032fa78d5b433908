"""The nominator's pages, on both stores: the form's defaults and award-kind picker, editing a
draft or a returned nomination with its version (a stale edit is a 409 that overwrites nothing),
the council's reason shown to the nominator who revises and resubmits, withdrawing after a
confirmation, every field on the nomination's page (personal data only where the read policy
allows), and each role's home page offering only what her grants allow."""

from __future__ import annotations

import re
from html import unescape

from services.authz import SYSTEM
from tests.helpers import form_data, nomination_body, ok, page_login, person

CCCD = "001180012345"


def login(client, username: str) -> None:
    client.cookies.clear()
    response = page_login(client, username)
    assert response.status_code == 303, response.text


def text(page: str) -> str:
    """The page's main content as text (tags dropped, spaces collapsed)."""
    main = page.split("<main", 1)[-1]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def version_of(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def edit_fields(world, **changes: str) -> dict[str, str]:
    fields = {
        "award_kind": "giay_khen_hoi", "award_type": "cong_trang", "period": "Năm 2023",
        "recipient_kind": "individual", "recipient_name": "Nguyễn Thị Hồng Nhung",
        "gender": "female", "birth_year": "1980", "position": "Chi hội trưởng",
        "recipient_unit_id": world.u("xd"),
        "achievement": "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2023",
    }
    fields.update(changes)
    return fields


def test_the_new_form_defaults_to_her_unit_and_says_who_decides_and_what_money(client, world):
    login(client, "xd.nom")
    page = client.get("/nominations/new")
    assert page.status_code == 200
    own = world.u("xd")
    assert re.search(rf'<option value="{own}" selected>', page.text)  # her unit, chosen
    said = text(page.text)
    assert ("Bằng khen Hội LHPN tỉnh — Hội LHPN tỉnh quyết định; "
            "tiền thưởng theo mức riêng của đơn vị") in said
    assert re.search(r"Bằng khen Thủ tướng — Thủ tướng Chính phủ quyết định; "
                     r"3,5 × lương cơ sở = [0-9.]+ đ", said), said[:2000]
    assert "Huân chương Lao động hạng Ba — Chủ tịch nước quyết định" in said
    assert 'for="birth_date"' in page.text and "placeholder=" not in page.text


def test_a_refused_field_is_shown_beside_it_and_nothing_is_recorded(client, world):
    login(client, "xd.nom")
    head = ok(client.get("/api/health"))["position"]
    bad = client.post("/nominations/new", data=form_data(client, {
        "proposing_unit_id": world.u("xd"), **edit_fields(world, birth_date="31/02/1980")}))
    assert bad.status_code == 422
    assert 'id="birth_date-error"' in bad.text and "không phải ngày có thật" in bad.text
    assert 'href="#birth_date"' in bad.text  # the summary links to the field
    assert 'value="Nguyễn Thị Hồng Nhung"' in bad.text  # what she typed is kept
    kind = client.post("/nominations/new", data=form_data(client, {
        "proposing_unit_id": world.u("xd"),
        **edit_fields(world, award_kind="co_thi_dua_hoi")}))  # a flag is for collectives
    assert kind.status_code == 422 and 'id="award_kind-error"' in kind.text
    assert ok(client.get("/api/health"))["position"] == head


def test_nominator_edits_a_draft_and_a_stale_edit_overwrites_nothing(client, world, flow):
    nid = flow.draft()["id"]
    login(client, "xd.nom")
    page = client.get(f"/nominations/{nid}")
    assert f'href="/nominations/{nid}/edit"' in page.text
    form = client.get(f"/nominations/{nid}/edit")
    assert form.status_code == 200
    assert 'value="Nguyễn Thị Hồng Nhung"' in form.text and 'value="1980"' in form.text
    assert "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2023" in form.text
    old_version = version_of(form.text)

    saved = client.post(f"/nominations/{nid}/edit", data=form_data(client, {
        "version": old_version, **edit_fields(world, recipient_name="Nguyễn Thị Hồng Nhung",
                                              position="Chi hội trưởng chi hội 3",
                                              birth_date="15/03/1980")}),
        follow_redirects=False)
    assert saved.status_code == 303, saved.text
    shown = client.get(saved.headers["location"])
    assert "Đã lưu các thay đổi" in shown.text
    said = text(shown.text)
    assert "Chi hội trưởng chi hội 3" in said and "15/03/1980" in said
    api = flow.nomination(nid, by="xd.nom")
    assert api["recipient"]["position"] == "Chi hội trưởng chi hội 3"
    assert api["recipient"]["birth_date"] == "1980-03-15"

    # her first form again (its version is now old): 409, the page says so, nothing changed
    head = ok(client.get("/api/health"))["position"]
    stale = client.post(f"/nominations/{nid}/edit", data=form_data(client, {
        "version": old_version, **edit_fields(world, position="Hội viên")}))
    assert stale.status_code == 409
    said = text(stale.text)
    assert "Đề nghị đã được người khác sửa lúc" in said and "tải lại để xem bản mới" in said
    assert "Không có gì bị ghi đè" in said and "Hội viên" in said  # what she typed, shown
    assert "concurrency" not in stale.text  # no internal code
    assert ok(client.get("/api/health"))["position"] == head
    assert flow.nomination(nid, by="xd.nom")["recipient"]["position"] == \
        "Chi hội trưởng chi hội 3"

    # a form that cannot be read: the form again, beside the field; never a 500
    for junk in ({"version": "abc"}, {"version": api["version"], "birth_year": "19x"},
                 {"version": api["version"], "recipient_kind": "robot"}):
        answer = client.post(f"/nominations/{nid}/edit",
                             data=form_data(client, {**edit_fields(world), **junk}))
        assert answer.status_code == 422, (junk, answer.status_code)


def test_only_her_draft_or_returned_nomination_is_editable(client, world, flow):
    submitted = flow.submitted()["id"]
    login(client, "xd.nom")
    page = client.get(f"/nominations/{submitted}")
    assert f"/nominations/{submitted}/edit" not in page.text
    refused = client.get(f"/nominations/{submitted}/edit")
    assert refused.status_code == 409 and "không thể sửa" in refused.text
    draft = flow.draft()["id"]
    login(client, "xd.chair")  # a council member reads it, does not edit it
    assert f"/nominations/{draft}/edit" not in client.get(f"/nominations/{draft}").text
    assert client.get(f"/nominations/{draft}/edit").status_code == 403
    assert client.post(f"/nominations/{draft}/edit", data=form_data(client, {
        "version": "1", **edit_fields(world)})).status_code == 403


def test_a_returned_file_shows_the_reason_and_is_revised_and_resubmitted(client, world, flow):
    reason = "Bổ sung minh chứng: bản nhận xét của chi hội và số liệu hội viên mới"
    nid = flow.returned(reason=reason)["id"]
    login(client, "xd.nom")
    home = client.get("/")
    assert "Bị trả lại — Hội LHPN phường Xuân Đỉnh" in text(home.text)
    page = client.get(f"/nominations/{nid}")
    said = text(page.text)
    assert "Trả lại để hoàn thiện" in said
    box = re.search(r'<div class="returned-reason".*?</div>', page.text, re.S).group(0)
    assert reason in unescape(box) and "Hội LHPN phường Xuân Đỉnh" in unescape(box)
    assert f'href="/nominations/{nid}/edit"' in box

    form = client.get(f"/nominations/{nid}/edit")
    assert reason in unescape(form.text)  # the reason again, where she revises
    revised = client.post(f"/nominations/{nid}/edit", data=form_data(client, {
        "version": version_of(form.text),
        **edit_fields(world, achievement="Vận động 50 hội viên mới; có nhận xét của chi hội")}))
    assert revised.status_code == 200 and "Trình lại Hội đồng" in revised.text
    resubmitted = client.post(f"/nominations/{nid}/submit", data=form_data(client, {
        "version": version_of(revised.text)}))
    assert resubmitted.status_code == 200
    assert "Đang xét duyệt" in resubmitted.text
    api = flow.nomination(nid, by="xd.nom")
    assert api["status"] == "under_review" and api["review"]["round"] == 2
    assert "nhận xét của chi hội" in api["achievement"]
    assert reason in unescape(resubmitted.text)  # the history keeps the council's reason


def test_withdrawing_asks_first_and_needs_a_reason(client, world, flow):
    nid = flow.submitted()["id"]
    login(client, "xd.nom")
    page = client.get(f"/nominations/{nid}")
    assert f'href="/nominations/{nid}/withdraw"' in page.text
    confirm = client.get(f"/nominations/{nid}/withdraw")
    said = text(confirm.text)
    assert confirm.status_code == 200 and "Điều sẽ xảy ra" in said
    assert "không hoàn tác được" in said
    assert flow.nomination(nid)["status"] == "under_review"  # asking changed nothing
    version = version_of(confirm.text)

    head = ok(client.get("/api/health"))["position"]
    blank = client.post(f"/nominations/{nid}/withdraw",
                        data=form_data(client, {"version": version, "reason": "  "}))
    assert blank.status_code == 422 and 'id="reason-error"' in blank.text
    assert ok(client.get("/api/health"))["position"] == head

    done = client.post(f"/nominations/{nid}/withdraw", data=form_data(client, {
        "version": version, "reason": "Người được đề nghị chuyển công tác"}))
    assert done.status_code == 200 and "Đã rút đề nghị" in done.text
    assert "Người được đề nghị chuyển công tác" in done.text
    assert flow.nomination(nid)["status"] == "withdrawn"
    again = client.post(f"/nominations/{nid}/withdraw", data=form_data(client, {
        "version": version, "reason": "lần nữa"}))
    assert again.status_code == 409  # a withdrawn file is not withdrawn twice
    assert client.get(f"/nominations/{nid}/withdraw").status_code == 409


def test_a_stale_withdrawal_overwrites_nothing(client, world, flow):
    nid = flow.draft()["id"]
    login(client, "xd.nom")
    version = version_of(client.get(f"/nominations/{nid}/withdraw").text)
    flow.edit(nid, period="Năm 2024")
    stale = client.post(f"/nominations/{nid}/withdraw", data=form_data(client, {
        "version": version, "reason": "Trùng đề nghị"}))
    assert stale.status_code == 409 and "tải lại để xem bản mới" in text(stale.text)
    assert flow.nomination(nid)["status"] == "draft"


def test_the_page_shows_every_field_and_personal_data_only_to_those_covering(client, world,
                                                                              flow):
    nid = flow.forwarded(recipient=person(unit_id=world.u("xd"), citizen_id=CCCD,
                                          birth_date="1980-03-15", position="Chi hội trưởng"),
                         award_type="dot_xuat", period="2023")["id"]
    login(client, "xd.nom")
    said = text(client.get(f"/nominations/{nid}").text)
    for words in ("Nguyễn Thị Hồng Nhung", "cá nhân", "Nữ", "15/03/1980", CCCD,
                  "Chi hội trưởng", "Giấy khen", "Khen thưởng đột xuất", "2023",
                  "Hội LHPN phường Xuân Đỉnh", "Hội LHPN quận Bắc Từ Liêm", "Đang xét duyệt",
                  "Đề nghị khen thưởng", "Lịch sử", "Trình Hội đồng"):
        assert words in said, words
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", said)  # moments in local time

    # the ward moves to the city: the district's council still holds the file, but no longer
    # covers the recipient's unit — her personal data is not shown there
    saved = world.rt.app.orgs.reorganise(SYSTEM, on=world.rt.app.today(), operations=[
        {"op": "move", "unit_id": world.u("xd"), "parent_id": world.u("hanoi")}])
    world.rt.after(saved)
    login(client, "btl.chair")
    page = client.get(f"/nominations/{nid}")
    assert page.status_code == 200 and "Nguyễn Thị Hồng Nhung" in page.text
    assert CCCD not in page.text and "15/03/1980" not in page.text
    assert "1980" in text(page.text)  # the birth year is not personal data
    login(client, "nt.nom")  # another province: not even the file
    other = client.get(f"/nominations/{nid}")
    assert other.status_code == 403 and CCCD not in other.text
    login(client, "xd.nom")
    assert CCCD in client.get(f"/nominations/{nid}").text


def test_each_home_offers_what_her_grants_allow(client, world):
    login(client, "xd.nom")
    home = client.get("/").text
    assert 'href="/nominations/new"' in home and 'href="/submissions/new"' in home
    assert "Lập đề nghị khen thưởng" in home and "Lập tờ trình" in home
    assert "/decisions/new" not in home.split("<main", 1)[1]
    assert 'href="/nominations/new"' in client.get("/nominations").text

    for reviewer in ("xd.chair", "hn.member"):
        login(client, reviewer)
        home = client.get("/").text
        main = home.split("<main", 1)[1]
        assert "/nominations/new" not in home and "Lập đề nghị" not in main
        assert "/submissions/new" not in home
        assert "Hồ sơ chờ Hội đồng" in main and "status=under_review" in main
        listing = client.get("/nominations").text
        assert "/nominations/new" not in listing and "Lập đề nghị" not in listing
        assert "/decisions/new" not in main and 'href="/admin"' not in main

    login(client, "hn.appr")
    main = client.get("/").text.split("<main", 1)[1]
    assert 'href="/decisions/queue"' in main and 'href="/decisions/new"' in main
    assert "/dashboard?unit_id=" in main and "/nominations/new" not in main

    login(client, "hn.admin")
    main = client.get("/").text.split("<main", 1)[1]
    assert 'href="/admin"' in main
    assert "/nominations/new" not in main and "/decisions/new" not in main


def test_the_api_patch_and_the_page_agree(client, world, flow):
    """An edit through the API moves the version the page's form carries."""
    nid = ok(client.post("/api/nominations", json=nomination_body(world),
                         headers=world.h("xd.nom")), 201)["id"]
    login(client, "xd.nom")
    version = version_of(client.get(f"/nominations/{nid}/edit").text)
    flow.edit(nid, expected_version=int(version), period="Năm 2024")
    stale = client.post(f"/nominations/{nid}/edit", data=form_data(client, {
        "version": version, **edit_fields(world)}))
    assert stale.status_code == 409
    assert flow.nomination(nid)["period"] == "Năm 2024"
