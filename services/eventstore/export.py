"""The log as a JSON Lines file with its hashes, a manifest beside it, and the offline check of both.

One event per line, exactly as stored (payloads raw, not upcast), so an auditor can recompute the hash chain
with nothing but this file: ``kaohe verify --file`` needs no database. The manifest (``FILE.manifest.json``)
pins what the chain alone cannot: where the file starts (the ``prev_hash`` of its first event), where it ends
(count, last position, last hash) and the file's own sha256, so a line cut from the end is found too. The
manifest is signed (Ed25519, the checkpoint key) and carries a signed checkpoint of the log's head taken at
export time: a file and manifest rewritten together no longer carry a signature the public key accepts.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from services.eventstore.canonical import GENESIS_HASH, format_time
from services.eventstore.checkpoint import Checkpoint
from services.eventstore.manifest import FORMAT, Manifest, authenticity
from services.eventstore.verify import RawEvent, iter_raw, raw_from_json, verify_events
from services.infra.signing import PublicKey, SigningKey

__all__ = [
    "FORMAT", "ExportError", "FileCheck", "Manifest", "export_line", "export_range", "manifest_path",
    "verify_file", "write_export",
]  # fmt: skip
FIELDS = (
    "position", "stream_id", "version", "event_id", "type", "schema_version", "data", "metadata",
    "recorded_at", "prev_hash", "hash",
)  # fmt: skip
Progress = Callable[[int], None]


class ExportError(ValueError):
    """The export cannot be written (an empty range, a position past the head, ...)."""


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def export_line(event: RawEvent) -> str:
    """One event as one line: its payloads as JSON objects, its time as hashed (UTC, microseconds)."""
    record = {
        "position": event.position,
        "stream_id": event.stream_id,
        "version": event.version,
        "event_id": event.event_id,
        "type": event.type,
        "schema_version": event.schema_version,
        "data": json.loads(event.data_json),
        "metadata": json.loads(event.metadata_json),
        "recorded_at": format_time(event.recorded_at),
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def export_range(head: int, first: int | None, last: int | None) -> tuple[int, int]:
    """The positions to write, both included; refuses a range outside the log."""
    start = 1 if first is None else first
    end = head if last is None else last
    if head == 0:
        raise ExportError("the event log is empty: nothing to export")
    if start < 1:
        raise ExportError(f"--from must be 1 or more, not {start}")
    if end > head:
        raise ExportError(f"--to {end} is past the end of the log (last position {head})")
    if start > end:
        raise ExportError(f"--from {start} is after --to {end}")
    return start, end


def write_export(  # noqa: PLR0917
    engine: Engine,
    path: Path,
    first: int,
    last: int,
    progress: Progress | None = None,
    key: SigningKey | None = None,
    checkpoint: Checkpoint | None = None,
) -> Manifest:
    """Write positions ``first..last`` to ``path`` (via a temporary file) and the manifest beside it,
    signed with ``key`` and carrying ``checkpoint`` when given."""
    report = progress or (lambda _n: None)
    digest = hashlib.sha256()
    count, first_prev, last_hash = 0, GENESIS_HASH, GENESIS_HASH
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("wb") as out:
            for event in iter_raw(engine, after=first - 1, to_position=last):
                if count == 0:
                    first_prev = event.prev_hash
                line = (export_line(event) + "\n").encode("utf-8")
                out.write(line)
                digest.update(line)
                count, last_hash = count + 1, event.hash
                report(1)
            out.flush()
            os.fsync(out.fileno())
        if count != last - first + 1:
            raise ExportError(f"the log has {count} events from {first} to {last}, not {last - first + 1}")
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    manifest = Manifest(
        count=count,
        first_position=first,
        last_position=last,
        first_prev_hash=first_prev,
        last_hash=last_hash,
        sha256=digest.hexdigest(),
        created_at=format_time(datetime.now(UTC)),
        file=path.name,
        checkpoint=checkpoint.to_json() if checkpoint is not None else None,
    )
    if key is not None:
        manifest = manifest.signed(key)
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n"
    manifest_path(path).write_text(text, encoding="utf-8")
    return manifest


@dataclass
class FileCheck:
    """What ``verify_file`` found: ``ok``, or the first bad line (1-based) and position, and why."""

    checked: int = 0
    last_position: int = 0
    bad_line: int | None = None
    bad_position: int | None = None
    reason: str | None = None
    manifest: Manifest | None = None
    checkpoint: Checkpoint | None = None
    """The manifest's signed checkpoint, once its signature has been checked."""
    signed_by: str | None = None
    """The key id whose signature on the manifest was checked and holds."""
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.reason is None


class _Lines:
    """Events from the file's lines, remembering each one's line number; stops at a line it cannot read."""

    def __init__(self, lines: Iterable[bytes], watch: int | None = None) -> None:
        self.lines = lines
        self.numbers: list[int] = []
        self.last_hash = GENESIS_HASH
        self.unreadable: tuple[int, str] | None = None
        self.watch = watch
        self.watched_hash: str | None = None

    def __iter__(self) -> Iterator[RawEvent]:
        for number, raw in enumerate(self.lines, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                if not isinstance(record, dict) or set(FIELDS) - set(record):
                    missing = sorted(set(FIELDS) - set(record)) if isinstance(record, dict) else FIELDS
                    raise ValueError(f"missing {', '.join(missing)}")
                event = raw_from_json(record)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                self.unreadable = (number, f"not an exported event: {exc}")
                return
            self.numbers.append(number)
            self.last_hash = event.hash
            if event.position == self.watch:
                self.watched_hash = event.hash
            yield event


def verify_file(
    path: Path,
    progress: Progress | None = None,
    keys: Mapping[str, PublicKey] | None = None,
    unsigned_ok: bool = False,
) -> FileCheck:
    """Check the manifest's signature with ``keys`` (by key id), then recompute the chain of the export,
    line by line, against the manifest. A missing manifest, an unsigned one or one signed by a key not
    given fails unless ``unsigned_ok``; a signature that does not match always fails."""
    report = progress or (lambda _n: None)
    result = FileCheck()
    start_hash, start_position = _start(path, result)
    refused, result.checkpoint = authenticity(result.manifest, keys or {}, unsigned_ok, result.notes)
    if refused is not None:
        result.reason = refused
        return result
    signature = result.manifest.signature if result.manifest is not None else None
    if signature is not None and str(signature.get("key_id")) in (keys or {}):
        result.signed_by = str(signature["key_id"])  # present, and authenticity() found it holds
    digest = hashlib.sha256()

    def lines() -> Iterator[bytes]:
        with path.open("rb") as handle:
            for raw in handle:
                digest.update(raw)
                report(len(raw))
                yield raw

    source = _Lines(lines(), result.checkpoint.position if result.checkpoint is not None else None)
    if start_hash is None:  # no manifest: start from the first line's own link (and say so)
        source_iter = iter(source)
        first = next(source_iter, None)
        if first is None:
            return _bad(result, source, 1, None, "the file holds no events")
        start_hash, start_position = first.prev_hash, first.position - 1
        events: Iterable[RawEvent] = _chain(first, source_iter)
    else:
        events = source
    checked = verify_events(events, start_hash, start_position)
    result.checked, result.last_position = checked.checked, checked.last_position
    if not checked.ok:
        line = source.numbers[checked.checked] if checked.checked < len(source.numbers) else None
        return _bad(result, source, line, checked.bad_position, checked.reason or "")
    if source.unreadable is not None:
        number, why = source.unreadable
        return _bad(result, source, number, checked.last_position + 1, why)
    _against_manifest(result, digest.hexdigest(), source.last_hash)
    return _against_checkpoint(result, source.watched_hash)


def _start(path: Path, result: FileCheck) -> tuple[str | None, int]:
    where = manifest_path(path)
    if not where.exists():
        result.notes.append(
            f"no manifest ({where.name}): the first event's link to earlier history and the end of the "
            "file are not checked"
        )
        return None, 0
    try:
        manifest = Manifest.from_json(json.loads(where.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError) as exc:
        raise ExportError(f"{where.name} is not a Kaohe export manifest: {exc}") from None
    result.manifest = manifest
    return manifest.first_prev_hash, manifest.first_position - 1


def _against_checkpoint(result: FileCheck, watched_hash: str | None) -> FileCheck:
    checkpoint, manifest = result.checkpoint, result.manifest
    if not result.ok or checkpoint is None or manifest is None:
        return result
    if checkpoint.position > manifest.last_position:
        result.notes.append(
            f"the manifest's checkpoint (position {checkpoint.position}) is past this export's end; "
            "kaohe verify --checkpoint checks it against the database"
        )
    elif checkpoint.position >= manifest.first_position and watched_hash != checkpoint.hash:
        result.reason = "the event's hash differs from the one the manifest's signed checkpoint holds"
        result.bad_position = checkpoint.position
    return result


def _chain(first: RawEvent, rest: Iterator[RawEvent]) -> Iterator[RawEvent]:
    yield first
    yield from rest


def _bad(result: FileCheck, source: _Lines, line: int | None, position: int | None, why: str) -> FileCheck:
    result.bad_line = line if line is not None else (source.numbers[-1] + 1 if source.numbers else 1)
    result.bad_position = position
    result.reason = why
    return result


def _against_manifest(result: FileCheck, sha256: str, last_hash: str) -> FileCheck:
    manifest = result.manifest
    if manifest is None:
        return result
    ends = (result.checked, result.last_position)
    if ends != (manifest.count, manifest.last_position):
        result.reason = (
            f"the file ends at position {result.last_position} after {result.checked} events, but the "
            f"manifest says {manifest.count} events ending at {manifest.last_position} (lines are missing)"
        )
        result.bad_position = result.last_position + 1
        result.bad_line = None
    elif last_hash != manifest.last_hash:
        result.reason = "the last event's hash differs from the manifest's (the chain was recomputed)"
        result.bad_position = result.last_position
        result.bad_line = None
    elif sha256 != manifest.sha256:
        result.reason = "every event verifies, but the file's sha256 differs from the manifest's"
    return result
