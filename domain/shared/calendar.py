"""Working-day calendar (public holidays and 调休 make-up workdays given as data) and deadline states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum

from domain.shared.errors import InvalidCommand

BUSINESS_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Business dates (windows, deadlines, 签发 dates) are days in China: UTC+8 all year (no daylight saving)."""


def business_date(moment: datetime) -> date:
    """The day in China when ``moment`` (tz-aware) happened: 2026-11-29T16:25Z is 2026-11-30.

    Record time stays UTC; every date a rule computes from a moment goes through here, never ``.date()``,
    which would give the UTC day for a time the server filled in.
    """
    return moment.astimezone(BUSINESS_TZ).date()


_DAY = timedelta(days=1)
_SATURDAY = 5


class CalendarConflict(InvalidCommand):
    """A date is listed both as a public holiday and as a make-up workday."""

    code = "calendar_conflict"


class CalendarNotDeclared(InvalidCommand):
    """A day to count lies in a year whose holidays and 调休 days nobody declared (nor the bundled data)."""

    code = "calendar_not_declared"


class DeadlineStatus(StrEnum):
    ON_TIME = "on_time"
    WARNING = "warning"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends are rest days, except make-up workdays (调休); listed holidays are rest days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    years: frozenset[int] | None = None
    """The years whose holidays are known; a day in any other year cannot be counted (None: every year, for
    calendars given whole, as in tests). The bureau's calendar knows only the years declared or bundled."""
    sources: Mapping[int, str] = field(default_factory=dict, compare=False)
    """Where each year's holidays come from (a declared notice, or the bundled data), for the record."""

    def __post_init__(self) -> None:
        clash = self.holidays & self.workdays
        if clash:
            raise CalendarConflict(
                "dates are both holiday and workday", dates=[d.isoformat() for d in sorted(clash)]
            )

    @classmethod
    def of(cls, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def with_overrides(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> WorkCalendar:
        """A copy where the given dates win over the base data (the admin override table)."""
        extra_holidays, extra_workdays = frozenset(holidays), frozenset(workdays)
        return WorkCalendar(
            (self.holidays - extra_workdays) | extra_holidays,
            (self.workdays - extra_holidays) | extra_workdays,
            self.years,
            self.sources,
        )

    def knows(self, year: int) -> bool:
        return self.years is None or year in self.years

    def source(self, year: int) -> str:
        return self.sources.get(year, "")

    def basis(self, first: date, last: date) -> str:
        """Which data the days from ``first`` to ``last`` were counted with, e.g. for a 公示 window."""
        return "；".join(
            f"{y}年：{self.source(y)}" for y in range(first.year, last.year + 1) if self.source(y)
        )

    def is_working_day(self, day: date) -> bool:
        if not self.knows(day.year):
            raise CalendarNotDeclared(
                f"the holidays of {day.year} are not declared: an administrator declares that year's "
                "holiday notice (节假日安排) before any day in it is counted",
                year=day.year,
                field="calendar",
            )
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < _SATURDAY

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (before it when n < 0); ``start`` itself when n == 0."""
        step = _DAY if n >= 0 else -_DAY
        day, remaining = start, abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (negative when end is before start)."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += _DAY
            count += self.is_working_day(day)
        return count

    def deadline_status(self, deadline: date, today: date, warn_days: int) -> DeadlineStatus:
        """Overdue after the deadline; a warning when it is at most ``warn_days`` working days away."""
        if today > deadline:
            return DeadlineStatus.OVERDUE
        if self.working_days_between(today, deadline) <= warn_days:
            return DeadlineStatus.WARNING
        return DeadlineStatus.ON_TIME
