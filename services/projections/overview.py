"""Campaign overview: stage, counts and deadlines of every campaign, one row each."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table

from domain import campaign
from domain.campaign.queries import counts
from domain.campaign.state import CampaignState
from services.eventstore.model import RecordedEvent
from services.eventstore.store import EventStore
from services.projections.base import StreamStates, by_stream, upsert
from services.projections.tables import overview_table


class OverviewProjection:
    name = "overview"
    version = 1
    tables: tuple[Table, ...] = (overview_table,)

    def __init__(self, store: EventStore) -> None:
        self.states: StreamStates[CampaignState] = StreamStates(store, campaign.fold)

    def reset(self) -> None:
        self.states.clear()

    def apply(self, conn: Connection, generation: int, events: Sequence[RecordedEvent]) -> None:
        rows = []
        for stream_id, group in by_stream(events, "campaign-").items():
            state = self.states.advance(stream_id, group)
            rows.append(overview_row(generation, stream_id.removeprefix("campaign-"), state, group[-1]))
        upsert(conn, overview_table, rows)


def overview_row(
    generation: int, campaign_id: str, state: CampaignState, last: RecordedEvent
) -> dict[str, Any]:
    notice = state.notice
    publication = state.publication
    return {
        "generation": generation,
        "campaign_id": campaign_id,
        "title": notice.title if notice else "",
        "notice_number": notice.number if notice else "",
        "year": state.year,
        "stage": state.stage.value if state.stage else None,
        "assessing_unit": state.assessing_unit,
        "report_to": state.report_to,
        "collection_deadline": state.collection_deadline.isoformat() if state.collection_deadline else None,
        "appeal_window_end": publication.window_end.isoformat() if publication else None,
        "counts": counts(state),
        "stream_version": last.version,
        "last_position": last.position,
    }
