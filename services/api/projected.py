"""Queries served from projections: inbox, overview and timelines, with read-your-writes (``wait_for``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy import Connection

from domain.identity import Role
from services.api.auth import ANY_ROLE
from services.api.problems import READ_ERRORS
from services.api.reads import INTERNAL, MAX_POSITION, TaskView, _own_unit_code
from services.commands import CommandRunner
from services.identity import User
from services.projections import queries
from services.projections.reads import Freshness, ProjectionReader
from services.queries import AsOf, load_campaign, load_document

T = TypeVar("T")
WaitFor = Annotated[
    int | None,
    QueryParameter(
        name="wait_for",
        ge=0,
        le=MAX_POSITION,
        description="A log position (a write's `position`): wait briefly until the projection has it. "
        "If it is still behind, the answer is computed from the log. X-Read-Source says which.",
    ),
]


class Inbox(msgspec.Struct):
    user: str
    role: str
    tasks: list[TaskView]
    source: str
    projection_position: int
    lag: int


class TimelineLine(msgspec.Struct):
    position: int
    stream_id: str
    campaign_id: str | None
    document_id: str | None
    unit: str | None
    type: str
    recorded_at: datetime
    at: str | None
    actor: str | None
    role: str | None
    action: str
    opinion: str | None
    basis: str | None


class Timeline(msgspec.Struct):
    lines: list[TimelineLine]
    source: str
    projection_position: int
    lag: int


class CampaignOverview(msgspec.Struct):
    campaign_id: str
    title: str
    notice_number: str
    year: int
    stage: str | None
    assessing_unit: str
    report_to: str
    collection_deadline: str | None
    appeal_window_end: str | None
    counts: dict[str, int]
    stream_version: int
    last_position: int


class Overview(msgspec.Struct):
    campaigns: list[CampaignOverview]
    source: str
    projection_position: int
    lag: int


def _read(
    request: Request[Any, Any, Any],
    name: str,
    query: Callable[[Connection, int], T],
    from_log: Callable[[], T],
    wait_for: int | None,
) -> tuple[T, Freshness]:
    reader: ProjectionReader = request.app.state.reader
    return reader.read(name, query, from_log, wait_for)


def _runner(request: Request[Any, Any, Any]) -> CommandRunner:
    runner: CommandRunner = request.app.state.runner
    return runner


class ProjectedReads(Controller):
    tags = ["工作台"]

    @get("/inbox", guards=[ANY_ROLE], sync_to_thread=True, responses=READ_ERRORS)
    def inbox(self, request: Request[User, Any, Any], wait_for: WaitFor = None) -> Response[Inbox]:
        """The caller's open approval tasks: assigned to them, or offered to their role."""
        user, role = request.user.name, request.user.role.value
        rows, fresh = _read(
            request,
            "inbox",
            lambda conn, generation: queries.inbox_rows(conn, generation, user, role),
            lambda: queries.inbox_from_log(_runner(request), user, role),
            wait_for,
        )
        tasks = [TaskView(**row) for row in rows]
        body = Inbox(user, role, tasks, fresh.source, fresh.projection_position, fresh.lag)
        return Response(body, headers=fresh.headers())

    @get("/overview", guards=[INTERNAL], sync_to_thread=True, responses=READ_ERRORS)
    def overview(self, request: Request[User, Any, Any], wait_for: WaitFor = None) -> Response[Overview]:
        """Every campaign at a glance: stage, counts and deadlines."""
        rows, fresh = _read(
            request,
            "overview",
            queries.overview_rows,
            lambda: queries.overview_from_log(_runner(request)),
            wait_for,
        )
        campaigns = [CampaignOverview(**row) for row in rows]
        return Response(
            Overview(campaigns, fresh.source, fresh.projection_position, fresh.lag), headers=fresh.headers()
        )

    @get(
        "/campaigns/{campaign_id:str}/timeline", guards=[ANY_ROLE], sync_to_thread=True, responses=READ_ERRORS
    )
    def campaign_timeline(
        self,
        request: Request[User, Any, Any],
        campaign_id: FromPath[str],
        unit: FromQuery[str | None] = None,
        wait_for: WaitFor = None,
    ) -> Response[Timeline]:
        """A campaign's history in readable lines (its documents' approval too); optionally one unit's."""
        runner = _runner(request)
        load_campaign(runner, campaign_id, AsOf())
        if request.user.role is Role.ASSESSED_UNIT:
            unit = _own_unit_code(runner, campaign_id, request.user)
        rows, fresh = _read(
            request,
            "timeline",
            lambda conn, generation: queries.timeline_rows(
                conn, generation, campaign_id=campaign_id, unit=unit
            ),
            lambda: queries.campaign_timeline_from_log(runner, campaign_id, unit),
            wait_for,
        )
        return _timeline(rows, fresh)

    @get(
        "/documents/{document_id:str}/timeline", guards=[INTERNAL], sync_to_thread=True, responses=READ_ERRORS
    )
    def document_timeline(
        self, request: Request[User, Any, Any], document_id: FromPath[str], wait_for: WaitFor = None
    ) -> Response[Timeline]:
        """A document's approval in readable lines: who decided what at each step, with their opinion."""
        runner = _runner(request)
        load_document(runner, document_id, AsOf())
        rows, fresh = _read(
            request,
            "timeline",
            lambda conn, generation: queries.timeline_rows(conn, generation, document_id=document_id),
            lambda: queries.document_timeline_from_log(runner, document_id),
            wait_for,
        )
        return _timeline(rows, fresh)


def _timeline(rows: list[dict[str, Any]], fresh: Freshness) -> Response[Timeline]:
    lines = [TimelineLine(**row) for row in rows]
    return Response(
        Timeline(lines, fresh.source, fresh.projection_position, fresh.lag), headers=fresh.headers()
    )
