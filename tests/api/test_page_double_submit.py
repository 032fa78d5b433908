"""A page's form sent twice is recorded once (issue 18): every form carries its own key
(``form_key``, beside the CSRF token); the same form with the same values — a double click, the
browser resending — gets the first answer again, also when the two race; the same form sent
again with other values (after «back») is a new command."""

from __future__ import annotations

import re

from tests.api.test_pages_nominations import edit_fields, login
from tests.helpers import form_data, ok, race


def form_key(page: str) -> str:
    found = re.search(r'name="form_key" value="([A-Za-z0-9_-]+)"', page)
    assert found, "the form carries no key"
    return found.group(1)


def nominations(client, world) -> int:
    return ok(client.get("/api/nominations", headers=world.h("admin")))["total"]


def new_form(client, world, **changes: str) -> dict[str, str]:
    page = client.get("/nominations/new")
    assert page.status_code == 200
    return form_data(client, {"proposing_unit_id": world.u("xd"), **edit_fields(world, **changes),
                              "form_key": form_key(page.text)})


def test_every_form_of_a_page_carries_its_own_key(client, world):
    login(client, "xd.nom")
    first, second = (form_key(client.get("/nominations/new").text) for _ in range(2))
    assert first != second and len(first) >= 16


def test_the_same_form_sent_twice_is_recorded_once(client, world):
    login(client, "xd.nom")
    before = nominations(client, world)
    form = new_form(client, world)
    first = client.post("/nominations/new", data=form, follow_redirects=False)
    again = client.post("/nominations/new", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert nominations(client, world) == before + 1
    # the same form sent again with another value (after «back») is a new nomination
    changed = {**form, "period": "Năm 2024"}
    other = client.post("/nominations/new", data=changed, follow_redirects=False)
    assert other.status_code == 303 and other.headers["location"] != first.headers["location"]
    assert nominations(client, world) == before + 2
    # a form without a key (an older page, a script) is served as before
    keyless = {k: v for k, v in new_form(client, world, period="Năm 2022").items()
               if k != "form_key"}
    assert client.post("/nominations/new", data=keyless, follow_redirects=False).status_code == 303
    assert nominations(client, world) == before + 3


def test_a_double_click_racing_itself_is_recorded_once(client, world):
    login(client, "xd.nom")
    before = nominations(client, world)
    form = new_form(client, world)
    answers = race(4, lambda: client.post("/nominations/new", data=form,
                                          follow_redirects=False))
    assert [a.status_code for a in answers] == [303] * 4, [a.text[:300] for a in answers]
    assert len({a.headers["location"] for a in answers}) == 1
    assert nominations(client, world) == before + 1


def test_a_refused_form_is_not_remembered(client, world):
    """A form refused (nothing recorded) and sent again as it was is checked again."""
    login(client, "xd.nom")
    before = nominations(client, world)
    form = new_form(client, world, birth_date="31/02/1980")
    for _ in range(2):
        refused = client.post("/nominations/new", data=form)
        assert refused.status_code == 422 and "idempotent-replayed" not in refused.headers
    assert nominations(client, world) == before


def test_a_form_whose_answer_is_a_page_does_its_work_again(client, world, rt):
    """A page that answers with what it recorded (a temporary password, shown once) is not
    kept; the same form sent twice then does its work twice, each answer usable, as before
    form keys."""
    login(client, "admin")
    page = client.get("/users/xd.nom/password-reset")
    assert page.status_code == 200
    form = form_data(client, {"password_mode": "generate", "form_key": form_key(page.text)})
    first = client.post("/users/xd.nom/password-reset", data=form)
    again = client.post("/users/xd.nom/password-reset", data=form)
    assert first.status_code == again.status_code == 200
    assert "idempotent-replayed" not in again.headers
    assert "Biểu mẫu đã gửi" not in again.text
    assert first.text != again.text  # two temporary passwords, the second one in force
    resets = [e for e in rt.app.history(rt.app.users.user("xd.nom").id)
              if type(e).__name__ == "PasswordReset"]
    assert len(resets) == 2


def test_an_edit_that_leaves_the_personal_data_records_no_change_of_it(client, world):
    """Personal data is stored sealed: an edit that types the same citizen ID and birth date
    again (as the edit form shows them) does not record the recipient as changed."""
    nid = ok(client.post("/api/nominations", headers=world.h("xd.nom"), json={
        "proposing_unit_id": world.u("xd"), "award_kind": "giay_khen_hoi", "period": "2023",
        "achievement": "Hoàn thành xuất sắc nhiệm vụ",
        "recipient": {"kind": "individual", "name": "Lê Thị Thu", "citizen_id": "024190001122",
                      "birth_date": "1990-07-09", "unit_id": world.u("xd")}}), 201)["id"]
    shown = ok(client.get(f"/api/nominations/{nid}", headers=world.h("xd.nom")))
    recipient = {k: shown["recipient"][k] for k in ("kind", "name", "citizen_id", "birth_date",
                                                    "unit_id")}
    ok(client.patch(f"/api/nominations/{nid}", headers=world.h("xd.nom"), json={
        "recipient": {**recipient, "citizen_id": "024 190 001 122"},
        "achievement": "Hoàn thành xuất sắc nhiệm vụ năm 2023"}))
    history = ok(client.get(f"/api/nominations/{nid}/history", headers=world.h("xd.nom")))
    changes = history["events"][-1]["data"]["changes"]
    assert set(changes) == {"achievement"}
    # a changed birth date is a change, and is read back as typed
    ok(client.patch(f"/api/nominations/{nid}", headers=world.h("xd.nom"), json={
        "recipient": {**recipient, "birth_date": "1990-07-10"}}))
    history = ok(client.get(f"/api/nominations/{nid}/history", headers=world.h("xd.nom")))
    assert set(history["events"][-1]["data"]["changes"]) == {"recipient"}
    shown = ok(client.get(f"/api/nominations/{nid}", headers=world.h("xd.nom")))
    assert shown["recipient"]["birth_date"] == "1990-07-10"
    assert shown["recipient"]["citizen_id"] == "024190001122"


def test_a_value_shaped_like_a_sealed_one_is_refused_where_typed(client, world):
    login(client, "xd.nom")
    position = ok(client.get("/api/health"))["position"]
    forged = "enc1:" + "0" * 32 + ":" + "A" * 40
    refused = client.post("/nominations/new", data=new_form(client, world, citizen_id=forged))
    assert refused.status_code == 422 and 'id="citizen_id-error"' in refused.text
    assert ok(client.get("/api/health"))["position"] == position
