"""Roles of the people who use Kaohe, and the audit events of identity changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from domain.shared.events import Event, register


class Role(enum.StrEnum):
    DRAFTER = "drafter"
    SECTION_CHIEF = "section_chief"
    DEPUTY_DIRECTOR = "deputy_director"
    DIRECTOR = "director"
    OFFICE = "office"
    CO_LEAD_UNIT = "co_lead_unit"
    ASSESSED_UNIT = "assessed_unit"
    AUDITOR = "auditor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.DRAFTER: "经办人",
    Role.SECTION_CHIEF: "科室负责人",
    Role.DEPUTY_DIRECTOR: "分管领导",
    Role.DIRECTOR: "主要领导",
    Role.OFFICE: "办公室",
    Role.CO_LEAD_UNIT: "会商单位",
    Role.ASSESSED_UNIT: "被考核单位",
    Role.AUDITOR: "审计员",
    Role.ADMIN: "管理员",
}

# Roles that act for a unit other than the bureau itself must name it.
ROLES_NEEDING_UNIT = frozenset({Role.CO_LEAD_UNIT, Role.ASSESSED_UNIT})


@register
@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    TYPE = "UserRegistered"
    user_id: str
    name: str
    role: Role
    unit: str | None = None
    organisation_id: str | None = None


@register
@dataclass(frozen=True, kw_only=True)
class TokenIssued(Event):
    TYPE = "TokenIssued"
    user_id: str
    token_id: str
    expires_at: datetime


@register
@dataclass(frozen=True, kw_only=True)
class TokenRevoked(Event):
    TYPE = "TokenRevoked"
    user_id: str
    token_id: str


@register
@dataclass(frozen=True, kw_only=True)
class UserProfileChanged(Event):
    """The name officials know a user by (姓名) and their post (职务)."""

    TYPE = "UserProfileChanged"
    user_id: str
    display_name: str | None = None
    title: str | None = None


@register
@dataclass(frozen=True, kw_only=True)
class UserDisabled(Event):
    """The user can no longer sign in; their tokens and page sessions end with it."""

    TYPE = "UserDisabled"
    user_id: str


@register
@dataclass(frozen=True, kw_only=True)
class UserEnabled(Event):
    TYPE = "UserEnabled"
    user_id: str


@register
@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """A new password: set by the user (``reset`` False) or by an administrator or the operator (True)."""

    TYPE = "PasswordChanged"
    user_id: str
    reset: bool = False
