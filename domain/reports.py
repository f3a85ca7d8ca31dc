"""Rendered reports (stream ``report-<id>``): the letter as of a log position, requested once, then rendered.

A report is requested for one campaign (and, for the final letter, its document) as of an event-log
position; a background worker renders it and records the files' SHA-256 and sizes, or a failure (and
retries). Deliveries may repeat: once rendered, recording a rendering or a failure again decides nothing
(``[]``), so a duplicate task is harmless. Pure: no I/O, no clock; the caller passes ``at`` and every id.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from functools import reduce

from domain.campaign.errors import MissingField, NaiveTimestamp
from domain.shared.errors import IllegalTransition, InvalidCommand, NotFound
from domain.shared.events import Event, register

FORMATS = ("docx", "xlsx", "pdf")
SHA256 = re.compile(r"[0-9a-f]{64}")


def stream_id(report_id: str) -> str:
    return f"report-{report_id}"


class ReportMode(StrEnum):
    DRAFT = "draft"  # no 文号, watermark 草稿
    FINAL = "final"  # the signed, numbered letter


class ReportStatus(StrEnum):
    NEW = "new"
    REQUESTED = "requested"
    RENDERED = "rendered"
    FAILED = "failed"  # the last attempt failed; nothing renders it again unless it is asked for anew
    CANCELLED = "cancelled"  # given up by an official before it was rendered


# --- errors --------------------------------------------------------------------------------------


class InvalidReportRequest(InvalidCommand):
    code = "invalid_report_request"


class ArtifactMismatch(InvalidCommand):
    """The recorded files are not those requested (formats, position) or not well-formed (hash, size)."""

    code = "artifact_mismatch"


class ReportNotRequested(NotFound):
    code = "report_not_requested"


class ReportAlreadyRequested(IllegalTransition):
    code = "report_already_requested"


class ReportAlreadyRendered(IllegalTransition):
    """A rendered report is part of the record: it cannot be cancelled (request another instead)."""

    code = "report_already_rendered"


# --- commands ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Command:
    at: datetime
    actor: str


@dataclass(frozen=True, kw_only=True)
class RequestReport(Command):
    report_id: str
    campaign_id: str
    as_of_position: int
    mode: ReportMode = ReportMode.DRAFT
    formats: tuple[str, ...] = FORMATS
    document_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordReportRendered(Command):
    as_of_position: int
    artifacts: dict[str, str]  # format → sha256 hex
    sizes: dict[str, int]  # format → bytes


@dataclass(frozen=True, kw_only=True)
class RecordReportFailed(Command):
    reason: str
    attempt: int


@dataclass(frozen=True, kw_only=True)
class CancelReport(Command):
    """Give up a report that is queued, rendering or failed (a worker that finishes later records nothing)."""

    reason: str


# --- events --------------------------------------------------------------------------------------


@register
@dataclass(frozen=True, kw_only=True)
class ReportRequested(Event):
    TYPE = "ReportRequested"
    report_id: str
    campaign_id: str
    document_id: str | None
    as_of_position: int
    mode: ReportMode
    formats: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class ReportRendered(Event):
    TYPE = "ReportRendered"
    report_id: str
    as_of_position: int
    artifacts: dict[str, str]
    sizes: dict[str, int]


@register
@dataclass(frozen=True, kw_only=True)
class ReportFailed(Event):
    TYPE = "ReportFailed"
    report_id: str
    reason: str
    attempt: int


@register
@dataclass(frozen=True, kw_only=True)
class ReportCancelled(Event):
    TYPE = "ReportCancelled"
    report_id: str
    reason: str


REPORT_EVENTS: tuple[type[Event], ...] = (ReportRequested, ReportRendered, ReportFailed, ReportCancelled)


# --- state ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportState:
    report_id: str = ""
    campaign_id: str = ""
    document_id: str | None = None
    as_of_position: int = 0
    mode: ReportMode = ReportMode.DRAFT
    formats: tuple[str, ...] = ()
    status: ReportStatus = ReportStatus.NEW
    artifacts: Mapping[str, str] = field(default_factory=dict)
    sizes: Mapping[str, int] = field(default_factory=dict)
    attempts: int = 0  # the highest failed attempt recorded
    last_failure: str = ""
    requested_at: datetime | None = None
    version: int = 0


INITIAL_STATE = ReportState()


# --- decide --------------------------------------------------------------------------------------


def decide(state: ReportState, command: Command) -> list[Event]:
    if command.at.tzinfo is None or command.at.utcoffset() is None:
        raise NaiveTimestamp("command time must be timezone-aware", at=command.at.isoformat())
    if not command.actor:
        raise MissingField("actor is required", field="actor")
    if isinstance(command, RequestReport):
        return _request(state, command)
    if state.status is ReportStatus.NEW:
        raise ReportNotRequested("no report was requested on this stream")
    if isinstance(command, CancelReport):
        return _cancel(state, command)
    if state.status in (ReportStatus.RENDERED, ReportStatus.CANCELLED):
        return []  # a repeated delivery, or a worker finishing after the cancel: nothing more to record
    if isinstance(command, RecordReportRendered):
        return _rendered(state, command)
    if isinstance(command, RecordReportFailed):
        return _failed(state, command)
    raise InvalidReportRequest(f"a report does not handle {type(command).__name__}")


def _request(state: ReportState, c: RequestReport) -> list[Event]:
    if state.status is not ReportStatus.NEW:
        raise ReportAlreadyRequested("this report was already requested", report_id=state.report_id)
    for name, value in (("report_id", c.report_id), ("campaign_id", c.campaign_id)):
        if not value.strip():
            raise MissingField(f"{name} is required", field=name)
    if c.as_of_position < 0:
        raise InvalidReportRequest("a log position is never negative", as_of_position=c.as_of_position)
    unknown = [f for f in c.formats if f not in FORMATS]
    if not c.formats or unknown or len(set(c.formats)) != len(c.formats):
        raise InvalidReportRequest("formats: some of docx, xlsx, pdf, each once", formats=list(c.formats))
    if c.mode is ReportMode.FINAL and not c.document_id:
        raise MissingField("the final letter is rendered from its document", field="document_id")
    return [
        ReportRequested(
            at=c.at,
            actor=c.actor,
            report_id=c.report_id,
            campaign_id=c.campaign_id,
            document_id=c.document_id,
            as_of_position=c.as_of_position,
            mode=c.mode,
            formats=c.formats,
        )
    ]


def _rendered(state: ReportState, c: RecordReportRendered) -> list[Event]:
    if c.as_of_position != state.as_of_position:
        raise ArtifactMismatch(
            "rendered at another position", requested=state.as_of_position, got=c.as_of_position
        )
    if set(c.artifacts) != set(state.formats) or set(c.sizes) != set(state.formats):
        raise ArtifactMismatch("one file per requested format", formats=list(state.formats))
    if not all(SHA256.fullmatch(h) for h in c.artifacts.values()) or min(c.sizes.values()) < 0:
        raise ArtifactMismatch("a file is named by 64 lowercase hex digits of SHA-256 and a size >= 0")
    ordered = [f for f in FORMATS if f in c.artifacts]
    return [
        ReportRendered(
            at=c.at,
            actor=c.actor,
            report_id=state.report_id,
            as_of_position=c.as_of_position,
            artifacts={f: c.artifacts[f] for f in ordered},
            sizes={f: c.sizes[f] for f in ordered},
        )
    ]


def _failed(state: ReportState, c: RecordReportFailed) -> list[Event]:
    if not c.reason.strip():
        raise MissingField("a failure names its reason", field="reason")
    if c.attempt < 1:
        raise InvalidReportRequest("attempts count from 1", attempt=c.attempt)
    if c.attempt <= state.attempts:
        return []  # this attempt's failure is already recorded
    failed = ReportFailed(
        at=c.at, actor=c.actor, report_id=state.report_id, reason=c.reason, attempt=c.attempt
    )
    return [failed]


def _cancel(state: ReportState, c: CancelReport) -> list[Event]:
    if state.status is ReportStatus.CANCELLED:
        return []
    if state.status is ReportStatus.RENDERED:
        raise ReportAlreadyRendered("this report is rendered; request a new one", report_id=state.report_id)
    if not c.reason.strip():
        raise MissingField("a cancellation names its reason", field="reason")
    return [ReportCancelled(at=c.at, actor=c.actor, report_id=state.report_id, reason=c.reason)]


# --- evolve --------------------------------------------------------------------------------------


def evolve(state: ReportState, event: Event) -> ReportState:
    version = state.version + 1
    if isinstance(event, ReportRequested):
        return ReportState(
            report_id=event.report_id,
            campaign_id=event.campaign_id,
            document_id=event.document_id,
            as_of_position=event.as_of_position,
            mode=event.mode,
            formats=event.formats,
            status=ReportStatus.REQUESTED,
            requested_at=event.at,
            version=version,
        )
    if isinstance(event, ReportRendered):
        return replace(
            state,
            status=ReportStatus.RENDERED,
            artifacts=dict(event.artifacts),
            sizes=dict(event.sizes),
            version=version,
        )
    if isinstance(event, ReportFailed):
        status = ReportStatus.FAILED
        return replace(
            state, status=status, attempts=event.attempt, last_failure=event.reason, version=version
        )
    if isinstance(event, ReportCancelled):
        return replace(state, status=ReportStatus.CANCELLED, last_failure=event.reason, version=version)
    raise TypeError(f"{type(event).__name__} is not a report event")


def fold(events: Iterable[Event], state: ReportState | None = None) -> ReportState:
    return reduce(evolve, events, INITIAL_STATE if state is None else state)
