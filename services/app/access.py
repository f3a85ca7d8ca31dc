"""Who may act or read, for which unit: the one place the core (and so every adapter) asks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from domain.approval import OpenTask
from domain.campaign.state import CampaignState
from domain.shared.identity import Role
from services.app.errors import AccessDenied, InvalidInput
from services.identity.accounts import User

STAFF = frozenset({Role.DRAFTER, Role.SECTION_CHIEF, Role.DEPUTY_DIRECTOR, Role.DIRECTOR, Role.OFFICE})
INTERNAL = frozenset(r for r in Role if r is not Role.ASSESSED_UNIT)
"""Everyone but the assessed units: documents, the inbox, the overview and the raw log."""
REPORT_READERS = frozenset(r for r in Role if r not in (Role.ASSESSED_UNIT, Role.ADMIN))
AUDIT = frozenset({Role.AUDITOR, Role.ADMIN})
ACTS_FOR_A_UNIT = frozenset({Role.ASSESSED_UNIT, Role.CO_LEAD_UNIT})
MAY_BACKDATE = frozenset(
    {Role.DRAFTER, Role.SECTION_CHIEF, Role.DEPUTY_DIRECTOR, Role.DIRECTOR, Role.OFFICE, Role.CO_LEAD_UNIT}
)
"""Who may state when something happened (recording past facts). Assessed units always act "now", so an
appeal can never be dated back into its window."""


def require(user: User, roles: Iterable[Role]) -> None:
    allowed = frozenset(roles)
    if user.role not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise AccessDenied(f"role {user.role.value} may not do this (allowed: {names})")


def check_own_unit(field: str | None, user: User, fields: Mapping[str, Any]) -> None:
    if field and user.role in ACTS_FOR_A_UNIT and fields.get(field) != user.unit:
        raise AccessDenied(f"you act for {user.unit}: {field} must be it")


def business_time(user: User, at: datetime | None, now: datetime | None = None) -> datetime:
    """When the act happened: now, or (for staff recording a past fact) the time they give."""
    when = now or datetime.now(UTC)
    if at is None:
        return when
    if user.role not in MAY_BACKDATE:
        raise InvalidInput.field("at", "assessed units act at the server's time; leave out at")
    if at.tzinfo is None:
        raise InvalidInput.field("at", "give a time zone, e.g. 2023-01-13T09:00:00+08:00")
    if at > when:
        raise InvalidInput.field("at", "cannot be in the future")
    return at


def own_unit(state: CampaignState, user: User) -> str | None:
    """The unit code an assessed unit acts for in this campaign (None for everyone else)."""
    if user.role is not Role.ASSESSED_UNIT:
        return None
    code = unit_of(state, user)
    if code is None:
        raise AccessDenied("your unit is not assessed in this campaign")
    return code


def unit_of(state: CampaignState, user: User) -> str | None:
    """The campaign's code of the user's unit (accounts name their unit by code or by name)."""
    for unit in state.units.values():
        if user.unit in (unit.code, unit.name):
            return unit.code
    return None


def sees_campaign(state: CampaignState, user: User) -> bool:
    return user.role is not Role.ASSESSED_UNIT or unit_of(state, user) is not None


def is_mine(task: OpenTask, user: User) -> bool:
    """A task is the user's when it is assigned to them, or offered to their role and not yet taken.

    The inbox projection asks the same in SQL (``services.projections.read_rows.inbox_rows``).
    """
    return task.assignee == user.name or (task.assignee is None and task.role == user.role.value)
