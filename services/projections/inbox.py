"""Approval inbox: every open task of every document, assigned to a user or offered to a role."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete, insert

from domain import approval
from services.eventstore.model import RecordedEvent
from services.eventstore.store import EventStore, utc
from services.projections.base import StreamStates, by_stream
from services.projections.tables import inbox_table

T = inbox_table.c


class InboxProjection:
    name = "inbox"
    version = 1
    tables: tuple[Table, ...] = (inbox_table,)

    def __init__(self, store: EventStore) -> None:
        self.states: StreamStates[approval.DocumentState] = StreamStates(store, approval.fold)

    def reset(self) -> None:
        self.states.clear()

    def apply(self, conn: Connection, generation: int, events: Sequence[RecordedEvent]) -> None:
        rows: list[dict[str, Any]] = []
        for stream_id, group in by_stream(events, "document-").items():
            state = self.states.advance(stream_id, group)
            document_id = stream_id.removeprefix("document-")
            conn.execute(delete(inbox_table).where(T.generation == generation, T.document_id == document_id))
            rows += task_rows(generation, document_id, state, group[-1].position)
        if rows:
            conn.execute(insert(inbox_table), rows)


def task_rows(
    generation: int, document_id: str, state: approval.DocumentState, position: int
) -> list[dict[str, Any]]:
    return [
        {
            "generation": generation,
            "document_id": document_id,
            "task_id": task.task_id,
            "campaign_id": state.campaign_id,
            "title": state.title,
            "step": task.step,
            "assignee": task.assignee,
            "role": task.role,
            "since": utc(task.since),  # SQLite keeps no zone: store UTC everywhere
            "owner": task.owner,
            "last_position": position,
        }
        for task in approval.open_tasks(state)
    ]
