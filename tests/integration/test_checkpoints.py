"""Signed checkpoints catch what the chain alone cannot: a history re-hashed after an edit, a cut tail."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text, update

from services.cli.main import main
from services.eventstore.canonical import GENESIS_HASH, canonical_json, event_hash, format_time
from services.eventstore.tables import events_table
from services.eventstore.verify import iter_raw
from services.infra.db import make_engine
from tests.conftest import PostgresDatabases
from tests.integration.test_eventstore_integrity import copy_database, fill, kaohe

E = events_table.c


@pytest.fixture
def pg_or_none(request: pytest.FixtureRequest, database_url: str) -> PostgresDatabases | None:
    if database_url.startswith("sqlite"):
        return None
    return request.getfixturevalue("pg_databases")  # type: ignore[no-any-return]


def _triggers(conn: object, postgres: bool, on: bool) -> None:
    execute = conn.execute  # type: ignore[attr-defined]
    if postgres:
        execute(text(f"ALTER TABLE events {'ENABLE' if on else 'DISABLE'} TRIGGER events_immutable"))
    elif not on:
        execute(text("DROP TRIGGER events_no_update"))
        execute(text("DROP TRIGGER events_no_delete"))


def rewrite_and_rehash(url: str, position: int, postgres: bool) -> None:
    """What an owner of the database can do: edit one event, re-hash every event after it."""
    engine = make_engine(url)
    events = list(iter_raw(engine))
    prev = events[position - 2].hash if position > 1 else GENESIS_HASH
    with engine.begin() as conn:
        _triggers(conn, postgres, on=False)
        for event in events[position - 1 :]:
            data = json.loads(event.data_json)
            if event.position == position:
                data["score"] = "100"
            digest = event_hash(
                prev_hash=prev, position=event.position, stream_id=event.stream_id, version=event.version,
                event_id=event.event_id, type=event.type, schema_version=event.schema_version,
                data_json=canonical_json(data), metadata_json=canonical_json(json.loads(event.metadata_json)),
                recorded_at=format_time(event.recorded_at),
            )  # fmt: skip
            values = {"data": data, "prev_hash": prev, "hash": digest}
            conn.execute(update(events_table).where(E.position == event.position).values(**values))
            prev = digest
        _triggers(conn, postgres, on=True)
    engine.dispose()


def cut_tail(url: str, keep: int, postgres: bool) -> None:
    """Delete the events after ``keep`` and move the head row back, so the chain still ends cleanly."""
    engine = make_engine(url)
    with engine.begin() as conn:
        _triggers(conn, postgres, on=False)
        conn.execute(text(f"DELETE FROM events WHERE position > {keep}"))
        conn.execute(text(f"UPDATE event_log_head SET position = {keep}"))
        _triggers(conn, postgres, on=True)
    engine.dispose()


def write_checkpoint(url: str, tmp_path: Path) -> Path:
    result = kaohe(["checkpoint", "write"], url, tmp_path)
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().rsplit(": ", 1)[1])


def test_a_rehashed_history_passes_the_chain_but_not_the_checkpoint(
    database_url: str, pg_or_none: PostgresDatabases | None, tmp_path: Path
) -> None:
    fill(database_url)
    signed = write_checkpoint(database_url, tmp_path)
    assert signed.parent == tmp_path / "data" / "checkpoints" and signed.name.startswith("000000000012-")
    copy = copy_database(database_url, tmp_path, pg_or_none)
    rewrite_and_rehash(copy, 7, pg_or_none is not None)

    fooled = kaohe(["verify"], copy, tmp_path)
    assert fooled.returncode == 0, "the chain alone is fooled"
    assert "note: the chain agrees with itself" in fooled.stderr and str(signed) in fooled.stderr
    result = kaohe(["verify", "--checkpoint", str(signed)], copy, tmp_path)
    assert result.returncode == 1, result.stdout
    assert f"checkpoint {signed} (position 12): FAILED: the event at position 12 has hash" in result.stdout
    assert "rewritten and re-hashed" in result.stdout
    ok = kaohe(["verify", "--checkpoint", str(signed)], database_url, tmp_path)
    assert ok.returncode == 0 and "the log still holds it" in ok.stdout, ok.stdout + ok.stderr


def test_a_cut_tail_with_the_head_moved_back_is_found(
    database_url: str, pg_or_none: PostgresDatabases | None, tmp_path: Path
) -> None:
    fill(database_url, 6)
    early = write_checkpoint(database_url, tmp_path)
    fill(database_url, 6)
    late = write_checkpoint(database_url, tmp_path)
    copy = copy_database(database_url, tmp_path, pg_or_none)
    cut_tail(copy, 9, pg_or_none is not None)

    assert kaohe(["verify"], copy, tmp_path).returncode == 0, "the chain alone is fooled"
    result = kaohe(["verify", "--checkpoint", str(early), "--checkpoint", str(late)], copy, tmp_path)
    assert result.returncode == 1
    assert f"checkpoint {early} (position 6): signed by ed25519:" in result.stdout
    assert (
        f"checkpoint {late} (position 12): FAILED: the log now ends at position 9, behind the "
        "checkpoint's position 12" in result.stdout
    )


def test_a_forged_checkpoint_or_a_foreign_key_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    fill(sqlite_url)
    signed = write_checkpoint(sqlite_url, tmp_path)
    forged = tmp_path / "forged.json"
    record = json.loads(signed.read_text())
    record["position"] = 11
    forged.write_text(json.dumps(record))
    result = kaohe(["verify", "--checkpoint", str(forged)], sqlite_url, tmp_path)
    assert result.returncode == 1 and "FAILED: the signature does not match its content" in result.stdout

    other = tmp_path / "other"
    assert kaohe(["checkpoint", "keygen"], sqlite_url, other).returncode == 0
    foreign = other / "data" / "checkpoint-ed25519.key"
    args = ["verify", "--checkpoint", str(signed), "--public-key", str(foreign)]
    result = kaohe(args, sqlite_url, tmp_path)
    assert result.returncode == 1
    assert f"signed by key {record['key_id']}, but the public keys given are: ed25519:" in result.stdout


def test_keygen_makes_a_private_file_once_and_prints_the_public_key(sqlite_url: str, tmp_path: Path) -> None:
    first = kaohe(["checkpoint", "keygen"], sqlite_url, tmp_path)
    assert first.returncode == 0 and first.stdout.startswith("created checkpoint key ed25519:")
    key_file = tmp_path / "data" / "checkpoint-ed25519.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    before = key_file.read_bytes()
    again = kaohe(["checkpoint", "keygen"], sqlite_url, tmp_path)
    assert again.stdout.startswith("kept the existing checkpoint key") and key_file.read_bytes() == before
    public = kaohe(["checkpoint", "public-key"], sqlite_url, tmp_path)
    assert public.stdout.startswith("-----BEGIN PUBLIC KEY-----") and "PRIVATE" not in public.stdout
    pub_file = tmp_path / "kaohe.pub"
    pub_file.write_text(public.stdout)

    fill(sqlite_url, 3)
    signed = write_checkpoint(sqlite_url, tmp_path)
    key_file.unlink()  # an auditor's machine: only the public key
    args = ["verify", "--checkpoint", str(signed), "--public-key", str(pub_file)]
    result = kaohe(args, sqlite_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_empty_log_has_nothing_to_checkpoint(sqlite_url: str, tmp_path: Path) -> None:
    result = kaohe(["checkpoint", "write"], sqlite_url, tmp_path)
    assert result.returncode == 1 and "the event log is empty" in result.stderr


@pytest.mark.parametrize(
    "command",
    [["checkpoint"], ["checkpoint", "keygen"], ["checkpoint", "public-key"], ["checkpoint", "write"],
     ["db", "grant-app-role"], ["verify"], ["migrate"]],
)  # fmt: skip
def test_every_integrity_command_has_help_with_an_example(command: list[str]) -> None:
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output, result.output
