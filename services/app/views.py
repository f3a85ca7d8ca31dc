"""What the core's queries answer: the shapes the API sends as JSON and the pages render."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeAlias

import msgspec

from services.eventstore import model
from services.projections import freshness

RecordedEvent: TypeAlias = model.RecordedEvent
"""One line of the log as stored: histories and timelines show them."""
Freshness: TypeAlias = freshness.Freshness
"""Which source answered a read of the present (a projection or the log), and how far it lags."""


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
    label: str = ""
    """The short name the 赋分表 heads its column with."""


class ScoreTable(msgspec.Struct):
    campaign_id: str
    stage: str | None
    as_of_position: int | None
    stream_version: int
    indicators: list[IndicatorHead]
    rows: list[ScoreLine]
    title: str = ""


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


class ReportFile(msgspec.Struct):
    format: str
    sha256: str
    size: int
    url: str
    filename: str


class ReportView(msgspec.Struct):
    report_id: str
    campaign_id: str
    document_id: str | None
    as_of_position: int
    mode: str
    status: str
    percent: int
    reason: str
    files: list[ReportFile]


class WorkItem(msgspec.Struct):
    """Something waiting for the user, with its deadline from the working-day calendar."""

    kind: str
    title: str
    what: str
    since: datetime | None
    deadline: date | None
    status: str | None
    """``on_time``, ``warning`` or ``overdue``; None when the act has no time limit."""
    href: str
    status_label: str


__all__ = [name for name in dir() if name[0].isupper()]  # RecordedEvent too: histories show the log's lines
