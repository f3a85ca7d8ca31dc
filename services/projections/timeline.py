"""Timeline: one readable line per event of campaigns, documents and registers, findable by unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, insert

from domain import approval, campaign
from domain.campaign.state import CampaignState
from services.eventstore.model import RecordedEvent
from services.eventstore.store import EventStore
from services.projections.base import StreamStates, by_stream
from services.projections.event_text import describe
from services.projections.tables import timeline_table

PREFIXES = ("campaign-", "document-", "register-")


@dataclass(frozen=True)
class Where:
    campaign_id: str | None
    document_id: str | None
    unit: str | None


class TimelineProjection:
    name = "timeline"
    version = 2  # 2: a void record says so in its line
    tables: tuple[Table, ...] = (timeline_table,)

    def __init__(self, store: EventStore) -> None:
        self.campaigns: StreamStates[CampaignState] = StreamStates(store, campaign.fold)
        self.documents: StreamStates[approval.DocumentState] = StreamStates(store, approval.fold)

    def reset(self) -> None:
        self.campaigns.clear()
        self.documents.clear()

    def apply(self, conn: Connection, generation: int, events: Sequence[RecordedEvent]) -> None:
        for stream_id, group in by_stream(events, "campaign-").items():
            self.campaigns.advance(stream_id, group)
        for stream_id, group in by_stream(events, "document-").items():
            self.documents.advance(stream_id, group)
        rows = [line_row(generation, e, self._where(e)) for e in events if e.stream_id.startswith(PREFIXES)]
        if rows:  # a plain insert: applying an event twice would break the primary key, loudly
            conn.execute(insert(timeline_table), rows)

    def _where(self, event: RecordedEvent) -> Where:
        if event.stream_id.startswith("campaign-"):
            return campaign_where(event, self.campaigns.get(event.stream_id))
        if event.stream_id.startswith("document-"):
            return document_where(event, self.documents.get(event.stream_id))
        return Where(None, event.data.get("document_id"), None)


def campaign_where(event: RecordedEvent, state: CampaignState | None) -> Where:
    return Where(event.stream_id.removeprefix("campaign-"), None, unit_of(event.data, state))


def document_where(event: RecordedEvent, state: approval.DocumentState | None) -> Where:
    return Where(state.campaign_id if state else None, event.stream_id.removeprefix("document-"), None)


def unit_of(data: dict[str, Any], state: CampaignState | None) -> str | None:
    """The unit an event is about: named in it, or through the deduction, appeal or submission it decides."""
    if data.get("unit"):
        return str(data["unit"])
    if state is None:
        return None
    for key, found in (
        ("deduction_id", state.deductions),
        ("appeal_id", state.appeals),
        ("submission_id", state.submissions),
    ):
        item = found.get(str(data.get(key))) if data.get(key) else None
        if item is not None:
            return getattr(item, "unit", None)
    return None


def line_row(generation: int, event: RecordedEvent, where: Where) -> dict[str, Any]:
    line = describe(event)
    return {
        "generation": generation,
        "position": event.position,
        "stream_id": event.stream_id,
        "campaign_id": where.campaign_id,
        "document_id": where.document_id,
        "unit": where.unit,
        "type": event.type,
        "recorded_at": event.recorded_at,
        "at": line.at,
        "actor": line.actor,
        "role": line.role,
        "action": line.action,
        "opinion": line.opinion,
        "basis": line.basis,
    }
