"""Organisations (机构): the bodies that unit accounts belong to and campaigns enrol, and their events."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.shared.errors import InvalidCommand
from domain.shared.events import Event, register

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of a 统一社会信用代码 (GB 32100-2015: no I, O, Z, S, V)."""
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
MAX_NAME = 200


class OrganisationKind(enum.StrEnum):
    COUNTY = "county"
    CITY_DEPARTMENT = "city_department"
    CO_LEAD_BODY = "co_lead_body"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    OrganisationKind.COUNTY: "县（市、区）",
    OrganisationKind.CITY_DEPARTMENT: "市级部门",
    OrganisationKind.CO_LEAD_BODY: "会商单位",
    OrganisationKind.OTHER: "其他",
}


class InvalidOrganisation(InvalidCommand):
    code = "invalid_organisation"


def uscc_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 from its first 17."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def check_uscc(code: str) -> str:
    """The code upper-cased if it is a well-formed 统一社会信用代码 (18 characters, right check character)."""
    text = code.strip().upper()
    if len(text) != 18 or any(ch not in USCC_CHARS for ch in text):
        raise InvalidOrganisation(
            "a 统一社会信用代码 has 18 characters of 0-9 and A-Y (no I, O, S, V, Z)", field="uscc"
        )
    if uscc_check_char(text[:17]) != text[17]:
        raise InvalidOrganisation("the 统一社会信用代码's check character is wrong", field="uscc")
    return text


@dataclass(frozen=True, kw_only=True)
class Organisation:
    id: str
    name: str
    kind: OrganisationKind
    uscc: str | None = None


def new_organisation(org_id: str, name: str, kind: str, uscc: str | None) -> Organisation:
    """Check a new organisation's fields (its id is made by the caller)."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidOrganisation(f"an organisation's name has 1 to {MAX_NAME} characters", field="name")
    try:
        parsed = OrganisationKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in OrganisationKind)
        raise InvalidOrganisation(f"unknown kind {kind!r}; one of: {known}", field="kind") from None
    return Organisation(id=org_id, name=name, kind=parsed, uscc=check_uscc(uscc) if uscc else None)


@register
@dataclass(frozen=True, kw_only=True)
class OrganisationRegistered(Event):
    TYPE = "OrganisationRegistered"
    organisation_id: str
    name: str
    kind: OrganisationKind
    uscc: str | None = None
