"""A small Union tree with users in every role, built through the application (not the API),
so that API tests start from a known world and exercise only what they test.

    Trung ương Hội LHPN Việt Nam (central)            council: tw.chair; approver tw.appr
    ├── Hội LHPN TP Hà Nội (province)                 council: hn.chair, hn.member; hn.appr
    │   └── Hội LHPN quận Bắc Từ Liêm (district)       council: btl.chair; btl.appr
    │       ├── Hội LHPN phường Xuân Đỉnh (commune)    council: xd.chair, xd.member; xd.nom
    │       └── Hội LHPN phường Cổ Nhuế 1 (commune)
    └── Hội LHPN tỉnh Bắc Kạn (province)
        └── Hội LHPN xã Nông Thượng (commune)          nominator: nt.nom
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from domain.decision import AwardDecision, Issuer
from projections.base import View
from projections.db import ViewDB
from projections.registry import RegistryFilter
from services.app import Runtime
from services.authz import SYSTEM, Actor


@dataclass
class World:
    rt: Runtime
    units: dict[str, UUID] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    USERS = {  # noqa: RUF012
        "admin": [("admin", "root", False)],
        "tw.chair": [("reviewer", "root", True)],
        "tw.appr": [("approver", "root", False)],
        "hn.chair": [("reviewer", "hanoi", True)],
        "hn.member": [("reviewer", "hanoi", False)],
        "hn.appr": [("approver", "hanoi", False)],
        "hn.admin": [("admin", "hanoi", False)],
        "btl.chair": [("reviewer", "btl", True)],
        "btl.appr": [("approver", "btl", False)],
        "xd.chair": [("reviewer", "xd", True)],
        "xd.member": [("reviewer", "xd", False)],
        "xd.nom": [("nominator", "xd", False)],
        "nt.nom": [("nominator", "nt", False)],
    }

    @classmethod
    def build(cls, rt: Runtime) -> World:
        world = cls(rt=rt)
        app = rt.app
        root = app.orgs.create_root(
            SYSTEM,
            name="Trung ương Hội LHPN Việt Nam",
            code="TW",
            established_on=date(1930, 10, 20),
        )
        world.units["root"] = root.id
        plan = [
            ("hanoi", "Hội LHPN TP Hà Nội", "province", "root", date(1946, 1, 1)),
            ("btl", "Hội LHPN quận Bắc Từ Liêm", "district", "hanoi", date(2014, 4, 1)),
            ("xd", "Hội LHPN phường Xuân Đỉnh", "commune", "btl", date(2014, 4, 1)),
            ("cn1", "Hội LHPN phường Cổ Nhuế 1", "commune", "btl", date(2014, 4, 1)),
            ("backan", "Hội LHPN tỉnh Bắc Kạn", "province", "root", date(1997, 1, 1)),
            ("nt", "Hội LHPN xã Nông Thượng", "commune", "backan", date(1997, 1, 1)),
        ]
        for key, name, level, parent, on in plan:
            world.units[key] = app.orgs.create_unit(
                SYSTEM, name=name, level=level, parent_id=world.units[parent], established_on=on
            ).id
        for username, grants in cls.USERS.items():
            app.users.create_user(
                SYSTEM,
                username=username,
                full_name=username,
                password="mat-khau-123",
                grants=[{"role": r, "unit_id": world.units[u], "chair": c} for r, u, c in grants],
            )
            _, world.tokens[username] = app.users.issue_token(SYSTEM, username=username)
        rt.runner.catch_up()
        return world

    def u(self, key: str) -> str:
        return str(self.units[key])

    def h(self, username: str) -> dict[str, str]:
        """Authorization headers for a user."""
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def actor(self, username: str) -> Actor:
        return self.rt.app.users.actor_for(self.rt.app.users.user(username))


def person(name: str = "Nguyễn Thị Hồng Nhung", birth_year: int = 1980, **extra: Any) -> dict:
    return {
        "kind": "individual",
        "name": name,
        "gender": "female",
        "birth_year": birth_year,
        **extra,
    }


def nomination_body(world: World, unit: str = "xd", **extra: Any) -> dict:
    body = {
        "proposing_unit_id": world.u(unit),
        "recipient": person(unit_id=world.u(unit)),
        "award_kind": "giay_khen_hoi",
        "achievement": "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2023",
        "period": "2023",
    }
    body.update(extra)
    return body


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    return response.json()


def err(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()["error"]
    assert body["message"], body
    if code is not None:
        assert body["code"] == code, body
    return body


CSRF_COOKIE = "tdkt_csrf"  # services.web.csrf
SESSION_COOKIE = "tdkt_session"  # services.http.sessions


def form_data(client, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """A page's form as a browser sends it: the fields plus this browser's CSRF token (the
    cookie's; a page is read first when the browser has none yet)."""
    token = client.cookies.get(CSRF_COOKIE)
    if not token:
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
    assert token, "no CSRF cookie after reading a page"
    return {**(data or {}), "csrf_token": token}


def page_login(client, username: str, password: str = "mat-khau-123", **extra: Any):
    """Sign in through the form (no redirect followed): the answer."""
    return client.post("/login", data=form_data(client, {
        "username": username, "password": password, "next": "/", **extra}),
        follow_redirects=False)


def page_sign_in(client, username: str) -> None:
    """Sign in through the form as this user alone (the browser's cookies cleared first)."""
    client.cookies.clear()
    answer = page_login(client, username)
    assert answer.status_code == 303, answer.text


def page_post(client, path: str, data: dict[str, Any] | None = None):
    """Send a page's form (with this browser's CSRF token), no redirect followed: the answer."""
    return client.post(path, data=form_data(client, data), follow_redirects=False)


def page_text(page: str) -> str:
    """The page's text, tags removed, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def page_main_text(page: str) -> str:
    """The text of the page's ``<main>`` (the menu and header left out)."""
    return page_text(page.split("<main>", 1)[1])


def error_summary_text(page: str) -> str:
    """The text of the error summary at the top of a form page (there must be one)."""
    found = re.search(r'<div class="error error-summary".*?</div>', page, re.S)
    assert found, "no error summary"
    return page_text(found.group(0))


READER = "admin"  # the central admin reads everything


def head(client) -> int:
    """The event log's head position (to show that a refused command recorded nothing)."""
    return ok(client.get("/api/health"))["position"]


def refused(response, status: int, code: str) -> dict:
    """A refusal: status, machine code, a Vietnamese message; a 401 asks for a bearer token."""
    body = err(response, status, code)
    assert any(ord(ch) > 127 for ch in body["message"]), f"not Vietnamese: {body['message']!r}"
    if status == 401:
        assert response.headers.get("www-authenticate") == "Bearer"
    return body


@contextmanager
def case(label: object) -> Iterator[None]:
    """Names the case of a table-driven test in its failure (one world serves the whole table)."""
    try:
        yield
    except AssertionError as error:
        raise AssertionError(f"case {label!r}: {error}") from error


def nom_paths(nid: str) -> tuple[str, str]:
    """A nomination and its history: what ``nothing_recorded`` watches for a refused command."""
    return f"/api/nominations/{nid}", f"/api/nominations/{nid}/history"


def dec_paths(did: str) -> tuple[str, str]:
    return f"/api/decisions/{did}", f"/api/decisions/{did}/history"


def cer_paths(cid: str) -> tuple[str, str]:
    return f"/api/ceremonies/{cid}", f"/api/ceremonies/{cid}/history"


def race(count: int, action: Callable[[], Any]) -> list[Any]:
    """``action`` run by ``count`` threads released together; their results (any error of one
    of them is raised here)."""
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def run() -> None:
        try:
            start.wait()
            results.append(action())
        except BaseException as exc:  # raised below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@contextmanager
def nothing_recorded(client, world, *paths: str) -> Iterator[None]:
    """The log head and every given resource (read as the central admin) stay unchanged."""
    position = head(client)
    before = [ok(client.get(p, headers=world.h(READER))) for p in paths]
    yield
    assert head(client) == position, "a refused command recorded events"
    after = [ok(client.get(p, headers=world.h(READER))) for p in paths]
    assert after == before


PREVIOUS_MONEY_RULES = Path(__file__).parent / "data" / "money_rules_2025-07.toml"


def load_previous_release(schedule: Any, actor: str) -> None:
    """What the release before 2026-12 recorded into a new schedule (its ``load_shipped``): one
    event per base salary and per decree period, from its own data file (kept as it shipped)."""
    data = tomllib.loads(PREVIOUS_MONEY_RULES.read_text(encoding="utf-8"))
    for row in data["base_salary"]:
        schedule.set_base_salary(effective_from=row["effective_from"], amount=row["amount"],
                                 legal_basis=row["legal_basis"], verified=row["verified"],
                                 note=row.get("note", ""), actor=actor)
    for row in data["period"]:
        meta = {k: v for k, v in row.items()
                if k not in ("code", "title", "effective_from", "rounding", "rules")}
        schedule.set_period(code=row["code"], title=row["title"],
                            effective_from=row["effective_from"], rounding=row["rounding"],
                            rules=row["rules"], meta=meta, actor=actor)


def tables_in(db: ViewDB) -> set[str]:
    with db.read() as cur:
        if db.dialect == "sqlite":
            rows = cur.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        else:
            rows = cur.execute("SELECT table_name AS name FROM information_schema.tables"
                               " WHERE table_schema = current_schema()").fetchall()
    # PostgreSQL keeps the event store in the same schema: those are not read models
    return {row["name"] for row in rows if not row["name"].startswith("tdktapplication_")}


def dump(db: ViewDB, views: list[View]) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every view table, as text, in a stable order."""
    out: dict[str, list[tuple[str, ...]]] = {}
    with db.read() as cur:
        for view in views:
            for table in view.table_names(db.dialect):
                rows = cur.execute(f"SELECT * FROM {table}").fetchall()
                out[table] = sorted(tuple(f"{k}={v}" for k, v in sorted(r.items())) for r in rows)
    return out


# -- the registry against a fold over the log (tests/services) --------------------------------


def fold_award_lines(rt) -> dict[tuple[str, int], dict[str, Any]]:
    """Award lines straight from the log, with the positions of their events."""
    lines: dict[tuple[str, int], dict[str, Any]] = {}
    notifications = rt.app.recorder.select_notifications(start=None, limit=10**9)
    for n in notifications:
        event = rt.app.mapper.to_domain_event(n)
        did = str(event.originator_id)
        if isinstance(event, AwardDecision.Created):
            issuer = Issuer.from_dict(event.issuer)
            for line in event.lines:
                lines[(did, line["line_no"])] = {
                    "amount": line["amount"], "kind": line["recipient"]["kind"],
                    "decided_on": event.decided_on, "position": n.id, "issuer": issuer.key,
                    "revoked_on": None, "revoked_position": None,
                }
        elif isinstance(event, AwardDecision.LineRevoked):
            line = lines[(did, event.line_no)]
            if line["revoked_on"] is None:
                line.update(revoked_on=event.revoked_on, revoked_position=n.id)
        elif isinstance(event, AwardDecision.Revoked):
            for (d, _), line in lines.items():
                if d == did and line["revoked_on"] is None:
                    line.update(revoked_on=event.revoked_on, revoked_position=n.id)
    return lines


def totals_from_fold(lines, *, as_of: date | None = None, position: int | None = None):
    """Totals (all, and by issuer) of the folded lines in force as of a date and/or position."""
    groups: dict[str | None, dict[str, Any]] = defaultdict(
        lambda: {"lines": 0, "individuals": 0, "collectives": 0, "amount": 0, "stated": 0})
    for line in lines.values():
        if as_of is not None and line["decided_on"] > as_of:
            continue
        if position is not None and line["position"] > position:
            continue
        revoked_by_date = line["revoked_on"] is not None and (
            as_of is None or line["revoked_on"] <= as_of)
        revoked_by_position = line["revoked_position"] is not None and (
            position is None or line["revoked_position"] <= position)
        if as_of is None and position is None:
            revoked = line["revoked_on"] is not None
        elif as_of is not None and position is not None:
            revoked = revoked_by_date and revoked_by_position
        else:
            revoked = revoked_by_date if as_of is not None else revoked_by_position
        if revoked:
            continue
        for key in (None, line["issuer"]):
            g = groups[key]
            g["lines"] += 1
            g[line["kind"] + "s"] += 1
            if line["amount"] is not None:
                g["amount"] += line["amount"]
                g["stated"] += 1
    return groups


def compare_registry(registry, lines, **when) -> None:
    """The registry's totals by issuer, and its line count, equal those of the fold."""
    f = RegistryFilter(as_of=when.get("as_of"), as_of_position=when.get("position"))
    got = registry.totals(f, group_by="issuer")
    want = totals_from_fold(lines, **when)
    parts = [(None, got["total"])] + [(g["key"], g) for g in got["groups"]]
    assert {k for k, _ in parts} == set(want) | {None}, when
    for key, total in parts:
        w = want[key]
        assert total["lines"] == w["lines"], (key, when)
        assert (total["individuals"], total["collectives"]) == (w["individuals"],
                                                                 w["collectives"])
        assert total["amount"] == (w["amount"] if w["stated"] else None), (key, when)
        assert total["lines_without_amount"] == w["lines"] - w["stated"]
    listed = registry.lines(f)
    assert listed["total"] == want[None]["lines"]
