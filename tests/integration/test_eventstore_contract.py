"""The event store's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from services.eventstore.errors import ConcurrencyError, IdempotencyConflict, InvalidAppend, UnknownEventType
from services.eventstore.model import NewEvent, StreamAppend
from services.eventstore.registry import EventTypeRegistry
from services.eventstore.store import EventStore
from services.eventstore.tables import events_table
from services.eventstore.verify import verify_database
from services.infra.db import make_engine


def registry() -> EventTypeRegistry:
    reg = EventTypeRegistry()
    for name in ("ScoreDetermined", "DataSubmitted", "NoticeRegistered"):
        reg.register(name)
    return reg


@pytest.fixture
def store(database_url: str) -> EventStore:
    s = EventStore(make_engine(database_url), registry())
    yield s  # type: ignore[misc]
    s.engine.dispose()


def ev(n: int = 1, type: str = "ScoreDetermined", **meta: str) -> NewEvent:
    return NewEvent(type, {"unit": f"U{n}", "score": "100", "名称": "汉滨区"}, meta or {"actor": "drafter-1"})


def count(store: EventStore) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events_table)).scalar_one())


def test_append_then_read_back_everything(store: EventStore) -> None:
    result = store.append("campaign-1", [ev(1), ev(2)], expected_version=0)
    assert result.positions == (1, 2)
    assert result.stream_versions == {"campaign-1": 2}
    events = store.read_stream("campaign-1")
    assert [e.version for e in events] == [1, 2]
    first = events[0]
    assert first.data == {"unit": "U1", "score": "100", "名称": "汉滨区"}
    assert first.metadata == {"actor": "drafter-1"}
    assert first.type == "ScoreDetermined" and first.schema_version == 1
    assert first.recorded_at.tzinfo is not None
    assert abs(first.recorded_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert first.prev_hash == "0" * 64 and events[1].prev_hash == first.hash
    assert store.stream_version("campaign-1") == 2 and store.stream_version("nothing") == 0


def test_wrong_expected_version_names_stream_and_versions_and_writes_nothing(store: EventStore) -> None:
    store.append("s", [ev()], expected_version=0)
    head = store.head()
    with pytest.raises(ConcurrencyError) as info:
        store.append("s", [ev()], expected_version=0)
    assert (info.value.stream_id, info.value.expected_version, info.value.actual_version) == ("s", 0, 1)
    assert "'s'" in str(info.value) and "version 1" in str(info.value)
    with pytest.raises(ConcurrencyError):
        store.append("s", [ev()], expected_version=5)
    assert store.head() == head and count(store) == 1


def test_any_version_appends_without_a_check(store: EventStore) -> None:
    store.append("s", [ev()], expected_version=None)
    store.append("s", [ev()], expected_version=None)
    assert store.stream_version("s") == 2


def test_several_streams_in_one_transaction_all_or_nothing(store: EventStore) -> None:
    result = store.append_streams([StreamAppend("a", [ev(1)], 0), StreamAppend("b", [ev(2), ev(3)], 0)])
    assert result.positions == (1, 2, 3) and result.stream_versions == {"a": 1, "b": 2}
    with pytest.raises(ConcurrencyError) as info:
        store.append_streams([StreamAppend("a", [ev()], 1), StreamAppend("b", [ev()], 1)])
    assert info.value.stream_id == "b"
    assert count(store) == 3 and store.stream_version("a") == 1


def test_idempotency_key_replays_the_first_result_and_writes_nothing(store: EventStore) -> None:
    first = store.append("s", [ev(1)], 0, idempotency_key="req-1")
    again = store.append("s", [NewEvent("ScoreDetermined", ev(1).data, {"request_id": "other"})], 0, "req-1")
    assert again.positions == first.positions and again.stream_versions == first.stream_versions
    assert again.replayed and not first.replayed
    assert count(store) == 1
    nxt = store.append("s", [ev(2)], 1)
    assert nxt.positions == (2,), "a replay must not burn positions"


def test_idempotency_key_with_other_content_is_refused(store: EventStore) -> None:
    store.append("s", [ev(1)], 0, idempotency_key="req-1")
    with pytest.raises(IdempotencyConflict) as info:
        store.append("s", [ev(2)], 1, idempotency_key="req-1")
    assert "req-1" in str(info.value)
    assert count(store) == 1


@pytest.mark.parametrize(
    ("stream_id", "field"),
    [
        ("", "stream_id"),
        ("   ", "stream_id"),
        ("x" * 201, "stream_id"),
        ("a\nb", "stream_id"),
        (None, "stream_id"),
    ],
)
def test_bad_stream_ids_are_refused(store: EventStore, stream_id: str, field: str) -> None:
    with pytest.raises(InvalidAppend) as info:
        store.append(stream_id, [ev()], 0)
    assert field in info.value.field
    assert count(store) == 0


def test_longest_allowed_stream_id_is_accepted(store: EventStore) -> None:
    store.append("x" * 200, [ev()], 0)
    assert store.stream_version("x" * 200) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"n": 0.1}, "float"),
        ({"n": float("nan")}, "non-finite"),
        ({"when": datetime.now(UTC)}, "not JSON-serialisable"),
        ({"n": Decimal("1.5")}, "not JSON-serialisable"),
        ({"tags": {"a", "b"}}, "not JSON-serialisable"),
        ({"text": "a\x00b"}, "NUL"),
        ({"text": "\ud800"}, "surrogate"),
        ({1: "x"}, "keys must be strings"),
    ],
)
def test_data_that_is_not_canonical_json_is_refused(store: EventStore, data: dict, message: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidAppend) as info:
        store.append("s", [NewEvent("ScoreDetermined", data)], 0)
    assert info.value.field == "streams[0].events[0].data" and message in info.value.message
    assert count(store) == 0


def test_unknown_event_type_and_empty_appends_are_refused(store: EventStore) -> None:
    with pytest.raises(UnknownEventType) as info:
        store.append("s", [ev(), NewEvent("NoSuchThing", {})], 0)
    assert info.value.field == "streams[0].events[1].type"
    with pytest.raises(InvalidAppend):
        store.append("s", [], 0)
    with pytest.raises(InvalidAppend):
        store.append_streams([])
    with pytest.raises(InvalidAppend):
        store.append_streams([StreamAppend("s", [ev()], 0), StreamAppend("s", [ev()], 0)])
    with pytest.raises(InvalidAppend):
        store.append("s", [ev()], -1)
    with pytest.raises(InvalidAppend):
        store.append("s", [ev()], 0, idempotency_key="")
    assert count(store) == 0


def test_duplicate_event_id_is_refused(store: EventStore) -> None:
    event_id = "6f1c1d3e-2f7b-4d8e-9a37-0b8f2b6c9e11"
    store.append("s", [NewEvent("ScoreDetermined", {}, event_id=event_id)], 0)
    with pytest.raises(InvalidAppend) as info:
        store.append("t", [NewEvent("ScoreDetermined", {}, event_id=event_id)], 0)
    assert info.value.field == "event_id"
    with pytest.raises(InvalidAppend):
        store.append("t", [NewEvent("ScoreDetermined", {}, event_id="not-a-uuid")], 0)
    assert count(store) == 1


def test_reads_by_version_position_page_and_time(store: EventStore) -> None:
    for i in range(1, 6):
        store.append("a", [ev(i)], i - 1)
        store.append("b", [ev(i)], i - 1)
    assert [e.version for e in store.read_stream("a", from_version=2, to_version=4)] == [2, 3, 4]
    assert [e.version for e in store.read_stream("a", to_position=5)] == [1, 2, 3]
    page = store.read_all(after=3, limit=4)
    assert [e.position for e in page] == [4, 5, 6, 7]
    assert [e.position for e in store.iter_all(after=0, page_size=3)] == list(range(1, 11))
    assert [e.position for e in store.iter_all(to_position=4, page_size=3)] == [1, 2, 3, 4]
    cut = store.read_all()[5].recorded_at
    assert store.position_at(cut) >= 6
    assert store.position_at(datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert store.head().position == 10


def test_recorded_at_never_goes_backwards(store: EventStore) -> None:
    for i in range(20):
        store.append(f"s{i % 3}", [ev(i)], None)
    times = [e.recorded_at for e in store.read_all()]
    assert times == sorted(times)


def test_old_schema_versions_are_upcast_on_read(database_url: str) -> None:
    v1 = EventTypeRegistry()
    v1.register("DataSubmitted", 1)
    engine = make_engine(database_url)
    EventStore(engine, v1).append("s", [NewEvent("DataSubmitted", {"calls": "290921"})], 0)

    v2 = EventTypeRegistry()
    v2.register("DataSubmitted", 2)
    v2.register_upcaster("DataSubmitted", 1, lambda d: {"hotline": {"calls": int(d["calls"])}})
    store = EventStore(engine, v2)
    (event,) = store.read_stream("s")
    assert event.schema_version == 2 and event.data == {"hotline": {"calls": 290921}}
    store.append("s", [NewEvent("DataSubmitted", {"hotline": {"calls": 1}})], 1)
    with engine.connect() as conn:
        stored = conn.execute(select(events_table.c.schema_version).order_by(events_table.c.position)).all()
    assert [row[0] for row in stored] == [1, 2], "old rows stay as written; new rows get the new version"
    assert verify_database(engine).ok
    engine.dispose()


def test_registry_refuses_a_version_without_upcasters() -> None:
    reg = EventTypeRegistry()
    reg.register("DataSubmitted", 3)
    reg.register_upcaster("DataSubmitted", 1, dict)
    with pytest.raises(LookupError):
        reg.check_complete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE events SET data = data WHERE position = 1",
        "DELETE FROM events WHERE position = 1",
        "UPDATE idempotency_keys SET request_hash = 'x'",
        "DELETE FROM idempotency_keys",
    ],
)
def test_the_database_refuses_to_change_history(store: EventStore, statement: str) -> None:
    store.append("s", [ev()], 0, idempotency_key="k")
    with pytest.raises(DBAPIError) as info, store.engine.begin() as conn:
        conn.execute(text(statement))
    assert "never changed" in str(info.value)
    assert count(store) == 1 and verify_database(store.engine).ok


def test_verify_passes_on_an_intact_log(store: EventStore) -> None:
    for i in range(30):
        store.append_streams([StreamAppend(f"s{i % 4}", [ev(i), ev(i + 1)], None)])
    result = verify_database(store.engine)
    assert result.ok and result.checked == 60 and result.last_position == 60


def test_concurrent_appends_in_threads_stay_ordered(store: EventStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def work(n: int) -> None:
        for i in range(15):
            store.append(f"t{n}", [ev(i)], i)
            time.sleep(0)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, range(4)))
    assert [e.position for e in store.read_all(limit=100)] == list(range(1, 61))
    assert verify_database(store.engine).ok


def test_iter_payloads_replays_positions_streams_and_upcast_data(database_url: str) -> None:
    v1 = EventTypeRegistry()
    v1.register("DataSubmitted", 1)
    engine = make_engine(database_url)
    writer = EventStore(engine, v1)
    for i in range(7):
        writer.append(f"s{i % 2}", [NewEvent("DataSubmitted", {"calls": str(i)})], None)
    v2 = EventTypeRegistry()
    v2.register("DataSubmitted", 2)
    v2.register_upcaster("DataSubmitted", 1, lambda d: {"hotline": {"calls": int(d["calls"])}})
    store = EventStore(engine, v2)
    payloads = list(store.iter_payloads(page_size=3))
    assert [p.position for p in payloads] == list(range(1, 8))
    assert [(p.stream_id, p.version) for p in payloads[:3]] == [("s0", 1), ("s1", 1), ("s0", 2)]
    assert payloads[4].schema_version == 2 and payloads[4].data == {"hotline": {"calls": 4}}
    assert [p.position for p in store.iter_payloads(after=2, to_position=5, page_size=2)] == [3, 4, 5]
    full = [(e.position, e.stream_id, e.version, e.type, e.data) for e in store.iter_all()]
    assert full == [(p.position, p.stream_id, p.version, p.type, p.data) for p in payloads]
    engine.dispose()
