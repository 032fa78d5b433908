"""Recipients of awards: an individual, a collective (an org unit or a named group), a household.

Events carry recipients as plain dicts (``Recipient.as_dict``). ``Recipient.key`` is the identity
used by the once-per-lifetime and one-achievement-once rules:

* an individual with a citizen id (CCCD) is that id: reliable across moves and spellings;
* without one, the diacritic-free name plus the birth year ("nguyen thi lan|1975"); where the birth
  year is unknown too, the name plus the unit. This is deliberately conservative: two namesakes born
  the same year collide, and the error names the earlier award so the office can add the CCCD;
* a collective that is an org unit is the unit id; a named group or a household is its folded
  name within its unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from domain.catalog import RECIPIENT_KINDS
from domain.errors import ValidationFailed
from domain.text import fold, nfc, nfc_optional

GENDERS = ("female", "male")
_CITIZEN_ID = re.compile(r"^\d{9}$|^\d{12}$")

# Personal data sealed at rest (``services.personal_data``): a stored citizen ID or birth date is
# ``enc1:<subject>:<ciphertext>``. The domain never opens one; it only needs the subject, which
# is the pseudonym a person with a citizen ID is identified by.
SEALED = "enc1:"
_pseudonyms: list[Callable[[str], str] | None] = []  # installed, the last one in use
_ENVELOPE = re.compile(r"^enc1:[0-9a-f]{32}:[A-Za-z0-9_-]{20,400}$")


def is_sealed(value: Any) -> bool:
    """A value sealed at rest (``enc1:<subject>:<ciphertext>``), exactly of that form."""
    return isinstance(value, str) and value.startswith(SEALED) and bool(_ENVELOPE.match(value))


def sealed_subject(value: str) -> str:
    return value[len(SEALED):].split(":", 1)[0]


def use_pseudonyms(pseudonym: Callable[[str], str] | None) -> None:
    """Identify people with a citizen ID by ``cccd:<pseudonym of the ID>`` instead of the ID
    itself. The service installs its keyed hash at start and takes it back when it closes
    (``release_pseudonyms``); pure domain tests run without. Several may be installed (two
    services in one process): the last one installed and not taken back is in use."""
    _pseudonyms.append(pseudonym)


def release_pseudonyms(pseudonym: Callable[[str], str] | None) -> None:
    """Take back ``pseudonym`` (its last installation)."""
    for i in range(len(_pseudonyms) - 1, -1, -1):
        if _pseudonyms[i] == pseudonym:
            del _pseudonyms[i]
            return


def _pseudonym_in_use() -> Callable[[str], str] | None:
    return _pseudonyms[-1] if _pseudonyms else None


def normalise_citizen_id(value: str) -> str:
    """A citizen ID as typed ("001 180.012-345") as its digits; refused unless 12 (or, an old
    CMND, 9) of them."""
    digits = re.sub(r"[\s.\-]", "", nfc(value))
    if not _CITIZEN_ID.match(digits):
        raise ValidationFailed(reason="số CCCD/CMND phải gồm 12 (hoặc 9) chữ số")
    return digits


def refuse_sealed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as typed by someone (a page's form, a list's row): a value shaped like a sealed
    one is refused there — only the service seals (``Recipient.build`` keeps sealed values of
    stored recipients as they are)."""
    for field in ("citizen_id", "birth_date"):
        if str(data.get(field) or "").strip().lower().startswith(SEALED):
            raise ValidationFailed(reason="số CCCD/CMND phải gồm 12 (hoặc 9) chữ số"
                                   if field == "citizen_id" else "ngày sinh không hợp lệ")
    return data


@dataclass(frozen=True)
class Recipient:
    kind: str  # individual | collective | household
    name: str
    unit_id: UUID | None = None  # the unit a person belongs to, or that holds a group/household
    org_unit_id: UUID | None = None  # set when the collective *is* an org unit
    gender: str | None = None
    birth_year: int | None = None
    birth_date: date | str | None = None  # a str only when sealed
    position: str | None = None
    citizen_id: str | None = None
    women_share: int | None = None  # percent of women in a collective (priority rule ≥ 70 %)

    @classmethod
    def build(cls, data: dict[str, Any]) -> Recipient:
        """Validate and normalise raw input (names to NFC, ids to digits)."""
        kind = data.get("kind")
        if kind not in RECIPIENT_KINDS:
            raise ValidationFailed(
                reason="loại đối tượng phải là cá nhân, tập thể hoặc hộ gia đình"
            )
        name = nfc(str(data.get("name") or ""))
        org_unit_id = data.get("org_unit_id")
        if not name and org_unit_id is None:
            raise ValidationFailed(reason="cần họ tên hoặc tên tập thể")
        if len(name) > 300:
            raise ValidationFailed(reason="tên quá dài (tối đa 300 ký tự)")
        gender = data.get("gender")
        if gender is not None and gender not in GENDERS:
            raise ValidationFailed(reason="giới tính phải là 'female' (nữ) hoặc 'male' (nam)")
        birth_date = data.get("birth_date")
        if is_sealed(birth_date):
            pass  # a stored recipient's, sealed at rest: kept as it is
        elif isinstance(birth_date, str):
            try:
                birth_date = date.fromisoformat(birth_date)
            except ValueError:
                raise ValidationFailed(reason="ngày sinh không hợp lệ") from None
        elif birth_date is not None and not isinstance(birth_date, date):
            raise ValidationFailed(reason="ngày sinh không hợp lệ")
        birth_year = _whole_number(data.get("birth_year"), "năm sinh không hợp lệ")
        if isinstance(birth_date, date):
            if birth_year is not None and birth_year != birth_date.year:
                raise ValidationFailed(reason="năm sinh không khớp với ngày sinh")
            birth_year = birth_date.year
        if birth_year is not None and not 1900 <= int(birth_year) <= 2100:
            raise ValidationFailed(reason="năm sinh không hợp lệ")
        citizen_id = nfc_optional(_text(data.get("citizen_id"), "số CCCD/CMND"))
        if is_sealed(citizen_id):
            pass  # a stored recipient's, sealed at rest
        elif citizen_id is not None:
            citizen_id = normalise_citizen_id(citizen_id)
        women_share = _whole_number(data.get("women_share"), "tỉ lệ nữ phải là số nguyên")
        if women_share is not None and not 0 <= int(women_share) <= 100:
            raise ValidationFailed(reason="tỉ lệ nữ phải từ 0 đến 100 (%)")
        if kind == "individual":
            if org_unit_id is not None:
                raise ValidationFailed(reason="cá nhân không thể là một đơn vị")
            if not name:
                raise ValidationFailed(reason="cần họ tên")
        elif gender or birth_year or citizen_id:
            raise ValidationFailed(reason="giới tính, năm sinh, CCCD chỉ dành cho cá nhân")
        if kind == "household" and org_unit_id is not None:
            raise ValidationFailed(reason="hộ gia đình không thể là một đơn vị")
        return cls(
            kind=kind,
            name=name,
            unit_id=_uuid(data.get("unit_id")),
            org_unit_id=_uuid(org_unit_id),
            gender=gender,
            birth_year=int(birth_year) if birth_year is not None else None,
            birth_date=birth_date,
            position=nfc_optional(_text(data.get("position"), "chức vụ")),
            citizen_id=citizen_id,
            women_share=int(women_share) if women_share is not None else None,
        )

    @property
    def key(self) -> str:
        if self.kind == "individual":
            if is_sealed(self.citizen_id):
                return f"cccd:{sealed_subject(str(self.citizen_id))}"
            if self.citizen_id:
                pseudonym = _pseudonym_in_use()
                if pseudonym is not None:
                    return f"cccd:{pseudonym('cccd:' + self.citizen_id)}"
                return f"cccd:{self.citizen_id}"
            if self.birth_year is not None:
                return f"person:{fold(self.name)}|{self.birth_year}"
            return f"person:{fold(self.name)}|unit:{self.unit_id}"
        if self.kind == "collective":
            if self.org_unit_id is not None:
                return f"unit:{self.org_unit_id}"
            return f"group:{fold(self.name)}|unit:{self.unit_id}"
        return f"household:{fold(self.name)}|unit:{self.unit_id}"

    @property
    def scope_unit_id(self) -> UUID | None:
        """The unit whose subtree must contain this recipient for a user to act on it."""
        return self.org_unit_id or self.unit_id

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "unit_id": str(self.unit_id) if self.unit_id else None,
            "org_unit_id": str(self.org_unit_id) if self.org_unit_id else None,
            "gender": self.gender,
            "birth_year": self.birth_year,
            "birth_date": self.birth_date.isoformat() if isinstance(self.birth_date, date)
            else self.birth_date,
            "position": self.position,
            "citizen_id": self.citizen_id,
            "women_share": self.women_share,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Recipient:
        """Rebuild from an event's plain dict (already validated)."""
        return cls(
            kind=data["kind"],
            name=data["name"],
            unit_id=_uuid(data.get("unit_id")),
            org_unit_id=_uuid(data.get("org_unit_id")),
            gender=data.get("gender"),
            birth_year=data.get("birth_year"),
            birth_date=_stored_date(data.get("birth_date")),
            position=data.get("position"),
            citizen_id=data.get("citizen_id"),
            women_share=data.get("women_share"),
        )


def _stored_date(value: Any) -> date | str | None:
    if not value:
        return None
    if is_sealed(value) or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _whole_number(value: Any, reason: str) -> int | None:
    """An optional whole number given as an int or a string of digits; anything else is refused
    (no bools, no floats: 1975.7 is not a year)."""
    if value is None:
        return None
    if isinstance(value, str) and value.strip().isdecimal() and len(value) <= 20:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(reason=reason)
    return value


def _text(value: Any, what: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValidationFailed(reason=f"{what} phải là chuỗi ký tự")
    return value


def _uuid(value: Any) -> UUID | None:
    if value is None or value == "":
        return None
    if isinstance(value, UUID):
        return value
    try:
        return UUID(str(value))
    except ValueError:
        raise ValidationFailed(reason=f"mã đơn vị «{value}» không hợp lệ") from None


def normalise_period(value: str) -> str:
    """Period labels ("2023", "2021 – 2025", "6 tháng đầu năm 2024") as NFC, single-spaced."""
    period = nfc(value).replace("–", "-").replace("—", "-")
    period = re.sub(r"\s*-\s*", " - ", period) if re.search(r"\d\s*-\s*\d", period) else period
    if not period:
        raise ValidationFailed(reason="cần ghi rõ thời gian của thành tích (ví dụ: năm 2023)")
    if len(period) > 100:
        raise ValidationFailed(reason="thời gian thành tích quá dài")
    return period


def public_id(decision_id: str, line_no: int) -> str:
    """The id a recipient is shown by, outside the service: made from the first award line that
    named her (a random decision id and a line number), so it is stable across rebuilds of the
    read models and tells nothing of the identity key behind it — which may be a citizen ID
    ("cccd:…") or a name and birth year."""
    return "r-" + uuid5(UUID(decision_id), f"recipient:{line_no}").hex[:24]
