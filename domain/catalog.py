"""The award catalog and the levels of the organisation tree.

The levels and the shipped award kinds are data shipped with the code (``data/catalog.toml``,
with each kind's money rules from ``data/money_rules.toml``). The catalogue in use is an event
log's (``domain.award_catalogue``): the shipped kinds are its first event, and the office adds,
changes and retires kinds with effective dates. ``catalog()`` answers the one the application
installed (``services.catalogue``), the shipped one until then.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import (
    AwardKindNotInForce,
    InvalidLevel,
    RecipientKindNotAllowed,
    UnknownAwardKind,
)
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


def line_award_title(award_kind: str, award_as_stated: str | None,
                     on: date | None = None) -> str:
    """The title a line's award shows: the stated wording, marked, while the line's kind is
    the as-stated kind; the catalogue title once mapped (or for any catalogue line), as the
    catalogue had it on the decision's date ``on``."""
    if award_kind == AS_STATED and award_as_stated:
        return stated_title(award_as_stated)
    return catalog().kind(award_kind, on).title


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


# What a kind is, for the catalogue the office manages (``domain.award_catalogue``): its
# category, how often it may be given, how its money is set and which certificate it prints.
CATEGORY_LABELS = {
    "danh_hieu": "Danh hiệu thi đua",
    "co_thi_dua": "Cờ thi đua",
    "huan_chuong": "Huân chương",
    "huy_chuong": "Huy chương",
    "bang_khen": "Bằng khen",
    "giay_khen": "Giấy khen",
    "ky_niem_chuong": "Kỷ niệm chương",
    "giai_thuong": "Giải thưởng",
    "bieu_duong": "Biểu dương, tuyên dương",
    "thuong_tien": "Thưởng bằng tiền",
    "as_stated": "Theo văn bản (chưa đối chiếu danh mục)",
}
# Danh hiệu thi đua (titles, Cờ thi đua among them) are the "title" family; the rest are forms.
TITLE_CATEGORIES = ("danh_hieu", "co_thi_dua")
FREQUENCY_LABELS = {
    "once_per_achievement": "một lần cho mỗi thành tích (mỗi đợt, mỗi năm)",
    "once_per_lifetime": "một lần trong đời",
    "unlimited": "không giới hạn số lần",
}
MONEY_LABELS = {
    "legal": "theo hệ số của quy định (theo thời kỳ)",
    "internal": "theo mức của đơn vị ban hành",
    "rules": "theo quy định hoặc mức của đơn vị ban hành, tùy cơ quan quyết định",
    "decided": "quyết định ghi số tiền",
    "none": "không kèm tiền thưởng",
}
CERTIFICATE_LABELS = {
    "bang_khen": "BẰNG KHEN",
    "giay_khen": "GIẤY KHEN",
    "co_thi_dua": "CỜ THI ĐUA",
    "chung_nhan": "GIẤY CHỨNG NHẬN",
    "none": "không in giấy",
}


@dataclass(frozen=True)
class AwardKind:
    code: str
    title: str
    short_title: str
    family: str  # "title" (danh hiệu) or "form" (hình thức)
    group: str  # the category (``CATEGORY_LABELS``)
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
    # "once_per_achievement" (the default), "once_per_lifetime" or "unlimited" (no once-per rule:
    # a cash reward may be given again for the same period).
    frequency: str = "once_per_achievement"
    # "body:level" (or "*") → a legal table of the money periods, or "internal" (the issuer's
    # own rate); no entry: the decision states the amount.
    money_rules: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    no_money: bool = False  # the kind carries no money at all (biểu dương)
    certificate: str = "chung_nhan"  # a key of ``CERTIFICATE_LABELS``
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def category(self) -> str:
        return self.group

    @property
    def money(self) -> str:
        """How the kind's money is set (a key of ``MONEY_LABELS``)."""
        if self.no_money:
            return "none"
        rules = set(self.money_rules.values())
        if not rules:
            return "decided"
        if rules == {"internal"}:
            return "internal"
        return "rules" if "internal" in rules else "legal"

    def rule_for(self, body: str, level: str) -> str | None:
        """The rule key the kind uses when decided by (body, level): a legal table key,
        "internal", or None (no legal figure: the decision states the amount)."""
        return self.money_rules.get(f"{body}:{level}") or self.money_rules.get("*")

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

    def definition(self) -> dict[str, Any]:
        """The kind as the catalogue's events record it (everything but its code)."""
        return {
            "title": self.title,
            "short_title": self.short_title,
            "category": self.group,
            "recipients": list(self.recipients),
            "deciders": {body: list(levels) for body, levels in self.deciders.items()},
            "named_deciders": list(self.named_deciders),
            "frequency": self.frequency,
            "per_issuer": self.per_issuer,
            "money_rules": dict(self.money_rules),
            "no_money": self.no_money,
            "certificate": self.certificate,
            "source": self.source,
            "verified": self.verified,
            **({"stated": True} if self.stated else {}),
            **({"deciders_text": self.extra["deciders_text"]}
               if self.extra.get("deciders_text") else {}),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "short_title": self.short_title,
            "family": self.family,
            "group": self.group,
            "category": self.group,
            "category_label": CATEGORY_LABELS.get(self.group, self.group),
            "recipients": list(self.recipients),
            "deciders": {body: list(levels) for body, levels in self.deciders.items()},
            "once_per_lifetime": self.once_per_lifetime,
            "frequency": self.frequency,
            "per_issuer": self.per_issuer,
            "named_deciders": list(self.named_deciders),
            "money": self.money,
            "money_rules": dict(self.money_rules),
            "certificate": self.certificate,
            "source": self.source,
            "verified": self.verified,
        }


def kind_from_definition(code: str, data: dict[str, Any]) -> AwardKind:
    """An ``AwardKind`` from the definition the catalogue's events carry (``definition``)."""
    category = str(data["category"])
    frequency = str(data.get("frequency") or "once_per_achievement")
    known = {"title", "short_title", "category", "recipients", "deciders", "named_deciders",
             "frequency", "per_issuer", "money_rules", "no_money", "certificate", "source",
             "verified", "stated", "family"}
    return AwardKind(
        code=code,
        title=str(data["title"]),
        short_title=str(data.get("short_title") or data["title"]),
        family=str(data.get("family") or ("title" if category in TITLE_CATEGORIES else "form")),
        group=category,
        recipients=tuple(data["recipients"]),
        deciders={body: tuple(levels) for body, levels in data["deciders"].items()},
        source=str(data.get("source") or ""),
        verified=bool(data.get("verified", False)),
        once_per_lifetime=frequency == "once_per_lifetime",
        named_deciders=tuple(str(name) for name in data.get("named_deciders") or ()),
        per_issuer=bool(data.get("per_issuer", False)),
        stated=bool(data.get("stated", False)),
        frequency=frequency,
        money_rules={str(k): str(v) for k, v in (data.get("money_rules") or {}).items()},
        no_money=bool(data.get("no_money", False)),
        certificate=str(data.get("certificate") or "chung_nhan"),
        extra={k: v for k, v in data.items() if k not in known},
    )


@dataclass(frozen=True)
class KindVersion:
    """One step of a kind's history: its definition from a date on, or (``kind`` None) its
    retirement from that date."""

    effective_from: date
    kind: AwardKind | None
    reason: str = ""
    actor: str = ""
    shipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"effective_from": None if self.effective_from == date.min
                else self.effective_from.isoformat(),
                "retired": self.kind is None, "reason": self.reason, "actor": self.actor,
                "shipped": self.shipped,
                "kind": self.kind.as_dict() if self.kind else None}


class Catalog:
    """The levels and the award kinds, each kind with its history by date.

    ``kind(code)`` is the kind as it is now (its latest definition, even when retired: old
    records still read); ``kind(code, on=d)`` as it was on ``d``. ``kinds`` are those offered
    (not the as-stated kind): in force on ``today`` when the catalogue was installed for a day,
    else those whose last step is no retirement; ``in_force(code, on)`` says whether a decision
    of that date may give the kind."""

    def __init__(self, levels: list[Level], kinds: list[AwardKind],
                 history: dict[str, list[KindVersion]] | None = None, version: int = 0,
                 today: date | None = None) -> None:
        self.levels = {level.code: level for level in levels}
        self.version = version
        self.history: dict[str, tuple[KindVersion, ...]] = {
            kind.code: (KindVersion(date.min, kind, shipped=True),) for kind in kinds}
        for code, steps in (history or {}).items():
            self.history[code] = tuple(sorted(steps, key=lambda step: step.effective_from))
        self.latest = {code: next(s.kind for s in reversed(steps) if s.kind is not None)
                       for code, steps in self.history.items()
                       if any(s.kind is not None for s in steps)}
        self.today = today
        self.kinds = {code: kind for code, kind in self.latest.items()
                      if not kind.stated and (self.history[code][-1].kind is not None
                                              if today is None
                                              else self.in_force(code, today) is not None)}
        self.stated_kinds = {code: kind for code, kind in self.latest.items() if kind.stated}

    @property
    def every_kind(self) -> dict[str, AwardKind]:
        """Every kind the catalogue ever held, retired ones too (not the as-stated kind): what
        the registry can be filtered by."""
        return {code: kind for code, kind in self.latest.items() if not kind.stated}

    def kind(self, code: str, on: date | None = None) -> AwardKind:
        try:
            latest = self.latest[code]
        except KeyError:
            raise UnknownAwardKind(award_kind=code) from None
        if on is None:
            return latest
        found = None
        for step in self.history[code]:
            if step.effective_from > on:
                break
            if step.kind is not None:
                found = step.kind
        if found is None:  # before its first version: the first (an old record still reads)
            found = next(s.kind for s in self.history[code] if s.kind is not None)
        return found

    def in_force(self, code: str, on: date) -> KindVersion | None:
        """The step in force on ``on`` when it defines the kind; None when the kind did not
        exist yet or had been retired."""
        current = None
        for step in self.history.get(code, ()):
            if step.effective_from > on:
                break
            current = step
        return current if current is not None and current.kind is not None else None

    def require_in_force(self, code: str, on: date) -> AwardKind:
        """The kind as on ``on``, refused (``AwardKindNotInForce``) outside its dates."""
        kind = self.kind(code, on)
        if self.in_force(code, on) is None:
            steps = self.history[code]
            started = steps[0].effective_from
            reason = (f"hình thức chỉ có từ ngày {started.strftime('%d/%m/%Y')}"
                      if on < started else "hình thức đã bãi bỏ")
            raise AwardKindNotInForce(award_kind=code, award_title=kind.title,
                                      on=on.strftime("%d/%m/%Y"), reason=reason)
        return kind

    def kinds_on(self, on: date) -> dict[str, AwardKind]:
        """The kinds a decision of that date may give (not the as-stated kind)."""
        return {code: self.kind(code, on) for code in self.history
                if self.in_force(code, on) is not None and not self.latest[code].stated}

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


def shipped_certificate(code: str, category: str) -> str:
    for key in ("bang_khen", "giay_khen", "co_thi_dua"):
        if code.startswith(key) or category == key:
            return key
    return "chung_nhan"


def _definition_of_row(row: dict[str, Any], money_rules: dict[str, str]) -> dict[str, Any]:
    """A shipped catalogue row (``data/catalog.toml``) as the catalogue's events define it,
    with its money rules from ``data/money_rules.toml``."""
    deciders = {body: list(levels) for body, levels in row["deciders"].items()}
    assert set(deciders) <= set(BODIES), row["code"]
    assert set(row["recipients"]) <= set(RECIPIENT_KINDS), row["code"]
    skip = {"code", "group", "once_per_lifetime", "family"}
    definition = {k: v for k, v in row.items() if k not in skip}
    definition.update(
        category=row["group"],
        family=row["family"],
        deciders=deciders,
        frequency="once_per_lifetime" if row.get("once_per_lifetime") else
        "once_per_achievement",
        money_rules=dict(money_rules),
        certificate=shipped_certificate(row["code"], row["group"]),
    )
    return definition


def _levels(data: dict[str, Any]) -> list[Level]:
    return [
        Level(code=row["code"], name=row["name"], depth=int(row["depth"]),
              valid_until=row.get("valid_until"))
        for row in data["level"]
    ]


@cache
def _shipped_data() -> dict[str, Any]:
    text = resources.files("domain").joinpath("data/catalog.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def shipped_definitions() -> dict[str, dict[str, Any]]:
    """Every shipped kind's definition by code: what the catalogue's first event records."""
    money = resources.files("domain").joinpath("data/money_rules.toml").read_text(
        encoding="utf-8")
    kind_rules = tomllib.loads(money).get("kind_rules", {})
    return {row["code"]: _definition_of_row(row, kind_rules.get(row["code"], {}))
            for row in _shipped_data()["award_kind"]}


@cache
def shipped_catalog() -> Catalog:
    return Catalog(_levels(_shipped_data()),
                   [kind_from_definition(code, data)
                    for code, data in shipped_definitions().items()])


def catalog_from_history(history: dict[str, list[KindVersion]], version: int,
                         today: date | None = None) -> Catalog:
    return Catalog(_levels(_shipped_data()), [], history, version, today)


# The catalogue in use: the shipped one until the application installs the catalogue its event
# log gives (``services.catalogue``). One per process: the domain reads it as it reads the
# shipped data, without I/O.
_installed: Catalog | None = None
_owner: object | None = None


def install_catalog(installed: Catalog | None, owner: object | None = None) -> None:
    """Use ``installed`` (None: the shipped catalogue); ``owner`` is who installed it."""
    global _installed, _owner
    _installed, _owner = installed, owner


def installed_owner() -> object | None:
    return _owner


def catalog() -> Catalog:
    return _installed or shipped_catalog()
