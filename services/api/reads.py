"""Query routes: campaigns, scores (as of any position or time), history, documents, inbox, the raw log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.params import FromPath, FromQuery, QueryParameter

from domain import approval
from domain.campaign_queries import open_appeals, open_consultations, pending_submissions, undetermined_cells
from domain.identity import Role
from services.api.auth import ANY_ROLE, allow
from services.api.problems import READ_ERRORS
from services.commands import CommandRunner
from services.identity import User
from services.queries import (
    BASIS_KEYS,
    REASON_KEYS,
    AsOf,
    HistoryFilter,
    document_states,
    first_text,
    load_campaign,
    load_document,
    parse_as_of,
    score_rows,
    stream_ids,
)
from services.usecases import CAMPAIGN, DOCUMENT

MAX_POSITION = 2**63 - 1
INTERNAL = allow(*(r for r in Role if r is not Role.ASSESSED_UNIT))
AsOfParam = Annotated[
    str | None,
    QueryParameter(
        name="as_of",
        description="A log position (e.g. 120) or an ISO time with zone: the state as it stood then.",
    ),
]


class CampaignSummary(msgspec.Struct):
    id: str
    title: str
    notice_number: str
    year: int
    stage: str | None


class Counts(msgspec.Struct):
    units: int
    indicators: int
    submissions: int
    submissions_pending: int
    undetermined_cells: int
    open_consultations: int
    open_appeals: int


class CampaignView(msgspec.Struct):
    id: str
    stage: str | None
    title: str
    notice_number: str
    issuers: list[str]
    year: int
    assessing_unit: str
    report_to: str
    collection_deadline: str | None
    counts: Counts
    stream_version: int
    as_of_position: int | None


class ScoreCell(msgspec.Struct):
    indicator: str
    display: str | None
    score: str | None
    vetoed: bool


class ScoreLine(msgspec.Struct):
    unit_code: str
    unit_name: str
    group: str
    order: int
    cells: list[ScoreCell]


class IndicatorHead(msgspec.Struct):
    code: str
    name: str
    points: str


class ScoreTable(msgspec.Struct):
    campaign_id: str
    stage: str | None
    as_of_position: int | None
    stream_version: int
    indicators: list[IndicatorHead]
    rows: list[ScoreLine]


class HistoryItem(msgspec.Struct):
    position: int
    recorded_at: datetime
    at: str | None
    actor: str | None
    role: str | None
    type: str
    reason: str | None
    basis: str | None
    data: dict[str, Any]


class History(msgspec.Struct):
    stream_id: str
    items: list[HistoryItem]


class TaskView(msgspec.Struct):
    document_id: str
    title: str
    task_id: str
    step: str
    assignee: str | None
    role: str
    since: datetime
    owner: str | None


class DecisionView(msgspec.Struct):
    step: str
    round: int
    actor: str
    outcome: str
    opinion: str
    at: str
    position: int


class DocumentView(msgspec.Struct):
    id: str
    campaign_id: str
    doc_type: str
    title: str
    drafter: str
    version: int
    content_hash: str
    current_step: str | None
    steps: list[str]
    number: str | None
    signed_on: str | None
    dispatched_to: str | None
    open_tasks: list[TaskView]
    decisions: list[DecisionView]
    stream_version: int
    as_of_position: int | None


class EventView(msgspec.Struct):
    position: int
    stream_id: str
    version: int
    event_id: str
    type: str
    schema_version: int
    data: dict[str, Any]
    metadata: dict[str, Any]
    recorded_at: datetime
    prev_hash: str
    hash: str


class EventPage(msgspec.Struct):
    events: list[EventView]
    next_after: int | None


def _runner(request: Request[Any, Any, Any]) -> CommandRunner:
    runner: CommandRunner = request.app.state.runner
    return runner


def _as_of(request: Request[Any, Any, Any], value: str | None) -> AsOf:
    try:
        return parse_as_of(value, _runner(request))
    except ValueError as exc:
        raise ValidationException(
            "invalid as_of", extra=[{"key": "as_of", "message": str(exc), "source": "query"}]
        ) from None


class CampaignReads(Controller):
    path = "/campaigns"
    tags = ["考核任务"]
    guards = [ANY_ROLE]

    @get("/", sync_to_thread=True, responses=READ_ERRORS)
    def list_campaigns(self, request: Request[User, Any, Any]) -> list[CampaignSummary]:
        """Every campaign, oldest first."""
        runner = _runner(request)
        found = []
        for stream_id in stream_ids(runner, "campaign-"):
            state, _ = runner.load(CAMPAIGN, stream_id)
            notice = state.notice
            found.append(
                CampaignSummary(
                    id=state.campaign_id,
                    title=notice.title if notice else "",
                    notice_number=notice.number if notice else "",
                    year=state.year,
                    stage=state.stage.value if state.stage else None,
                )
            )
        return found

    @get("/{campaign_id:str}", sync_to_thread=True, responses=READ_ERRORS)
    def campaign(
        self, request: Request[User, Any, Any], campaign_id: FromPath[str], as_of: AsOfParam = None
    ) -> CampaignView:
        """A campaign's stage and counts, now or as of a position or time."""

        point = _as_of(request, as_of)
        state, version = load_campaign(_runner(request), campaign_id, point)
        notice = state.notice
        return CampaignView(
            id=campaign_id,
            stage=state.stage.value if state.stage else None,
            title=notice.title if notice else "",
            notice_number=notice.number if notice else "",
            issuers=list(notice.issuers) if notice else [],
            year=state.year,
            assessing_unit=state.assessing_unit,
            report_to=state.report_to,
            collection_deadline=state.collection_deadline.isoformat() if state.collection_deadline else None,
            counts=Counts(
                units=len(state.units),
                indicators=len(state.indicators),
                submissions=len(state.submissions),
                submissions_pending=len(pending_submissions(state)),
                undetermined_cells=len(undetermined_cells(state)) if state.indicators else 0,
                open_consultations=len(open_consultations(state)),
                open_appeals=len(open_appeals(state)),
            ),
            stream_version=version,
            as_of_position=point.position,
        )

    @get("/{campaign_id:str}/scores", sync_to_thread=True, responses=READ_ERRORS)
    def scores(
        self,
        request: Request[User, Any, Any],
        campaign_id: FromPath[str],
        as_of: AsOfParam = None,
        group: FromQuery[str | None] = None,
        unit: FromQuery[str | None] = None,
    ) -> ScoreTable:
        """The scoring table (赋分表); assessed units see only their own row."""
        point = _as_of(request, as_of)
        state, version = load_campaign(_runner(request), campaign_id, point)
        user = request.user
        units = {user.unit or ""} if user.role is Role.ASSESSED_UNIT else ({unit} if unit else None)
        lines = []
        for row in score_rows(state, units):
            u = row["unit"]
            if group and u.group.value != group:
                continue
            cells = [
                ScoreCell(c.indicator.code, c.display, None if c.score is None else str(c.score), c.vetoed)
                for c in row["cells"]
            ]
            lines.append(ScoreLine(u.code, u.name, u.group.value, u.order, cells))
        heads = [IndicatorHead(i.code, i.name, str(i.points)) for i in state.indicators.values()]
        stage = state.stage.value if state.stage else None
        return ScoreTable(campaign_id, stage, point.position, version, heads, lines)

    @get("/{campaign_id:str}/history", sync_to_thread=True, responses=READ_ERRORS)
    def history(  # noqa: PLR0917 (query parameters)
        self,
        request: Request[User, Any, Any],
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
        runner = _runner(request)
        point = _as_of(request, as_of)
        user = request.user
        if user.role is Role.ASSESSED_UNIT:
            unit = _own_unit_code(runner, campaign_id, user)
        load_campaign(runner, campaign_id, AsOf())
        wanted = HistoryFilter(
            unit, indicator, actor, frozenset(event_type.split(",")) if event_type else None, since, until
        )
        stream_id = CAMPAIGN.stream_id(campaign_id)
        items = [
            _history_item(e)
            for e in runner.store.read_stream(stream_id, to_position=point.position)
            if wanted.matches(e)
        ]
        return History(stream_id, items)


def _own_unit_code(runner: CommandRunner, campaign_id: FromPath[str], user: User) -> str:
    state, _ = load_campaign(runner, campaign_id, AsOf())
    for unit in state.units.values():
        if user.unit in (unit.code, unit.name):
            return unit.code
    raise PermissionDeniedException("your unit is not assessed in this campaign")


def _history_item(e: Any) -> HistoryItem:
    return HistoryItem(
        position=e.position,
        recorded_at=e.recorded_at,
        at=e.data.get("at"),
        actor=e.metadata.get("actor"),
        role=e.metadata.get("role"),
        type=e.type,
        reason=first_text(e.data, REASON_KEYS),
        basis=first_text(e.data, BASIS_KEYS),
        data=e.data,
    )


def _task_views(document_id: str, state: approval.DocumentState) -> list[TaskView]:
    return [
        TaskView(document_id, state.title, t.task_id, t.step, t.assignee, t.role, t.since, t.owner)
        for t in approval.open_tasks(state)
    ]


class DocumentReads(Controller):
    path = "/documents"
    tags = ["公文审批"]
    guards = [INTERNAL]

    @get("/", sync_to_thread=True, responses=READ_ERRORS)
    def list_documents(
        self, request: Request[User, Any, Any], campaign_id: FromQuery[str | None] = None
    ) -> list[DocumentView]:
        """Outgoing documents, optionally of one campaign."""
        runner = _runner(request)
        return [
            _document_view(runner, doc_id, state, state.version, None)
            for doc_id, state in document_states(runner)
            if campaign_id is None or state.campaign_id == campaign_id
        ]

    @get("/{document_id:str}", sync_to_thread=True, responses=READ_ERRORS)
    def document(
        self, request: Request[User, Any, Any], document_id: FromPath[str], as_of: AsOfParam = None
    ) -> DocumentView:
        """A document with its approval chain, open tasks and every opinion, now or as of a point."""
        point = _as_of(request, as_of)
        state, version = load_document(_runner(request), document_id, point)
        return _document_view(_runner(request), document_id, state, version, point.position)

    @get("/{document_id:str}/history", sync_to_thread=True, responses=READ_ERRORS)
    def document_history(
        self, request: Request[User, Any, Any], document_id: FromPath[str], as_of: AsOfParam = None
    ) -> History:
        """Every event of a document's approval, in order."""
        point = _as_of(request, as_of)
        load_document(_runner(request), document_id, AsOf())
        stream_id = DOCUMENT.stream_id(document_id)
        events = _runner(request).store.read_stream(stream_id, to_position=point.position)
        return History(stream_id, [_history_item(e) for e in events])


def _document_view(
    runner: CommandRunner, doc_id: str, state: approval.DocumentState, version: int, as_of: int | None
) -> DocumentView:
    step = state.current_step
    decided = runner.store.read_stream(DOCUMENT.stream_id(doc_id), to_position=as_of)
    return DocumentView(
        id=doc_id,
        campaign_id=state.campaign_id,
        doc_type=state.doc_type,
        title=state.title,
        drafter=state.drafter,
        version=state.version,
        content_hash=state.content_hash,
        current_step=step.key if step else None,
        steps=[s.key for s in state.steps],
        number=state.number.number if state.number else None,
        signed_on=state.signature.signing_date.isoformat() if state.signature else None,
        dispatched_to=state.dispatch.recipient if state.dispatch else None,
        open_tasks=_task_views(doc_id, state),
        decisions=[_decision(e) for e in decided if e.type == approval.ApprovalStepDecided.TYPE],
        stream_version=version,
        as_of_position=as_of,
    )


def _decision(e: Any) -> DecisionView:
    data = e.data
    return DecisionView(
        data["step"],
        data["round"],
        data["actor"],
        data["outcome"],
        data.get("opinion", ""),
        data["at"],
        e.position,
    )


class LogReads(Controller):
    tags = ["审计"]
    guards = [INTERNAL]

    @get("/events", sync_to_thread=True, responses=READ_ERRORS)
    def events(
        self,
        request: Request[User, Any, Any],
        after: Annotated[int, QueryParameter(ge=0, le=MAX_POSITION)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> EventPage:
        """The raw event log in position order, with hashes, one page at a time."""
        page = _runner(request).store.read_all(after=after, limit=limit)
        views = [EventView(**{f: getattr(e, f) for f in EventView.__struct_fields__}) for e in page]
        return EventPage(views, page[-1].position if len(page) == limit else None)
