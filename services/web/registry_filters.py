"""The registry page's filters beyond name, year and date: a unit (with its subtree), an award
kind, a recipient kind, a person's gender, the issuing unit, the lines' status (in force,
revoked, all) — as the dashboard's charts link to them
(``/registry?unit_id=…&year=…&award_kind=…``), read from the address bar into the registry's
filter (``projections.registry.RegistryFilter``), and said back on the page ("Đơn vị: Hội LHPN
TP Hà Nội và các đơn vị trực thuộc", each with a link that drops it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from domain.catalog import RECIPIENT_KINDS, RECIPIENT_LABELS, catalog
from domain.errors import UnknownReference, ValidationFailed
from projections.registry import ACTIVE, ALL, GENDERS, REVOKED
from services.app import Runtime
from services.web.forms import parse_id

GENDER_LABELS = {"female": "Nữ", "male": "Nam", "unknown": "Không ghi giới tính"}
STATUS_LABELS = {ACTIVE: "Còn hiệu lực", REVOKED: "Đã hủy bỏ", ALL: "Tất cả (cả đã hủy bỏ)"}
NAMES = ("unit_id", "award_kind", "recipient_kind", "gender", "issuer_unit_id", "status")


@dataclass
class ExtraFilters:
    """What the address bar asked for (as typed), the filter's fields read from it, and the
    words of each filter in force."""

    given: dict[str, str]
    fields: dict[str, Any] = field(default_factory=dict)
    chips: list[dict[str, str]] = field(default_factory=list)

    def query(self) -> list[tuple[str, str]]:
        """The filters in force, for links (exports, the pager) that keep them."""
        return [(k, self.given[k]) for k in NAMES if self.given.get(k)]


def choices(rt: Runtime | None = None) -> dict[str, list[tuple[str, str]]]:
    """The values the form offers for each filter, with their labels (the issuers: the Union
    units that issued decisions, read from ``rt``)."""
    return {
        "status": list(STATUS_LABELS.items()),
        "issuer_unit_id": ([(i["id"], i["name"]) for i in rt.registry.issuers()]
                           if rt is not None else []),
        "award_kind": [(k.code, k.title) for k in catalog().every_kind.values()],
        "recipient_kind": [(k, RECIPIENT_LABELS[k].capitalize()) for k in RECIPIENT_KINDS],
        "gender": list(GENDER_LABELS.items()),
    }


def read(rt: Runtime, path: str, params: dict[str, str], **given: str) -> ExtraFilters:
    """The filters of ``given`` (unit_id, award_kind, recipient_kind, gender: text as typed).
    A value that cannot be read is refused (``ValidationFailed``, 422; an unknown unit or award
    kind likewise: the page shows the refusal on its form). ``path`` and ``params`` (the page's
    other parameters) make each filter's "drop it" link."""
    given = {k: (given.get(k) or "").strip() for k in NAMES}
    out = ExtraFilters(given=given)
    if given["unit_id"]:
        unit = parse_id(given["unit_id"])
        name = rt.queries.unit_names({str(unit)}).get(str(unit))
        if name is None:
            raise UnknownReference(what="đơn vị", ref=str(unit))
        out.fields["unit_id"] = str(unit)
        out.chips.append({"name": "unit_id", "label": "Đơn vị",
                          "value": f"{name} và các đơn vị trực thuộc"})
    if given["award_kind"]:
        kind = catalog().kind(given["award_kind"])  # unknown: UnknownAwardKind (422)
        out.fields["award_kind"] = kind.code
        out.chips.append({"name": "award_kind", "label": "Hình thức", "value": kind.title})
    if given["recipient_kind"]:
        if given["recipient_kind"] not in RECIPIENT_KINDS:
            raise ValidationFailed(reason="loại đối tượng phải là cá nhân, tập thể hoặc hộ gia "
                                          "đình")
        out.fields["recipient_kind"] = given["recipient_kind"]
        out.chips.append({"name": "recipient_kind", "label": "Đối tượng",
                          "value": RECIPIENT_LABELS[given["recipient_kind"]].capitalize()})
    if given["gender"]:
        if given["gender"] not in GENDERS:
            raise ValidationFailed(reason="giới tính phải là nữ, nam hoặc không ghi")
        out.fields["gender"] = given["gender"]
        out.chips.append({"name": "gender", "label": "Giới tính",
                          "value": f"{GENDER_LABELS[given['gender']]} (cá nhân)"})
    if given["issuer_unit_id"]:
        issuer = str(parse_id(given["issuer_unit_id"]))
        name = dict((i["id"], i["name"]) for i in rt.registry.issuers()).get(issuer)
        if name is None:
            raise UnknownReference(what="cơ quan ban hành", ref=issuer)
        out.fields["issuer_unit_id"] = issuer
        out.chips.append({"name": "issuer_unit_id", "label": "Cơ quan ban hành",
                          "value": name})
    if given["status"] and given["status"] != ACTIVE:  # in force: the registry's default
        if given["status"] not in STATUS_LABELS:
            raise ValidationFailed(reason="tình trạng phải là còn hiệu lực, đã hủy bỏ hoặc "
                                          "tất cả")
        out.fields["status"] = given["status"]
        out.chips.append({"name": "status", "label": "Tình trạng",
                          "value": STATUS_LABELS[given["status"]]})
    kept = {k: v for k, v in params.items() if v and k not in ("page", "offset")}
    for chip in out.chips:
        rest = {k: v for k, v in kept.items() if k != chip["name"]}
        chip["drop"] = path + (f"?{urlencode(rest)}" if rest else "")
    return out
