"""Named queries: every read of the API, the pages and the command line, answered here and only here.

Reads of the present come from the projections (scores, overview, inbox, timeline) once they hold the
position the caller must see; "as of" reads, and the fallback while a projection lags, fold the log.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import msgspec
from sqlalchemy import Connection, select

from domain import approval
from domain import reports as report_domain
from domain.campaign.queries import counts
from domain.campaign.state import CampaignState
from domain.shared.calendar import business_date
from domain.shared.errors import NotFound
from domain.shared.identity import Role
from services.app import access, replay
from services.app.access import own_unit
from services.app.calendar import calendar_years, current_calendar
from services.app.calendar_views import CalendarYears
from services.app.commands import CommandRunner
from services.app.errors import AccessDenied, InvalidInput
from services.app.replay import AsOf, HistoryFilter, document_states, load_campaign, load_document, stream_ids
from services.app.reports import REPORT, ReportStatusView, report_status
from services.app.stages import Span, stage_spans
from services.app.usecases import CAMPAIGN, DOCUMENT, REGISTER
from services.app.views import (
    CampaignOverview,
    CampaignSummary,
    CampaignView,
    Counts,
    DecisionView,
    DocumentView,
    EventPage,
    EventView,
    History,
    HistoryItem,
    Inbox,
    IndicatorHead,
    Overview,
    ReportFile,
    ReportView,
    ScoreCell,
    ScoreLine,
    ScoreTable,
    TaskView,
    Timeline,
    TimelineLine,
    WorkItem,
)
from services.app.worklist import Clock, work_items
from services.eventstore.export import export_line
from services.eventstore.model import LogHead, RecordedEvent
from services.eventstore.verify import VerifyResult, iter_raw, verify_database
from services.identity.accounts import Identity, User
from services.infra.artifacts import ArtifactStore
from services.infra.db import reader as autocommit_reader
from services.projections import read_rows
from services.projections.event_text import BASIS_KEYS, REASON_KEYS, first_text
from services.projections.freshness import Freshness, ProjectionReader
from services.projections.tables import overview_table

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
FORMAT_NAMES = {"docx": "函（可编辑）", "pdf": "函", "xlsx": "赋分表"}
MAX_LOG_PAGE = 1000
TABLE_CACHE = 256
TableKey = tuple[str, int | None, int | None, int | None]
NOW = AsOf()


@dataclass(frozen=True)
class CampaignDetail:
    """A campaign as its page shows it: the state, its counts, its letters and how long each stage took."""

    state: CampaignState
    version: int
    counts: Counts
    documents: list[tuple[str, approval.DocumentState]]
    spans: list[Span]
    own_unit: str | None


@dataclass(frozen=True)
class DocumentDetail:
    state: approval.DocumentState
    version: int
    events: list[RecordedEvent]
    report_to: str


@dataclass(frozen=True)
class ReportFileBody:
    content: bytes
    media_type: str
    filename: str
    sha256: str


class Queries:
    def __init__(
        self, runner: CommandRunner, reader: ProjectionReader, artifacts: ArtifactStore, identity: Identity
    ) -> None:
        self.runner = runner
        self.reader = reader
        self.artifacts = artifacts
        self.identity = identity
        self._tables: dict[TableKey, ScoreTable] = {}
        """赋分表 built from the read models, by campaign, generations and campaign version (never stale:
        a new event moves the version, a rebuild the generation)."""
        self._lock = threading.Lock()
        self._reader = autocommit_reader(runner.store.engine)

    # -- points in time ---------------------------------------------------------------------------

    def as_of(self, value: str | None) -> AsOf:
        """A log position (``120``) or an ISO time with zone, matched against when events were recorded."""
        try:
            point = replay.parse_as_of(value, self.runner)
        except (ValueError, OverflowError) as exc:
            raise InvalidInput.field("as_of", str(exc)) from None
        if point.position is not None and point.position > 2**63 - 1:
            raise InvalidInput.field("as_of", "a position is at most 2**63-1")
        return point

    def head(self) -> int:
        return self.runner.store.head().position

    def position_at(self, moment: datetime) -> int:
        """The last position recorded at or before ``moment`` (record time); beyond the calendar's edge in
        UTC a moment is before everything (position 0) or after everything (the head)."""
        try:
            return self.runner.store.position_at(moment)
        except OverflowError:
            return 0 if moment.year < 2000 else self.head()

    def recorded_at(self, position: int) -> datetime | None:
        """When the event at ``position`` was recorded (None for position 0 or beyond the head)."""
        found = self.runner.store.read_all(after=position - 1, limit=1) if position > 0 else []
        return found[0].recorded_at if found else None

    @staticmethod
    def today() -> date:
        """Today's business date, in Asia/Shanghai."""
        return business_date(datetime.now(UTC))

    # -- campaigns --------------------------------------------------------------------------------

    def campaigns(self, user: User) -> list[CampaignSummary]:
        """The campaigns the user may see (an assessed unit: those that assess it), oldest first."""
        found = []
        for stream_id in stream_ids(self.runner, "campaign-"):
            state, _ = self.runner.load(CAMPAIGN, stream_id)
            if not access.sees_campaign(state, user):
                continue
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

    def campaign(self, user: User, campaign_id: str, as_of: AsOf = NOW) -> CampaignView:
        state, version = self._campaign(user, campaign_id, as_of)
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
            counts=Counts(**counts(state)),
            stream_version=version,
            as_of_position=as_of.position,
        )

    def campaign_detail(self, user: User, campaign_id: str) -> CampaignDetail:
        state, version = self._campaign(user, campaign_id, AsOf())
        events = self.runner.store.read_stream(CAMPAIGN.stream_id(campaign_id))
        documents = []
        if user.role in access.INTERNAL:
            documents = [(d, s) for d, s in document_states(self.runner) if s.campaign_id == campaign_id]
        return CampaignDetail(
            state, version, Counts(**counts(state)), documents, stage_spans(events), own_unit(state, user)
        )

    def campaign_state(self, user: User, campaign_id: str, as_of: AsOf = NOW) -> CampaignState:
        """The campaign's state as the user may see it (for pages that show its notice and names)."""
        return self._campaign(user, campaign_id, as_of)[0]

    def _campaign(self, user: User, campaign_id: str, as_of: AsOf) -> tuple[CampaignState, int]:
        now, version = load_campaign(self.runner, campaign_id, AsOf())
        access.require_campaign(now, user)
        if as_of.position is None:
            return now, version
        return load_campaign(self.runner, campaign_id, as_of)

    # -- the 赋分表 ---------------------------------------------------------------------------------

    def score_table(  # noqa: PLR0917
        self,
        user: User,
        campaign_id: str,
        as_of: AsOf = NOW,
        group: str | None = None,
        unit: str | None = None,
        wait_for: int | None = None,
    ) -> tuple[ScoreTable, Freshness | None]:
        """The scoring table now (from the scores projection) or as of a point (from the log).

        An assessed unit sees only its own row, and only once results are published; a co-lead unit the
        columns of the indicators it co-leads. ``unit`` is a code or a name.
        """
        seen = self._score_viewer(user, campaign_id)
        if as_of.position is not None:
            table = self._score_table_from_log(user, campaign_id, as_of, group, unit)
            return _shown(table, seen, None, None), None
        if wait_for is not None:
            self.reader.wait_all(("scores", "overview"), min(wait_for, self.head()))
        # One round trip decides: the head, both read models' positions and the campaign's version. A table
        # already built for that version and those generations is served from memory.
        with self._reader.connect() as conn:
            found = read_rows.score_table_head(conn, campaign_id)
        if found is not None:
            target = found.head if wait_for is None else min(wait_for, found.head)
            behind = min(found.scores_position, found.overview_position)
            if behind >= target:
                if found.stream_version is None:
                    raise NotFound(f"no campaign {campaign_id}")
                known: TableKey = (
                    campaign_id, found.scores_generation, found.overview_generation, found.stream_version
                )  # fmt: skip
                cached = self._tables.get(known)
                if cached is not None:
                    fresh = Freshness("projection", "scores,overview", behind, max(found.head, behind))
                    return _shown(cached, seen, group, unit), fresh
        built: list[tuple[TableKey, ScoreTable]] = []

        def from_rows(conn: Connection, generations: dict[str, int]) -> ScoreTable:
            table = self._score_table_from_rows(conn, generations, campaign_id)
            key: TableKey = (
                campaign_id,
                generations["scores"],
                generations["overview"],
                table.stream_version,
            )
            built.append((key, table))
            return table

        table, fresh = self.reader.read_models(
            ("scores", "overview"),
            from_rows,
            lambda: self._score_table_from_log(user, campaign_id, NOW, None, None),
            wait_for,
            waited=True,
        )
        for key, whole in built:
            self._remember(key, whole)
        return _shown(table, seen, group, unit), fresh

    def _score_viewer(self, user: User, campaign_id: str) -> ScoreViewer:
        state, _ = load_campaign(self.runner, campaign_id, AsOf())
        access.require_campaign(state, user)
        indicators = access.co_leads(state, user) if user.role is Role.CO_LEAD_UNIT else None
        return ScoreViewer(own_unit(state, user), indicators)

    def _remember(self, key: TableKey, table: ScoreTable) -> None:
        with self._lock:
            if len(self._tables) >= TABLE_CACHE:
                self._tables.pop(next(iter(self._tables)))
            self._tables[key] = table

    def _score_table_from_log(
        self, user: User, campaign_id: str, as_of: AsOf, group: str | None, unit: str | None
    ) -> ScoreTable:
        state, version = self._campaign(user, campaign_id, as_of)
        mine = own_unit(load_campaign(self.runner, campaign_id, AsOf())[0], user)
        wanted = {mine} if mine else ({access.resolve_unit(state, unit)} if unit else None)
        lines = []
        for row in replay.score_rows(state, wanted):
            u = row["unit"]
            if group and u.group.value != group:
                continue
            cells = [
                ScoreCell(c.indicator.code, c.display, None if c.score is None else str(c.score), c.vetoed)
                for c in row["cells"]
            ]
            lines.append(ScoreLine(u.code, u.name, u.group.value, u.order, cells))
        heads = [
            IndicatorHead(i.code, i.name, str(i.points), i.short_name or i.name)
            for i in state.indicators.values()
        ]
        stage = state.stage.value if state.stage else None
        title = state.notice.title if state.notice else ""
        table = ScoreTable(campaign_id, stage, as_of.position, version, heads, lines, title)
        return _shown(table, ScoreViewer(mine, None), None, None) if mine else table

    def _score_table_from_rows(
        self, conn: Connection, generations: dict[str, int], campaign_id: str
    ) -> ScoreTable:
        """The whole table from the read models (who sees which rows is decided by ``_shown``)."""
        o = overview_table.c
        head = conn.execute(
            select(o.title, o.stage, o.stream_version).where(
                o.generation == generations["overview"], o.campaign_id == campaign_id
            )
        ).one_or_none()
        if head is None:
            raise NotFound(f"no campaign {campaign_id}")
        heads: dict[str, IndicatorHead] = {}
        lines: dict[str, ScoreLine] = {}
        for r in read_rows.score_cells(conn, generations["scores"], campaign_id):
            if r.indicator_code not in heads:
                label = r.indicator_label or r.indicator_name
                heads[r.indicator_code] = IndicatorHead(r.indicator_code, r.indicator_name, r.points, label)
            line = lines.get(r.unit_code)
            if line is None:
                line = lines[r.unit_code] = ScoreLine(
                    r.unit_code, r.unit_name, r.unit_group, r.unit_order, []
                )
            line.cells.append(ScoreCell(r.indicator_code, r.display, r.score, bool(r.vetoed)))
        # The cells come ordered by unit, then indicator; the first unit names every indicator in order.
        return ScoreTable(
            campaign_id,
            head.stage,
            None,
            head.stream_version,
            list(heads.values()),
            list(lines.values()),
            head.title,
        )

    # -- history ----------------------------------------------------------------------------------

    def history_events(
        self,
        user: User,
        campaign_id: str,
        wanted: HistoryFilter,
        as_of: AsOf = NOW,
        documents: bool = False,
    ) -> list[RecordedEvent]:
        """A campaign's events (and its letters' if ``documents``), filtered; an assessed unit's own only."""
        state, _ = load_campaign(self.runner, campaign_id, AsOf())
        access.require_campaign(state, user)
        mine = own_unit(state, user)
        if wanted.unit:
            wanted = dataclasses.replace(wanted, unit=access.resolve_unit(state, wanted.unit))
        if user.role in access.ACTS_FOR_A_UNIT:
            documents = False
        store = self.runner.store
        found = store.read_stream(CAMPAIGN.stream_id(campaign_id), to_position=as_of.position)
        if documents:
            for stream_id in replay.document_streams(self.runner, campaign_id):
                found += store.read_stream(stream_id, to_position=as_of.position)
        shown = access.history_shown(state, user, mine)
        visible = (shown(e) for e in wanted.select(sorted(found, key=lambda e: e.position)))
        return [e for e in visible if e is not None]

    def history(self, user: User, campaign_id: str, wanted: HistoryFilter, as_of: AsOf = NOW) -> History:
        for name, moment in (("since", wanted.since), ("until", wanted.until)):
            if moment is not None and moment.utcoffset() is None:
                raise InvalidInput.field(name, "give a time zone, e.g. 2023-03-07T00:00:00+08:00")
        events = self.history_events(user, campaign_id, wanted, as_of)
        return History(CAMPAIGN.stream_id(campaign_id), [history_item(e) for e in events])

    def resolve(self, user: User, campaign_id: str, what: str, value: str) -> str:
        """A unit's or an indicator's code, given its code or its name (``what``: unit or indicator)."""
        state = self.campaign_state(user, campaign_id)
        found = state.units if what == "unit" else state.indicators
        for code, item in found.items():
            names = (code, item.name, getattr(item, "short_name", None))
            if value in names:
                return code
        raise InvalidInput.field(
            what, f"campaign {campaign_id} has no {what} {value!r} (give its code or name)"
        )

    # -- documents --------------------------------------------------------------------------------

    def documents(self, user: User, campaign_id: str | None = None) -> list[DocumentView]:
        access.require(user, access.DOCUMENT_READERS)
        return [
            self._document_view(doc_id, state, state.version, None)
            for doc_id, state in document_states(self.runner)
            if (campaign_id is None or state.campaign_id == campaign_id) and access.sees_document(state, user)
        ]

    def _seen_document(self, user: User, document_id: str) -> None:
        """Whether the user may read this document (judged by its state now)."""
        access.require(user, access.DOCUMENT_READERS)
        if user.role not in access.INTERNAL:
            access.require_document(load_document(self.runner, document_id, AsOf())[0], user)

    def document(self, user: User, document_id: str, as_of: AsOf = NOW) -> DocumentView:
        self._seen_document(user, document_id)
        state, version = load_document(self.runner, document_id, as_of)
        return self._document_view(document_id, state, version, as_of.position)

    def document_detail(self, user: User, document_id: str, as_of: AsOf = NOW) -> DocumentDetail:
        self._seen_document(user, document_id)
        state, version = load_document(self.runner, document_id, as_of)
        events = self.runner.store.read_stream(DOCUMENT.stream_id(document_id), to_position=as_of.position)
        campaign = load_campaign(self.runner, state.campaign_id, AsOf())[0] if state.campaign_id else None
        return DocumentDetail(state, version, events, campaign.report_to if campaign else "")

    def document_history(self, user: User, document_id: str, as_of: AsOf = NOW) -> History:
        self._seen_document(user, document_id)
        stream_id = DOCUMENT.stream_id(document_id)
        events = self.runner.store.read_stream(stream_id, to_position=as_of.position)
        return History(stream_id, [history_item(e) for e in events])

    def users(self, user: User) -> list[User]:
        """The people a task may be handed to (transfer, delegation): a co-lead unit sees its own body's."""
        access.require(user, access.INTERNAL | {Role.CO_LEAD_UNIT})
        everyone = self.identity.list_users()
        if user.role is Role.CO_LEAD_UNIT:
            return [u for u in everyone if u.organisation is not None and u.organisation == user.organisation]
        return everyone

    def calendar(self, user: User, year: int | None = None) -> CalendarYears:
        """The working-day calendar: each known year, its source and its days (anyone signed in)."""
        del user  # the holiday notices are public
        return calendar_years(self.runner.store, year)

    def registers(self, user: User) -> list[tuple[str, int]]:
        """The number registers (代字, year) the office may number from."""
        access.require(user, access.INTERNAL)
        found = []
        for stream_id in stream_ids(self.runner, "register-"):
            register, _ = self.runner.load(REGISTER, stream_id)
            found.append((register.code, register.year))
        return found

    def _document_view(
        self, doc_id: str, state: approval.DocumentState, version: int, as_of: int | None
    ) -> DocumentView:
        step = state.current_step
        decided = self.runner.store.read_stream(DOCUMENT.stream_id(doc_id), to_position=as_of)
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

    # -- what waits for whom ----------------------------------------------------------------------

    def inbox(self, user: User, wait_for: int | None = None) -> tuple[Inbox, Freshness]:
        access.require(user, list(Role))
        name, role = user.name, user.role.value
        rows, fresh = self.reader.read(
            "inbox",
            lambda conn, generation: read_rows.inbox_rows(conn, generation, name, role),
            lambda: replay.inbox_from_log(self.runner, name, role),
            wait_for,
        )
        tasks = [TaskView(**row) for row in rows]
        return Inbox(name, role, tasks, fresh.source, fresh.projection_position, fresh.lag), fresh

    def worklist(self, user: User, today: date) -> list[WorkItem]:
        """Everything waiting for the user, with deadlines in working days (auditors and admins: none)."""
        if user.role in (Role.AUDITOR, Role.ADMIN):
            return []
        inbox, _ = self.inbox(user)  # approval tasks from the inbox read model (the log while it lags)
        clock = Clock(current_calendar(self.runner.store), today)
        return work_items(self.runner, user, clock, inbox.tasks)

    def overview(self, user: User, wait_for: int | None = None) -> tuple[Overview, Freshness]:
        access.require(user, access.INTERNAL)
        rows, fresh = self.reader.read(
            "overview",
            read_rows.overview_rows,
            lambda: replay.overview_from_log(self.runner),
            wait_for,
        )
        campaigns = [CampaignOverview(**row) for row in rows]
        return Overview(campaigns, fresh.source, fresh.projection_position, fresh.lag), fresh

    def campaign_timeline(
        self, user: User, campaign_id: str, unit: str | None = None, wait_for: int | None = None
    ) -> tuple[Timeline, Freshness]:
        state, _ = load_campaign(self.runner, campaign_id, AsOf())
        access.require_campaign(state, user)
        if user.role is Role.CO_LEAD_UNIT:
            raise AccessDenied("the timeline of every unit is the bureau's; a co-lead unit reads its 会商")
        unit = own_unit(state, user) or (access.resolve_unit(state, unit) if unit else None)
        rows, fresh = self.reader.read(
            "timeline",
            lambda conn, generation: read_rows.timeline_rows(
                conn, generation, campaign_id=campaign_id, unit=unit
            ),
            lambda: replay.campaign_timeline_from_log(self.runner, campaign_id, unit),
            wait_for,
        )
        if user.role is Role.ASSESSED_UNIT:
            hidden = access.hidden_from_units(state)
            rows = [r for r in rows if r["type"] not in hidden]
        return _timeline(rows, fresh), fresh

    def document_timeline(
        self, user: User, document_id: str, wait_for: int | None = None
    ) -> tuple[Timeline, Freshness]:
        self._seen_document(user, document_id)
        rows, fresh = self.reader.read(
            "timeline",
            lambda conn, generation: read_rows.timeline_rows(conn, generation, document_id=document_id),
            lambda: replay.document_timeline_from_log(self.runner, document_id),
            wait_for,
        )
        return _timeline(rows, fresh), fresh

    def projection_lag(self) -> list[dict[str, Any]]:
        """How far each read model trails the log (shown on the pages' audit and campaign views)."""
        head = self.head()
        found = []
        for name in ("scores", "overview", "inbox", "timeline"):
            position = self.reader.position(name)
            found.append({"name": name, "position": position, "lag": max(0, head - max(position, 0))})
        return found

    # -- the raw log ------------------------------------------------------------------------------

    def events(self, user: User, after: int = 0, limit: int = 100) -> EventPage:
        access.require(user, access.AUDIT)
        if not 1 <= limit <= MAX_LOG_PAGE:
            raise InvalidInput.field("limit", f"from 1 to {MAX_LOG_PAGE}")
        page = self.runner.store.read_all(after=after, limit=limit)
        views = [EventView(**{f: getattr(e, f) for f in EventView.__struct_fields__}) for e in page]
        return EventPage(views, page[-1].position if len(page) == limit else None)

    def verify_log(self, user: User) -> VerifyResult:
        """Walk the whole log and recompute its hash chain."""
        access.require(user, access.AUDIT)
        return verify_database(self.runner.store.engine)

    def log_head(self, user: User) -> LogHead:
        access.require(user, access.AUDIT)
        return self.runner.store.head()

    def export_lines(self, user: User, to_position: int) -> Iterator[str]:
        """The log up to a position as JSON Lines, each event exactly as stored with its hashes."""
        access.require(user, access.AUDIT)
        return (export_line(e) + "\n" for e in iter_raw(self.runner.store.engine, to_position=to_position))

    # -- reports ----------------------------------------------------------------------------------

    def report(self, user: User, report_id: str) -> ReportView:
        access.require(user, access.REPORT_READERS)
        view = report_status(self.runner, report_id)
        state = view.state
        files = [
            ReportFile(
                fmt,
                sha,
                state.sizes.get(fmt, 0),
                f"/reports/{report_id}/files/{fmt}",
                report_filename(state, fmt),
            )
            for fmt, sha in sorted(state.artifacts.items())
        ]
        return ReportView(
            report_id, state.campaign_id, state.document_id, state.as_of_position, state.mode.value,
            view.status, view.percent, view.reason, files,
        )  # fmt: skip

    def report_status(self, user: User, report_id: str) -> ReportStatusView:
        access.require(user, access.REPORT_READERS)
        return report_status(self.runner, report_id)

    def campaign_reports(self, user: User, campaign_id: str, last: int = 3) -> list[ReportStatusView]:
        """The campaign's most recent report requests, newest first."""
        access.require(user, access.REPORT_READERS)
        found = []
        for stream_id in stream_ids(self.runner, "report-"):
            report, _ = self.runner.load(REPORT, stream_id)
            if report.campaign_id == campaign_id:
                found.append(report.report_id)
        return [report_status(self.runner, report_id) for report_id in found[-last:]][::-1]

    def report_file(self, user: User, report_id: str, fmt: str) -> ReportFileBody:
        access.require(user, access.REPORT_READERS)
        state = report_status(self.runner, report_id).state
        sha = state.artifacts.get(fmt)
        if sha is None or fmt not in MEDIA_TYPES:
            raise NotFound(f"report {report_id} has no {fmt} file (yet)")
        return ReportFileBody(self.artifacts.get(sha), MEDIA_TYPES[fmt], report_filename(state, fmt), sha)


@dataclass(frozen=True)
class ScoreViewer:
    """What of a 赋分表 the user may see: an assessed unit its own row (``unit``, once results are
    published), a co-lead unit the columns of the indicators it co-leads (``indicators``)."""

    unit: str | None
    indicators: frozenset[str] | None


def _shown(table: ScoreTable, seen: ScoreViewer, group: str | None, unit: str | None) -> ScoreTable:
    """The rows and columns this viewer may see and asked for."""
    if seen.unit is not None:
        published = table.stage in access.RESULTS_STAGES
        rows = [r for r in table.rows if r.unit_code == seen.unit] if published else []
        return msgspec.structs.replace(table, rows=rows)
    if seen.indicators is not None:
        wanted = seen.indicators
        table = msgspec.structs.replace(
            table,
            indicators=[i for i in table.indicators if i.code in wanted],
            rows=[
                msgspec.structs.replace(r, cells=[c for c in r.cells if c.indicator in wanted])
                for r in table.rows
            ],
        )
    if not unit and not group:
        return table
    rows = [
        r
        for r in table.rows
        if (not unit or unit in (r.unit_code, r.unit_name)) and (not group or r.group == group)
    ]
    return msgspec.structs.replace(table, rows=rows)


def report_filename(state: report_domain.ReportState, fmt: str) -> str:
    prefix = "草稿-" if state.mode is report_domain.ReportMode.DRAFT else ""
    return f"{prefix}{FORMAT_NAMES[fmt]}-{state.campaign_id}-位置{state.as_of_position}.{fmt}"


def history_item(e: RecordedEvent) -> HistoryItem:
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


def _decision(e: RecordedEvent) -> DecisionView:
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


def _timeline(rows: list[dict[str, Any]], fresh: Freshness) -> Timeline:
    lines = [TimelineLine(**row) for row in rows]
    return Timeline(lines, fresh.source, fresh.projection_position, fresh.lag)
