"""Erasing a person's personal data from the pages (issue 18), on both stores: an administrator
types a citizen ID (or comes from the person's award history in the registry), sees the person
as published with the records that name her, gives a reason and confirms; her citizen ID and
birth date are then gone everywhere while the other person of the same decision keeps hers, and
the audit trail says who did it and why. The same permission as the API: an admin grant over
every unit of her records; anyone else gets the 403 page. What cannot be read (a short CCCD,
nothing typed, no reason) or names no one comes back beside its field with what was typed;
every refusal records nothing; the CCCD never travels in an address and is never written back
on a page but inside its own field."""

from __future__ import annotations

import re

from services.web import pages_personal_data
from tests.api.test_page_labels import unlabelled
from tests.api.test_personal_data_at_rest import BORN, CCCD, CCCD2
from tests.helpers import error_summary_text, head, ok
from tests.helpers import page_main_text as main_text
from tests.helpers import page_post as post
from tests.helpers import page_sign_in as login

NAME, OTHER = "Nguyễn Thị Hồng Nhung", "Trần Thị Mai"
REASON = "Theo đơn đề nghị ngày 01/12/2026 của bà Nhung"
DONE = re.compile(r"^/personal-data/erasures/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-"
                  r"[0-9a-f]{4}-[0-9a-f]{12}$")


def outside_fields(page: str) -> str:
    """The page without its form controls (where a typed CCCD may be kept)."""
    return re.sub(r"<input[^>]*>", "", page)


def hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def recipient_key(client, world, name: str) -> str:
    found = ok(client.get("/api/registry", params={"q": name}, headers=world.h("admin")))
    return found["items"][0]["recipient"]["key"]


def citizen_ids(client, world, decision_id: str) -> list[str | None]:
    decision = ok(client.get(f"/api/decisions/{decision_id}", headers=world.h("hn.appr")))
    return [line["recipient"]["citizen_id"] for line in decision["lines"]]


def test_the_erasure_pages_are_routed_here():
    paths = {route.path for route in pages_personal_data.router.routes}
    assert {"/personal-data/erase", "/personal-data/erase/check",
            "/personal-data/erasures/{erasure_id}"} <= paths


def test_the_admin_erases_a_person_by_her_citizen_id(client, world, decided):
    login(client, "admin")
    admin = client.get("/admin")
    assert 'href="/personal-data/erase"' in admin.text  # a card beside the audit trail

    form = client.get("/personal-data/erase")
    assert form.status_code == 200 and unlabelled(form.text) == []
    shown = main_text(form.text)
    assert "Xóa dữ liệu cá nhân theo yêu cầu" in shown
    assert "kể cả các bản sao lưu lập sau khi xóa" in shown and "Không hoàn tác được" in shown
    assert "Họ tên, hình thức khen thưởng, quyết định" in shown

    # typed the way people do, with spaces: the check page shows her as published
    typed = "001 180 012 345"
    check = post(client, "/personal-data/erase/check", {"citizen_id": typed})
    assert check.status_code == 200, main_text(check.text)[:500]
    assert check.headers["cache-control"] == "no-store"
    assert unlabelled(check.text) == []
    shown = main_text(check.text)
    assert f"Xóa dữ liệu cá nhân của {NAME}?" in shown
    assert "12/QĐ-HPN" in shown and "01/05/2024" in shown and "2023" in shown
    assert "Bằng khen" in shown and "bang_khen_hoi_tinh" not in shown  # the title, not the code
    assert "1 dòng khen thưởng, 0 đề nghị khen thưởng" in shown and "Đang lưu" in shown
    assert OTHER not in check.text  # only the person asked for
    assert "Xóa dữ liệu cá nhân của người này" in shown and "Không xóa, quay lại" in shown
    assert 'name="reason"' in check.text
    # the CCCD is carried in a hidden field, and written nowhere else
    carried = hidden(check.text)
    assert carried["citizen_id"] == typed
    for secret in (CCCD, typed, BORN, "15/03/1980"):
        assert secret not in outside_fields(check.text), secret

    done = post(client, "/personal-data/erase", {**carried, "reason": REASON})
    assert done.status_code == 303, main_text(done.text)[:500]
    location = done.headers["location"]
    assert DONE.match(location) and CCCD not in location and "012345" not in location
    result = client.get(location)
    assert result.status_code == 200
    shown = main_text(result.text)
    assert f"Đã xóa dữ liệu cá nhân của {NAME}" in shown
    assert "1 hồ sơ" in shown and REASON in shown and "admin" in shown
    assert 'href="/audit?kind=personal_data_erasure"' in result.text
    assert CCCD not in result.text

    # her data is gone, the other person's stays; the award is as it was
    assert citizen_ids(client, world, decided["id"]) == [None, CCCD2]
    trail = client.get("/audit", params={"kind": "personal_data_erasure"})
    assert trail.status_code == 200 and REASON in trail.text and CCCD not in trail.text

    # the same form sent twice (a double click) is one erasure: the same answer, nothing more
    position = head(client)
    twice = post(client, "/personal-data/erase", {**carried, "reason": REASON})
    assert twice.status_code == 303 and twice.headers["location"] == location
    assert head(client) == position
    # asked again from a fresh form: a plain sentence, 409, and no button to press
    fresh = {k: v for k, v in carried.items() if k != "form_key"}
    again = post(client, "/personal-data/erase", {**fresh, "reason": REASON})
    assert again.status_code == 409
    assert "trước đó" in error_summary_text(again.text)
    assert "Không còn lưu" in main_text(again.text)
    assert 'class="danger"' not in again.text
    rechecked = post(client, "/personal-data/erase/check", {"citizen_id": CCCD})
    assert rechecked.status_code == 200 and "Không còn lưu" in main_text(rechecked.text)
    assert 'action="/personal-data/erase"' not in rechecked.text


def test_from_the_registry_a_person_s_history_leads_to_her_erasure(client, world, decided,
                                                                    outsider):
    key = recipient_key(client, world, NAME)
    history = f"/registry/recipients/{key}"
    link = f'href="/personal-data/erase?recipient={key}"'
    # offered only to admins whose grants cover her records
    for user, offered in (("hn.appr", False), ("xd.nom", False), (outsider, False),
                          ("hn.admin", True), ("admin", True)):
        login(client, user)
        page = client.get(history)
        assert page.status_code == 200, user
        assert (link in page.text) is offered, user

    # the province admin follows it: the public id prefilled, the same check, erased
    form = client.get(f"/personal-data/erase?recipient={key}")
    assert form.status_code == 200
    assert f'name="recipient_id" value="{key}"' in form.text
    assert f'href="{history}"' in form.text  # «Không xóa, quay lại» goes back to her history
    check = post(client, "/personal-data/erase/check", {"citizen_id": "", "recipient_id": key})
    assert check.status_code == 200, main_text(check.text)[:500]
    shown = main_text(check.text)
    assert NAME in shown and "12/QĐ-HPN" in shown and f"Mã người được khen thưởng {key}" in shown
    assert hidden(check.text).get("citizen_id") is None
    done = post(client, "/personal-data/erase", {**hidden(check.text), "reason": REASON})
    assert done.status_code == 303 and DONE.match(done.headers["location"])
    assert f"Đã xóa dữ liệu cá nhân của {NAME}" in main_text(client.get(
        done.headers["location"]).text)
    assert citizen_ids(client, world, decided["id"]) == [None, CCCD2]
    # nothing left to erase: the link is gone
    assert link not in client.get(history).text
    # the result is the erasing admins' to read: not the admin of another province
    login(client, outsider)
    assert client.get(done.headers["location"]).status_code == 403


def signed_in(client, user: str) -> int:
    """Sign in (which records the session's token): the log's head afterwards."""
    login(client, user)
    return head(client)


def test_refusals_keep_what_was_typed_and_record_nothing(client, world, decided, outsider):
    position = signed_in(client, "admin")
    # a CCCD that cannot be one: beside its field, as typed
    short = post(client, "/personal-data/erase/check", {"citizen_id": "123"})
    assert short.status_code == 422
    assert "12 chữ số" in error_summary_text(short.text)
    assert 'name="citizen_id" value="123"' in short.text
    assert 'id="citizen_id-error"' in short.text and 'aria-invalid="true"' in short.text
    assert 'href="#citizen_id"' in short.text
    # nothing typed; both typed
    empty = post(client, "/personal-data/erase/check", {"citizen_id": "", "recipient_id": ""})
    assert empty.status_code == 422 and "Cần nhập số CCCD" in error_summary_text(empty.text)
    both = post(client, "/personal-data/erase/check", {"citizen_id": CCCD, "recipient_id": "r-1"})
    assert both.status_code == 422 and "Chỉ nhập một trong hai" in error_summary_text(both.text)
    # no one by that CCCD, or by that public id: 422, the form again
    unknown = post(client, "/personal-data/erase/check", {"citizen_id": "999999999999"})
    assert unknown.status_code == 422
    assert "Không tìm thấy" in error_summary_text(unknown.text)
    assert 'name="citizen_id" value="999999999999"' in unknown.text
    assert "999999999999" not in outside_fields(unknown.text)
    nobody = post(client, "/personal-data/erase/check", {"recipient_id": "r-000"})
    assert nobody.status_code == 422 and 'href="#recipient_id"' in nobody.text
    # the erasure itself refuses the same way
    assert post(client, "/personal-data/erase",
                {"citizen_id": "123", "reason": REASON}).status_code == 422
    assert post(client, "/personal-data/erase",
                {"citizen_id": "999999999999", "reason": REASON}).status_code == 422
    # no reason, or too short a one: the check page again, the error beside «Lý do»
    for reason in ("", "  ", "ok"):
        page = post(client, "/personal-data/erase", {"citizen_id": CCCD, "reason": reason})
        assert page.status_code == 422, reason
        assert "Cần ghi lý do" in error_summary_text(page.text)
        assert 'id="reason-error"' in page.text and 'href="#reason"' in page.text
        assert NAME in main_text(page.text) and hidden(page.text)["citizen_id"] == CCCD
        assert CCCD not in outside_fields(page.text)
    # a form without this browser's CSRF token
    forged = client.post("/personal-data/erase", data={"citizen_id": CCCD, "reason": REASON},
                         follow_redirects=False)
    assert forged.status_code == 403
    assert head(client) == position
    # not an admin at all: the 403 page, before anything is read
    position = signed_in(client, "xd.nom")
    for method, path in (("get", "/personal-data/erase"),
                         ("post", "/personal-data/erase/check"),
                         ("post", "/personal-data/erase")):
        page = (client.get(path) if method == "get" else
                post(client, path, {"citizen_id": CCCD, "reason": REASON}))
        assert page.status_code == 403, path
        assert "Không thực hiện được" in page.text and CCCD not in page.text
    assert 'href="/personal-data/erase"' not in client.get("/").text
    assert head(client) == position
    # an admin whose grants do not reach her records: refused alike whether anyone by that
    # CCCD is known elsewhere or not (403: it is not hers to learn)
    position = signed_in(client, outsider)
    assert client.get("/personal-data/erase").status_code == 200
    for path in ("/personal-data/erase/check", "/personal-data/erase"):
        for cccd in (CCCD, "999999999999"):
            page = post(client, path, {"citizen_id": cccd, "reason": REASON})
            assert page.status_code == 403, path
            assert "ngoài các đơn vị bạn quản trị" in page.text
            assert cccd not in outside_fields(page.text)
    assert head(client) == position
    assert citizen_ids(client, world, decided["id"]) == [CCCD, CCCD2]


def test_an_erasure_that_does_not_exist_is_the_404_page(client, world):
    login(client, "admin")
    missing = client.get("/personal-data/erasures/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "Không thực hiện được" in missing.text
    assert client.get("/personal-data/erasures/khong-phai-ma").status_code == 422
