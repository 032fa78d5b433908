"""Money schedules as events: the base salary by date, the coefficient tables of each decree
period, the title policy, and each issuer's internal rates.

A schedule change is an event with an effective date, so a later change never alters an amount
already decided (decision lines store their amount and how it was computed), and the registry
can say which schedule applied. ``MoneySchedules`` is the plain data the calculator reads.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.base import stable_id, topic
from domain.catalog import RECIPIENT_KINDS, catalog
from domain.errors import ValidationFailed
from domain.text import nfc

LEGAL_SCHEDULE_ID = stable_id("schedule", "legal")
ROUND_PRODUCT = "round_product"
MULTIPLY_ROUNDED_INDIVIDUAL = "multiply_rounded_individual"
COLLECTIVE_ROUNDINGS = (ROUND_PRODUCT, MULTIPLY_ROUNDED_INDIVIDUAL)


def internal_rates_id(issuer_key: str) -> UUID:
    return stable_id("schedule", "internal", issuer_key)


@dataclass(frozen=True)
class BaseSalary:
    effective_from: date
    amount: int
    legal_basis: str
    verified: bool
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"effective_from": self.effective_from.isoformat(), "amount": self.amount,
                "legal_basis": self.legal_basis, "verified": self.verified, "note": self.note}


@dataclass(frozen=True)
class Period:
    code: str
    title: str
    effective_from: date
    rounding: str
    rules: dict[str, dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def collective_rounding(self) -> str:
        """How a collective's (or household's) amount is rounded; a period recorded before the
        setting existed gets the worked example's method."""
        return str(self.meta.get("collective_rounding") or ROUND_PRODUCT)

    @property
    def collective_rounding_verified(self) -> bool:
        return bool(self.meta.get("collective_rounding_verified", False))

    @property
    def rounding_verified(self) -> bool:
        return bool(self.meta.get("rounding_verified", True))

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "title": self.title,
                "effective_from": self.effective_from.isoformat(), "rounding": self.rounding,
                "rules": self.rules, **self.meta}


@dataclass(frozen=True)
class InternalRate:
    award_kind: str
    recipient_kind: str
    effective_from: date
    amount: int
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"award_kind": self.award_kind, "recipient_kind": self.recipient_kind,
                "effective_from": self.effective_from.isoformat(), "amount": self.amount,
                "note": self.note}


@dataclass(frozen=True)
class MoneySchedules:
    """Everything the calculator needs, as plain data."""

    base_salaries: tuple[BaseSalary, ...] = ()
    periods: tuple[Period, ...] = ()
    highest_title_only: bool = True
    version: int = 0
    releases: tuple[str, ...] = ()

    def base_salary_on(self, on: date) -> BaseSalary | None:
        current = None
        for rate in sorted(self.base_salaries, key=lambda r: r.effective_from):
            if rate.effective_from <= on:
                current = rate
        return current

    def period_on(self, on: date) -> Period | None:
        current = None
        for period in sorted(self.periods, key=lambda p: p.effective_from):
            if period.effective_from <= on:
                current = period
        return current


def internal_rate_on(
    rates: tuple[InternalRate, ...], award_kind: str, recipient_kind: str, on: date
) -> InternalRate | None:
    current = None
    for rate in sorted(rates, key=lambda r: r.effective_from):
        if (rate.award_kind, rate.recipient_kind) == (award_kind, recipient_kind) \
                and rate.effective_from <= on:
            current = rate
    return current


# -- shipped legal data -------------------------------------------------------------------------


@cache
def shipped_rules() -> dict[str, Any]:
    text = resources.files("domain").joinpath("data/money_rules.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def shipped_release() -> str:
    return str(shipped_rules()["release"]["id"])


def kind_rules(kind_code: str) -> dict[str, str]:
    """"body:level" (or "*") → rule key, for one kind; empty when no legal figure exists."""
    return dict(catalog().kind(kind_code).money_rules)


def legal_rule_keys() -> tuple[str, ...]:
    """The legal tables a kind's money rule may name (the shipped periods' rule keys)."""
    return tuple(shipped_rules().get("rule_labels", {}))


def rule_label(rule: str) -> str:
    return shipped_rules()["rule_labels"].get(rule, rule)


def check_coefficient(value: Any, what: str) -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(reason=f"{what}: hệ số «{value}» không hợp lệ") from None
    if not number.is_finite() or number < 0 or number > 1000:
        raise ValidationFailed(reason=f"{what}: hệ số phải từ 0 đến 1000")
    return str(value)


def check_factor(value: Any, what: str) -> str:
    """A recipient factor ("1.5" for households): a decimal from 1 to 10, kept as text."""
    text = check_coefficient(value, what)
    if not 1 <= Decimal(text) <= 10:
        raise ValidationFailed(reason=f"{what}: hệ số nhân phải từ 1 đến 10")
    return text


def clean_rules(rules: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for key, rule in rules.items():
        rule = dict(rule)
        clean: dict[str, Any] = {}
        for name in ("individual", "collective"):
            if rule.get(name) is not None:
                clean[name] = check_coefficient(rule[name], key)
        if not clean:
            raise ValidationFailed(reason=f"{key}: cần hệ số cho cá nhân hoặc tập thể")
        factor = rule.get("collective_factor")
        if factor is not None:
            if isinstance(factor, bool) or not isinstance(factor, int) or not 1 <= factor <= 10:
                raise ValidationFailed(reason=f"{key}: hệ số nhân tập thể phải là số nguyên 1–10")
            clean["collective_factor"] = factor
        if rule.get("household_factor") is not None:
            clean["household_factor"] = check_factor(rule["household_factor"], key)
            clean["household_verified"] = bool(rule.get("household_verified", False))
            clean["household_source"] = nfc(str(rule.get("household_source") or ""))
        clean["cap"] = bool(rule.get("cap", False))
        clean["verified"] = bool(rule.get("verified", False))
        if "collective_verified" in rule:
            clean["collective_verified"] = bool(rule["collective_verified"])
        clean["source"] = nfc(str(rule.get("source") or ""))
        out[str(key)] = clean
    return out


def clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """A period's other fields (sources, verified flags, the collective rounding method)."""
    meta = {str(k): (nfc(v) if isinstance(v, str) else v) for k, v in dict(meta).items()}
    method = meta.get("collective_rounding")
    if method is not None and method not in COLLECTIVE_ROUNDINGS:
        raise ValidationFailed(
            reason="cách làm tròn tiền thưởng tập thể phải là "
                   + " hoặc ".join(COLLECTIVE_ROUNDINGS))
    for key, value in meta.items():
        if isinstance(value, date):
            meta[key] = value.isoformat()
    return meta


def _shipped_base_salaries(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        row["effective_from"].isoformat(): {
            "amount": row["amount"], "legal_basis": nfc(row["legal_basis"]),
            "verified": bool(row["verified"]), "note": nfc(row.get("note", "")),
        }
        for row in data.get("base_salary", [])
    }


def _shipped_periods(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        row["code"]: {
            "title": nfc(row["title"]), "effective_from": row["effective_from"].isoformat(),
            "rounding": row["rounding"], "rules": clean_rules(row["rules"]),
            "meta": clean_meta({k: v for k, v in row.items() if k not in
                                ("code", "title", "effective_from", "rounding", "rules")}),
        }
        for row in data.get("period", [])
    }


def _period_row(period: dict[str, Any]) -> dict[str, Any]:
    """A recorded period in the form a release ships it (dates as text)."""
    return {**period, "effective_from": period["effective_from"].isoformat()}


# -- aggregates -------------------------------------------------------------------------------


class LegalSchedule(Aggregate):
    """The base salary, the decree periods' coefficient tables and the title policy."""

    TOPIC = topic("schedules", "LegalSchedule")

    class Created(Aggregate.Created):
        TOPIC = topic("schedules", "LegalSchedule.Created")
        actor: str

    class BaseSalarySet(Aggregate.Event):
        TOPIC = topic("schedules", "LegalSchedule.BaseSalarySet")
        effective_from: date
        amount: int
        legal_basis: str
        verified: bool
        note: str
        actor: str

    class BaseSalaryWithdrawn(Aggregate.Event):
        TOPIC = topic("schedules", "LegalSchedule.BaseSalaryWithdrawn")
        effective_from: date
        reason: str
        actor: str

    class PeriodSet(Aggregate.Event):
        TOPIC = topic("schedules", "LegalSchedule.PeriodSet")
        code: str
        title: str
        effective_from: date
        rounding: str
        rules: dict[str, Any]
        meta: dict[str, Any]
        actor: str

    class PolicySet(Aggregate.Event):
        TOPIC = topic("schedules", "LegalSchedule.PolicySet")
        highest_title_only: bool
        actor: str

    class ReleaseLoaded(Aggregate.Event):
        """A release's shipped data, loaded once: the rows it changes (``base_salaries`` by ISO
        date, ``periods`` by code) and everything it ships (``shipped``), which the next release
        is compared with."""

        TOPIC = topic("schedules", "LegalSchedule.ReleaseLoaded")
        release: str
        title: str
        base_salaries: dict[str, Any]
        periods: dict[str, Any]
        shipped: dict[str, Any]
        actor: str

    @event(Created)
    def __init__(self, actor: str) -> None:
        self.base_salaries: dict[date, dict[str, Any]] = {}
        self.periods: dict[str, dict[str, Any]] = {}
        self.highest_title_only = True
        self.withdrawn: dict[date, dict[str, Any]] = {}
        self.shipped: dict[str, Any] | None = None  # what the last release loaded shipped
        self.releases: list[str] = []

    @classmethod
    def start(cls, actor: str) -> LegalSchedule:
        return cls._create(cls.Created, id=LEGAL_SCHEDULE_ID, actor=actor)

    def snapshot(self) -> MoneySchedules:
        return MoneySchedules(
            base_salaries=tuple(
                BaseSalary(effective_from=d, **{k: v for k, v in r.items()})
                for d, r in sorted(self.base_salaries.items())
            ),
            periods=tuple(
                Period(code=code, title=p["title"], effective_from=p["effective_from"],
                       rounding=p["rounding"], rules=p["rules"], meta=p["meta"])
                for code, p in sorted(self.periods.items(), key=lambda i: i[1]["effective_from"])
            ),
            highest_title_only=self.highest_title_only,
            version=self.version,
            releases=tuple(getattr(self, "releases", ())),
        )

    def set_base_salary(
        self, *, effective_from: date, amount: Any, legal_basis: str, verified: bool,
        note: str, actor: str,
    ) -> None:
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < 10**9:
            raise ValidationFailed(reason="mức lương cơ sở phải là số nguyên đồng dương")
        basis = nfc(legal_basis or "")
        if not basis:
            raise ValidationFailed(reason="cần căn cứ pháp lý (số nghị định)")
        current = self.base_salaries.get(effective_from)
        wanted = {"amount": amount, "legal_basis": basis, "verified": bool(verified),
                  "note": nfc(note or "")}
        if current != wanted:
            self._base_salary_set(effective_from=effective_from, actor=actor, **wanted)

    def withdraw_base_salary(self, *, effective_from: date, reason: str, actor: str) -> None:
        if effective_from not in self.base_salaries:
            raise ValidationFailed(reason=f"không có mức lương cơ sở từ ngày {effective_from}")
        self._base_salary_withdrawn(effective_from=effective_from, reason=nfc(reason or ""),
                                    actor=actor)

    def set_period(
        self, *, code: str, title: str, effective_from: date, rounding: str,
        rules: dict[str, Any], meta: dict[str, Any], actor: str,
    ) -> None:
        if rounding not in ("ceil_10000", "none"):
            raise ValidationFailed(reason="cách làm tròn phải là ceil_10000 hoặc none")
        wanted = {"title": nfc(title), "effective_from": effective_from, "rounding": rounding,
                  "rules": clean_rules(rules), "meta": clean_meta(meta)}
        if self.periods.get(code) != wanted:
            self._period_set(code=code, actor=actor, **wanted)

    def set_policy(self, *, highest_title_only: bool, actor: str) -> None:
        if self.highest_title_only != highest_title_only:
            self._policy_set(highest_title_only=highest_title_only, actor=actor)

    def load_shipped(self, actor: str) -> None:
        """Record the release shipped with this code (see ``load_release``)."""
        self.load_release(shipped_rules(), actor=actor)

    def load_release(self, data: dict[str, Any], actor: str) -> None:
        """Record a release of the legal data as one event, changing only what it changed.

        A row (a base salary by date, a period by code) is set when the release ships it
        differently from the release this schedule loaded before — so an administrator's own
        correction of a row the release left alone stays — and differently from what is recorded
        now. A schedule whose earlier data came before releases were recorded (or by hand)
        compares with what it holds: rows it holds, or held before a withdrawal, count as shipped.
        Loading the same release again records nothing. Rows are never removed.
        """
        release = str(data["release"]["id"])
        title = nfc(str(data["release"].get("title") or release))
        shipped = {"base_salaries": _shipped_base_salaries(data),
                   "periods": _shipped_periods(data)}
        current_base = {d.isoformat(): row for d, row in self.base_salaries.items()}
        current_periods = {code: _period_row(p) for code, p in self.periods.items()}
        if self.shipped is not None:
            last_base, last_periods = self.shipped["base_salaries"], self.shipped["periods"]
        else:
            withdrawn = {d.isoformat(): row for d, row in self.withdrawn.items()}
            last_base, last_periods = {**withdrawn, **current_base}, current_periods
        base_changes = {
            d: row for d, row in shipped["base_salaries"].items()
            if row != last_base.get(d) and row != current_base.get(d)
        }
        period_changes = {
            code: row for code, row in shipped["periods"].items()
            if row != last_periods.get(code) and row != current_periods.get(code)
        }
        if not base_changes and not period_changes and shipped == self.shipped \
                and release in self.releases:
            return
        self._release_loaded(release=release, title=title, base_salaries=base_changes,
                             periods=period_changes, shipped=shipped, actor=actor)

    @event(ReleaseLoaded)
    def _release_loaded(
        self, release: str, title: str, base_salaries: dict[str, Any], periods: dict[str, Any],
        shipped: dict[str, Any], actor: str,
    ) -> None:
        for day, row in base_salaries.items():
            self.base_salaries[date.fromisoformat(day)] = dict(row)
            self.withdrawn.pop(date.fromisoformat(day), None)
        for code, row in periods.items():
            self.periods[code] = {**row,
                                  "effective_from": date.fromisoformat(row["effective_from"])}
        self.shipped = shipped
        if release not in self.releases:
            self.releases.append(release)

    @event(BaseSalarySet)
    def _base_salary_set(
        self, effective_from: date, amount: int, legal_basis: str, verified: bool, note: str,
        actor: str,
    ) -> None:
        self.base_salaries[effective_from] = {"amount": amount, "legal_basis": legal_basis,
                                              "verified": verified, "note": note}

    @event(BaseSalaryWithdrawn)
    def _base_salary_withdrawn(self, effective_from: date, reason: str, actor: str) -> None:
        row = self.base_salaries.pop(effective_from, None)
        if row is not None:
            self.withdrawn[effective_from] = row

    @event(PeriodSet)
    def _period_set(
        self, code: str, title: str, effective_from: date, rounding: str, rules: dict[str, Any],
        meta: dict[str, Any], actor: str,
    ) -> None:
        self.periods[code] = {"title": title, "effective_from": effective_from,
                              "rounding": rounding, "rules": rules, "meta": meta}

    @event(PolicySet)
    def _policy_set(self, highest_title_only: bool, actor: str) -> None:
        self.highest_title_only = highest_title_only


class InternalRates(Aggregate):
    """One issuer's own rates (the Union's internal awards), by kind, recipient kind and date."""

    TOPIC = topic("schedules", "InternalRates")

    class Created(Aggregate.Created):
        TOPIC = topic("schedules", "InternalRates.Created")
        issuer_key: str
        issuer_name: str
        actor: str

    class RateSet(Aggregate.Event):
        TOPIC = topic("schedules", "InternalRates.RateSet")
        award_kind: str
        recipient_kind: str
        effective_from: date
        amount: int
        note: str
        actor: str

    @event(Created)
    def __init__(self, issuer_key: str, issuer_name: str, actor: str) -> None:
        self.issuer_key = issuer_key
        self.issuer_name = issuer_name
        self.rates: dict[tuple[str, str, date], dict[str, Any]] = {}

    @classmethod
    def open(cls, *, issuer_key: str, issuer_name: str, actor: str) -> InternalRates:
        return cls._create(cls.Created, id=internal_rates_id(issuer_key), issuer_key=issuer_key,
                           issuer_name=nfc(issuer_name), actor=actor)

    def snapshot(self) -> tuple[InternalRate, ...]:
        return tuple(
            InternalRate(award_kind=k, recipient_kind=r, effective_from=d, amount=v["amount"],
                         note=v["note"])
            for (k, r, d), v in sorted(self.rates.items())
        )

    def set_rate(
        self, *, award_kind: str, recipient_kind: str, effective_from: date, amount: Any,
        note: str, actor: str,
    ) -> None:
        kind = catalog().kind(award_kind)
        if recipient_kind not in RECIPIENT_KINDS:
            raise ValidationFailed(
                reason=f"loại đối tượng phải là {', '.join(RECIPIENT_KINDS)}")
        kind.require_recipient(recipient_kind)
        if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount < 10**12:
            raise ValidationFailed(reason="mức thưởng phải là số nguyên đồng không âm")
        self._rate_set(award_kind=kind.code, recipient_kind=recipient_kind,
                       effective_from=effective_from, amount=amount, note=nfc(note or ""),
                       actor=actor)

    @event(RateSet)
    def _rate_set(
        self, award_kind: str, recipient_kind: str, effective_from: date, amount: int, note: str,
        actor: str,
    ) -> None:
        self.rates[(award_kind, recipient_kind, effective_from)] = {"amount": amount, "note": note}
