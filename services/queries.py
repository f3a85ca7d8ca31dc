"""Read-side answers computed from the log: scores, timelines and inboxes, now or as of any position."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from domain import approval
from domain.campaign_queries import ordered_units, scores_table
from domain.campaign_state import CampaignState
from domain.errors import NotFound
from services.commands import CommandRunner
from services.eventstore.model import RecordedEvent
from services.eventstore.tables import events_table
from services.usecases import CAMPAIGN, DOCUMENT

REASON_KEYS = ("opinion", "reason", "reasons", "text", "outcome", "decision_reasons")
BASIS_KEYS = ("basis", "based_on", "clause")


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

    def matches(self, event: RecordedEvent) -> bool:
        data = event.data
        checks = (
            self.unit is None or self.unit in _units_of(data),
            self.indicator is None or data.get("indicator") == self.indicator,
            self.actor is None or event.metadata.get("actor") == self.actor,
            self.types is None or event.type in self.types,
            self.since is None or event.recorded_at >= self.since,
            self.until is None or event.recorded_at <= self.until,
        )
        return all(checks)


def _units_of(data: dict[str, Any]) -> set[str]:
    found = {str(data[k]) for k in ("unit", "acting_for") if data.get(k)}
    for key in ("units",):
        for item in data.get(key) or ():
            found.add(item["code"] if isinstance(item, dict) else str(item))
    return found


def first_text(data: dict[str, Any], keys: Iterable[str]) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return "；".join(value)
    return None


def document_states(runner: CommandRunner) -> Iterator[tuple[str, approval.DocumentState]]:
    for stream_id in stream_ids(runner, "document-"):
        state, _ = runner.load(DOCUMENT, stream_id)
        yield stream_id.removeprefix("document-"), state
