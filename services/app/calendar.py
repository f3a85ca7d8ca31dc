"""The working-day calendar: each year from its declared holiday notice, else from the bundled data.

A year declared by the bureau (``declareYearCalendar``, stream ``calendar-years``) replaces the bundled
data for that year. The bundled data is chinese-calendar's table of the State Council's notices; it ends
with the year its release knew. A year neither declared nor bundled is not known: counting a day in it is
refused (``CalendarNotDeclared``). Single-day corrections (``CalendarDayDeclared``) apply last.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from functools import cache
from importlib.metadata import version

import chinese_calendar

from domain.shared import calendar_years as declarations
from domain.shared.calendar import WorkCalendar, business_date
from domain.shared.calendar_overrides import CALENDAR_STREAM, CalendarDayDeclared
from domain.shared.events import from_data
from services.app.calendar_views import CalendarYear, CalendarYears
from services.app.errors import InvalidInput
from services.eventstore.store import EventStore

DECLARED_STREAM = f"calendar-{declarations.STREAM_KEY}"


@cache
def bundled_calendar() -> WorkCalendar:
    """chinese-calendar's holidays and 调休 days, for the years it covers."""
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    years = frozenset(d.year for d in holidays)
    label = f"内置数据（chinese-calendar {version('chinesecalendar')}，收录国务院办公厅历年节假日安排通知）"
    return WorkCalendar(holidays, workdays, years, dict.fromkeys(sorted(years), label))


def declared_years(store: EventStore) -> declarations.CalendarYears:
    events = (from_data(e.type, e.data) for e in store.read_stream(DECLARED_STREAM))
    return declarations.fold(events)


def current_calendar(store: EventStore) -> WorkCalendar:
    """The bundled years, each declared year in place of its bundled days, then single-day corrections."""
    base = bundled_calendar()
    holidays, workdays = set(base.holidays), set(base.workdays)
    years, sources = set(base.years or ()), dict(base.sources)
    for year, declared in declared_years(store).years.items():
        holidays = {d for d in holidays if d.year != year} | set(declared.holidays)
        workdays = {d for d in workdays if d.year != year} | set(declared.workdays)
        years.add(year)
        on = business_date(declared.declared_at).isoformat()
        sources[year] = f"{declared.notice}（第{declared.revision}版，{declared.declared_by}于{on}登记）"
    calendar = WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years), sources)
    days: dict[date, bool] = {}
    for recorded in store.read_stream(CALENDAR_STREAM):
        event = from_data(recorded.type, recorded.data)
        assert isinstance(event, CalendarDayDeclared)
        days[event.day] = event.working
    working = [d for d, w in days.items() if w]
    resting = [d for d, w in days.items() if not w]
    return calendar.with_overrides(holidays=resting, workdays=working)


def calendar_years(store: EventStore, year: int | None = None) -> CalendarYears:
    """Every known year (or one), with its source and days: what the calendar page and GET /calendar show."""
    calendar = current_calendar(store)
    declared = declared_years(store).years
    known = sorted(calendar.years or ())
    shown = [y for y in known if year is None or y == year]
    years = [
        CalendarYear(
            year=y,
            source=calendar.source(y),
            declared=y in declared,
            holidays=sorted(d for d in calendar.holidays if d.year == y),
            workdays=sorted(d for d in calendar.workdays if d.year == y),
        )
        for y in shown
    ]
    return CalendarYears(years=years, first_unknown=_first_unknown(known))


def _first_unknown(known: list[int]) -> int:
    """From this year on, the first year whose holidays are not known."""
    year = business_date(datetime.now(UTC)).year
    while year in known:
        year += 1
    return year


def parse_days(text: str, field: str) -> list[date]:
    """Dates and ranges as officials type them (commas, spaces or new lines between; 至 or ~ in a range):
    ``2027-01-01，2027-02-05~2027-02-11``. A range spans at most a month."""
    days: list[date] = []
    ranged = re.sub(r"\s*[~～至]\s*", "~", text)  # "2027-02-05 至 2027-02-11" is one range
    for raw in re.split(r"[,，、;；\s]+", ranged):
        item = raw.strip()
        if not item:
            continue
        first, sep, last = item.partition("~")
        try:
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if sep else start
        except ValueError:
            raise InvalidInput.field(
                field, f"{item[:40]!r} 不是日期（如 2027-01-01）或日期范围（如 2027-02-05~2027-02-11）"
            ) from None
        if end < start or (end - start).days > MAX_RANGE_DAYS:
            raise InvalidInput.field(field, f"{item[:40]!r}：日期范围须由早到晚，且不超过一个月")
        days += [date.fromordinal(n) for n in range(start.toordinal(), end.toordinal() + 1)]
    return days


MAX_RANGE_DAYS = 31
