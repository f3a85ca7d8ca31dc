"""Who may act or read, for which unit: the one place the core (and so every adapter) asks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from domain.approval import DocumentState, OpenTask
from domain.campaign.state import CampaignState
from domain.campaign.types import Stage
from domain.shared.identity import Role
from services.app.errors import AccessDenied, InvalidInput
from services.eventstore.model import RecordedEvent
from services.identity.accounts import User

STAFF = frozenset({Role.DRAFTER, Role.SECTION_CHIEF, Role.DEPUTY_DIRECTOR, Role.DIRECTOR, Role.OFFICE})
ACTS_FOR_A_UNIT = frozenset({Role.ASSESSED_UNIT, Role.CO_LEAD_UNIT})
INTERNAL = frozenset(r for r in Role if r not in ACTS_FOR_A_UNIT)
"""The bureau, its auditors and administrators: every document and the overview (docs/visibility.md)."""
DOCUMENT_READERS = INTERNAL | {Role.CO_LEAD_UNIT}
"""The co-lead unit reads only the letters it countersigns (``sees_document``)."""
REPORT_READERS = frozenset(r for r in INTERNAL if r is not Role.ADMIN)
AUDIT = frozenset({Role.AUDITOR, Role.ADMIN})
"""The raw log (events, verify, export) and the user list."""
RESULTS_STAGES = frozenset(
    {
        Stage.PUBLISHED,
        Stage.APPEALS_CLOSED,
        Stage.REPORTING,
        Stage.APPROVING,
        Stage.SIGNED,
        Stage.DISPATCHED,
        Stage.ARCHIVED,
    }
)
"""Stages in which results are published (公示) or reported: an assessed unit then sees its own scores."""
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


def check_own_unit(field: str | None, user: User, fields: Mapping[str, Any], state: CampaignState) -> None:
    """A unit account acts only for its own organisation, in campaigns that enrolled it.

    ``fields[field]`` is already the campaign's code (``resolve_unit`` ran first).
    """
    if not field or user.role not in ACTS_FOR_A_UNIT:
        return
    mine = unit_of(state, user)
    if mine is None:
        raise AccessDenied(f"{user.unit} is not enrolled in campaign {state.campaign_id}")
    if fields.get(field) != mine:
        raise AccessDenied(f"you act for {user.unit} ({mine}): {field} must be it")


def resolve_unit(state: CampaignState, value: str) -> str:
    """The campaign's code of a unit named by its code or its exact name (unknown values pass unchanged)."""
    if value in state.units:
        return value
    for unit in state.units.values():
        if unit.name == value:
            return unit.code
    return value


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
    """The campaign's code of the user's organisation, if the campaign enrolled it.

    Matched by organisation id when the campaign recorded one, else by the organisation's exact name;
    never by code (codes are each campaign's own: C01 is 汉滨区 here and 市公安局 there).
    """
    if user.role not in ACTS_FOR_A_UNIT or not user.unit:
        return None
    for unit in state.units.values():
        if unit.organisation is not None:
            if user.organisation is not None and unit.organisation == user.organisation:
                return unit.code
        elif unit.name == user.unit:
            return unit.code
    return None


def co_leads(state: CampaignState, user: User) -> frozenset[str]:
    """The indicators the co-lead unit's organisation is named a co-lead of (会商 on them)."""
    if user.role is not Role.CO_LEAD_UNIT or not user.unit:
        return frozenset()
    return frozenset(code for code, i in state.indicators.items() if user.unit in i.co_lead_units)


def sees_campaign(state: CampaignState, user: User) -> bool:
    if user.role is Role.ASSESSED_UNIT:
        return unit_of(state, user) is not None
    if user.role is Role.CO_LEAD_UNIT:
        return bool(co_leads(state, user))
    return True


def require_campaign(state: CampaignState, user: User) -> None:
    if not sees_campaign(state, user):
        raise AccessDenied("your organisation has no part in this campaign")


def sees_results(state: CampaignState, user: User) -> bool:
    """Whether the user may see scores now: unit accounts once results are published or reported."""
    if user.role is not Role.ASSESSED_UNIT:
        return True
    return state.stage in RESULTS_STAGES


def sees_document(state: DocumentState, user: User) -> bool:
    """The bureau reads every letter; a co-lead unit only one it countersigns (a task or a decision)."""
    if user.role in INTERNAL:
        return True
    if user.role is not Role.CO_LEAD_UNIT:
        return False
    return any(
        user.name in (t.assignee, t.delegate) or (t.assignee is None and t.role == user.role.value)
        for t in state.tasks.values()
    ) or any(user.name in state.deciders(step.key) for step in state.steps)


def require_document(state: DocumentState, user: User) -> None:
    if not sees_document(state, user):
        raise AccessDenied("you take no part in this document")


CONSULTATION_EVENTS = frozenset({"ConsultationOpened", "ConsultationOpinionGiven", "ConsultationClosed"})
SCORING_EVENTS = frozenset(
    {
        "ScoreDetermined",
        "NoDeductionConfirmed",
        "DeductionProposed",
        "DeductionConfirmed",
        "DeductionRejected",
        "BonusAwarded",
        "VetoApplied",
        "ScoreAdjusted",
    }
)
Shown = Callable[[RecordedEvent], RecordedEvent | None]


def history_shown(state: CampaignState, user: User, mine: str | None) -> Shown:
    """Which of a campaign's events the user may read in its history, and how much of each.

    An assessed unit: events about its own unit only, a list of units cut to its own entry, and scoring
    only once results are published. A co-lead unit: the 会商 it is invited to, and what it did.
    Everyone else: all.
    """
    if user.role is Role.ASSESSED_UNIT and mine is not None:
        published = state.stage in RESULTS_STAGES
        ids = {k for k, s in state.submissions.items() if s.unit == mine} | {
            k for k, a in state.appeals.items() if a.unit == mine
        }
        return lambda e: _own_unit_event(e, mine, published, ids)
    if user.role is Role.CO_LEAD_UNIT:
        invited = {cid for cid, c in state.consultations.items() if user.unit in c.invited}
        return lambda e: (
            e
            if e.metadata.get("actor") == user.name
            or (e.type in CONSULTATION_EVENTS and e.data.get("consultation_id") in invited)
            else None
        )
    return lambda e: e


def hidden_from_units(state: CampaignState) -> frozenset[str]:
    """Event types an assessed unit never reads now: 会商, and scoring until results are published."""
    return CONSULTATION_EVENTS | (frozenset() if state.stage in RESULTS_STAGES else SCORING_EVENTS)


def _own_unit_event(e: RecordedEvent, mine: str, published: bool, ids: set[str]) -> RecordedEvent | None:
    """``ids``: the unit's own submissions and appeals, whose reviews and decisions name no unit."""
    if e.type in CONSULTATION_EVENTS or (e.type in SCORING_EVENTS and not published):
        return None
    data = e.data
    if any(data.get(k) == mine for k in ("unit", "acting_for")):
        return e
    if any(data.get(k) in ids for k in ("submission_id", "appeal_id")):
        return e
    listed = [u for u in data.get("units") or () if (u.get("code") if isinstance(u, dict) else u) == mine]
    if not listed:
        return None
    return e._replace(data={**data, "units": listed})


def is_mine(task: OpenTask, user: User) -> bool:
    """A task is the user's when it is assigned to them, or offered to their role and not yet taken.

    The inbox projection asks the same in SQL (``services.projections.read_rows.inbox_rows``).
    """
    return task.assignee == user.name or (task.assignee is None and task.role == user.role.value)
