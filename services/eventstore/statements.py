"""The append's SQL, built once per shape: building and cache-keying Core statements per call costs more
than running them (bench/eventstore.py)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, Text, Update, bindparam, cast, func, insert, select, update

from services.eventstore.prepare import PreparedAppend
from services.eventstore.tables import events_table, head_table, idempotency_table

E = events_table.c
I = idempotency_table.c  # noqa: E741
HEAD_ID = 1
INSERT_EVENTS = insert(events_table)
INSERT_KEY = insert(idempotency_table)
PREVIOUS = select(E.hash, E.recorded_at).where(E.position == bindparam("base"))


def _checks(streams: int, keyed: bool) -> list[Any]:
    columns: list[Any] = [
        select(func.max(E.version)).where(E.stream_id == bindparam(f"s{i}")).scalar_subquery()
        for i in range(streams)
    ]
    if keyed:
        match = I.key == bindparam("ikey")
        columns.append(select(I.request_hash).where(match).scalar_subquery())
        columns.append(select(cast(I.result, Text)).where(match).scalar_subquery())
    return columns


@lru_cache(maxsize=512)
def lock_statement(streams: int, keyed: bool) -> Update:
    """Lock the head row, reserve ``n`` positions, and read the last event and every check at once."""
    last = select(E.position, E.hash, E.recorded_at).order_by(E.position.desc()).limit(1).subquery()
    return (
        update(head_table)
        .where(head_table.c.id == HEAD_ID)
        .values(position=head_table.c.position + bindparam("n", type_=Integer))
        .returning(
            head_table.c.position,
            select(last.c.position).scalar_subquery(),
            select(last.c.hash).scalar_subquery(),
            select(last.c.recorded_at).scalar_subquery(),
            *_checks(streams, keyed),
        )
    )


@lru_cache(maxsize=512)
def recheck_statement(streams: int, keyed: bool) -> Select[Any]:
    """The checks again, under the lock, for when the locking statement's snapshot was older."""
    return select(*_checks(streams, keyed))


def check_params(request: PreparedAppend) -> dict[str, Any]:
    params: dict[str, Any] = {f"s{i}": s.stream_id for i, s in enumerate(request.streams)}
    if request.idempotency_key is not None:
        params["ikey"] = request.idempotency_key
    return params
