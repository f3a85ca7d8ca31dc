"""The working-day calendar: every known year, or one (a year is declared by the act declareYearCalendar)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from services.api.auth import ANY_ROLE
from services.api.problems import READ_ERRORS
from services.app.calendar_views import CalendarYears
from services.app.queries import Queries
from services.identity.accounts import User

Req = Request[User, Any, Any]


class CalendarReads(Controller):
    path = "/calendar"
    tags = ["工作日历"]
    guards = [ANY_ROLE]

    @get(
        "/years",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="listCalendarYears",
        summary="工作日历（各年度节假日安排及来源）",
    )
    def years(self, request: Req, queries: NamedDependency[Queries]) -> CalendarYears:
        """Every year whose holidays are known, where they come from, and the first year not known."""
        return queries.calendar(request.user)

    @get(
        "/years/{year:int}",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getCalendarYear",
        summary="某年度的节假日与调休上班日",
    )
    def year(self, request: Req, queries: NamedDependency[Queries], year: FromPath[int]) -> CalendarYears:
        """One year's holidays and 调休 workdays (an empty list when the year is not known)."""
        return queries.calendar(request.user, year)
