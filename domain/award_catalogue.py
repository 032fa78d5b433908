"""The award catalogue as events: the shipped kinds are its first event, and the awards office
adds, changes and retires kinds with effective dates.

A decision reads each kind as it was on the decision's date (``Catalog.kind(code, on=…)``).
So that no change ever reaches back into a recorded decision, a change or a retirement takes
effect from tomorrow at the earliest (decisions cannot be dated in the future); a new kind may
start at any date, so that the past can be recorded with the kinds of its time, and may say the
last day it could be given. A kind's code and category never change: they are what records
point to and what totals group by.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.catalog import (
    AS_STATED,
    BODIES,
    BODY_LABELS,
    CATEGORY_LABELS,
    CERTIFICATE_LABELS,
    FREQUENCY_LABELS,
    RECIPIENT_KINDS,
    Catalog,
    KindVersion,
    catalog_from_history,
    kind_from_definition,
    shipped_catalog,
    shipped_definitions,
)
from domain.errors import (
    AwardKindExists,
    CatalogueChangeInPast,
    CatalogueKindInvalid,
    UnknownAwardKind,
)
from domain.schedules import legal_rule_keys
from domain.text import nfc

CATALOGUE_ID = stable_id("catalogue", "award_kinds")
CODE = re.compile(r"^[a-z][a-z0-9_]{2,59}$")
RESERVED_CODES = frozenset({"new", "options"})  # path words of the catalogue's pages and API
MONEY_CHOICES = ("legal", "internal", "decided", "none")
MAX_TITLE, MAX_SHORT, MAX_SOURCE, MAX_NAMED, MAX_REASON = 300, 120, 1000, 10, 2000
EARLIEST = date(1945, 1, 1)


def shipped_release() -> str:
    """The shipped kinds' fingerprint: a release that changes them records them again."""
    text = json.dumps(shipped_definitions(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _invalid(reason: str) -> CatalogueKindInvalid:
    return CatalogueKindInvalid(reason=reason)


def _text(raw: Any, what: str, limit: int, required: bool = True) -> str:
    value = nfc(str(raw or "")).strip()
    if required and len(value) < 2:
        raise _invalid(f"cần ghi {what}")
    if len(value) > limit:
        raise _invalid(f"{what} quá dài (tối đa {limit} ký tự)")
    return value


def _deciders(raw: Any) -> dict[str, list[str]]:
    levels = shipped_catalog().levels
    if not isinstance(raw, dict) or not raw:
        raise _invalid("cần ghi cơ quan có thẩm quyền quyết định (loại cơ quan và cấp)")
    out: dict[str, list[str]] = {}
    for body, body_levels in raw.items():
        if body not in BODIES:
            raise _invalid(f"loại cơ quan «{body}» không có; chọn một trong {', '.join(BODIES)}")
        if isinstance(body_levels, str) or not isinstance(body_levels, list | tuple) \
                or not body_levels:
            raise _invalid(f"{BODY_LABELS[body]}: cần ít nhất một cấp")
        bad = [str(level) for level in body_levels if level not in levels]
        if bad:
            raise _invalid(f"{BODY_LABELS[body]}: cấp «{bad[0]}» không có; chọn trong "
                           f"{', '.join(levels)}")
        out[body] = [level for level in levels if level in body_levels]
    return out


def _money_rules(money: Any, table: Any) -> tuple[dict[str, str], bool]:
    if money not in MONEY_CHOICES:
        raise _invalid(f"cách tính tiền phải là một trong {', '.join(MONEY_CHOICES)}")
    if money == "legal":
        if table not in legal_rule_keys():
            raise _invalid("cách tính theo quy định cần chọn bảng hệ số (money_table) trong "
                           f"{', '.join(legal_rule_keys())}")
        return {"*": str(table)}, False
    if table not in (None, ""):
        raise _invalid("chỉ ghi bảng hệ số (money_table) khi tiền thưởng tính theo quy định")
    if money == "internal":
        return {"*": "internal"}, False
    return {}, money == "none"


def clean_definition(raw: dict[str, Any], base: dict[str, Any] | None = None) -> dict[str, Any]:
    """A kind's definition from what an admin sent, checked; ``base`` (a change) supplies what
    the input leaves out. The category of a changed kind cannot change."""
    if not isinstance(raw, dict):
        raise _invalid("dữ liệu phải là một đối tượng")
    merged = {**(base or {}), **{k: v for k, v in raw.items() if v is not None}}
    category = merged.get("category")
    if base is not None and category != base.get("category"):
        raise _invalid("không đổi được nhóm của hình thức; hãy bãi bỏ và thêm hình thức mới")
    if category not in CATEGORY_LABELS or category == AS_STATED:
        raise _invalid("nhóm phải là một trong "
                       f"{', '.join(c for c in CATEGORY_LABELS if c != AS_STATED)}")
    title = _text(merged.get("title"), "tên hình thức", MAX_TITLE)
    recipients = merged.get("recipients")
    if isinstance(recipients, str) or not isinstance(recipients, list | tuple) or not recipients \
            or any(r not in RECIPIENT_KINDS for r in recipients):
        raise _invalid("đối tượng phải gồm một hoặc nhiều trong "
                       f"{', '.join(RECIPIENT_KINDS)}")
    named = merged.get("named_deciders") or []
    if isinstance(named, str) or not isinstance(named, list | tuple) or len(named) > MAX_NAMED:
        raise _invalid(f"cơ quan được nêu tên: một danh sách, tối đa {MAX_NAMED}")
    frequency = merged.get("frequency") or "once_per_achievement"
    if frequency not in FREQUENCY_LABELS:
        raise _invalid(f"số lần phải là một trong {', '.join(FREQUENCY_LABELS)}")
    if "money" in raw or "money_table" in raw or base is None:
        # a change naming only a legal table moves the kind onto that table
        default = "legal" if base is not None and raw.get("money_table") else "decided"
        money_rules, no_money = _money_rules(raw.get("money") or default,
                                             raw.get("money_table"))
    else:
        money_rules, no_money = dict(base.get("money_rules") or {}), bool(base.get("no_money"))
    certificate = merged.get("certificate") or "chung_nhan"
    if certificate not in CERTIFICATE_LABELS:
        raise _invalid(f"mẫu giấy phải là một trong {', '.join(CERTIFICATE_LABELS)}")
    for flag in ("per_issuer", "verified"):
        if not isinstance(merged.get(flag, False), bool):
            raise _invalid(f"{flag} phải là true hoặc false")
    definition = {
        "title": title,
        "short_title": _text(merged.get("short_title") or title, "tên ngắn", MAX_SHORT),
        "category": category,
        "recipients": [r for r in RECIPIENT_KINDS if r in recipients],
        "deciders": _deciders(merged.get("deciders")),
        "named_deciders": [_text(name, "tên cơ quan", 200) for name in named],
        "frequency": frequency,
        "per_issuer": bool(merged.get("per_issuer", False)),
        "money_rules": money_rules,
        "no_money": no_money,
        "certificate": certificate,
        "source": _text(merged.get("source"), "căn cứ (văn bản quy định)", MAX_SOURCE),
        "verified": bool(merged.get("verified", False)),
    }
    if base is not None:
        # what the shipped data says beside the fields (its family, the picker's "who decides"
        # wording) stays while the deciders it describes stay
        if base.get("family"):
            definition["family"] = base["family"]
        if base.get("deciders_text") and definition["deciders"] == _deciders(base["deciders"]):
            definition["deciders_text"] = base["deciders_text"]
    kind_from_definition("check", definition)  # every field reads back
    return definition


class AwardCatalogue(Aggregate):
    """The one catalogue of award kinds (a deterministic id), with every kind's history."""

    TOPIC = topic("catalogue", "AwardCatalogue")

    class Created(Aggregate.Created):
        TOPIC = topic("catalogue", "AwardCatalogue.Created")
        actor: str

    class ReleaseLoaded(Aggregate.Event):
        """The shipped kinds of a release, in force from the beginning of time."""

        TOPIC = topic("catalogue", "AwardCatalogue.ReleaseLoaded")
        release: str
        kinds: dict[str, dict[str, Any]]
        actor: str

    class KindAdded(Aggregate.Event):
        TOPIC = topic("catalogue", "AwardCatalogue.KindAdded")
        code: str
        definition: dict[str, Any]
        effective_from: date
        until: date | None
        reason: str
        actor: str

    class KindChanged(Aggregate.Event):
        TOPIC = topic("catalogue", "AwardCatalogue.KindChanged")
        code: str
        definition: dict[str, Any]
        effective_from: date
        reason: str
        actor: str

    class KindRetired(Aggregate.Event):
        TOPIC = topic("catalogue", "AwardCatalogue.KindRetired")
        code: str
        effective_from: date
        reason: str
        actor: str

    @event(Created)
    def __init__(self, actor: str) -> None:
        self.shipped: dict[str, dict[str, Any]] = {}
        self.releases: list[str] = []
        # code → [(effective_from, definition or None for a retirement, reason, actor)]
        self.office: dict[str, list[tuple[date, dict[str, Any] | None, str, str]]] = {}

    @classmethod
    def start(cls, *, actor: str) -> AwardCatalogue:
        return cls._create(cls.Created, id=CATALOGUE_ID, actor=actor)

    # -- reading ------------------------------------------------------------------------------

    def snapshot(self, today: date | None = None) -> Catalog:
        """The catalogue with every kind's history; ``today``: the day whose kinds are offered
        (``Catalog.kinds``)."""
        history: dict[str, list[KindVersion]] = {}
        for code, definition in self.shipped.items():
            history[code] = [KindVersion(date.min, kind_from_definition(code, definition),
                                         shipped=True)]
        for code, steps in self.office.items():
            for effective_from, definition, reason, actor in steps:
                kind = kind_from_definition(code, definition) if definition else None
                history.setdefault(code, []).append(
                    KindVersion(effective_from, kind, reason=reason, actor=actor))
        return catalog_from_history(history, self.version, today)

    def definition_of(self, code: str) -> dict[str, Any]:
        """The kind's latest definition (what a change starts from)."""
        for _, definition, _, _ in reversed(self.office.get(code, [])):
            if definition is not None:
                return definition
        if code in self.shipped:
            return self.shipped[code]
        raise UnknownAwardKind(award_kind=code)

    # -- commands -----------------------------------------------------------------------------

    def load_release(self, *, actor: str) -> None:
        """Record this release's shipped kinds where they differ from what is recorded
        (idempotent)."""
        release = shipped_release()
        if release in self.releases:
            return
        changed = {code: data for code, data in shipped_definitions().items()
                   if self.shipped.get(code) != data}
        self._release_loaded(release=release, kinds=changed, actor=actor)

    def add_kind(self, *, code: str, definition: dict[str, Any], effective_from: date,
                 until: date | None, reason: str, actor: str) -> None:
        code = str(code or "").strip()
        if not CODE.match(code) or code in RESERVED_CODES:
            raise _invalid("mã hình thức: 3–60 ký tự a–z, 0–9, gạch dưới, bắt đầu bằng chữ")
        if code in self.shipped or code in self.office:
            raise AwardKindExists(award_kind=code)
        _check_date(effective_from)
        if until is not None and until < effective_from:
            raise _invalid("ngày cuối cùng phải sau ngày bắt đầu có hiệu lực")
        self._kind_added(code=code, definition=clean_definition(definition),
                         effective_from=effective_from, until=until,
                         reason=_text(reason, "lý do", MAX_REASON, required=False), actor=actor)

    def change_kind(self, *, code: str, changes: dict[str, Any], effective_from: date,
                    reason: str, actor: str, today: date) -> None:
        base = self.definition_of(code)
        if base.get("stated"):
            raise _invalid("hình thức theo văn bản không sửa được")
        self._require_future(code, base, effective_from, today)
        definition = clean_definition(changes, base=base)
        # compared as the kinds read (a shipped definition also carries its derived family)
        if kind_from_definition(code, definition).definition() \
                == kind_from_definition(code, base).definition():
            raise _invalid("không có gì thay đổi")
        self._kind_changed(code=code, definition=definition, effective_from=effective_from,
                           reason=_text(reason, "lý do", MAX_REASON), actor=actor)

    def retire_kind(self, *, code: str, effective_from: date, reason: str, actor: str,
                    today: date) -> None:
        base = self.definition_of(code)
        if base.get("stated"):
            raise _invalid("hình thức theo văn bản không bãi bỏ được")
        steps = self.office.get(code, [])
        if steps and steps[-1][1] is None:
            raise _invalid("hình thức đã bãi bỏ")
        self._require_future(code, base, effective_from, today)
        self._kind_retired(code=code, effective_from=effective_from,
                           reason=_text(reason, "lý do", MAX_REASON), actor=actor)

    @staticmethod
    def _require_future(code: str, base: dict[str, Any], effective_from: date,
                        today: date) -> None:
        earliest = today + timedelta(days=1)
        if effective_from < earliest:
            raise CatalogueChangeInPast(award_kind=code, award_title=base["title"],
                                        earliest=earliest.strftime("%d/%m/%Y"))
        _check_date(effective_from)

    # -- events -------------------------------------------------------------------------------

    @event(ReleaseLoaded)
    def _release_loaded(self, release: str, kinds: dict[str, dict[str, Any]],
                        actor: str) -> None:
        self.shipped.update(kinds)
        self.releases.append(release)

    @event(KindAdded)
    def _kind_added(self, code: str, definition: dict[str, Any], effective_from: date,
                    until: date | None, reason: str, actor: str) -> None:
        steps = [(effective_from, definition, reason, actor)]
        if until is not None:
            steps.append((until + timedelta(days=1), None, reason, actor))
        self.office[code] = steps

    @event(KindChanged)
    def _kind_changed(self, code: str, definition: dict[str, Any], effective_from: date,
                      reason: str, actor: str) -> None:
        self._step(code, (effective_from, definition, reason, actor))

    @event(KindRetired)
    def _kind_retired(self, code: str, effective_from: date, reason: str, actor: str) -> None:
        self._step(code, (effective_from, None, reason, actor))

    def _step(self, code: str, step: tuple[date, dict[str, Any] | None, str, str]) -> None:
        """A step replaces one recorded for the same date; the others keep their dates (a change
        after a retirement brings the kind back from its date)."""
        kept = [s for s in self.office.get(code, []) if s[0] != step[0]]
        self.office[code] = sorted([*kept, step], key=lambda s: s[0])


def _check_date(on: date) -> None:
    if not EARLIEST <= on <= date(2100, 12, 31):
        raise _invalid("ngày hiệu lực phải từ 01/01/1945 đến 31/12/2100")
