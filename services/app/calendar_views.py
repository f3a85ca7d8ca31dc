"""What the calendar's reads answer: each known year, where its days come from, and the days themselves."""

from __future__ import annotations

from datetime import date

import msgspec


class CalendarYear(msgspec.Struct):
    year: int
    source: str
    """The declared notice (with its revision, who declared it and when), or the bundled data."""
    declared: bool
    """True when the bureau declared this year; False when the bundled data is used."""
    holidays: list[date]
    workdays: list[date]
    """Weekend days worked instead (调休上班日)."""


class CalendarYears(msgspec.Struct):
    years: list[CalendarYear]
    first_unknown: int
    """From this year on, the first year not known: a window or deadline that reaches it is refused."""
