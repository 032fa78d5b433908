"""The award catalog and the levels of the organisation tree, read from ``data/catalog.toml``.

The catalog is static data shipped with the code (reading a packaged file is not I/O in the sense
that matters: it never changes while the process runs). Money schedules, which *do* change, are
events (see ``domain.schedules``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import InvalidLevel, RecipientKindNotAllowed, UnknownAwardKind
from domain.text import fold

RECIPIENT_KINDS = ("individual", "collective", "household")
RECIPIENT_LABELS = {"individual": "cá nhân", "collective": "tập thể", "household": "hộ gia đình"}
# Who may issue a decision, by kind of body. ``union`` and ``government`` are the first two (stored
# events carry them); ``government`` is every state body: Chính phủ, Thủ tướng, Chủ tịch nước,
# bộ, UBND, sở. Each issuer also has a level (of the catalog) and a name.
BODY_LABELS = {
    "union": "Hội LHPN",
    "government": "cơ quan nhà nước",
    "party": "Đảng",
    "front": "Mặt trận Tổ quốc Việt Nam",
    "farmers": "Hội Nông dân",
    "youth": "Đoàn TNCS Hồ Chí Minh",
    "veterans": "Hội Cựu chiến binh",
    "trade_union": "Công đoàn",
    "army": "Quân đội nhân dân",
    "police": "Công an nhân dân",
    "enterprise": "doanh nghiệp",
    "other": "cơ quan, tổ chức khác",
}
BODIES = tuple(BODY_LABELS)
# What each kind of body covers, for forms and documentation ("UBND, sở…").
BODY_EXAMPLES = {
    "union": "Trung ương Hội, Hội LHPN tỉnh, xã…",
    "government": "Chính phủ, Thủ tướng, Chủ tịch nước, bộ, UBND, sở…",
    "party": "Ban Chấp hành Trung ương, tỉnh ủy, đảng ủy…",
    "front": "Ủy ban Mặt trận Tổ quốc Việt Nam các cấp",
    "farmers": "Hội Nông dân Việt Nam các cấp",
    "youth": "Trung ương Đoàn, tỉnh đoàn, đoàn xã…",
    "veterans": "Hội Cựu chiến binh Việt Nam các cấp",
    "trade_union": "Tổng Liên đoàn Lao động, liên đoàn lao động tỉnh, công đoàn cơ sở…",
    "army": "Bộ Quốc phòng, quân khu, bộ chỉ huy quân sự tỉnh…",
    "police": "Bộ Công an, công an tỉnh, công an xã…",
    "enterprise": "tập đoàn, tổng công ty, công ty, hợp tác xã…",
    "other": "hội, quỹ, tổ chức xã hội, cơ quan nước ngoài…",
}


# The kind under which an outside decision's line is recorded with the source's own wording
# (``award_as_stated``) when its form is not in the catalogue; the office maps it later.
AS_STATED = "as_stated"
AS_STATED_MARK = "theo văn bản; chưa đối chiếu danh mục"


def stated_title(wording: str) -> str:
    """A stated form as shown while it awaits mapping: "Biểu dương (theo văn bản; chưa đối
    chiếu danh mục)"."""
    return f"{wording} ({AS_STATED_MARK})"


def line_award_title(award_kind: str, award_as_stated: str | None) -> str:
    """The title a line's award shows: the stated wording, marked, while the line's kind is
    the as-stated kind; the catalogue title once mapped (or for any catalogue line)."""
    if award_kind == AS_STATED and award_as_stated:
        return stated_title(award_as_stated)
    return catalog().kind(award_kind).title


def body_label(body: str) -> str:
    """The Vietnamese label of a kind of body; an unknown code reads as itself."""
    return BODY_LABELS.get(body, body)


# -- named deciders ---------------------------------------------------------------------------
# A kind that only a named body may decide (the Prime Minister's Bằng khen, the President's
# orders) compares the issuer's name with the names the catalog gives, folded (no diacritics, no
# case, no punctuation), with the usual abbreviations and forms of address read as the full name.
_NAME_PUNCT = re.compile(r"[^0-9a-z]+")
_SIGNING_FOR = re.compile(r"^(?:(?:kt|tm|tl|ttl|q|quyen)\s+)+")  # "KT. Thủ tướng", "TM. Chính phủ"
_CANONICAL_NAMES = (
    (re.compile(r"^(?:ttg|ttcp|thu tuong(?: chinh phu| cp)?)(?= |$)"), "thu tuong chinh phu"),
    (re.compile(r"^(?:ctn|chu tich nuoc)(?= |$)"), "chu tich nuoc"),
    (re.compile(r"^(?:cp|chinh phu)(?= |$)"), "chinh phu"),
)
_STATE_SUFFIX = re.compile(
    r"(?<!chu tich) (?:nuoc )?"
    r"(?:cong hoa xa hoi chu nghia viet nam|chxhcn viet nam|chxhcnvn|viet nam)$")


def body_name_key(name: str) -> str:
    """A body's name as compared with a catalog's named deciders: "Thủ tướng", "TTg",
    "KT. Thủ tướng Chính phủ" → "thu tuong chinh phu"; "Chủ tịch nước CHXHCN Việt Nam" →
    "chu tich nuoc"."""
    text = _NAME_PUNCT.sub(" ", fold(name)).strip()
    text = _SIGNING_FOR.sub("", text)
    for pattern, canonical in _CANONICAL_NAMES:
        text = pattern.sub(canonical, text, count=1)
    return _STATE_SUFFIX.sub("", text).strip()


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    depth: int
    valid_until: date | None = None

    def exists_on(self, on: date) -> bool:
        return self.valid_until is None or on <= self.valid_until


@dataclass(frozen=True)
class AwardKind:
    code: str
    title: str
    short_title: str
    family: str  # "title" (danh hiệu) or "form" (hình thức)
    group: str
    recipients: tuple[str, ...]
    deciders: dict[str, tuple[str, ...]]
    source: str
    verified: bool
    once_per_lifetime: bool = False
    # The bodies that alone may decide the kind ("Thủ tướng Chính phủ"), beside the body types
    # and levels of ``deciders``; empty: any body of those types and levels.
    named_deciders: tuple[str, ...] = ()
    # A generic kind that stands for each issuer's own award ("Bằng khen của cơ quan, tổ chức
    # khác"): the once-per-achievement rule holds per issuer (``domain.guards``).
    per_issuer: bool = False
    # The as-stated kind (``AS_STATED``): found by ``Catalog.kind`` but not among
    # ``Catalog.kinds`` (the kinds pickers, nominations and imports offer).
    stated: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def allows(self, recipient_kind: str) -> bool:
        return recipient_kind in self.recipients

    def require_recipient(self, recipient_kind: str) -> None:
        if not self.allows(recipient_kind):
            raise RecipientKindNotAllowed(
                award_kind=self.code,
                award_title=self.title,
                recipient_kind=recipient_kind,
                recipient_label=RECIPIENT_LABELS.get(recipient_kind, recipient_kind),
            )

    def decided_by(self, body: str, level: str) -> bool:
        """Whether a body of that level has the authority to decide this kind."""
        return level in self.deciders.get(body, ())

    def named_decider(self, issuer_name: str) -> bool:
        """Whether a body of this name may decide the kind: any name when the kind names no
        decider, else one of its named deciders, as ``body_name_key`` compares them (the name
        may go on: "Thủ tướng Chính phủ Phạm Minh Chính")."""
        if not self.named_deciders:
            return True
        key = body_name_key(issuer_name)
        return any(key == named or key.startswith(named + " ")
                   for named in map(body_name_key, self.named_deciders))

    def handled_at(self, level: str) -> bool:
        """Whether a Union unit of that level is the competent point for this kind.

        Either it decides the kind itself, or it proposes it to the state body of its own level.
        """
        return any(level in levels for levels in self.deciders.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "short_title": self.short_title,
            "family": self.family,
            "group": self.group,
            "recipients": list(self.recipients),
            "deciders": {body: list(levels) for body, levels in self.deciders.items()},
            "once_per_lifetime": self.once_per_lifetime,
            "named_deciders": list(self.named_deciders),
            "source": self.source,
            "verified": self.verified,
        }


class Catalog:
    def __init__(self, levels: list[Level], kinds: list[AwardKind]) -> None:
        self.levels = {level.code: level for level in levels}
        self.kinds = {kind.code: kind for kind in kinds if not kind.stated}
        self.stated_kinds = {kind.code: kind for kind in kinds if kind.stated}

    def kind(self, code: str) -> AwardKind:
        try:
            return self.kinds[code]
        except KeyError:
            if code in self.stated_kinds:
                return self.stated_kinds[code]
            raise UnknownAwardKind(award_kind=code) from None

    def level(self, code: str) -> Level:
        try:
            return self.levels[code]
        except KeyError:
            raise InvalidLevel(level=code, reason="không có trong danh mục cấp") from None

    def depth(self, code: str) -> int:
        return self.level(code).depth

    @property
    def root_level(self) -> str:
        """The top level of the tree (Trung ương): the root's level, and the level whose bodies
        sit in the capital."""
        return min(self.levels.values(), key=lambda level: level.depth).code


def _parse(data: dict[str, Any]) -> Catalog:
    levels = [
        Level(
            code=row["code"],
            name=row["name"],
            depth=int(row["depth"]),
            valid_until=row.get("valid_until"),
        )
        for row in data["level"]
    ]
    known = {
        "code",
        "title",
        "short_title",
        "family",
        "group",
        "recipients",
        "deciders",
        "source",
        "verified",
        "once_per_lifetime",
        "named_deciders",
        "per_issuer",
        "stated",
    }
    kinds = []
    for row in data["award_kind"]:
        deciders = {body: tuple(levels) for body, levels in row["deciders"].items()}
        assert set(deciders) <= set(BODIES), row["code"]
        assert set(row["recipients"]) <= set(RECIPIENT_KINDS), row["code"]
        kinds.append(
            AwardKind(
                code=row["code"],
                title=row["title"],
                short_title=row.get("short_title", row["title"]),
                family=row["family"],
                group=row["group"],
                recipients=tuple(row["recipients"]),
                deciders=deciders,
                source=row["source"],
                verified=bool(row["verified"]),
                once_per_lifetime=bool(row.get("once_per_lifetime", False)),
                named_deciders=tuple(str(name) for name in row.get("named_deciders", ())),
                per_issuer=bool(row.get("per_issuer", False)),
                stated=bool(row.get("stated", False)),
                extra={k: v for k, v in row.items() if k not in known},
            )
        )
    return Catalog(levels, kinds)


@cache
def catalog() -> Catalog:
    text = resources.files("domain").joinpath("data/catalog.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))
