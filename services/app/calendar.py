"""The working-day calendar: chinese-calendar's holidays and 调休 days, then the admins' overrides."""

from __future__ import annotations

from functools import cache

import chinese_calendar

from domain.shared.calendar import WorkCalendar
from domain.shared.calendar_overrides import CALENDAR_STREAM, CalendarDayDeclared
from domain.shared.events import from_data
from services.eventstore.store import EventStore


@cache
def published_calendar() -> WorkCalendar:
    return WorkCalendar.of(chinese_calendar.holidays, chinese_calendar.workdays)


def current_calendar(store: EventStore) -> WorkCalendar:
    """Published data with every override recorded so far applied in order (the latest word wins)."""
    holidays: dict[object, bool] = {}
    for recorded in store.read_stream(CALENDAR_STREAM):
        event = from_data(recorded.type, recorded.data)
        assert isinstance(event, CalendarDayDeclared)
        holidays[event.day] = event.working
    working = [d for d, w in holidays.items() if w]
    resting = [d for d, w in holidays.items() if not w]
    return published_calendar().with_overrides(holidays=resting, workdays=working)  # type: ignore[arg-type]
