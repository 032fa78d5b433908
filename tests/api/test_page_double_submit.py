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
