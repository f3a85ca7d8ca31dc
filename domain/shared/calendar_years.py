"""The bureau's working-day calendar as its own record: each year's holiday notice, declared as an event.

Every year the State Council's General Office publishes which days are public holidays (节假日) and which
weekend days are worked instead (调休). An administrator (or the office) declares that notice for a year:
its holidays, its make-up workdays and the notice it comes from. A later declaration for the same year
replaces the earlier one (a correction), and both stay in the history, so anyone can see when the calendar
changed and which calendar a 公示 window was computed with. A window that runs into a year nobody
declared (and the bundled data does not cover) is refused rather than computed from a guess.

All declarations live in one stream, ``calendar-years``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import reduce

from domain.shared.calendar import CalendarConflict
from domain.shared.errors import InvalidCommand
from domain.shared.events import Event, register
from domain.shared.values import require_count

STREAM_KEY = "years"
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DAYS = 60
"""More holiday or 调休 days than any notice has had (about 30 and 8): a typing error, not a calendar."""
_SATURDAY = 5


class InvalidCalendarDeclaration(InvalidCommand):
    code = "invalid_calendar_declaration"


@dataclass(frozen=True, kw_only=True)
class DeclareYearCalendar:
    at: datetime
    actor: str
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...] = ()
    notice: str
    """The notice the days come from, e.g. 国务院办公厅关于2027年部分节假日安排的通知."""
    reason: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class YearCalendarDeclared(Event):
    TYPE = "YearCalendarDeclared"
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    notice: str
    reason: str
    revision: int
    """1 for the first declaration of the year, then 2, 3 … for each correction."""


@dataclass(frozen=True)
class Declaration:
    year: int
    holidays: tuple[date, ...]
    workdays: tuple[date, ...]
    notice: str
    revision: int
    declared_by: str
    declared_at: datetime


@dataclass(frozen=True)
class CalendarYears:
    years: Mapping[int, Declaration] = field(default_factory=dict)
    version: int = 0


INITIAL_STATE = CalendarYears()


def decide(state: CalendarYears, command: object) -> list[Event]:
    if not isinstance(command, DeclareYearCalendar):
        raise TypeError(f"{type(command).__name__} is not a calendar command")
    c = command
    require_count(c.year, "year", lower=FIRST_YEAR, upper=LAST_YEAR)
    if not c.notice or not c.notice.strip():
        raise InvalidCalendarDeclaration("notice: name the holiday notice the days come from", field="notice")
    holidays, workdays = _days(c.holidays, c.year, "holidays"), _days(c.workdays, c.year, "workdays")
    if not holidays:
        raise InvalidCalendarDeclaration(
            "holidays: a year's notice lists its public holidays", field="holidays"
        )
    clash = set(holidays) & set(workdays)
    if clash:
        raise CalendarConflict(
            "dates are both holiday and workday",
            dates=[d.isoformat() for d in sorted(clash)],
            field="workdays",
        )
    weekdays = [d for d in workdays if d.weekday() < _SATURDAY]
    if weekdays:
        raise InvalidCalendarDeclaration(
            f"workdays: a 调休 workday is a Saturday or Sunday worked instead; {weekdays[0].isoformat()} "
            "is a weekday already",
            field="workdays",
        )
    current = state.years.get(c.year)
    if current is not None and (current.holidays, current.workdays, current.notice) == (
        holidays,
        workdays,
        c.notice.strip(),
    ):
        return []  # declared already, exactly so
    return [
        YearCalendarDeclared(
            at=c.at,
            actor=c.actor,
            year=c.year,
            holidays=holidays,
            workdays=workdays,
            notice=c.notice.strip(),
            reason=c.reason.strip(),
            revision=(current.revision + 1) if current else 1,
        )
    ]


def _days(days: Iterable[date], year: int, name: str) -> tuple[date, ...]:
    found = sorted(set(days))
    if len(found) > MAX_DAYS:
        raise InvalidCalendarDeclaration(f"{name}: at most {MAX_DAYS} days in a year's notice", field=name)
    outside = [d for d in found if d.year != year]
    if outside:
        raise InvalidCalendarDeclaration(
            f"{name}: {outside[0].isoformat()} is not in {year}", field=name, year=year
        )
    return tuple(found)


def evolve(state: CalendarYears, event: Event) -> CalendarYears:
    if not isinstance(event, YearCalendarDeclared):
        raise TypeError(f"{type(event).__name__} is not a calendar event")
    declaration = Declaration(
        event.year, event.holidays, event.workdays, event.notice, event.revision, event.actor, event.at
    )
    return replace(state, years={**state.years, event.year: declaration}, version=state.version + 1)


def fold(events: Iterable[Event], state: CalendarYears | None = None) -> CalendarYears:
    return reduce(evolve, events, INITIAL_STATE if state is None else state)
