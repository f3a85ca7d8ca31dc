"""An admin's correction to the working-day calendar (a new 调休 notice the library does not know yet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.shared.events import Event, register

CALENDAR_STREAM = "calendar-overrides"


@register
@dataclass(frozen=True, kw_only=True)
class CalendarDayDeclared(Event):
    """``day`` is a working day (``working``) or a rest day, whatever the published calendar said."""

    TYPE = "CalendarDayDeclared"
    day: date
    working: bool
    reason: str
