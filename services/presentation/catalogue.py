"""The award catalogue as the API, the CLI and the pages read it: a kind as on a date with the
dates of that version, its history, and the choices of the catalogue's forms."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from domain.award_catalogue import MONEY_CHOICES
from domain.catalog import (
    AS_STATED,
    BODY_LABELS,
    CATEGORY_LABELS,
    CERTIFICATE_LABELS,
    FREQUENCY_LABELS,
    MONEY_LABELS,
    RECIPIENT_LABELS,
    KindVersion,
    catalog,
)
from domain.errors import NotFound
from domain.schedules import legal_rule_keys, rule_label


def _day(value: date) -> str | None:
    return None if value == date.min else value.isoformat()


def history_of(code: str) -> tuple[KindVersion, ...]:
    """The kind's history; ``NotFound`` (404) for a code the catalogue never had."""
    steps = catalog().history.get(code)
    if not steps:
        raise NotFound(what=f"hình thức khen thưởng «{code}»")
    return steps


def kind_answer(code: str, on: date | None = None) -> dict[str, Any]:
    """A kind as on ``on`` (its latest definition without a date), with the dates of that
    version: ``effective_from`` (null: shipped, in force from the beginning), ``retired_from``
    (the retirement that ends it, past or scheduled, or null) and ``in_force`` (on that date;
    without one: offered now, ``Catalog.kinds``)."""
    current = catalog()
    steps = history_of(code)
    kind = current.kind(code, on)
    defining = [s for s in steps if s.kind is not None
                and (on is None or s.effective_from <= on)]
    shown = defining[-1] if defining else next(s for s in steps if s.kind is not None)
    retired = next((s for s in steps
                    if s.kind is None and s.effective_from > shown.effective_from), None)
    in_force = (current.in_force(code, on) is not None) if on is not None \
        else code in current.kinds
    return {
        **kind.as_dict(),
        "category_label": CATEGORY_LABELS.get(kind.group, kind.group),
        "money_label": MONEY_LABELS.get(kind.money, kind.money),
        "effective_from": _day(shown.effective_from),
        "retired_from": _day(retired.effective_from) if retired else None,
        "shipped": shown.shipped,
        "in_force": in_force,
    }


def kind_with_history(code: str, on: date | None = None) -> dict[str, Any]:
    """``kind_answer`` and ``history``: every version by date (shipped, added, changed,
    retired), each with its reason and who recorded it."""
    return {**kind_answer(code, on), "history": [step.as_dict() for step in history_of(code)]}


def kinds(on: date | None = None, include_retired: bool = False) -> list[dict[str, Any]]:
    """The kinds offered (as on ``on``: ``Catalog.kinds_on``); with ``include_retired`` every
    kind the catalogue has had but the as-stated one."""
    current = catalog()
    if include_retired:
        codes: Iterable[str] = [code for code in current.history
                                if code != AS_STATED and not current.kind(code).stated]
    else:
        codes = current.kinds if on is None else current.kinds_on(on)
    return [kind_answer(code, on) for code in codes]


def _choices(labels: dict[str, str], codes: Iterable[str] | None = None) -> list[dict[str, str]]:
    return [{"code": code, "label": labels[code]} for code in (codes or labels)]


def options() -> dict[str, list[dict[str, str]]]:
    """The choices of the catalogue's forms, each a list of ``{code, label}``."""
    return {
        "categories": _choices(CATEGORY_LABELS, [c for c in CATEGORY_LABELS if c != AS_STATED]),
        "frequencies": _choices(FREQUENCY_LABELS),
        "money": _choices(MONEY_LABELS, MONEY_CHOICES),
        "certificates": _choices(CERTIFICATE_LABELS),
        "legal_tables": [{"code": key, "label": rule_label(key)} for key in legal_rule_keys()],
        "bodies": _choices(BODY_LABELS),
        "levels": [{"code": level.code, "label": level.name}
                   for level in catalog().levels.values()],
        "recipients": _choices(RECIPIENT_LABELS),
    }
