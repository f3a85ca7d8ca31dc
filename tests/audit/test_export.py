"""`kaohe export` and `kaohe verify --file`: the log with its hashes, checked offline; bad lines named."""

from __future__ import annotations

import json
from pathlib import Path

from services.eventstore.canonical import GENESIS_HASH
from tests.audit.conftest import Recorded

UNREACHABLE = "postgresql://nobody@127.0.0.1:9/nowhere"
"""verify --file must not touch the database: point it somewhere that cannot answer."""


def _export(recorded: Recorded, path: Path, *args: str) -> dict[str, object]:
    result = recorded.kaohe("export", *args, str(path))
    assert result.exit_code == 0, result.output
    manifest: dict[str, object] = json.loads(path.with_name(path.name + ".manifest.json").read_text())
    return manifest


def _verify(recorded: Recorded, path: Path) -> tuple[int, str]:
    env = {**recorded.env, "KAOHE_DATABASE_URL": UNREACHABLE}
    result = Recorded(env, 0, 0).kaohe("verify", "--file", str(path))
    return result.exit_code, result.output


def test_export_then_verify_passes_offline(recorded: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    manifest = _export(recorded, path)
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == recorded.head == manifest["count"]
    first, last = json.loads(lines[0]), json.loads(lines[-1])
    assert list(first) == [
        "position", "stream_id", "version", "event_id", "type", "schema_version", "data", "metadata",
        "recorded_at", "prev_hash", "hash",
    ]  # fmt: skip
    assert (manifest["first_position"], manifest["last_position"]) == (1, recorded.head)
    assert manifest["first_prev_hash"] == GENESIS_HASH == first["prev_hash"]
    assert manifest["last_hash"] == last["hash"]
    assert first["data"]["notice"]["number"] == "安作风办字〔2023〕1号", "readable, not escaped"
    code, output = _verify(recorded, path)
    assert code == 0, output
    assert f"checked {recorded.head} events: the hash chain is intact and matches its manifest" in output


def test_a_range_exports_and_verifies_from_its_manifest(recorded: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl"
    manifest = _export(recorded, path, "--from", "20", "--to", "60")
    assert (manifest["count"], manifest["first_position"], manifest["last_position"]) == (41, 20, 60)
    assert manifest["first_prev_hash"] != GENESIS_HASH
    assert _verify(recorded, path)[0] == 0


def test_one_altered_line_is_found_and_named(recorded: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _export(recorded, path)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    record = json.loads(lines[29])  # line 30: one unit's score of 10
    assert record["type"] == "ScoreDetermined"
    record["data"]["score"] = "9"
    lines[29] = json.dumps(record, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), "utf-8")
    code, output = _verify(recorded, path)
    assert code == 1
    assert f"FAILED at line 30 (position {record['position']}): hash does not match" in output


def test_a_removed_line_and_a_cut_tail_are_found(recorded: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _export(recorded, path)
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:9] + lines[10:]), "utf-8")
    code, output = _verify(recorded, path)
    assert code == 1 and "FAILED at line 10 (position 10): expected position 10, found 11" in output

    path.write_text("".join(lines[:-1]), "utf-8")  # the chain alone cannot see this; the manifest can
    code, output = _verify(recorded, path)
    assert code == 1 and "lines are missing" in output

    path.write_text("".join(lines[:5]) + "not json\n" + "".join(lines[5:]), "utf-8")
    code, output = _verify(recorded, path)
    assert code == 1 and "FAILED at line 6 (position 6): not an exported event" in output


def test_export_refuses_a_range_outside_the_log(recorded: Recorded, tmp_path: Path) -> None:
    result = recorded.kaohe("export", "--to", str(recorded.head + 1), str(tmp_path / "x.jsonl"))
    assert result.exit_code == 1
    assert f"past the end of the log (last position {recorded.head})" in result.output
    assert not (tmp_path / "x.jsonl").exists()
    missing = _verify(recorded, tmp_path / "x.jsonl")
    assert missing[0] == 1 and "no export file" in missing[1]
