"""The embedded broker: its own SQLite file in the data folder, whole messages only, a worker that survives.

The filesystem transport it replaces once let a worker read a message file still being written
(JSONDecodeError), and the worker exited. Here a message is one row committed in one transaction.
"""

from __future__ import annotations

import base64
import json
import signal
import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from kombu import Connection

from services.infra.broker import (
    CATCH_UP,
    EmbeddedTransport,
    broker_path,
    broker_url,
    celery_config,
    check_broker,
)
from services.infra.settings import Settings
from tests.workers.procs import KAOHE, base_env, eventually, kaohe, start, stop

PARKED = "parked"  # a queue no worker consumes


def settings_in(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'kaohe.sqlite3'}")


def connection(settings: Settings) -> Connection:
    config = celery_config(settings)
    return Connection(config["broker_url"], transport_options=config["broker_transport_options"])


def rows(settings: Settings, queue: str) -> list[str]:
    with sqlite3.connect(broker_path(settings)) as db:
        found = db.execute(
            "SELECT m.payload FROM kombu_message m JOIN kombu_queue q ON q.id = m.queue_id "
            "WHERE q.name = ? ORDER BY m.id",
            (queue,),
        ).fetchall()
    return [payload for (payload,) in found]


def insert_rows(settings: Settings, queue: str, payloads: list[str]) -> None:
    with sqlite3.connect(broker_path(settings)) as db:
        (queue_id,) = db.execute("SELECT id FROM kombu_queue WHERE name = ?", (queue,)).fetchone()
        db.executemany(
            "INSERT INTO kombu_message (visible, payload, version, queue_id) VALUES (1, ?, 1, ?)",
            [(payload, queue_id) for payload in payloads],
        )


def test_the_embedded_broker_is_its_own_sqlite_file_in_the_data_folder(tmp_path: Path) -> None:
    settings = settings_in(tmp_path / "data")
    config = celery_config(settings)
    assert config["broker_url"] == f"kaohe-sqlite+sqlite:///{tmp_path / 'data' / 'broker.sqlite3'}"
    assert broker_path(settings).parent == settings.data_dir, "not in whatever directory we run from"
    assert broker_path(settings).name != Path(settings.database_url).name, "never the event store's file"
    assert Connection(config["broker_url"]).get_transport_cls() is EmbeddedTransport
    assert 0 < config["broker_transport_options"]["polling_interval"] <= 0.2
    assert config["worker_enable_remote_control"] is False, "no fanout across processes"
    redis = celery_config(replace(settings, broker_url="redis://127.0.0.1:6379/3"))
    assert redis["broker_url"] == "redis://127.0.0.1:6379/3" and redis["worker_enable_remote_control"]
    from_env = Settings.from_env({"KAOHE_DATA_DIR": str(tmp_path), "KAOHE_BROKER_URL": "redis://r:6379/0"})
    assert broker_url(from_env) == "redis://r:6379/0", "KAOHE_BROKER_URL overrides the embedded broker"


def test_a_message_is_taken_once_and_its_row_deleted(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    sent = 200
    with connection(settings) as conn:
        queue = conn.SimpleQueue(PARKED)
        for n in range(sent):
            queue.put({"n": n})
        queue.close()
    taken: list[int] = []

    def consume() -> None:  # two consumers on their own connections race for the same rows
        with connection(settings) as conn:
            queue = conn.SimpleQueue(PARKED)
            while True:
                try:
                    message = queue.get(timeout=0.5)
                except queue.Empty:
                    break
                taken.append(message.payload["n"])
                message.ack()
            queue.close()

    threads = [threading.Thread(target=consume) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(taken) == list(range(sent)), "each message delivered exactly once"
    assert rows(settings, PARKED) == [], "a fetched message leaves no row behind"
    with sqlite3.connect(broker_path(settings)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_row_that_is_not_a_whole_message_is_dropped_and_the_next_one_delivered(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = settings_in(tmp_path)
    with connection(settings) as conn:
        queue = conn.SimpleQueue(PARKED)
        queue.put({"n": 1})
        whole = rows(settings, PARKED)[0]
        insert_rows(settings, PARKED, broken_payloads(whole))
        queue.put({"n": 2})
        got = [queue.get(timeout=5) for _ in range(2)]
        for message in got:
            message.ack()
        queue.close()
    assert [m.payload for m in got] == [{"n": 1}, {"n": 2}]
    assert rows(settings, PARKED) == []
    captured = capsys.readouterr()
    said = caplog.text + captured.out + captured.err  # structlog, configured or not
    assert said.count("broker_message_dropped") == 3


def broken_payloads(whole: str) -> list[str]:
    """What a reader could meet: a payload cut short, JSON that is no message, a body that is not base64."""
    message = json.loads(whole)
    message["body"] = "%%% not base64 %%%"
    return [whole[: len(whole) // 2], "[]", json.dumps(message)]


def test_ready_tells_whether_the_broker_file_can_be_read(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    assert check_broker(settings) == (True, "sqlite (not created yet)")
    with connection(settings) as conn:
        conn.SimpleQueue(PARKED).put({"n": 1})
    assert check_broker(settings) == (True, "sqlite (1 waiting)")
    for suffix in ("-wal", "-shm", ""):
        Path(f"{broker_path(settings)}{suffix}").unlink(missing_ok=True)
    broker_path(settings).write_bytes(b"this is not a database" * 100)
    ok, detail = check_broker(settings)
    assert not ok and "DatabaseError" in detail
    assert not check_broker(settings_in(tmp_path / "missing"))[0]


PRODUCER_LOOP = """
import sys
from kombu import Connection
from services.infra.broker import celery_config
from services.infra.settings import Settings
config = celery_config(Settings.from_env())
with Connection(config["broker_url"], transport_options=config["broker_transport_options"]) as conn:
    queue = conn.SimpleQueue(sys.argv[1])
    n = 0
    while True:
        queue.put({"n": n, "padding": "x" * 200_000})
        n += 1
        if n == 3:
            print("sending", flush=True)
"""


def test_a_producer_killed_while_sending_leaves_only_whole_messages(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    settings = Settings.from_env(env)
    for _ in range(3):  # three kills at arbitrary moments of a stream of 200 KB messages
        producer = start([sys.executable, "-c", PRODUCER_LOOP, PARKED], env, tmp_path / "producer.log")
        eventually(lambda: "sending" in (tmp_path / "producer.log").read_text(), 30, "the producer")
        stop(producer, signal.SIGKILL)
        (tmp_path / "producer.log").write_text("")
    payloads = rows(settings, PARKED)
    assert len(payloads) >= 9
    with connection(settings) as conn:
        queue = conn.SimpleQueue(PARKED)
        numbers = []
        for _ in payloads:
            message = queue.get(timeout=5)
            numbers.append(message.payload["n"])
            assert len(message.payload["padding"]) == 200_000
            message.ack()
        queue.close()
    assert numbers.count(0) == 3, "every row, up to the kill, is a whole message"


HELD_SEND = """
import time
from sqlalchemy.orm import Session
from services.infra.broker import CATCH_UP
from services.infra.dispatch import producer
from services.infra.settings import Settings

def hold(session):  # the row is written but never committed: the process dies here
    session.flush()
    print("held", flush=True)
    time.sleep(120)

Session.commit = hold
producer(Settings.from_env()).send_task(CATCH_UP, kwargs={"name": "scores"}, task_id="never-committed")
"""


@pytest.mark.slow
def test_a_worker_survives_a_killed_producer_and_broken_rows(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    kaohe(["migrate"], env)
    settings = Settings.from_env(env)
    log = tmp_path / "worker.log"
    worker = start([*KAOHE, "worker", "--pool", "threads", "--concurrency", "2"], env, log)
    try:
        eventually(lambda: "ready." in log.read_text(), 30, "the worker to be ready")
        send = [sys.executable, "-c", HELD_SEND]
        held = subprocess.Popen(send, env=env, stdout=subprocess.PIPE, cwd=Path.cwd())
        assert held.stdout is not None and held.stdout.readline().strip() == b"held"
        held.send_signal(signal.SIGKILL)  # killed in mid-send, holding the write lock
        held.wait()

        from services.infra.dispatch import producer

        app = producer(settings)
        app.send_task(CATCH_UP, kwargs={"name": "scores"}, task_id="before-broken", retry=False)
        eventually(lambda: "before-broken" in log.read_text(), 20, "the worker to take a message")
        whole = json.loads(_a_real_payload(settings))
        cannot_decode = dict(whole, body=base64.b64encode(b"{not json").decode())
        insert_rows(settings, "kaohe", [*broken_payloads(json.dumps(whole)), json.dumps(cannot_decode)])
        app.send_task(CATCH_UP, kwargs={"name": "scores"}, task_id="after-broken", retry=False)
        eventually(lambda: "after-broken" in log.read_text(), 20, "the worker to take the next message")
        assert worker.poll() is None, log.read_text()[-3000:]
        text = log.read_text()
        assert "never-committed" not in text, "an uncommitted message is never delivered"
        assert text.count("broker_message_dropped") == 3
        assert "Unrecoverable error" not in text
        assert rows(settings, "kaohe") == []
    finally:
        stop(worker)


def _a_real_payload(settings: Settings) -> str:
    """What the producer writes for a catch-up (sent to a queue nobody consumes, read back)."""
    from services.infra.dispatch import producer

    producer(settings).send_task(CATCH_UP, kwargs={"name": "scores"}, queue=PARKED, retry=False)
    payload = rows(settings, PARKED)[-1]
    message = json.loads(payload)
    message["properties"]["delivery_info"]["routing_key"] = "kaohe"
    return json.dumps(message)
