"""Random command sequences through the HTTP API never give a 500 nor an inconsistent resource.

A hypothesis state machine plays every role of the shared ``world`` (plus anonymous and bogus
callers) against the workflow endpoints with valid, half-valid and junk bodies: unicode, NUL bytes,
huge, negative and fractional numbers, NaN, nulls and wrong types. Every answer must be one of the
statuses the API documents, every error must carry a code and a message, and after each success
the resource read back must be consistent. An ``advance`` rule plays the right user at the right
step so that runs also reach review, forwarding, decisions and revocations. The emulation
commands (issue 19) play against a seeded cluster, movement and title registration with exact
numbers written every wrong way (floats, NaN, exponents, huge): what a success answers holds NFC
text without control characters.

Each run of the machine starts from the same world but keeps the nominations and decisions of
earlier runs in the store, which only adds variety (duplicate numbers, achievements awarded twice).
For hypothesis that is only sound if what is *drawn* never depends on what the store answers:
known ids are picked by drawn indexes, and ``advance`` draws everything before looking.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from typing import Any
from uuid import uuid4

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from domain.catalog import catalog
from domain.decision import STATUS_LABELS as DECISION_STATUSES
from domain.nomination import STATUS_LABELS as NOMINATION_STATUSES
from tests.helpers import World

ALLOWED_STATUSES = {200, 201, 401, 403, 404, 409, 422}
ANONYMOUS, BOGUS = "<anonymous>", "<bogus token>"
USERS = [*World.USERS, ANONYMOUS, BOGUS]
UNIT_KEYS = ["root", "hanoi", "btl", "xd", "cn1", "backan", "nt"]
NOMINATORS = {"xd": "xd.nom", "nt": "nt.nom"}
COUNCILS = {
    "root": ["tw.chair"],
    "hanoi": ["hn.chair", "hn.member"],
    "btl": ["btl.chair"],
    "xd": ["xd.chair", "xd.member"],
}
CHAIRS = {"root": "tw.chair", "hanoi": "hn.chair", "btl": "btl.chair", "xd": "xd.chair"}
APPROVERS = {"root": "tw.appr", "hanoi": "hn.appr", "btl": "btl.appr"}
AWARD_KINDS = sorted(catalog().kinds)
NOBODY = object()
# Award kinds each issuer may decide (``government``: UBND quận Bắc Từ Liêm, recorded by btl).
SANE_KINDS = {
    "btl": ["giay_khen_hoi", "lao_dong_tien_tien", "chien_si_thi_dua_co_so"],
    "hanoi": ["giay_khen_hoi", "bang_khen_hoi_tinh"],
    "root": ["bang_khen_tw_hoi", "ky_niem_chuong_phu_nu"],
    "government": ["giay_khen_ubnd_huyen", "lao_dong_tien_tien"],
}
INDIVIDUAL_ONLY = {"ky_niem_chuong_phu_nu", "lao_dong_tien_tien", "chien_si_thi_dua_co_so"}

# -- junk ---------------------------------------------------------------------------------------

odd_text = st.one_of(
    st.text(max_size=25),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "Nguyễn Thị Hồng Nhung",
            "Nguye\u0302\u0303n Thi\u0323 Ho\u0302\u0300ng Nhung",
            "NGUYEN THI HONG NHUNG",
            "'; DROP TABLE nominations; --",
            "%_\\",
            "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🌸",
            "\u202egnp.exe",
            "x" * 301,
            "15/QĐ-HPN",
            "2023",
        ]
    ),
)
odd_int = st.one_of(
    st.integers(min_value=-1_000, max_value=3_000),
    st.sampled_from([0, -1, 10**13, 10**13 + 1, 2**31, 2**63, -(2**63), 10**30]),
)
odd_float = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.5, 1980.0, -0.0, 1e308, float("nan"), float("inf")]),
)
scalar = st.one_of(st.none(), st.booleans(), odd_int, odd_float, odd_text)
junk = st.recursive(
    scalar,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.text(max_size=8), children, max_size=3),
    ),
    max_leaves=6,
)
amount = st.one_of(
    st.none(),
    st.integers(min_value=0, max_value=5_000_000),
    st.sampled_from([0, 10**13, 10**13 + 1, -1, -300_000, 2**63]),
    odd_float,
    st.sampled_from(["300000", "3e5", True, False, [], {}]),
)
some_date = st.one_of(
    st.dates(min_value=date(2018, 1, 1), max_value=date(2025, 12, 31)).map(date.isoformat),
    st.sampled_from(["2024-01-05", "2024-06-30", "2024-07-01", "0001-01-01", "9999-12-31"]),
    st.sampled_from(["2024-02-30", "05/01/2024", "", "2024-01-05T10:00:00"]),
    junk,
)
award_kind = st.one_of(
    st.sampled_from(["giay_khen_hoi", "bang_khen_tw_hoi", "bang_khen_hoi_tinh"]),
    st.sampled_from(AWARD_KINDS),
    odd_text,
    junk,
)


# -- emulation (issue 19): numbers are exact (an int or a decimal string, never a float) -------

sane_exact = st.one_of(st.integers(0, 60), st.integers(0, 60).map(str),
                       st.sampled_from(["12,5", "40.5", "2", "100", "１２"]))
exact = st.one_of(  # numbers written every wrong way
    st.integers(-10, 10**6),
    st.sampled_from(["957,5", "80.5", "1e5", "NaN", "Infinity", "-0", " 3 ", "3.12345", "",
                     "1.000", "+3", "0x10", "Yes", "có ", 10**30, 2**63, -(2**63)]),
    odd_float,
    st.booleans(),
    st.none(),
    junk,
)
note_sane = st.sampled_from(["Theo báo cáo tổng kết", "Bổ sung\r\nminh chứng", "",
                             unicodedata.normalize("NFD", "Đồng ý, thống nhất điểm")])
yes_no = st.sampled_from(["yes", "no", "có", "không", unicodedata.normalize("NFD", "có"),
                          unicodedata.normalize("NFD", "không"), True, False])
code = st.sampled_from(["9", "x" * 17, "ü", "1 ", "%00", "1.", "-", "1%20", "a-b.c"])
year_path = st.sampled_from(["2025", "1999", "2101", "-1", "x", "99999999999999999999",
                             "2024.0"])
path_ref = st.one_of(st.uuids().map(str), st.sampled_from(["x", "0", "%00", "ü"]))
EMULATION_TITLES = ["lao_dong_tien_tien", "chien_si_thi_dua_co_so",
                    "chien_si_thi_dua_toan_quoc", "tap_the_lao_dong_tien_tien"]


def check_text(value: Any, described: str) -> None:
    """Text as recorded: NFC, no control characters but the newline."""
    if isinstance(value, str):
        assert unicodedata.is_normalized("NFC", value), (value, described)
        assert not [c for c in value if unicodedata.category(c) == "Cc" and c != "\n"], (
            value, described)
    elif isinstance(value, list):
        for item in value:
            check_text(item, described)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key, described)
            check_text(item, described)


class ApiMachine(RuleBasedStateMachine):
    """Bound to a client and a world by the test function (function-scoped fixtures)."""

    client: Any = None
    world: World = None  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.nominations: list[str] = []
        self.decisions: list[str] = []
        self.ceremonies: list[str] = []
        self.numbers = 0

    # -- plumbing -----------------------------------------------------------------------------

    def headers(self, who: str) -> dict[str, str]:
        if who == ANONYMOUS:
            return {}
        if who == BOGUS:
            return {"Authorization": "Bearer not-a-real-token"}
        return self.world.h(who)

    def call(self, method: str, url: str, who: str, body: Any = NOBODY, **kwargs: Any):
        headers = self.headers(who)
        if body is not NOBODY:
            # Serialised by hand: NaN and Infinity are junk a client can send.
            kwargs["content"] = json.dumps(body, ensure_ascii=False, allow_nan=True).encode()
            headers = {**headers, "Content-Type": "application/json"}
        response = self.client.request(method, url, headers=headers, **kwargs)
        described = f"{method} {url} as {who} with {body!r}: {response.status_code} {response.text}"
        assert response.status_code in ALLOWED_STATUSES, described
        payload = response.json()
        if response.status_code >= 400:
            error = payload.get("error")
            assert isinstance(error, dict), described
            assert isinstance(error.get("code"), str) and error["code"], described
            assert isinstance(error.get("message"), str) and error["message"].strip(), described
        return response

    def read(self, url: str) -> dict[str, Any]:
        response = self.call("GET", url, "admin")
        assert response.status_code == 200, response.text
        return response.json()

    def u(self, key: str) -> str:
        return self.world.u(key)

    def unit_ref(self):
        return st.one_of(
            st.sampled_from(UNIT_KEYS).map(self.u),
            st.uuids().map(str),
            junk,
        )

    # What is drawn never depends on the store: the world is shared by all runs, so the same
    # draws may meet other answers in a later run, and hypothesis needs the same draws to be
    # asked for in the same order. Known ids are therefore chosen by drawn indexes.

    @staticmethod
    def index(data, items: list[Any], label: str) -> Any:
        position = data.draw(st.integers(0, 2**16), label=label)
        return items[position % len(items)] if items else None

    def nomination_ref(self, data) -> str:
        known = data.draw(st.integers(0, 9), label="known nomination") > 0
        chosen = self.index(data, self.nominations, "nomination")
        other = data.draw(st.one_of(st.uuids().map(str), st.sampled_from(["x", "0", "%00"])))
        return chosen if known and chosen else other

    def decision_ref(self, data) -> str:
        known = data.draw(st.integers(0, 9), label="known decision") > 0
        chosen = self.index(data, self.decisions, "decision")
        other = data.draw(st.uuids().map(str), label="unknown decision")
        return chosen if known and chosen else other

    def who(self, data, likely: list[str]) -> str:
        use_likely = data.draw(st.booleans(), label="likely user")
        return self.index(data, likely if use_likely and likely else USERS, "user")

    # -- strategies that need the world -------------------------------------------------------

    def recipient(self):
        world_unit = st.sampled_from(["xd", "nt", "cn1", "btl"]).map(self.u)
        fields = st.fixed_dictionaries(
            {"kind": st.sampled_from(["individual", "collective", "household"])},
            optional={
                "name": st.one_of(odd_text, st.sampled_from(["Lê Thị Mai", "Trần Thị Lan"])),
                "unit_id": st.one_of(world_unit, self.unit_ref()),
                "org_unit_id": st.one_of(world_unit, self.unit_ref()),
                "gender": st.one_of(st.sampled_from(["female", "male"]), scalar),
                "birth_year": st.one_of(st.integers(1850, 2150), scalar),
                "birth_date": some_date,
                "position": odd_text,
                "citizen_id": st.one_of(st.from_regex(r"\A[0-9 .]{9,14}\Z"), scalar),
                "women_share": st.one_of(st.integers(-5, 105), scalar),
            },
        )
        person = st.builds(
            lambda name, year, unit: {
                "kind": "individual",
                "name": name,
                "gender": "female",
                "birth_year": year,
                "unit_id": unit,
            },
            st.sampled_from(
                ["Nguyễn Thị Hồng Nhung", "Phạm Thị Thu", "Hoàng Thị\x00Hoa", "Lý Thị\x07 Ngọc"]
            ),
            st.integers(1950, 2000),
            world_unit,
        )
        return st.one_of(person, person, fields, junk)

    def nomination_body(self, data) -> Any:
        unit = data.draw(st.sampled_from(["xd", "xd", "nt", "btl", "root"]), label="unit")
        body: dict[str, Any] = {
            "proposing_unit_id": self.u(unit),
            "recipient": data.draw(self.recipient(), label="recipient"),
            "award_kind": data.draw(award_kind, label="award_kind"),
            "achievement": data.draw(
                st.one_of(st.just("Hoàn thành xuất sắc nhiệm vụ năm 2023"), odd_text, junk),
                label="achievement",
            ),
            "period": data.draw(
                st.one_of(st.sampled_from(["2023", "2021 – 2025", "2022-2023"]), odd_text, junk),
                label="period",
            ),
        }
        optional = {
            "award_type": st.one_of(st.sampled_from(["cong_trang", "dot_xuat", "x"]), scalar),
            "attachments": st.one_of(st.lists(odd_text, max_size=3), junk),
            "proposing_unit_id": self.unit_ref(),
            "unexpected": junk,
        }
        extra = data.draw(st.fixed_dictionaries({}, optional=optional), label="extra fields")
        body.update(extra)
        for name in data.draw(st.sets(st.sampled_from(sorted(body)), max_size=2), label="drop"):
            body.pop(name)
        if data.draw(st.integers(0, 14), label="junk body") == 0:
            return data.draw(junk, label="body")
        return body

    def line(self, data) -> Any:
        choice = data.draw(st.integers(0, 5), label="line kind")
        if choice <= 2:
            line: dict[str, Any] = {"nomination_id": self.nomination_ref(data)}
            if choice == 2:
                line["recipient"] = data.draw(self.recipient(), label="line recipient")
        elif choice <= 4:
            line = {
                "recipient": data.draw(self.recipient(), label="line recipient"),
                "award_kind": data.draw(award_kind, label="line award kind"),
                "period": data.draw(
                    st.one_of(st.sampled_from(["2023", "2024"]), odd_text), label="period"
                ),
            }
        else:
            return data.draw(junk, label="line")
        line["amount"] = data.draw(amount, label="amount")
        if data.draw(st.integers(0, 9), label="drop amount") == 0:
            del line["amount"]
        return line

    # -- checks -------------------------------------------------------------------------------

    def check_nomination(self, body: dict[str, Any]) -> None:
        assert body["status"] in NOMINATION_STATUSES, body
        assert body["status_label"] == NOMINATION_STATUSES[body["status"]]
        stored = self.read(f"/api/nominations/{body['id']}")
        for key in ("status", "version", "review_unit_id", "decision_unit_id", "recipient"):
            assert stored[key] == body[key], (key, stored[key], body[key])
        self.check_nomination_state(stored)

    @staticmethod
    def check_nomination_state(nom: dict[str, Any]) -> None:
        status = nom["status"]
        assert status in NOMINATION_STATUSES
        assert (nom["decision"] is not None) == (status in ("decided", "revoked")), nom
        assert (nom["revocation"] is not None) == (status == "revoked"), nom
        if status == "draft":
            assert nom["review_unit_id"] is None and nom["review"]["votes"] == []
        if status == "under_review":
            assert nom["review_unit_id"] is not None
        if status in ("recommended", "decided", "revoked"):
            assert nom["decision_unit_id"] == nom["review_unit_id"] is not None
            assert nom["closed_reviews"][-1]["outcome"] == "recommended"
        else:
            assert nom["decision_unit_id"] is None
        tally = nom["review"]["tally"]
        assert tally["cast"] == len(nom["review"]["votes"])
        assert tally["cast"] == tally["agree"] + tally["disagree"] + tally["abstain"]
        assert tally["recused"] == len(nom["review"]["recused"])
        voters = {v["reviewer"] for v in nom["review"]["votes"]}
        assert not voters & {r["reviewer"] for r in nom["review"]["recused"]}
        assert nom["award_kind"] in AWARD_KINDS
        assert nom["recipient"]["name"]
        for text in (nom["recipient"]["name"], nom["achievement"], nom["period"]):
            assert unicodedata.is_normalized("NFC", text)
            assert not [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"], text

    def check_decision(self, body: dict[str, Any]) -> None:
        stored = self.read(f"/api/decisions/{body['id']}")
        assert {k: v for k, v in body.items() if k != "position"} == stored
        lines = stored["lines"]
        assert lines, stored
        active = [line for line in lines if line["revoked_on"] is None]
        stated = [line["amount"] for line in active if line["amount"] is not None]
        totals = stored["totals"]
        assert totals["lines"] == len(lines)
        assert totals["active_lines"] == len(active)
        assert totals["amount"] == (sum(stated) if stated else None), totals
        assert totals["lines_without_amount"] == len(active) - len(stated)
        kinds = [line["recipient"]["kind"] for line in active]
        assert totals["individuals"] == kinds.count("individual")
        assert totals["collectives"] == kinds.count("collective")
        assert totals["households"] == kinds.count("household")
        assert stored["status"] in DECISION_STATUSES
        expected_status = (
            "in_force"
            if not lines or len(active) == len(lines)
            else "revoked"
            if not active
            else "partly_revoked"
        )
        assert stored["status"] == expected_status
        for number, line in enumerate(lines, start=1):
            assert line["line_no"] == number
            assert line["amount"] is None or (
                type(line["amount"]) is int and 0 <= line["amount"] <= 10**13
            )
            assert line["amount_source"] == ("not_stated" if line["amount"] is None else "decided")
            assert line["status"] == ("active" if line["revoked_on"] is None else "revoked")
            if line["revoked_on"] is not None:
                assert line["revoked_on"] >= stored["decided_on"]
            if line["nomination_id"]:
                nom = self.read(f"/api/nominations/{line['nomination_id']}")
                self.check_nomination_state(nom)
                assert nom["decision"]["decision_id"] == stored["id"]
                assert nom["decision"]["line_no"] == number
                wanted = "decided" if line["revoked_on"] is None else "revoked"
                assert nom["status"] == wanted, (nom["status"], line)

    def check_ceremony(self, body: dict[str, Any]) -> None:
        stored = self.read(f"/api/ceremonies/{body['id']}")
        assert {k: v for k, v in body.items() if k != "position"} == stored
        decisions = [self.read(f"/api/decisions/{d['id']}") for d in stored["decisions"]]
        totals = stored["totals"]
        stated = [d["totals"]["amount"] for d in decisions if d["totals"]["amount"] is not None]
        # totals never pretend: no line states an amount → None, not 0
        assert totals["computed"] == (sum(stated) if stated else None)
        assert totals["lines_without_amount"] == sum(
            d["totals"]["lines_without_amount"] for d in decisions
        )
        if totals["announced"] is None:
            assert totals["difference"] is None
        else:
            assert totals["difference"] == totals["announced"] - (totals["computed"] or 0)

    def after_nomination_command(self, response) -> None:
        if response.status_code in (200, 201):
            body = response.json()
            if response.status_code == 201:
                self.nominations.append(body["id"])
            self.check_nomination(body)

    # -- nominator ----------------------------------------------------------------------------

    @rule(data=st.data())
    def draft(self, data) -> None:
        body = self.nomination_body(data)
        who = self.who(data, ["xd.nom", "xd.nom", "nt.nom"])
        response = self.call("POST", "/api/nominations", who, body)
        self.after_nomination_command(response)

    @rule(data=st.data())
    def edit(self, data) -> None:
        nid = self.nomination_ref(data)
        fields = {
            "recipient": self.recipient(),
            "award_kind": award_kind,
            "award_type": st.one_of(st.sampled_from(["cong_trang", "chuyen_de"]), scalar),
            "achievement": st.one_of(st.just("Vận động 120 hội viên mới"), odd_text, junk),
            "period": st.one_of(st.just("2024"), odd_text),
            "attachments": st.one_of(st.lists(odd_text, max_size=2), junk),
            "expected_version": st.one_of(st.integers(0, 12), scalar),
            "status": st.just("decided"),
        }
        body = data.draw(st.fixed_dictionaries({}, optional=fields), label="patch")
        who = self.who(data, ["xd.nom", "nt.nom"])
        response = self.call("PATCH", f"/api/nominations/{nid}", who, body)
        self.after_nomination_command(response)

    def _version_body(self, data, **extra: Any) -> Any:
        choice = data.draw(st.integers(0, 4), label="body kind")
        if choice == 0:
            return NOBODY
        if choice == 1:
            return data.draw(junk, label="body")
        body: dict[str, Any] = {}
        if choice == 2:
            body["expected_version"] = data.draw(st.one_of(st.integers(0, 12), scalar))
        for name, strategy in extra.items():
            if data.draw(st.booleans(), label=f"with {name}"):
                body[name] = data.draw(strategy, label=name)
        return body

    @rule(data=st.data())
    def submit(self, data) -> None:
        nid = self.nomination_ref(data)
        who = self.who(data, ["xd.nom", "nt.nom"])
        response = self.call(
            "POST", f"/api/nominations/{nid}/submit", who, self._version_body(data)
        )
        self.after_nomination_command(response)

    @rule(data=st.data())
    def withdraw(self, data) -> None:
        nid = self.nomination_ref(data)
        who = self.who(data, ["xd.nom", "nt.nom"])
        body = self._version_body(data, reason=st.one_of(odd_text, junk))
        response = self.call("POST", f"/api/nominations/{nid}/withdraw", who, body)
        self.after_nomination_command(response)

    # -- council ------------------------------------------------------------------------------

    @rule(data=st.data())
    def vote(self, data) -> None:
        nid = self.nomination_ref(data)
        who = self.who(data, [m for members in COUNCILS.values() for m in members])
        body = data.draw(
            st.one_of(
                st.fixed_dictionaries(
                    {"vote": st.sampled_from(["agree", "agree", "disagree", "abstain"])},
                    optional={
                        "comment": st.one_of(odd_text, junk),
                        "score": st.one_of(st.integers(-5, 105), scalar),
                    },
                ),
                st.fixed_dictionaries({"vote": st.one_of(odd_text, junk)}),
                junk,
            ),
            label="vote",
        )
        response = self.call("POST", f"/api/nominations/{nid}/votes", who, body)
        self.after_nomination_command(response)

    @rule(data=st.data())
    def recuse(self, data) -> None:
        nid = self.nomination_ref(data)
        who = self.who(data, [m for members in COUNCILS.values() for m in members])
        body = self._version_body(data, reason=st.one_of(odd_text, junk))
        if isinstance(body, dict):
            body.pop("expected_version", None)
        response = self.call("POST", f"/api/nominations/{nid}/recusal", who, body)
        self.after_nomination_command(response)

    @rule(data=st.data())
    def close_review(self, data) -> None:
        nid = self.nomination_ref(data)
        who = self.who(data, list(CHAIRS.values()))
        body = data.draw(
            st.one_of(
                st.fixed_dictionaries(
                    {"outcome": st.sampled_from(["recommended", "rejected", "returned"])},
                    optional={
                        "reason": st.one_of(st.just("Thiếu hồ sơ"), odd_text, junk),
                        "expected_version": st.one_of(st.integers(0, 12), scalar),
                    },
                ),
                st.fixed_dictionaries({"outcome": st.one_of(odd_text, junk)}),
                junk,
            ),
            label="close",
        )
        response = self.call("POST", f"/api/nominations/{nid}/close-review", who, body)
        self.after_nomination_command(response)

    # -- decisions and ceremonies -------------------------------------------------------------

    @staticmethod
    def junk_rate(data) -> int:
        """Per body: 0 = every field sensible, n = each field is junk with chance 1/n."""
        return data.draw(st.sampled_from([0, 0, 8, 8, 2]), label="junk rate")

    @staticmethod
    def pick(data, rate: int, good, bad, label: str) -> Any:
        if rate and data.draw(st.integers(1, rate), label=f"junk {label}") == 1:
            return data.draw(bad, label=label)
        return data.draw(good, label=label)

    def sane_line(self, data, issuer_key: str) -> dict[str, Any]:
        kinds = SANE_KINDS[issuer_key]
        kind = data.draw(st.sampled_from(kinds), label="award kind")
        recipient = data.draw(
            st.one_of(
                st.builds(
                    lambda name, year, unit: {
                        "kind": "individual",
                        "name": name,
                        "birth_year": year,
                        "unit_id": self.u(unit),
                    },
                    st.sampled_from(["Lê Thị Mai", "Le Thi Mai", "Trần Thị Lan", "Vi Thị Hòa"]),
                    st.integers(1970, 1973),
                    st.sampled_from(["xd", "cn1", "nt"]),
                ),
                st.sampled_from(["xd", "cn1", "btl"]).map(
                    lambda unit: {"kind": "collective", "org_unit_id": self.u(unit)}
                ),
            ),
            label="recipient",
        )
        if recipient["kind"] == "collective" and kind in INDIVIDUAL_ONLY:
            recipient = {"kind": "individual", "name": "Đỗ Thị Hạnh", "birth_year": 1968}
        return {
            "recipient": recipient,
            "award_kind": kind,
            "period": data.draw(st.sampled_from(["2022", "2023"]), label="period"),
            "amount": data.draw(
                st.one_of(st.none(), st.integers(0, 5_000_000), st.just(10**13)), label="amount"
            ),
        }

    def decision_body(self, data) -> Any:
        rate = self.junk_rate(data)
        if rate == 2 and data.draw(st.booleans(), label="junk body"):
            return data.draw(junk, label="body")
        self.numbers += 1
        issuer_key = data.draw(st.sampled_from(sorted(SANE_KINDS)), label="issuer")
        if issuer_key == "government":
            issuer: Any = {
                "body": "government",
                "level": "district",
                "name": "UBND quận Bắc Từ Liêm",
            }
        else:
            issuer = {"unit_id": self.u(issuer_key)}
        bad_issuer = st.one_of(
            st.fixed_dictionaries(
                {
                    "body": st.one_of(st.sampled_from(["union", "government"]), odd_text),
                    "level": st.one_of(st.sampled_from(["central", "commune", "ward"]), odd_text),
                    "name": odd_text,
                }
            ),
            st.fixed_dictionaries({}, optional={"unit_id": self.unit_ref(), "name": junk}),
            st.just({"unit_id": self.u("xd")}),  # a commune issuing a Giấy khen: above it
            junk,
        )
        body: dict[str, Any] = {
            "number": self.pick(
                data,
                rate,
                st.one_of(
                    st.just(f"{self.numbers}/QĐ-HPN-{uuid4().hex[:6]}"),
                    st.sampled_from(["15/QĐ-HPN", "15 / qđ-hpn", "16/QĐ-HPN"]),
                ),
                st.one_of(odd_text, junk),
                "number",
            ),
            "decided_on": self.pick(
                data, rate, st.sampled_from(["2024-01-05", "2024-06-30"]), some_date, "decided_on"
            ),
            "issuer": self.pick(data, rate, st.just(issuer), bad_issuer, "issuer"),
        }
        if issuer_key == "government":
            body["recorded_by_unit_id"] = self.pick(
                data, rate, st.just(self.u("btl")), self.unit_ref(), "recorded_by"
            )
        count = self.pick(data, rate, st.integers(1, 4), st.sampled_from([-1, 0]), "line count")
        lines: Any = []
        for _ in range(count):
            if rate and data.draw(st.integers(1, rate), label="odd line") == 1:
                lines.append(self.line(data))
            elif data.draw(st.integers(0, 3), label="from nomination") == 0:
                lines.append(
                    {
                        "nomination_id": self.nomination_ref(data),
                        "amount": data.draw(st.integers(0, 2_000_000), label="amount"),
                    }
                )
            else:
                lines.append(self.sane_line(data, issuer_key))
        body["lines"] = lines if count >= 0 else data.draw(junk, label="lines")
        optional = {
            "signer": st.one_of(st.fixed_dictionaries({"name": odd_text, "title": odd_text}), junk),
            "subject": odd_text,
            "legal_basis": odd_text,
            "achievement": odd_text,
            "award_kind": award_kind,
            "period": st.one_of(st.just("2023"), odd_text),
        }
        if rate:
            body.update(data.draw(st.fixed_dictionaries({}, optional=optional), label="optional"))
        return body

    @rule(data=st.data())
    def issue_decision(self, data) -> None:
        body = self.decision_body(data)
        issuer = body.get("issuer") if isinstance(body, dict) else None
        unit = self.unit_key(issuer.get("unit_id")) if isinstance(issuer, dict) else None
        likely = [APPROVERS[unit]] if unit in APPROVERS else ["btl.appr"]
        who = self.who(data, likely * 3 + list(APPROVERS.values()))
        response = self.call("POST", "/api/decisions", who, body)
        if response.status_code == 201:
            self.decisions.append(response.json()["id"])
            self.check_decision(response.json())

    @rule(data=st.data())
    def revoke(self, data) -> None:
        rate = self.junk_rate(data)
        did = self.decision_ref(data)
        known = self.read(f"/api/decisions/{did}") if did in self.decisions else None
        whole = data.draw(st.integers(0, 3), label="whole decision") == 0
        line_no = self.pick(data, rate, st.integers(1, 4), odd_int, "line_no")
        if known and 1 <= line_no <= 4:
            line_no = (line_no - 1) % len(known["lines"]) + 1
        if whole:
            url = f"/api/decisions/{did}/revoke"
        else:
            url = f"/api/decisions/{did}/lines/{line_no}/revoke"
        body = {
            "revoked_on": self.pick(
                data,
                rate,
                st.sampled_from(["2024-06-30", "2024-07-15", "2025-01-01"]),
                some_date,
                "revoked_on",
            ),
            "ground": self.pick(
                data, rate, st.sampled_from(["a", "b", "c", "d", "other"]), scalar, "ground"
            ),
            "reason": self.pick(
                data, rate, st.just("Hồ sơ không trung thực"), st.one_of(odd_text, junk), "reason"
            ),
        }
        if rate == 2 and data.draw(st.booleans(), label="junk body"):
            body = data.draw(junk, label="body")
        recorder = self.unit_key(known["recorded_by_unit_id"]) if known else None
        who = self.who(data, [APPROVERS.get(recorder or "", "btl.appr")] * 3 + ["hn.appr"])
        response = self.call("POST", url, who, body)
        if response.status_code == 200:
            self.check_decision(response.json())

    @rule(data=st.data())
    def plan_ceremony(self, data) -> None:
        rate = self.junk_rate(data)
        positions = data.draw(st.lists(st.integers(0, 2**16), max_size=3), label="decisions")
        listed = [self.decisions[i % len(self.decisions)] for i in positions if self.decisions]
        listed = list(dict.fromkeys(listed)) or [str(uuid4()) for _ in positions]
        host = data.draw(st.sampled_from(["btl", "hanoi", "root"]), label="host")
        body: Any = {
            "title": self.pick(
                data, rate, st.just("Hội nghị tổng kết năm 2023"), odd_text, "title"
            ),
            "held_on": self.pick(data, rate, st.just("2024-01-09"), some_date, "held_on"),
            "host_unit_id": self.pick(data, rate, st.just(self.u(host)), self.unit_ref(), "host"),
            "decision_ids": self.pick(
                data,
                rate,
                st.just(listed),
                st.one_of(st.lists(st.uuids().map(str), max_size=3).map(listed.__add__), junk),
                "decision_ids",
            ),
        }
        optional = {
            "place": odd_text,
            "announced_total": st.one_of(st.integers(0, 10**8), amount),
            "announced_source": st.one_of(odd_text, junk),
        }
        body.update(data.draw(st.fixed_dictionaries({}, optional=optional), label="optional"))
        if rate == 2 and data.draw(st.booleans(), label="junk body"):
            body = data.draw(junk, label="body")
        who = self.who(data, [APPROVERS[host]] * 3 + list(APPROVERS.values()))
        response = self.call("POST", "/api/ceremonies", who, body)
        if response.status_code == 201:
            self.ceremonies.append(response.json()["id"])
            self.check_ceremony(response.json())

    # -- emulation (issue 19) -------------------------------------------------------------------

    emulation: dict[str, str] = None  # type: ignore[assignment]  # ids seeded by the test

    def emulation_request(self, data) -> tuple[str, str, Any, list[str]]:
        """(method, path, body, likely users) of one emulation command, all drawn: with a junk
        rate of 0 every part is sensible (NFD text and decimal commas included), else each part
        is junk with chance 1/rate."""
        e = self.emulation
        rate = self.junk_rate(data)

        def mix(good: Any, bad: Any) -> Any:
            return good if not rate else st.one_of(*[good] * (rate - 1), bad)

        def of(keys: list[str]) -> Any:
            return st.sampled_from(keys).map(self.u)

        year = data.draw(mix(st.just("2024"), year_path), label="year")
        member = data.draw(mix(of(["hanoi", "backan"]), path_ref), label="member")
        codes = mix(st.sampled_from(["1", "2", "3", "cum", "cham"]), code)
        item = data.draw(codes, label="code")
        participant = data.draw(mix(of(["xd", "cn1"]), path_ref), label="participant")
        entry = data.draw(mix(st.integers(1, 6), odd_int), label="entry")
        number = mix(sane_exact, exact)
        text = mix(note_sane, odd_text)
        unit = mix(of(["hanoi", "backan", "xd", "cn1"]), self.unit_ref())
        covenant = f"/api/emulation/clusters/{e['cluster']}/covenants/{year}"
        report = f"{covenant}/reports/{member}"
        movement = f"/api/emulation/movements/{e['movement']}"
        registration = f"/api/emulation/registrations/{e['registration']}"
        result = st.fixed_dictionaries({}, optional={
            "value": mix(st.one_of(sane_exact, yes_no), exact),
            "cases_occurred": mix(st.booleans(), scalar),
            "outcome": mix(st.sampled_from(["achieved", "exceeded", "not_achieved"]), scalar),
            "evidence": text, "attachments": mix(st.lists(st.sampled_from(["a1", "b-2"])), junk)})
        indicator = mix(st.fixed_dictionaries(
            {"code": st.sampled_from(["1", "2", "3", "4a"]), "text": text},
            optional={"unit": mix(st.just("hộ"), odd_text),
                      "measure": mix(st.sampled_from(["number", "percent", "yes_no"]), scalar),
                      "target": mix(st.one_of(sane_exact, yes_no), exact),
                      "direction": mix(st.sampled_from(["at_least", "at_most"]), scalar),
                      "applies": mix(st.sampled_from(["always", "when_cases"]), scalar),
                      "summable": mix(st.booleans(), scalar), "max_points": number,
                      "note": text}), junk)
        offices = ["admin", "admin", "hn.appr", "tw.appr", "btl.appr"]
        table: list[tuple[str, str, Any, list[str]]] = [
            ("POST", f"{report}/results/{item}", result, offices),
            ("POST", f"{report}/results/{item}/confirm", st.just(NOBODY), offices),
            ("POST", f"{report}/results/{item}/correct",
             st.builds(lambda found, why: {**found, "reason": why}, result, text), offices),
            ("POST", f"{report}/scores/{item}", st.fixed_dictionaries(
                {"points": number,
                 "by": mix(st.sampled_from(["self", "cross", "lead"]), scalar)},
                optional={"assessor_unit_id": unit, "note": text}), offices),
            ("POST", f"{report}/scores/{item}/agree", st.fixed_dictionaries(
                {"points": number}, optional={"reason": text}), offices),
            ("PUT", f"{report}/deductions/{item}", st.fixed_dictionaries(
                {"times": mix(st.integers(0, 3), st.one_of(st.integers(-2, 1_002), scalar))},
                optional={"reason": text}), offices),
            ("POST", f"{covenant}/sign", st.fixed_dictionaries(
                {"unit_id": unit}, optional={"on": mix(st.just("2024-01-15"), some_date)}),
             offices),
            ("PUT", f"/api/emulation/clusters/{e['cluster']}/covenants/2025",
             st.fixed_dictionaries({}, optional={
                 "title": text, "indicators": st.lists(indicator, max_size=3),
                 "points": mix(st.fixed_dictionaries({}, optional={
                     "items": st.lists(st.fixed_dictionaries(
                         {"code": st.sampled_from(["cum", "k2"]), "text": text,
                          "max_points": number}), max_size=2, unique_by=lambda i: i["code"]),
                     "deductions": st.lists(st.fixed_dictionaries(
                         {"text": text, "points": number},
                         optional={"code": codes, "per": mix(st.just("once"), scalar)}),
                         max_size=2),
                     "total_max": number}), junk),
                 "thresholds": st.lists(st.fixed_dictionaries(
                     {"code": mix(st.just("tot"), odd_text), "label": text,
                      "minimum": number}), max_size=2),
                 "proposal_cap": mix(st.sampled_from(["1/3", "1/2"]),
                                     st.one_of(st.sampled_from(["1/0", "0/3", "3/2", "١/٣"]),
                                               scalar)),
                 "proposal_rules": st.lists(st.fixed_dictionaries(
                     {"rank_from": mix(st.integers(1, 3), odd_int),
                      "award_kind": mix(st.just("bang_khen_tw_hoi"), award_kind)},
                     optional={"rank_to": mix(st.integers(1, 3), odd_int),
                               "requires_class": mix(st.just("tot"), odd_text)}), max_size=2),
                 "stated_totals": st.lists(st.fixed_dictionaries(
                     {"indicator_code": codes, "what": text, "value": number}), max_size=2),
                 "expected_version": mix(st.none(), scalar)}), offices),
            ("PATCH", f"/api/emulation/clusters/{e['cluster']}",
             st.fixed_dictionaries({"name": text}), offices),
            ("PUT", f"/api/emulation/clusters/{e['cluster']}/years/{year}/lead",
             st.fixed_dictionaries({"unit_id": unit},
                                   optional={"on": some_date, "reason": text}), offices),
            ("POST", "/api/emulation/clusters", st.fixed_dictionaries(
                {"name": text, "managing_unit_id": unit},
                optional={"kind": mix(st.sampled_from(["cum", "khoi"]), scalar)}), offices),
            ("POST", "/api/emulation/movements", st.fixed_dictionaries(
                {"unit_id": unit, "title": text,
                 "indicators": mix(st.lists(indicator, min_size=1, max_size=2,
                                            unique_by=lambda i: str(i.get("code"))
                                            if isinstance(i, dict) else repr(i)), junk)},
                optional={"year": mix(st.just(2024), odd_int),
                          "participant_ids": st.lists(unit, max_size=2),
                          "own_targets_allowed": mix(st.booleans(), scalar)}), offices),
            ("POST", f"{movement}/registrations", st.fixed_dictionaries(
                {"unit_id": st.just(participant)},
                optional={"targets": st.dictionaries(codes, number, max_size=2),
                          "pledge": text}), offices),
            ("PUT", f"{movement}/registrations/{participant}/targets", st.fixed_dictionaries(
                {"targets": mix(st.dictionaries(codes, number, max_size=2), junk)}), offices),
            ("POST", f"{movement}/registrations/{participant}/results/{item}", result, offices),
            ("POST", f"{movement}/registrations/{participant}/results/{item}/correct",
             st.builds(lambda found, why: {**found, "reason": why}, result, text), offices),
            ("POST", f"{registration}/entries", st.fixed_dictionaries(
                {"recipient": self.recipient(),
                 "award_kind": mix(st.sampled_from(EMULATION_TITLES), award_kind)},
                optional={"override_reason": text}), ["xd.nom", "xd.nom", "btl.appr"]),
            ("POST", f"{registration}/entries/{entry}/withdraw",
             st.fixed_dictionaries({"reason": text}), ["xd.nom"]),
            ("POST", "/api/emulation/registrations", st.fixed_dictionaries(
                {"unit_id": unit, "year": mix(st.integers(2020, 2030), odd_int)}),
             ["xd.nom", "nt.nom"]),
        ]
        method, path, body, likely = self.index(data, table, "emulation command")
        drawn = data.draw(body, label="body")
        if rate == 2 and data.draw(st.booleans(), label="junk body"):
            drawn = data.draw(junk, label="junk body")
        return method, path, drawn, likely

    @rule(data=st.data())
    def emulation_command(self, data) -> None:
        """An emulation command with half-valid or junk input: never a 5xx; what a success
        answers (the resource as recorded) holds NFC text without control characters."""
        method, path, body, likely = self.emulation_request(data)
        who = self.who(data, likely)
        response = self.call(method, path, who, body)
        if response.status_code in (200, 201):
            check_text(response.json(), f"{method} {path} with {body!r}")

    @rule(data=st.data())
    def emulation_command_again(self, data) -> None:
        """A second door (rules are drawn uniformly): emulation has many commands."""
        self.emulation_command(data)

    @rule(data=st.data())
    def emulation_read(self, data) -> None:
        e = self.emulation
        year = data.draw(st.one_of(st.just("2024"), year_path), label="year")
        path = data.draw(st.sampled_from([
            "/api/emulation/clusters", "/api/emulation/covenants", "/api/emulation/movements",
            "/api/emulation/registrations",
            f"/api/emulation/clusters/{e['cluster']}/covenants/{year}/board",
            f"/api/emulation/clusters/{e['cluster']}/covenants/{year}/proposals",
            f"/api/emulation/movements/{e['movement']}/board",
            f"/api/emulation/registrations/{e['registration']}"]), label="path")
        params = data.draw(st.fixed_dictionaries({}, optional={
            "year": st.one_of(st.integers(1800, 2300), odd_text),
            "status": odd_text, "kind": odd_text, "unit_id": st.one_of(self.unit_ref(), odd_text),
            "cluster_id": odd_text, "limit": st.one_of(st.integers(-1, 600), odd_text)}),
            label="query")
        who = self.who(data, ["admin", "xd.nom", "btl.appr", "hn.appr"])
        self.call("GET", path, who, params=params)

    # -- reading and raw junk -----------------------------------------------------------------

    @rule(data=st.data())
    def list_things(self, data) -> None:
        path = data.draw(
            st.sampled_from(["/api/nominations", "/api/decisions", "/api/ceremonies"]),
            label="path",
        )
        params = data.draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "q": odd_text,
                    "status": st.one_of(st.sampled_from(sorted(NOMINATION_STATUSES)), odd_text),
                    "award_kind": award_kind.filter(lambda v: isinstance(v, str)),
                    "year": st.one_of(st.integers(1800, 2300), odd_text),
                    "limit": st.one_of(st.integers(-1, 600), odd_text),
                    "offset": st.one_of(st.integers(-1, 100), odd_text),
                },
            ),
            label="query",
        )
        who = self.who(data, ["admin", "xd.nom", "btl.appr"])
        response = self.call("GET", path, who, params=params)
        if response.status_code == 200:
            page = response.json()
            assert isinstance(page["items"], list) and page["total"] >= len(page["items"])
            if path == "/api/nominations":
                for item in page["items"]:
                    assert item["status"] in NOMINATION_STATUSES

    @rule(data=st.data())
    def raw_request(self, data) -> None:
        """Malformed JSON, junk bodies and odd paths anywhere."""
        nid = self.nomination_ref(data)
        method, path = data.draw(
            st.sampled_from(
                [
                    ("POST", "/api/nominations"),
                    ("PATCH", f"/api/nominations/{nid}"),
                    ("POST", f"/api/nominations/{nid}/submit"),
                    ("POST", f"/api/nominations/{nid}/withdraw"),
                    ("POST", f"/api/nominations/{nid}/votes"),
                    ("POST", f"/api/nominations/{nid}/recusal"),
                    ("POST", f"/api/nominations/{nid}/close-review"),
                    ("POST", "/api/decisions"),
                    ("POST", f"/api/decisions/{uuid4()}/revoke"),
                    ("POST", "/api/ceremonies"),
                    ("POST", "/api/submissions"),
                ]
            ),
            label="request",
        )
        who = self.who(data, ["xd.nom", "btl.appr", "xd.chair"])
        if data.draw(st.booleans(), label="malformed"):
            raw = data.draw(
                st.one_of(
                    st.sampled_from([b"{", b"null", b"[]", b'{"a": }', b"\xff\xfe", b"", b"1e999"]),
                    st.binary(max_size=20),
                ),
                label="raw",
            )
            headers = {**self.headers(who), "Content-Type": "application/json"}
            response = self.client.request(method, path, headers=headers, content=raw)
            described = f"{method} {path} raw {raw!r}: {response.status_code} {response.text}"
            assert response.status_code in ALLOWED_STATUSES, described
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] and error["message"].strip(), described
        else:
            self.call(method, path, who, data.draw(junk, label="body"))

    # -- the right user at the right step -----------------------------------------------------

    def unit_key(self, unit_id: str | None) -> str | None:
        return next((k for k in UNIT_KEYS if self.u(k) == unit_id), None)

    @rule(data=st.data())
    def advance(self, data) -> None:
        """Take a known nomination one step further along the happy path (or a near miss).

        Everything is drawn first, whatever the nomination's status turns out to be."""
        fresh = self.valid_draft(data)
        nid = self.index(data, self.nominations, "nomination")
        vote = data.draw(st.sampled_from(["agree", "agree", "agree", "disagree"]), label="vote")
        outcome = data.draw(st.sampled_from(["recommended", "recommended", "returned"]))
        decided_on = data.draw(st.sampled_from(["2024-01-05", "2024-06-30"]), label="decided_on")
        line_amount = data.draw(amount, label="amount")
        extra_lines = [self.line(data) for _ in range(2)]
        extra_count = data.draw(st.integers(0, 2), label="extra lines")
        if nid is None:
            self.draft_fresh(fresh)
            return
        nom = self.read(f"/api/nominations/{nid}")
        status = nom["status"]
        proposing = self.unit_key(nom["proposing_unit_id"])
        reviewing = self.unit_key(nom["review_unit_id"])
        if status in ("draft", "returned"):
            who = NOMINATORS.get(proposing or "", "xd.nom")
            response = self.call(
                "POST",
                f"/api/nominations/{nid}/submit",
                who,
                {"expected_version": nom["version"]},
            )
        elif status == "under_review":
            council = COUNCILS.get(reviewing or "", [])
            voted = {v["reviewer"] for v in nom["review"]["votes"]}
            recused = {r["reviewer"] for r in nom["review"]["recused"]}
            waiting = [m for m in council if m not in voted | recused]
            if waiting:
                response = self.call(
                    "POST", f"/api/nominations/{nid}/votes", waiting[0], {"vote": vote}
                )
            else:
                response = self.call(
                    "POST",
                    f"/api/nominations/{nid}/close-review",
                    CHAIRS.get(reviewing or "", "tw.chair"),
                    {"outcome": outcome, "reason": "Bổ sung hồ sơ"},
                )
        elif status == "recommended":
            who = APPROVERS.get(reviewing or "", "tw.appr")
            self.numbers += 1
            body = {
                "number": f"{self.numbers}/QĐ-{uuid4().hex[:8]}",
                "decided_on": decided_on,
                "issuer": {"unit_id": nom["review_unit_id"]},
                "lines": [
                    {"nomination_id": nid, "amount": line_amount},
                    *extra_lines[:extra_count],
                ],
            }
            response = self.call("POST", "/api/decisions", who, body)
            if response.status_code == 201:
                self.decisions.append(response.json()["id"])
                self.check_decision(response.json())
            return
        elif status == "decided":
            decision = nom["decision"]
            who = APPROVERS.get(reviewing or "", "tw.appr")
            response = self.call(
                "POST",
                f"/api/decisions/{decision['decision_id']}/lines/{decision['line_no']}/revoke",
                who,
                {"revoked_on": "2024-06-30", "ground": "b", "reason": "Hồ sơ không trung thực"},
            )
            if response.status_code == 200:
                self.check_decision(response.json())
            return
        else:
            return
        self.after_nomination_command(response)

    def valid_draft(self, data) -> tuple[str, dict[str, Any]]:
        unit = data.draw(st.sampled_from(["xd", "nt"]), label="unit")
        body = {
            "proposing_unit_id": self.u(unit),
            "recipient": {
                "kind": "individual",
                "name": data.draw(
                    st.sampled_from(["Nguyễn Thị Hồng Nhung", "Lò Thị Xuân", "Lò Thị\x00 Xuân"])
                ),
                "gender": "female",
                "birth_year": data.draw(st.integers(1950, 2000), label="birth year"),
                "unit_id": self.u(unit),
            },
            "award_kind": data.draw(st.sampled_from(["giay_khen_hoi", "bang_khen_tw_hoi"])),
            "achievement": data.draw(
                st.sampled_from(["Hoàn thành xuất sắc nhiệm vụ", "Vận động\x00 hội viên\r\n mới"])
            ),
            "period": data.draw(st.sampled_from(["2022", "2023"]), label="period"),
        }
        return NOMINATORS[unit], body

    def draft_fresh(self, fresh: tuple[str, dict[str, Any]]) -> None:
        who, body = fresh
        response = self.call("POST", "/api/nominations", who, body)
        assert response.status_code == 201, response.text
        self.after_nomination_command(response)

    @rule(data=st.data())
    def fresh_valid_draft(self, data) -> None:
        self.draft_fresh(self.valid_draft(data))

    # Rules are drawn uniformly: two more doors into ``advance`` so that runs go deep.
    @rule(data=st.data())
    def advance_more(self, data) -> None:
        self.advance(data)

    @rule(data=st.data())
    def advance_even_more(self, data) -> None:
        self.advance(data)

    def teardown(self) -> None:
        """Everything this run touched is still consistent."""
        for nid in self.nominations:
            self.check_nomination_state(self.read(f"/api/nominations/{nid}"))
        for did in self.decisions:
            self.check_decision(self.read(f"/api/decisions/{did}"))
        for cid in self.ceremonies:
            self.check_ceremony(self.read(f"/api/ceremonies/{cid}"))


SETTINGS = settings(
    max_examples=30,
    stateful_step_count=35,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=False,
)


def seed_emulation(client, world: World) -> dict[str, str]:
    """A cluster of Hà Nội and Bắc Kạn led by Hà Nội (its 2024 covenant open, 2025 drafted), a
    movement of Bắc Từ Liêm's wards (Xuân Đỉnh registered) and Xuân Đỉnh's title registration."""

    def send(method: str, path: str, body: Any, by: str = "admin") -> dict[str, Any]:
        response = client.request(method, path, json=body, headers=world.h(by))
        assert response.status_code in (200, 201), response.text
        return response.json()

    members = [{"unit_id": world.u(u)} for u in ("hanoi", "backan")]
    cluster = send("POST", "/api/emulation/clusters", {
        "name": "Cụm thi đua thử", "managing_unit_id": world.u("root")})["id"]
    base = f"/api/emulation/clusters/{cluster}"
    indicators = [
        {"code": "1", "text": "Duy trì sinh hoạt", "measure": "yes_no", "max_points": "40"},
        {"code": "2", "text": "Tổ hợp tác mới", "target": "2", "summable": True},
        {"code": "3", "text": "Hỗ trợ nạn nhân", "measure": "percent", "target": "80",
         "applies": "when_cases"}]
    covenant = {"title": "Giao ước thử", "indicators": indicators,
                "points": {"items": [{"code": "cum", "text": "Hoạt động chung",
                                      "max_points": "60"}],
                           "deductions": [{"code": "cham", "text": "Chậm", "points": "5"}]},
                "thresholds": [{"code": "tot", "label": "Tốt", "minimum": "50"}],
                "proposal_rules": [{"rank_from": 1, "award_kind": "bang_khen_tw_hoi"}]}
    for year in (2024, 2025):
        send("PUT", f"{base}/years/{year}", {"members": members,
                                             "lead_unit_id": world.u("hanoi")})
        send("PUT", f"{base}/covenants/{year}", covenant)
    for member in members:
        send("POST", f"{base}/covenants/2024/sign", member)
    send("POST", f"{base}/covenants/2024/open", {"on": "2024-02-01"})
    movement = send("POST", "/api/emulation/movements", {
        "unit_id": world.u("btl"), "title": "Phong trào thử", "year": 2024,
        "indicators": indicators[:2], "own_targets_allowed": True,
        "participant_ids": [world.u("xd"), world.u("cn1")]})["id"]
    send("POST", f"/api/emulation/movements/{movement}/registrations",
         {"unit_id": world.u("xd")})
    registration = send("POST", "/api/emulation/registrations",
                        {"unit_id": world.u("xd"), "year": 2024}, "xd.nom")["id"]
    return {"cluster": cluster, "movement": movement, "registration": registration}


def test_random_commands_never_give_a_500(client, world):
    class Run(ApiMachine):
        pass

    Run.client = client
    Run.world = world
    Run.emulation = seed_emulation(client, world)
    run_state_machine_as_test(Run, settings=SETTINGS)
