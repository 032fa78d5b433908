"""The award catalog and the levels of the organisation tree, read from ``data/catalog.toml``.

The catalog is static data shipped with the code (reading a packaged file is not I/O in the sense
that matters: it never changes while the process runs). Money schedules, which *do* change, are
events (see ``domain.schedules``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from domain.errors import InvalidLevel, RecipientKindNotAllowed, UnknownAwardKind

RECIPIENT_KINDS = ("individual", "collective", "household")
RECIPIENT_LABELS = {"individual": "cá nhân", "collective": "tập thể", "household": "hộ gia đình"}
BODIES = ("union", "government")
BODY_LABELS = {"union": "Hội LHPN", "government": "cơ quan nhà nước"}


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
            "source": self.source,
            "verified": self.verified,
        }


class Catalog:
    def __init__(self, levels: list[Level], kinds: list[AwardKind]) -> None:
        self.levels = {level.code: level for level in levels}
        self.kinds = {kind.code: kind for kind in kinds}

    def kind(self, code: str) -> AwardKind:
        try:
            return self.kinds[code]
        except KeyError:
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
                extra={k: v for k, v in row.items() if k not in known},
            )
        )
    return Catalog(levels, kinds)


@cache
def catalog() -> Catalog:
    text = resources.files("domain").joinpath("data/catalog.toml").read_text(encoding="utf-8")
    return _parse(tomllib.loads(text))
