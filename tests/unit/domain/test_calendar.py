"""Working-day calendar with 2023 holidays and 调休 make-up workdays, and deadline states."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared.calendar import CalendarConflict, DeadlineStatus, WorkCalendar
from services.seed.scenario import CALENDAR_2023

SPRING = WorkCalendar.of(
    [date(2023, 1, 21) + timedelta(days=n) for n in range(7)], [date(2023, 1, 28), date(2023, 1, 29)]
)


def test_weekdays_work_weekends_rest() -> None:
    assert WorkCalendar().is_working_day(date(2023, 1, 13))  # Friday
    assert not WorkCalendar().is_working_day(date(2023, 1, 14))  # Saturday


def test_spring_festival_2023_is_off_and_the_makeup_weekend_works() -> None:
    assert not SPRING.is_working_day(date(2023, 1, 23))  # Monday in the holiday
    assert SPRING.is_working_day(date(2023, 1, 28))  # Saturday 调休
    assert SPRING.is_working_day(date(2023, 1, 29))  # Sunday 调休


def test_add_working_days_skips_the_holiday_and_lands_on_the_makeup_day() -> None:
    assert SPRING.add_working_days(date(2023, 1, 20), 1) == date(2023, 1, 28)
    assert SPRING.add_working_days(date(2023, 1, 20), 3) == date(2023, 1, 30)
    assert SPRING.add_working_days(date(2023, 1, 30), -3) == date(2023, 1, 20)
    assert SPRING.add_working_days(date(2023, 1, 22), 0) == date(2023, 1, 22)


def test_working_days_between_counts_after_start_up_to_end() -> None:
    assert SPRING.working_days_between(date(2023, 1, 20), date(2023, 1, 30)) == 3
    assert SPRING.working_days_between(date(2023, 1, 30), date(2023, 1, 20)) == -3
    assert SPRING.working_days_between(date(2023, 1, 21), date(2023, 1, 27)) == 0


def test_a_date_cannot_be_holiday_and_workday() -> None:
    with pytest.raises(CalendarConflict) as error:
        WorkCalendar.of([date(2023, 1, 28)], [date(2023, 1, 28)])
    assert error.value.code == "calendar_conflict"


def test_overrides_win_over_the_base_table() -> None:
    adjusted = SPRING.with_overrides(holidays=[date(2023, 1, 28)], workdays=[date(2023, 1, 27)])
    assert not adjusted.is_working_day(date(2023, 1, 28))
    assert adjusted.is_working_day(date(2023, 1, 27))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2023, 1, 9), DeadlineStatus.ON_TIME),  # 5 working days left
        (date(2023, 1, 6), DeadlineStatus.ON_TIME),
        (date(2023, 1, 10), DeadlineStatus.WARNING),
        (date(2023, 1, 16), DeadlineStatus.WARNING),
        (date(2023, 1, 17), DeadlineStatus.OVERDUE),
    ],
)
def test_deadline_status(today: date, expected: DeadlineStatus) -> None:
    assert SPRING.deadline_status(date(2023, 1, 16), today, warn_days=4) is expected


def test_the_holiday_counts_as_no_working_days_before_a_deadline() -> None:
    # Friday 01-20 → deadline Tuesday 01-31: 28, 29, 30, 31 are the only working days in between.
    assert SPRING.deadline_status(date(2023, 1, 31), date(2023, 1, 20), warn_days=4) is DeadlineStatus.WARNING
    assert WorkCalendar().deadline_status(date(2023, 1, 31), date(2023, 1, 20), 4) is DeadlineStatus.ON_TIME


def test_scenario_calendar_matches_chinese_calendar_for_2023() -> None:
    day = date(2023, 1, 1)
    while day.year == 2023:
        assert CALENDAR_2023.is_working_day(day) == chinese_calendar.is_workday(day), day
        day += timedelta(days=1)


days = st.dates(min_value=date(2022, 12, 1), max_value=date(2023, 12, 31))


@settings(max_examples=150)
@given(days, st.integers(min_value=0, max_value=40))
def test_adding_then_counting_gives_back_n(start: date, n: int) -> None:
    end = CALENDAR_2023.add_working_days(start, n)
    assert CALENDAR_2023.working_days_between(start, end) == n
    assert n == 0 or CALENDAR_2023.is_working_day(end)


@settings(max_examples=150)
@given(days, st.integers(min_value=1, max_value=40))
def test_going_back_n_working_days_then_forward_returns(start: date, n: int) -> None:
    back = CALENDAR_2023.add_working_days(start, -n)
    assert CALENDAR_2023.is_working_day(back)
    assert CALENDAR_2023.working_days_between(back, start) == n - 1 + CALENDAR_2023.is_working_day(start)
