"""The award workflow as a story, for API tests: one readable step per HTTP call.

    def test_…(flow, world):                      # ``flow`` is a fixture (tests/conftest.py)
        nid = flow.draft()["id"]                   # xd.nom drafts for phường Xuân Đỉnh
        flow.submit(nid)                           # … to the ward council
        flow.vote(nid, by="xd.chair")
        flow.close(nid, by="xd.chair")             # recommended: forwarded to the district
        flow.recommend(nid, by="btl.chair")        # vote and close in one step
        flow.decide([{"nomination_id": nid}])      # the district office decides

or in one line, ``flow.recommended()`` (draft, submit and both councils), ``flow.decided()``, or
``flow.nomination_in("rejected")`` for any state a test starts from.

Every step checks the status it expects and returns the parsed JSON. ``expect`` defaults to the
step's success (200, or 201 for what creates a resource); an error status makes the step a
refusal, checked by ``tests.helpers.refused`` (status, machine ``code``, a Vietnamese message) and
answered with the error body::

    flow.close(nid, by="xd.chair", expect=409, code="review.no_majority")

``by`` is a username of the ``World`` (its bearer token is sent) or, for a token a test made
itself, the headers to send. Bodies are sent as given: a step adds no field the test did not ask
for (``submit(nid)`` sends no body at all, ``close`` sends a reason only when given one).
"""

from __future__ import annotations

from typing import Any

from tests.helpers import World, nomination_body, ok, refused

NOMINATOR = {"xd": "xd.nom", "nt": "nt.nom"}  # the World's nominator of each proposing unit
REVOCATION = {"revoked_on": "2024-03-01", "ground": "b", "reason": "Hồ sơ không trung thực"}
NO_BODY = object()

User = str | dict[str, str]


class Workflow:
    """Steps of the award workflow over a ``TestClient`` and the test ``World``."""

    def __init__(self, client: Any, world: World) -> None:
        self.client = client
        self.world = world

    # -- plumbing -----------------------------------------------------------------------------

    def headers(self, by: User) -> dict[str, str]:
        return by if isinstance(by, dict) else self.world.h(by)

    def send(
        self,
        method: str,
        path: str,
        *,
        by: User,
        json: Any = NO_BODY,
        expect: int = 200,
        code: str | None = None,
        **kwargs: Any,
    ) -> dict:
        """One request: the parsed success, or the error body of the expected refusal."""
        if json is not NO_BODY:
            kwargs["json"] = json
        response = self.client.request(method, path, headers=self.headers(by), **kwargs)
        if expect < 400:
            assert code is None, "a success has no error code"
            return ok(response, expect)
        return refused(response, expect, code)

    def get(self, path: str, *, by: User = "admin", **params: Any) -> dict:
        return self.send("GET", path, by=by, params=params or None)

    # -- nominations, step by step -------------------------------------------------------------

    def draft(
        self,
        unit: str = "xd",
        *,
        by: User | None = None,
        body: dict | None = None,
        expect: int = 201,
        code: str | None = None,
        **fields: Any,
    ) -> dict:
        """A nomination proposed by ``unit`` (``nomination_body`` with ``fields``), or ``body``."""
        if body is None:
            body = nomination_body(self.world, unit, **fields)
        else:
            assert not fields, "give either a whole body or fields for nomination_body"
        who = by if by is not None else NOMINATOR[unit]
        return self.send("POST", "/api/nominations", by=who, json=body, expect=expect, code=code)

    def nomination(self, nid: str, *, by: User = "admin") -> dict:
        return self.get(f"/api/nominations/{nid}", by=by)

    def edit(
        self, nid: str, *, by: User = "xd.nom", expect: int = 200, code: str | None = None,
        **changes: Any,
    ) -> dict:
        return self.send("PATCH", f"/api/nominations/{nid}", by=by, json=changes, expect=expect,
                         code=code)

    def submit(
        self, nid: str, *, by: User = "xd.nom", expect: int = 200, code: str | None = None,
        **body: Any,
    ) -> dict:
        """To the proposing unit's council; no body unless given (``expected_version=…``)."""
        return self.send("POST", f"/api/nominations/{nid}/submit", by=by,
                         json=body if body else NO_BODY, expect=expect, code=code)

    def withdraw(
        self, nid: str, *, by: User = "xd.nom", expect: int = 200, code: str | None = None,
        **body: Any,
    ) -> dict:
        return self.send("POST", f"/api/nominations/{nid}/withdraw", by=by,
                         json=body if body else NO_BODY, expect=expect, code=code)

    def vote(
        self, nid: str, *, by: User, choice: str = "agree", expect: int = 200,
        code: str | None = None, **extra: Any,
    ) -> dict:
        """A council member's ballot (``comment=…``, ``score=…`` as ``extra``)."""
        return self.send("POST", f"/api/nominations/{nid}/votes", by=by,
                         json={"vote": choice, **extra}, expect=expect, code=code)

    def recuse(
        self, nid: str, *, by: User, expect: int = 200, code: str | None = None, **body: Any
    ) -> dict:
        return self.send("POST", f"/api/nominations/{nid}/recusal", by=by, json=body,
                         expect=expect, code=code)

    def close(
        self, nid: str, *, by: User, outcome: str = "recommended", expect: int = 200,
        code: str | None = None, **extra: Any,
    ) -> dict:
        """The chair closes the review (``reason=…``, ``expected_version=…`` as ``extra``)."""
        return self.send("POST", f"/api/nominations/{nid}/close-review", by=by,
                         json={"outcome": outcome, **extra}, expect=expect, code=code)

    def recommend(self, nid: str, *, by: User) -> dict:
        """The chair votes for the nomination and closes the review as recommended."""
        self.vote(nid, by=by)
        return self.close(nid, by=by)

    # -- nominations, whole stories -------------------------------------------------------------
    # A Giấy khen from phường Xuân Đỉnh: the ward council is below its authority and forwards it
    # to the district (quận Bắc Từ Liêm), which decides Giấy khen itself.

    def submitted(self, **fields: Any) -> dict:
        """Drafted and submitted: under review at the ward council (xd)."""
        return self.submit(self.draft(**fields)["id"])

    def forwarded(self, **fields: Any) -> dict:
        """Recommended by the ward council, now under review at the district (btl)."""
        out = self.recommend(self.submitted(**fields)["id"], by="xd.chair")
        assert out["status"] == "under_review", out
        assert out["review_unit_id"] == self.world.u("btl"), out
        return out

    def recommended(self, **fields: Any) -> dict:
        """Recommended by the district council: waiting for the district's decision."""
        out = self.recommend(self.forwarded(**fields)["id"], by="btl.chair")
        assert out["status"] == "recommended", out
        assert out["decision_unit_id"] == self.world.u("btl"), out
        return out

    def rejected(self, reason: str = "Chưa đủ tiêu chuẩn", **fields: Any) -> dict:
        """The ward council votes against it and its chair rejects it."""
        nid = self.submitted(**fields)["id"]
        self.vote(nid, by="xd.member", choice="disagree")
        out = self.close(nid, by="xd.chair", outcome="rejected", reason=reason)
        assert out["status"] == "rejected", out
        return out

    def returned(self, reason: str = "Bổ sung minh chứng", **fields: Any) -> dict:
        """Sent back by the ward council for more evidence (no vote needed)."""
        nid = self.submitted(**fields)["id"]
        out = self.close(nid, by="xd.chair", outcome="returned", reason=reason)
        assert out["status"] == "returned", out
        return out

    def withdrawn(self, **fields: Any) -> dict:
        """Drafted, then withdrawn by its nominator."""
        return self.withdraw(self.draft(**fields)["id"])

    def decided(self, number: str = "21/QĐ-HPN", **fields: Any) -> dict:
        """Recommended, then decided by the district office: the nomination, read back."""
        nid = self.recommended(**fields)["id"]
        self.decide([{"nomination_id": nid, "amount": 300_000}], number=number)
        out = self.nomination(nid, by="xd.nom")
        assert out["status"] == "decided", out
        return out

    STATES = ("draft", "under_review", "forwarded", "recommended", "rejected", "returned",
              "withdrawn", "decided")

    def nomination_in(self, state: str, **fields: Any) -> dict:
        """A fresh nomination in ``state`` (one of ``STATES``)."""
        if state == "draft":
            return self.draft(**fields)
        if state == "under_review":
            return self.submitted(**fields)
        assert state in self.STATES, state
        story = getattr(self, state)
        return story(**fields)

    # -- decisions, revocations, ceremonies -----------------------------------------------------

    def decide(
        self,
        lines: list[dict],
        *,
        by: User = "btl.appr",
        unit: str = "btl",
        number: str = "15/QĐ-HPN",
        decided_on: str = "2024-01-05",
        expect: int = 201,
        code: str | None = None,
        **fields: Any,
    ) -> dict:
        """A decision of ``unit`` (``issuer=…`` for an outside body) with ``lines``."""
        body = {"number": number, "decided_on": decided_on,
                "issuer": {"unit_id": self.world.u(unit)}, "lines": lines, **fields}
        return self.send("POST", "/api/decisions", by=by, json=body, expect=expect, code=code)

    def revoke(
        self, did: str, line_no: int | None = None, *, by: User = "btl.appr", expect: int = 200,
        code: str | None = None, **body: Any,
    ) -> dict:
        """The whole decision, or one line (``revoked_on``, ``ground``, ``reason`` override)."""
        path = (f"/api/decisions/{did}/revoke" if line_no is None
                else f"/api/decisions/{did}/lines/{line_no}/revoke")
        return self.send("POST", path, by=by, json={**REVOCATION, **body}, expect=expect,
                         code=code)

    def ceremony(
        self, decision_ids: list[str], *, by: User = "btl.appr", host: str = "btl",
        expect: int = 201, code: str | None = None, **fields: Any,
    ) -> dict:
        body = {"title": "Hội nghị tổng kết năm 2023", "held_on": "2024-01-09",
                "place": "Bắc Từ Liêm", "host_unit_id": self.world.u(host),
                "decision_ids": decision_ids, **fields}
        return self.send("POST", "/api/ceremonies", by=by, json=body, expect=expect, code=code)
