"""Org units in the browser, on both stores, as an administrator works (``pages_units``): the
tree on any date and what changed between two dates, a unit with its periods and history, and
each operation — create, rename, move, merge, dissolve — through its form, its review ("Điều
sẽ xảy ra", nothing recorded) and its confirmation; a reorganisation of many operations in one
step (the 2025 reform), a row's error shown on its row with nothing recorded. Refusals: someone
who is no admin, another province's admin (403, nothing recorded); bad input (422/404, nothing
recorded). Every form sends the browser's CSRF token (``tests.helpers.form_data``)."""

from __future__ import annotations

import html
import re
from datetime import date
from uuid import uuid4

import pytest

from services.authz import SYSTEM
from services.web import pages_units
from tests.helpers import form_data, head, ok, page_login

REFORM = "2025-07-01"
HN = "Hội LHPN TP Hà Nội"
BTL = "Hội LHPN quận Bắc Từ Liêm"
XD = "Hội LHPN phường Xuân Đỉnh"
CN1 = "Hội LHPN phường Cổ Nhuế 1"
TAY_TUU = "Hội LHPN phường Tây Tựu"
WHY = "Nghị quyết số 1656/NQ-UBTVQH15 về sắp xếp đơn vị hành chính cấp xã"


@pytest.fixture(autouse=True)
def _today(clock):
    clock.today = date(2025, 8, 1)


def login(client, username: str) -> None:
    client.cookies.clear()
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def post(client, path: str, data: dict | None = None, **kwargs):
    return client.post(path, data=form_data(client, data), **kwargs)


def text(page: str) -> str:
    """The page's text, tags removed, spaces collapsed."""
    page = re.sub(r"<header>.*?</header>", " ", page, flags=re.S)
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", page).split()))


def hidden(page: str, action: str) -> dict[str, list[str]]:
    """The hidden fields of the form posting to ``action`` (a review's confirmation)."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}">(.*?)</form>', page,
                     re.S)
    assert form, action
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                                  form.group(1)):
        if name != "csrf_token":
            fields.setdefault(name, []).append(html.unescape(value))
    return fields


def confirm(client, review, action: str, **kwargs):
    """Press the review's confirmation button: its hidden fields, sent again."""
    assert review.status_code == 200, text(review.text)[:600]
    assert "Điều sẽ xảy ra" in review.text
    return post(client, action, hidden(review.text, action), follow_redirects=False, **kwargs)


def api_unit(client, world, key: str, on: str | None = None) -> dict:
    params = {"as_of": on} if on else {}
    return ok(client.get(f"/api/org-units/{world.u(key)}", headers=world.h("admin"),
                         params=params))


def history(client, world, key: str) -> list[dict]:
    return ok(client.get(f"/api/org-units/{world.u(key)}/history",
                         headers=world.h("admin")))["events"]


def add_admin(rt, world, username: str, unit: str) -> None:
    rt.app.users.create_user(SYSTEM, username=username, full_name=username,
                             password="mat-khau-123",
                             grants=[{"role": "admin", "unit_id": world.units[unit]}])
    rt.runner.catch_up()


def unchanged(client):
    """A context: the log's head stays where it is (nothing recorded)."""
    class Watch:
        def __enter__(self):
            self.position = head(client)

        def __exit__(self, *exc):
            if exc[0] is None:
                assert head(client) == self.position, "a refused change recorded events"

    return Watch()


# -- reading ------------------------------------------------------------------------------------


def test_units_pages_are_routed_here():
    paths = {route.path for route in pages_units.router.routes}
    assert {"/units", "/units/reorganise", "/units/reorganise/check", "/units/{unit_id}",
            "/units/{unit_id}/{op}", "/units/{unit_id}/{op}/check"} <= paths


def test_everyone_signed_in_reads_the_tree_admins_see_the_actions(client, world):
    login(client, "xd.nom")
    for path in ("/units", "/org", "/units?on=01/01/2020", "/units?on=2020-01-01",
                 "/org?as_of=2020-01-01"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert f'href="/units/{world.u("btl")}?on=' in page.text, path
        assert "quận, huyện" in page.text
    assert "Sắp xếp lại tổ chức" not in client.get("/units").text  # not an admin
    assert "Cây tổ chức ngày 01/01/2020" in text(client.get("/units?on=01/01/2020").text)
    unit = client.get(f"/units/{world.u('btl')}")
    said = text(unit.text)
    assert unit.status_code == 200 and BTL in said and "Thao tác quản trị" not in said
    assert "Các giai đoạn" in said and "Lịch sử" in said and XD in said
    assert f'href="/units/{world.u("btl")}/rename"' not in unit.text

    login(client, "hn.admin")  # admin of Hà Nội: the actions on its units, not on Bắc Kạn's
    said = text(client.get(f"/units/{world.u('btl')}").text)
    assert "Thao tác quản trị" in said and "Đổi tên đơn vị" in said and "Giải thể đơn vị" in said
    assert "Thao tác quản trị" not in text(client.get(f"/units/{world.u('backan')}").text)
    assert "Sắp xếp lại tổ chức" in client.get("/units").text
    root = text(client.get(f"/units/{world.u('root')}").text)
    assert "Thao tác quản trị" not in root
    login(client, "admin")
    root = text(client.get(f"/units/{world.u('root')}").text)
    assert "Thành lập đơn vị trực thuộc" in root and "Giải thể đơn vị" not in root  # the root


def test_bad_dates_and_ids_are_422_or_404_never_500(client, world):
    login(client, "admin")
    for path, status in (("/units?on=31/02/2024", 422), ("/units?on=hôm qua", 422),
                         ("/units?from=01/07/2025", 422), ("/units?from=02/07/2025&to=01/07/2025",
                                                           422),
                         ("/units?from=x&to=y", 422), ("/units?on=01/01/1800", 422),
                         ("/org?as_of=31-12-2020", 422), ("/units/abc", 422),
                         (f"/units/{uuid4()}", 404), (f"/units/{world.u('btl')}?on=32/01/2024",
                                                       422),
                         (f"/units/{world.u('btl')}/explode", 404),
                         (f"/units/{uuid4()}/rename", 404), ("/units/abc/rename", 422),
                         ("/units/reorganise?rows=abc", 200), ("/units/reorganise?rows=99999", 200),
                         ("/units?on=" + "9" * 5000, 422)):
        page = client.get(path)
        assert page.status_code == status, (path, page.status_code)
        assert "Traceback" not in page.text
    wrong = client.get("/units?from=02/07/2025&to=01/07/2025")
    assert "Ngày kết thúc phải từ ngày bắt đầu trở đi" in text(wrong.text)
    assert 'value="02/07/2025"' in wrong.text  # what was typed stays


# -- one operation at a time --------------------------------------------------------------------


def test_rename_form_review_confirm_and_the_unit_s_history(client, world):
    login(client, "hn.admin")
    path = f"/units/{world.u('xd')}/rename"
    form = client.get(path)
    assert form.status_code == 200 and f'value="{XD}"' in form.text
    assert 'name="csrf_token"' in form.text and 'for="effective_on"' in form.text
    with unchanged(client):
        review = post(client, f"{path}/check", {"name": "Hội LHPN phường Xuân Đỉnh (mới)",
                                                "effective_on": "01/07/2025", "reason": WHY})
        said = text(review.text)
        assert review.status_code == 200 and "Điều sẽ xảy ra" in said
        assert f"Đổi tên «{XD}» thành «Hội LHPN phường Xuân Đỉnh (mới)»" in said
        assert "01/07/2025" in said and WHY in said and "Sửa lại" in said
        # "Sửa lại": the form again, with what was typed
        again = post(client, f"{path}/check", {**hidden(review.text, path), "edit": "1"})
        assert again.status_code == 200 and 'value="Hội LHPN phường Xuân Đỉnh (mới)"' in again.text
    done = confirm(client, review, path)
    assert done.status_code == 303
    assert done.headers["location"] == f"/units/{world.u('xd')}?on={REFORM}&done=rename"
    page = client.get(done.headers["location"])
    said = text(page.text)
    assert "Đã ghi đổi tên đơn vị, hiệu lực từ ngày 01/07/2025." in said
    assert "Hội LHPN phường Xuân Đỉnh (mới)" in said
    assert f'href="/units?on={REFORM}"' in page.text  # the done message links to the tree
    history_part = said.split("Lịch sử")[-1]
    assert "Đổi tên" in history_part and WHY in history_part and "hn.admin" in history_part
    assert "01/07/2025" in history_part
    # the periods: the old name until 30/06/2025, the new one from 01/07/2025
    periods = said.split("Các giai đoạn")[1].split("Lịch sử")[0]
    assert "30/06/2025" in periods and XD in periods
    assert api_unit(client, world, "xd", "2025-06-30")["name"] == XD
    assert api_unit(client, world, "xd", REFORM)["name"] == "Hội LHPN phường Xuân Đỉnh (mới)"
    renamed = [e for e in history(client, world, "xd") if e["event"] == "OrgUnit.Renamed"]
    assert renamed[-1]["data"]["reason"] == WHY and renamed[-1]["by"] == "hn.admin"
    # the confirmation sent twice (back button, double click): the first answer again (the
    # form's own key, services.http.idempotency), nothing recorded
    with unchanged(client):
        twice = confirm(client, review, path)
        assert twice.status_code == 303 and twice.headers["idempotent-replayed"] == "true"
        assert client.get(twice.headers["location"]).status_code == 200


def test_create_move_merge_dissolve_each_through_its_review(client, world):
    login(client, "hn.admin")
    hanoi, btl, xd, cn1 = (world.u(k) for k in ("hanoi", "btl", "xd", "cn1"))
    # create a ward under Hà Nội
    review = post(client, f"/units/{hanoi}/create/check", {
        "name": TAY_TUU, "level": "commune", "code": "TT-01", "effective_on": "01/07/2025",
        "reason": WHY})
    said = text(review.text)
    assert f"Thành lập «{TAY_TUU}» (cấp xã, phường, đặc khu (cơ sở)), trực thuộc «{HN}»" in said
    assert "Mã đơn vị: TT-01" in said
    done = confirm(client, review, f"/units/{hanoi}/create")
    assert done.status_code == 303
    new_id = re.search(r"/units/([0-9a-f-]{36})\?", done.headers["location"]).group(1)
    page = text(client.get(done.headers["location"]).text)
    assert "Đã ghi thành lập đơn vị" in page and TAY_TUU in page and "TT-01" in page

    # move Xuân Đỉnh from the district up to Hà Nội
    move_form = client.get(f"/units/{xd}/move")
    assert move_form.status_code == 200 and f'value="{hanoi}"' in move_form.text
    assert f'<option value="{xd}"' not in move_form.text  # not under itself
    review = post(client, f"/units/{xd}/move/check", {"to": hanoi, "effective_on": REFORM,
                                                      "reason": WHY})
    assert f"Chuyển «{XD}» từ «{BTL}» sang trực thuộc «{HN}»" in text(review.text)
    assert confirm(client, review, f"/units/{xd}/move").status_code == 303
    assert api_unit(client, world, "xd", REFORM)["parent_id"] == hanoi
    assert api_unit(client, world, "xd", "2025-06-30")["parent_id"] == btl

    # merge Cổ Nhuế 1 into the new ward: the form offers units of the same level
    merge_form = client.get(f"/units/{cn1}/merge")
    assert merge_form.status_code == 200 and f'value="{new_id}"' in merge_form.text
    review = post(client, f"/units/{cn1}/merge/check", {"to": new_id, "effective_on": REFORM,
                                                        "reason": WHY})
    said = text(review.text)
    assert f"Sáp nhập «{CN1}» vào «{TAY_TUU}»" in said
    assert "thôi hoạt động từ ngày 01/07/2025; đơn vị kế tục" in said
    done = confirm(client, review, f"/units/{cn1}/merge")
    assert done.headers["location"].startswith(f"/units/{new_id}?")
    assert "Đã ghi sáp nhập vào đơn vị này" in text(client.get(done.headers["location"]).text)
    assert api_unit(client, world, "cn1", REFORM)["status"] == "merged"

    # dissolve the district, now empty
    review = post(client, f"/units/{btl}/dissolve/check", {
        "effective_on": "1/7/2025", "reason": "Kết thúc hoạt động cấp huyện"})
    said = text(review.text)
    assert f"Giải thể «{BTL}»" in said and f"hồ sơ chuyển về «{HN}»" in said
    assert 'class="danger"' in review.text
    done = confirm(client, review, f"/units/{btl}/dissolve")
    page = text(client.get(done.headers["location"]).text)
    assert "Đã ghi giải thể đơn vị" in page and "đã giải thể" in page
    assert "Thao tác quản trị" not in page  # an ended unit offers no action
    gone = history(client, world, "btl")[-1]
    assert gone["event"] == "OrgUnit.Dissolved"
    assert gone["data"]["reason"] == "Kết thúc hoạt động cấp huyện"

    # what changed on 01/07/2025, and the trees before and after
    changes = client.get(f"/units?from={REFORM}&to={REFORM}")
    said = text(changes.text)
    assert changes.status_code == 200 and "4 thay đổi có hiệu lực từ 01/07/2025" in said
    assert "1 thành lập, 1 chuyển trực thuộc, 1 sáp nhập, 1 giải thể." in said
    assert f"Sáp nhập {CN1}" in said and f"vào «{TAY_TUU}»" in said
    before, after = said.split("Trước: cây ngày 30/06/2025")[1].split("Sau: cây ngày 01/07/2025")
    assert BTL in before and TAY_TUU not in before
    assert BTL not in after and TAY_TUU in after and CN1 not in after


def test_merge_several_siblings_at_once(client, world):
    login(client, "hn.admin")
    xd, cn1, btl = world.u("xd"), world.u("cn1"), world.u("btl")
    ok(client.post("/api/org-units", headers=world.h("hn.admin"), json={
        "name": "Hội LHPN phường Đông Ngạc", "level": "commune", "parent_id": btl,
        "established_on": "2014-04-01"}), 201)
    form = client.get(f"/units/{xd}/merge")
    assert f'name="also" value="{cn1}"' in form.text  # a sibling may merge along
    dn = re.search(r'name="also" value="([0-9a-f-]{36})"[^>]*>\s*<label[^>]*>Hội LHPN phường Đông '
                   r'Ngạc', form.text).group(1)
    review = post(client, f"/units/{xd}/merge/check", {"to": dn, "also": [cn1],
                                                       "effective_on": "2024-01-01",
                                                       "reason": "Sáp nhập địa giới"})
    assert f"Sáp nhập «{XD}», «{CN1}» vào «Hội LHPN phường Đông Ngạc»" in text(review.text)
    assert hidden(review.text, f"/units/{xd}/merge")["also"] == [cn1]
    assert confirm(client, review, f"/units/{xd}/merge").status_code == 303
    for key in ("xd", "cn1"):
        assert api_unit(client, world, key, "2024-01-01")["successor_id"] == dn


def test_a_refused_operation_comes_back_on_its_form_and_records_nothing(client, world):
    login(client, "hn.admin")
    xd, btl, hanoi = world.u("xd"), world.u("btl"), world.u("hanoi")
    with unchanged(client):
        for path, data, status, said in (
            # the district still has its wards
            (f"/units/{btl}/dissolve/check", {"effective_on": REFORM, "reason": "x"}, 422,
             "còn đơn vị trực thuộc"),
            # before the unit existed: beside the date
            (f"/units/{xd}/rename/check", {"name": "A", "effective_on": "01/01/2000",
                                           "reason": "x"}, 422, "trước ngày thành lập"),
            (f"/units/{xd}/rename/check", {"name": "A", "effective_on": "31/02/2025",
                                           "reason": "x"}, 422, "không phải ngày có thật"),
            (f"/units/{xd}/rename/check", {"name": "  ", "effective_on": REFORM,
                                           "reason": "x"}, 422, "Cần tên mới"),
            (f"/units/{xd}/rename/check", {"name": "A", "effective_on": REFORM}, 422,
             "Cần lý do"),
            (f"/units/{xd}/rename/check", {"name": "A" * 301, "effective_on": REFORM,
                                           "reason": "x"}, 422, "dài quá 300"),
            (f"/units/{xd}/move/check", {"to": "khong-phai-ma", "effective_on": REFORM,
                                         "reason": "x"}, 422, "không hợp lệ"),
            (f"/units/{xd}/move/check", {"to": str(uuid4()), "effective_on": REFORM,
                                         "reason": "x"}, 422, "Không tìm thấy"),
            (f"/units/{btl}/move/check", {"to": xd, "effective_on": "2024-01-01",
                                          "reason": "x"}, 422, "chính nó hoặc đơn vị cấp dưới"),
            (f"/units/{hanoi}/create/check", {"name": "X", "level": "vu-tru",
                                              "effective_on": REFORM, "reason": "x"}, 422,
             "không có trong danh mục"),
            # the district level ended on 30/06/2025
            (f"/units/{hanoi}/create/check", {"name": "Quận mới", "level": "district",
                                              "effective_on": REFORM, "reason": "x"}, 422,
             "không còn tồn tại từ ngày 30/06/2025"),
            (f"/units/{xd}/merge/check", {"to": xd, "effective_on": REFORM, "reason": "x"},
             422, "chính nó"),
            # a forged confirmation without its review
            (f"/units/{xd}/rename", {"name": "A", "effective_on": REFORM, "reason": "x"}, 409,
             "thay đổi đồng thời"),
        ):
            page = post(client, path, data)
            assert page.status_code == status, (path, data, page.status_code,
                                                text(page.text)[:500])
            assert said in text(page.text), (path, data, text(page.text)[:800])
            assert "Chưa ghi được" in page.text and 'name="csrf_token"' in page.text
            summary = re.search(r'<div class="error error-summary".*?</div>', page.text, re.S)
            assert summary and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", summary.group(0))
    typed = post(client, f"/units/{xd}/rename/check", {"name": "Tên mới", "effective_on":
                                                       "31/02/2025", "reason": "Lý do gõ"})
    assert 'value="Tên mới"' in typed.text and 'value="Lý do gõ"' in typed.text
    assert 'id="effective_on-error"' in typed.text and 'aria-invalid="true"' in typed.text


# -- refusals: who may ---------------------------------------------------------------------------


def test_no_admin_and_another_province_s_admin_are_refused(client, world, rt):
    add_admin(rt, world, "bk.admin", "backan")
    btl, xd, hanoi = world.u("btl"), world.u("xd"), world.u("hanoi")
    good = {"name": "Tên khác", "effective_on": REFORM, "reason": WHY, "to": hanoi}
    for user in ("xd.nom", "hn.appr", "bk.admin"):
        login(client, user)
        with unchanged(client):
            for op in ("rename", "move", "merge", "dissolve", "create"):
                target = hanoi if op == "create" else xd
                page = client.get(f"/units/{target}/{op}")
                assert page.status_code == 403, (user, op, page.status_code)
                assert "Không thực hiện được" in page.text
                for suffix in ("/check", ""):
                    sent = post(client, f"/units/{target}/{op}{suffix}", {**good,
                                                                          "level": "commune"})
                    assert sent.status_code == 403, (user, op, suffix, sent.status_code)
            rows = {"effective_on": REFORM, "reason": WHY, "rows": "1", "op_1": "dissolve",
                    "unit_1": btl}
            for path in ("/units/reorganise/check", "/units/reorganise"):
                sent = post(client, path, rows)
                assert sent.status_code == 403, (user, path, sent.status_code)
        reorganise = client.get("/units/reorganise")
        if user == "bk.admin":  # her own province's units only
            assert reorganise.status_code == 200
            assert world.u("nt") in reorganise.text and btl not in reorganise.text
            said = text(post(client, "/units/reorganise/check", rows).text)
            assert "Dòng 1" in said and "ngoài phạm vi quản lý" in said
        else:
            assert reorganise.status_code == 403
    assert api_unit(client, world, "btl", REFORM)["status"] == "active"


# -- a reorganisation: many operations, one step -----------------------------------------------


def reform_rows(world, new_name: str = TAY_TUU) -> dict:
    return {
        "effective_on": "01/07/2025", "reason": "Chính quyền địa phương hai cấp", "rows": "5",
        "op_1": "create", "to_1": world.u("hanoi"), "name_1": new_name, "level_1": "commune",
        "code_1": "TT",
        "op_2": "move", "unit_2": world.u("xd"), "to_2": world.u("hanoi"),
        "op_3": "merge", "unit_3": world.u("cn1"), "to_3": "$row1",
        "reason_3": "Sáp nhập theo Nghị quyết 1656",
        "op_4": "dissolve", "unit_4": world.u("btl"),
    }


def test_a_reorganisation_of_many_operations_in_one_step(client, world):
    login(client, "hn.admin")
    form = client.get("/units/reorganise")
    assert form.status_code == 200 and 'name="op_5"' in form.text and 'name="op_6"' not in form.text
    assert 'href="/units/reorganise?rows=10"' in form.text
    assert 'name="op_10"' in client.get("/units/reorganise?rows=10").text
    # "Thêm dòng" keeps what was typed
    more = post(client, "/units/reorganise/check", {**reform_rows(world), "more": "1"})
    assert more.status_code == 200 and 'name="op_10"' in more.text
    assert f'value="{TAY_TUU}"' in more.text and 'value="$row1" selected' in more.text
    with unchanged(client):
        review = post(client, "/units/reorganise/check", reform_rows(world))
        said = text(review.text)
        assert review.status_code == 200, said[:800]
        assert "Điều sẽ xảy ra" in said and "Số thao tác 4" in said
        assert f"Thành lập «{TAY_TUU}»" in said and f"Chuyển «{XD}» từ «{BTL}» sang" in said
        assert f"Sáp nhập «{CN1}» vào «{TAY_TUU}»" in said and f"Giải thể «{BTL}»" in said
        assert "Lý do riêng: Sáp nhập theo Nghị quyết 1656" in said
        assert "hoặc ghi tất cả, hoặc không ghi thao tác nào" in said
    done = confirm(client, review, "/units/reorganise")
    assert done.status_code == 303
    assert done.headers["location"] == (f"/units?from={REFORM}&to={REFORM}&done=reorganise&n=4")
    page = client.get(done.headers["location"])
    said = text(page.text)
    assert "Đã ghi việc sắp xếp lại tổ chức: 4 thao tác, hiệu lực từ ngày 01/07/2025." in said
    assert "Thành lập" in said and "Giải thể" in said and "Sáp nhập" in said
    before, after = said.split("Trước: cây ngày 30/06/2025")[1].split("Sau: cây ngày 01/07/2025")
    assert BTL in before and TAY_TUU not in before and CN1 in before
    assert BTL not in after and TAY_TUU in after and CN1 not in after and XD in after
    # one commit: every change of the reorganisation is in the units' histories
    assert api_unit(client, world, "btl", REFORM)["status"] == "dissolved"
    merged = [e for e in history(client, world, "cn1") if e["event"] == "OrgUnit.MergedInto"]
    assert merged[0]["data"]["reason"] == "Sáp nhập theo Nghị quyết 1656"
    moved = [e for e in history(client, world, "xd") if e["event"] == "OrgUnit.Moved"]
    assert moved[0]["data"]["reason"] == "Chính quyền địa phương hai cấp"
    # the confirmation again: the first answer again, nothing recorded
    with unchanged(client):
        again = confirm(client, review, "/units/reorganise")
        assert again.status_code == 303 and again.headers["location"] == done.headers["location"]


def test_a_long_list_of_units_is_narrowed_to_a_scope(client, world):
    login(client, "admin")
    everything = client.get("/units/reorganise")
    assert f'<option value="{world.u("nt")}"' in everything.text
    assert 'for="within"' in everything.text  # the root admin may narrow the list
    hanoi = client.get("/units/reorganise", params={"within": world.u("hanoi")})
    assert f'<option value="{world.u("xd")}"' in hanoi.text
    assert f'<option value="{world.u("nt")}"' not in hanoi.text
    assert f'name="within" value="{world.u("hanoi")}"' in hanoi.text  # kept by the form
    assert client.get("/units/reorganise", params={"within": "abc"}).status_code == 200
    login(client, "hn.admin")  # a scope outside hers is ignored: her own units only
    outside = client.get("/units/reorganise", params={"within": world.u("backan")})
    assert outside.status_code == 200 and world.u("nt") not in outside.text
    assert f'<option value="{world.u("xd")}"' in outside.text


def test_an_error_in_one_row_records_nothing_and_is_shown_on_its_row(client, world):
    login(client, "hn.admin")
    with unchanged(client):
        # the district is dissolved before its wards left: row 2 is refused, row 1 is fine
        rows = {"effective_on": REFORM, "reason": WHY, "rows": "5",
                "op_1": "move", "unit_1": world.u("xd"), "to_1": world.u("hanoi"),
                "op_2": "dissolve", "unit_2": world.u("btl"),
                "op_3": "move", "unit_3": world.u("cn1"), "to_3": world.u("hanoi")}
        page = post(client, "/units/reorganise/check", rows)
        said = text(page.text)
        assert page.status_code == 422, said[:600]
        assert "Dòng 2: " in said and "còn đơn vị trực thuộc" in said
        assert 'id="row-2-error"' in page.text and 'id="row-1-error"' not in page.text
        assert 'href="#op_2"' in page.text
        # the same rows sent straight to the confirmation: refused the same way
        page = post(client, "/units/reorganise", {**rows, "versions": ""})
        assert page.status_code in (409, 422) and "Chưa ghi được" in page.text
        # rows that cannot be read: each says why; blank rows are skipped
        bad = {"effective_on": "30/02/2025", "reason": "", "rows": "6",
               "op_1": "create", "to_1": world.u("hanoi"), "level_1": "commune",
               "op_2": "rename", "unit_2": "abc", "name_2": "X",
               "op_3": "merge", "unit_3": world.u("cn1"), "to_3": "$row2",
               "unit_4": world.u("xd"),
               "op_5": "fly", "unit_5": world.u("xd"),
               "op_6": "move", "unit_6": world.u("xd")}
        page = post(client, "/units/reorganise/check", bad)
        said = text(page.text)
        assert page.status_code == 422
        for expected in ("không phải ngày có thật", "Cần lý do", "Dòng 1: ", "cần tên",
                         "Dòng 2: ", "đơn vị không hợp lệ", "Dòng 3: ",
                         "không thành lập đơn vị mới",
                         "Dòng 4: Chọn thao tác", "Dòng 5: Thao tác không hợp lệ", "Dòng 6: ",
                         "cần chọn đơn vị cấp trên mới"):
            assert expected in said, expected
        assert 'value="30/02/2025"' in page.text  # what was typed stays
        empty = post(client, "/units/reorganise/check", {"effective_on": REFORM, "reason": WHY})
        assert empty.status_code == 422 and "Cần ít nhất một dòng" in text(empty.text)
