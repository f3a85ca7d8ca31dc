"""`kaohe export` and `kaohe verify --file`: the log with its hashes, checked offline; bad lines named."""

from __future__ import annotations

import hashlib
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


def _verify(recorded: Recorded, path: Path, *args: str) -> tuple[int, str]:
    env = {**recorded.env, "KAOHE_DATABASE_URL": UNREACHABLE}
    result = Recorded(env, 0, 0).kaohe("verify", "--file", str(path), *args)
    return result.exit_code, result.output


def _manifest(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


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
    signature, checkpoint = manifest["signature"], manifest["checkpoint"]
    assert isinstance(signature, dict) and isinstance(checkpoint, dict)
    assert signature["algorithm"] == "ed25519" and signature["key_id"].startswith("ed25519:")
    assert (checkpoint["position"], checkpoint["hash"]) == (recorded.head, last["hash"])
    assert checkpoint["key_id"] == signature["key_id"]
    written = list((tmp_path / "checkpoints").glob(f"{recorded.head:012d}-*.json"))
    assert len(written) == 1 and json.loads(written[0].read_text()) == checkpoint, "kept outside the DB"
    code, output = _verify(recorded, path)
    assert code == 0, output
    assert (
        f"checked {recorded.head} events: the hash chain is intact and matches its manifest, signed by "
        f"{signature['key_id']}" in output
    )


def test_a_range_exports_and_verifies_from_its_manifest(recorded: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "part.jsonl"
    manifest = _export(recorded, path, "--from", "20", "--to", "60")
    assert (manifest["count"], manifest["first_position"], manifest["last_position"]) == (41, 20, 60)
    assert manifest["first_prev_hash"] != GENESIS_HASH
    code, output = _verify(recorded, path)
    assert code == 0 and "matches its manifest, signed by ed25519:" in output, output
    assert f"checkpoint (position {recorded.head}) is past this export's end" in output


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


def test_an_auditor_verifies_with_the_public_key_alone(recorded: Recorded, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    _export(recorded, path)
    public = recorded.kaohe("checkpoint", "public-key")
    assert public.exit_code == 0 and "BEGIN PUBLIC KEY" in public.output
    pub_file = tmp_path / "kaohe.pub"
    pub_file.write_text(public.output.split("key id:")[0])
    (tmp_path / "checkpoint-ed25519.key").rename(tmp_path / "elsewhere.key")  # not on the auditor's machine
    assert _verify(recorded, path)[0] == 1, "no public key: the signature cannot be checked"
    code, output = _verify(recorded, path, "--public-key", str(pub_file))
    assert code == 0 and "signed by ed25519:" in output, output


def test_an_export_without_a_manifest_or_signature_fails_unless_unsigned_ok(
    recorded: Recorded, tmp_path: Path
) -> None:
    path = tmp_path / "log.jsonl"
    manifest = _export(recorded, path)
    _manifest(path).unlink()
    code, output = _verify(recorded, path)
    assert code == 1 and "FAILED: no manifest beside the file; --unsigned-ok checks the chain only" in output
    code, output = _verify(recorded, path, "--unsigned-ok")
    assert code == 0 and "note: no manifest" in output, output

    del manifest["signature"]
    _manifest(path).write_text(json.dumps(manifest))
    code, output = _verify(recorded, path)
    assert code == 1 and "FAILED: the manifest is not signed" in output
    code, output = _verify(recorded, path, "--unsigned-ok")
    assert code == 0 and "its signature is not checked (--unsigned-ok)" in output


def test_a_rewritten_export_with_its_manifest_fixed_fails_the_signature(
    recorded: Recorded, tmp_path: Path
) -> None:
    """Cut the last line and fix the manifest's count, end and sha256 to match: only the signature
    (and the signed checkpoint of the head inside it) can tell."""
    path = tmp_path / "log.jsonl"
    manifest = _export(recorded, path)
    lines = path.read_text("utf-8").splitlines(keepends=True)[:-1]
    path.write_text("".join(lines), "utf-8")
    last = json.loads(lines[-1])
    data = "".join(lines).encode("utf-8")
    manifest.update(
        count=len(lines), last_position=last["position"], last_hash=last["hash"],
        sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    _manifest(path).write_text(json.dumps(manifest))
    for extra in ((), ("--unsigned-ok",)):
        code, output = _verify(recorded, path, *extra)
        assert code == 1 and "FAILED: the manifest's signature does not match its content" in output
