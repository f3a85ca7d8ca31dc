"""Read-side answers computed from the log: scores, timelines and inboxes, now or as of any position."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain import approval
from domain.campaign.queries import ordered_units, scores_table
from domain.campaign.state import CampaignState
from domain.shared.errors import NotFound
from services.app.commands import CommandRunner
from services.app.usecases import CAMPAIGN, DOCUMENT
from services.eventstore.model import RecordedEvent
from services.eventstore.tables import events_table
from services.projections.inbox import task_rows
from services.projections.overview import overview_row
from services.projections.read_rows import INBOX_FIELDS, OVERVIEW_FIELDS, TIMELINE_FIELDS, pick
from services.projections.timeline import Where, campaign_where, document_where, line_row


@dataclass(frozen=True)
class AsOf:
    """A point in the log: everything up to ``position`` (0: nothing; None: now)."""

    position: int | None = None


def parse_as_of(value: str | None, runner: CommandRunner) -> AsOf:
    if value is None or value == "":
        return AsOf()
    if value.isdigit():
        return AsOf(int(value))
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("give a time zone, e.g. 2023-03-07T12:00:00+08:00")
    return AsOf(runner.store.position_at(moment))


def load_campaign(runner: CommandRunner, campaign_id: str, as_of: AsOf) -> tuple[CampaignState, int]:
    stream_id = CAMPAIGN.stream_id(campaign_id)
    if as_of.position is None:
        state, version = runner.load(CAMPAIGN, stream_id)
    else:
        state, version = runner.load_as_of(CAMPAIGN, stream_id, as_of.position)
    if state.stage is None and as_of.position is None:
        raise NotFound(f"no campaign {campaign_id}")
    return state, version


def load_document(runner: CommandRunner, document_id: str, as_of: AsOf) -> tuple[approval.DocumentState, int]:
    stream_id = DOCUMENT.stream_id(document_id)
    if as_of.position is None:
        state, version = runner.load(DOCUMENT, stream_id)
    else:
        state, version = runner.load_as_of(DOCUMENT, stream_id, as_of.position)
    if not state.exists and as_of.position is None:
        raise NotFound(f"no document {document_id}")
    return state, version


def stream_ids(runner: CommandRunner, prefix: str) -> list[str]:
    """Streams of one kind, in the order they were created."""
    e = events_table.c
    stmt = select(e.stream_id).where(e.version == 1, e.stream_id.startswith(prefix)).order_by(e.position)
    with runner.store.engine.connect() as conn:
        return [row[0] for row in conn.execute(stmt)]


def score_rows(state: CampaignState, unit_filter: set[str] | None) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for unit in ordered_units(state):
        if unit_filter is None or unit.code in unit_filter or unit.name in unit_filter:
            rows[unit.code] = {"unit": unit, "cells": []}
    for row in scores_table(state):
        if row.unit.code in rows:
            rows[row.unit.code]["cells"].append(row)
    return list(rows.values())


@dataclass(frozen=True)
class HistoryFilter:
    unit: str | None = None
    indicator: str | None = None
    actor: str | None = None
    types: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, event: RecordedEvent, refs: Refs | None = None) -> bool:
        """Whether the event passes every filter; ``refs`` (see ``select``) lend the unit and indicator of
        the deduction, appeal, submission or consultation an event refers to by id."""
        units, indicator = _subjects(event.data, refs or {})
        checks = (
            self.unit is None or self.unit in units,
            self.indicator is None or indicator == self.indicator,
            self.actor is None or event.metadata.get("actor") == self.actor,
            self.types is None or event.type in self.types,
            self.since is None or event.recorded_at >= self.since,
            self.until is None or event.recorded_at <= self.until,
        )
        return all(checks)

    def select(self, events: Iterable[RecordedEvent]) -> Iterator[RecordedEvent]:
        """The events (in position order) that match, following ids: a unit's history holds every decision
        about it, e.g. ``DeductionConfirmed`` and ``DeductionRejected``, which name only the deduction."""
        refs: Refs = {}
        for event in events:
            _learn(event.data, refs)
            if self.matches(event, refs):
                yield event


REF_KEYS = ("deduction_id", "appeal_id", "submission_id", "consultation_id")
"""Ids by which an event refers to what an earlier event of the campaign proposed, filed or opened."""
Refs = dict[tuple[str, str], tuple[frozenset[str], str | None]]


def _learn(data: dict[str, Any], refs: Refs) -> None:
    units, indicator = frozenset(_units_of(data)), data.get("indicator")
    if not units and not indicator:
        return
    for key in REF_KEYS:
        if data.get(key) and (key, str(data[key])) not in refs:
            refs[(key, str(data[key]))] = (units, indicator)


def _subjects(data: dict[str, Any], refs: Refs) -> tuple[set[str], str | None]:
    units, indicator = _units_of(data), data.get("indicator")
    for key in REF_KEYS:
        found = refs.get((key, str(data.get(key)))) if data.get(key) else None
        if found is not None:
            units |= found[0]
            indicator = indicator or found[1]
    return units, indicator


def _units_of(data: dict[str, Any]) -> set[str]:
    found = {str(data[k]) for k in ("unit", "acting_for") if data.get(k)}
    for key in ("units",):
        for item in data.get(key) or ():
            found.add(item["code"] if isinstance(item, dict) else str(item))
    return found


def document_states(runner: CommandRunner) -> Iterator[tuple[str, approval.DocumentState]]:
    for stream_id in stream_ids(runner, "document-"):
        state, _ = runner.load(DOCUMENT, stream_id)
        yield stream_id.removeprefix("document-"), state


def inbox_from_log(runner: CommandRunner, user: str, role: str) -> list[dict[str, Any]]:
    found = []
    for doc_id, state in document_states(runner):
        for row in task_rows(0, doc_id, state, 0):
            if row["assignee"] == user or (row["assignee"] is None and row["role"] == role):
                found.append(pick(row, INBOX_FIELDS))
    return sorted(found, key=lambda r: (r["since"], r["document_id"], r["task_id"]))


def campaign_timeline_from_log(
    runner: CommandRunner, campaign_id: str, unit: str | None
) -> list[dict[str, Any]]:
    stream_id = CAMPAIGN.stream_id(campaign_id)
    state, _ = runner.load(CAMPAIGN, stream_id)
    lines = [_line(e, campaign_where(e, state)) for e in runner.store.read_stream(stream_id)]
    for doc_id, doc in document_states(runner):
        if doc.campaign_id == campaign_id:
            lines += _document_lines(runner, doc_id, doc)
    lines = [line for line in lines if unit is None or line["unit"] == unit]
    return sorted(lines, key=lambda line: int(line["position"]))


def document_timeline_from_log(runner: CommandRunner, document_id: str) -> list[dict[str, Any]]:
    state, _ = runner.load(DOCUMENT, DOCUMENT.stream_id(document_id))
    return _document_lines(runner, document_id, state)


def _document_lines(
    runner: CommandRunner, document_id: str, state: approval.DocumentState
) -> list[dict[str, Any]]:
    events = runner.store.read_stream(DOCUMENT.stream_id(document_id))
    return [_line(e, document_where(e, state)) for e in events]


def _line(event: Any, where: Where) -> dict[str, Any]:
    return pick(line_row(0, event, where), TIMELINE_FIELDS)


def overview_from_log(runner: CommandRunner) -> list[dict[str, Any]]:
    rows = []
    for stream_id in stream_ids(runner, "campaign-"):
        state, version = runner.load(CAMPAIGN, stream_id)
        last = runner.store.read_stream(stream_id, from_version=version)[-1]
        rows.append(pick(overview_row(0, stream_id.removeprefix("campaign-"), state, last), OVERVIEW_FIELDS))
    return sorted(rows, key=lambda r: str(r["campaign_id"]))


def document_streams(runner: CommandRunner, campaign_id: str) -> list[str]:
    """The letters drafted for the campaign (the stream ids the campaign's events name)."""
    streams = []
    for event in runner.store.read_stream(CAMPAIGN.stream_id(campaign_id)):
        document_id = event.data.get("document_id")
        if event.type == "ReportingStarted" and document_id:
            stream_id = f"document-{document_id}"
            if stream_id not in streams:
                streams.append(stream_id)
    return streams
