"""The closed sets of values the API accepts, each taken from where its rule is defined.

A value such as a level or a recipient kind is written once (the domain, the catalog, the module
that acts on it); here it becomes a ``Literal`` in the same order, so pydantic refuses anything
else and the OpenAPI document lists the allowed values (``enum``) as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from domain.award_catalogue import MONEY_CHOICES
from domain.catalog import (
    AS_STATED,
    BODIES,
    BODY_EXAMPLES,
    BODY_LABELS,
    CATEGORY_LABELS,
    CERTIFICATE_LABELS,
    FREQUENCY_LABELS,
    RECIPIENT_KINDS,
    catalog,
)
from domain.decision import REVOCATION_GROUNDS
from domain.nomination import OUTCOMES, VOTES
from domain.pricing import AMOUNT_MODES
from domain.recipients import GENDERS
from domain.schedules import legal_rule_keys
from domain.users import ROLES
from projections.registry import ACTIVE, ALL, GROUP_NAMES, REVOKED
from services.orgs import OPERATIONS
from services.printing import MODES as PRINT_MODES


def one_of(values: Iterable[str]) -> Any:
    """``Literal[...]`` of these values, in their order."""
    return Literal[tuple(values)]  # type: ignore[valid-type]


# computed: by the rules; decided: the amount the decision states; not_stated: no figure recorded.
AmountMode = one_of(AMOUNT_MODES)
RecipientKind = one_of(RECIPIENT_KINDS)
Gender = one_of(GENDERS)
Level = one_of(catalog().levels)  # the levels of the catalog (domain/data/catalog.toml)
IssuerBody = one_of(BODIES)  # the kinds of issuing body (domain/catalog.py BODY_LABELS)
ISSUER_BODY_HELP = "Loại cơ quan ban hành: " + "; ".join(
    f"{code} — {BODY_LABELS[code]} ({BODY_EXAMPLES[code]})" for code in BODIES)
Role = one_of(ROLES)
Vote = one_of(VOTES)
Outcome = one_of(OUTCOMES)
RevocationGround = one_of(REVOCATION_GROUNDS)
ReorganisationStep = one_of(OPERATIONS)
PrintMode = one_of(PRINT_MODES)
RegistryStatus = one_of((ACTIVE, REVOKED, ALL))
GroupBy = one_of(GROUP_NAMES)
# The award catalogue the office manages (domain/award_catalogue.py): a kind's category (never
# the as-stated kind's), how often it may be given, how its money is set, its legal table and the
# certificate it prints.
Category = one_of(c for c in CATEGORY_LABELS if c != AS_STATED)
Frequency = one_of(FREQUENCY_LABELS)
MoneyMode = one_of(MONEY_CHOICES)
LegalTable = one_of(legal_rule_keys())
Certificate = one_of(CERTIFICATE_LABELS)
