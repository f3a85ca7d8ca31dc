"""Query routes: each parses its parameters, asks one named query of the core and sends its answer."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from services.api.auth import ANY_ROLE, allow
from services.api.problems import READ_ERRORS
from services.app.access import AUDIT, DOCUMENT_READERS, INTERNAL
from services.app.queries import Queries
from services.app.replay import HistoryFilter
from services.app.views import (
    CampaignSummary,
    CampaignView,
    DocumentView,
    EventPage,
    Freshness,
    History,
    Inbox,
    Overview,
    ScoreTable,
    Timeline,
    WorkItem,
)
from services.identity.accounts import User

MAX_POSITION = 2**63 - 1
INSIDE = allow(*INTERNAL)
DOCUMENTS = allow(*DOCUMENT_READERS)
LOG = allow(*AUDIT)
Req = Request[User, Any, Any]
AsOfParam = Annotated[
    str | None,
    QueryParameter(
        name="as_of",
        description="A log position (e.g. 120) or an ISO time with zone, matched against when each event "
        "was recorded: the state as the log stood then.",
    ),
]
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


def _fresh(body: Any, fresh: Freshness | None, version: int | None = None) -> Response[Any]:
    headers = fresh.headers() if fresh is not None else {}
    if version is not None:
        headers["ETag"] = f'"{version}"'
    return Response(body, headers=headers)


class CampaignReads(Controller):
    path = "/campaigns"
    tags = ["考核任务"]
    guards = [ANY_ROLE]

    @get(
        "/", sync_to_thread=True, responses=READ_ERRORS, operation_id="listCampaigns", summary="考核任务列表"
    )
    def list_campaigns(self, request: Req, queries: NamedDependency[Queries]) -> list[CampaignSummary]:
        """The campaigns the caller may see, oldest first (an assessed unit: those that assess it)."""
        return queries.campaigns(request.user)

    @get(
        "/{campaign_id:str}",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getCampaign",
        summary="考核任务（阶段与计数）",
    )
    def campaign(
        self,
        request: Req,
        queries: NamedDependency[Queries],
        campaign_id: FromPath[str],
        as_of: AsOfParam = None,
    ) -> Response[CampaignView]:
        """A campaign's stage and counts, now or as of a position or time (its ETag is the stream version)."""
        view = queries.campaign(request.user, campaign_id, queries.as_of(as_of))
        return _fresh(view, None, view.stream_version)

    @get(
        "/{campaign_id:str}/scores",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getScoreTable",
        summary="赋分表",
    )
    def scores(  # noqa: PLR0917 (query parameters)
        self,
        request: Req,
        queries: NamedDependency[Queries],
        campaign_id: FromPath[str],
        as_of: AsOfParam = None,
        group: FromQuery[str | None] = None,
        unit: FromQuery[str | None] = None,
        wait_for: WaitFor = None,
    ) -> Response[ScoreTable]:
        """The scoring table (赋分表): now from the scores projection, or as of a point from the log.

        Assessed units see only their own row.
        """
        table, fresh = queries.score_table(
            request.user, campaign_id, queries.as_of(as_of), group, unit, wait_for
        )
        return _fresh(table, fresh, table.stream_version)

    @get(
        "/{campaign_id:str}/history",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getHistory",
        summary="考核任务的经过（事件，可筛选）",
    )
    def history(  # noqa: PLR0917 (query parameters)
        self,
        request: Req,
        queries: NamedDependency[Queries],
        campaign_id: FromPath[str],
        unit: FromQuery[str | None] = None,
        indicator: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        event_type: Annotated[
            str | None, QueryParameter(name="type", description="Comma-separated types.")
        ] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        as_of: AsOfParam = None,
    ) -> History:
        """Who did what, when, why and on what basis: the campaign's events, filtered."""
        types = frozenset(event_type.split(",")) if event_type else None
        wanted = HistoryFilter(unit, indicator, actor, types, since, until)
        return queries.history(request.user, campaign_id, wanted, queries.as_of(as_of))

    @get(
        "/{campaign_id:str}/timeline",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getCampaignTimeline",
        summary="考核任务时间线",
    )
    def timeline(
        self,
        request: Req,
        queries: NamedDependency[Queries],
        campaign_id: FromPath[str],
        unit: FromQuery[str | None] = None,
        wait_for: WaitFor = None,
    ) -> Response[Timeline]:
        """A campaign's history in readable lines (its documents' approval too); optionally one unit's."""
        timeline, fresh = queries.campaign_timeline(request.user, campaign_id, unit, wait_for)
        return _fresh(timeline, fresh)


class DocumentReads(Controller):
    path = "/documents"
    tags = ["公文审批"]
    guards = [DOCUMENTS]

    @get("/", sync_to_thread=True, responses=READ_ERRORS, operation_id="listDocuments", summary="公文列表")
    def list_documents(
        self, request: Req, queries: NamedDependency[Queries], campaign_id: FromQuery[str | None] = None
    ) -> list[DocumentView]:
        """Outgoing documents, optionally of one campaign."""
        return queries.documents(request.user, campaign_id)

    @get(
        "/{document_id:str}",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getDocument",
        summary="公文及其审批",
    )
    def document(
        self,
        request: Req,
        queries: NamedDependency[Queries],
        document_id: FromPath[str],
        as_of: AsOfParam = None,
    ) -> Response[DocumentView]:
        """A document with its approval chain, open tasks and every opinion, now or as of a point."""
        view = queries.document(request.user, document_id, queries.as_of(as_of))
        return _fresh(view, None, view.stream_version)

    @get(
        "/{document_id:str}/history",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getDocumentHistory",
        summary="公文的全部事件",
    )
    def document_history(
        self,
        request: Req,
        queries: NamedDependency[Queries],
        document_id: FromPath[str],
        as_of: AsOfParam = None,
    ) -> History:
        """Every event of a document's approval, in order."""
        return queries.document_history(request.user, document_id, queries.as_of(as_of))

    @get(
        "/{document_id:str}/timeline",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getDocumentTimeline",
        summary="公文审批时间线",
    )
    def timeline(
        self,
        request: Req,
        queries: NamedDependency[Queries],
        document_id: FromPath[str],
        wait_for: WaitFor = None,
    ) -> Response[Timeline]:
        """A document's approval in readable lines: who decided what at each step, with their opinion."""
        timeline, fresh = queries.document_timeline(request.user, document_id, wait_for)
        return _fresh(timeline, fresh)


class WorkReads(Controller):
    tags = ["工作台"]

    @get(
        "/inbox",
        guards=[ANY_ROLE],
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getInbox",
        summary="我的待办审批",
    )
    def inbox(
        self, request: Req, queries: NamedDependency[Queries], wait_for: WaitFor = None
    ) -> Response[Inbox]:
        """The caller's open approval tasks: assigned to them, or offered to their role."""
        inbox, fresh = queries.inbox(request.user, wait_for)
        return _fresh(inbox, fresh)

    @get(
        "/worklist",
        guards=[ANY_ROLE],
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getWorklist",
        summary="我的待办（含办理时限）",
    )
    def worklist(self, request: Req, queries: NamedDependency[Queries]) -> list[WorkItem]:
        """Everything waiting for the caller, with deadlines in working days (the 工作台's 待办)."""
        return queries.worklist(request.user, queries.today())

    @get(
        "/overview",
        guards=[INSIDE],
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getOverview",
        summary="考核任务总览",
    )
    def overview(
        self, request: Req, queries: NamedDependency[Queries], wait_for: WaitFor = None
    ) -> Response[Overview]:
        """Every campaign at a glance: stage, counts and deadlines."""
        overview, fresh = queries.overview(request.user, wait_for)
        return _fresh(overview, fresh)


class LogReads(Controller):
    tags = ["审计"]
    guards = [LOG]

    @get(
        "/events",
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="listEvents",
        summary="事件日志（原始，含哈希）",
    )
    def events(
        self,
        request: Req,
        queries: NamedDependency[Queries],
        after: Annotated[int, QueryParameter(ge=0, le=MAX_POSITION)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> EventPage:
        """The raw event log in position order, with hashes, one page at a time."""
        return queries.events(request.user, after, limit)
