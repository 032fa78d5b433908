"""Fixtures shared by the API and page tests of one capability across modules."""

from __future__ import annotations

import pytest

from services.authz import SYSTEM
from tests.api.test_personal_data_at_rest import decide_two


@pytest.fixture
def decided(client, world) -> dict:
    """Two people with a citizen ID and a birth date in one decision (personal data at rest and
    its erasure, API and pages); a module with a ``decided`` of its own uses that one."""
    return decide_two(client, world)


@pytest.fixture
def outsider(rt, world) -> str:
    """An admin of Bắc Kạn (``bk.admin``, with an API token): an admin, but not over Hà Nội."""
    rt.after(rt.app.users.create_user(
        SYSTEM, username="bk.admin", full_name="bk.admin", password="mat-khau-123",
        grants=[{"role": "admin", "unit_id": world.units["backan"], "chair": False}]))
    world.tokens["bk.admin"] = rt.app.users.issue_token(SYSTEM, username="bk.admin")[1]
    rt.runner.catch_up()
    return "bk.admin"
