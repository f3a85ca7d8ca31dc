"""Signed checkpoints of the log's head, kept as files outside the database, and their check against the log.

A checkpoint says "at ``signed_at`` the event at ``position`` had chain hash ``hash``", signed with a key
the database never sees. The chain makes every earlier event depend on that hash, so a log that still
verifies *and* still has that hash at that position holds the same history up to it: a chain rewritten and
re-hashed after an edit, or a tail cut off with the head row moved back, no longer matches a checkpoint
taken before the tampering.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from services.eventstore.canonical import canonical_json, format_time
from services.eventstore.model import LogHead
from services.eventstore.tables import events_table, head_table
from services.infra.signing import ALGORITHM, PublicKey, SigningKey

FORMAT = "kaohe-checkpoint/1"
E = events_table.c


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read, or a log with nothing to checkpoint."""


@dataclass(frozen=True)
class Checkpoint:
    position: int
    hash: str
    recorded_at: str
    """When the log recorded the event at ``position``."""
    signed_at: str
    key_id: str
    signature: str = ""
    algorithm: str = ALGORITHM
    format: str = FORMAT

    def unsigned(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "position": self.position,
            "hash": self.hash,
            "recorded_at": self.recorded_at,
            "signed_at": self.signed_at,
            "algorithm": self.algorithm,
            "key_id": self.key_id,
        }

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field but the signature, as canonical JSON."""
        return canonical_json(self.unsigned()).encode("utf-8")

    def to_json(self) -> dict[str, Any]:
        return {**self.unsigned(), "signature": self.signature}

    @classmethod
    def from_json(cls, value: Any) -> Checkpoint:
        if not isinstance(value, dict) or value.get("format") != FORMAT:
            raise CheckpointError(f"not a Kaohe checkpoint (format {FORMAT!r} expected)")
        try:
            return cls(
                position=int(value["position"]),
                hash=str(value["hash"]),
                recorded_at=str(value["recorded_at"]),
                signed_at=str(value["signed_at"]),
                key_id=str(value["key_id"]),
                signature=str(value["signature"]),
                algorithm=str(value["algorithm"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CheckpointError(f"not a Kaohe checkpoint: {exc!r} is missing or wrong") from None

    @property
    def file_name(self) -> str:
        stamp = self.signed_at.replace("-", "").replace(":", "").split(".")[0]
        return f"{self.position:012d}-{stamp}Z.json"


def sign_head(head: LogHead, key: SigningKey, now: datetime) -> Checkpoint:
    if head.position == 0 or head.recorded_at is None:
        raise CheckpointError("the event log is empty: there is nothing to checkpoint")
    draft = Checkpoint(head.position, head.hash, format_time(head.recorded_at), format_time(now), key.key_id)
    return replace(draft, signature=key.sign(draft.signed_bytes()))


def write_file(folder: Path, checkpoint: Checkpoint) -> Path:
    """``folder/<position>-<signed_at>.json``, written whole (temporary file, fsync, rename)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / checkpoint.file_name
    temporary = folder / f".{checkpoint.file_name}.{os.getpid()}.tmp"
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(json.dumps(checkpoint.to_json(), ensure_ascii=False, indent=2) + "\n")
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def read_file(path: Path) -> Checkpoint:
    try:
        return Checkpoint.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: {exc}") from None


def latest(folder: Path) -> Checkpoint | None:
    """The newest checkpoint file in ``folder`` (by position, then time), if any."""
    names = sorted(p for p in folder.glob("*.json") if not p.name.startswith("."))
    return read_file(names[-1]) if names else None


def signature_problem(checkpoint: Checkpoint, keys: Mapping[str, PublicKey]) -> str | None:
    if checkpoint.algorithm != ALGORITHM:
        return f"signed with {checkpoint.algorithm!r}, which this version cannot check"
    key = keys.get(checkpoint.key_id)
    if key is None:
        known = ", ".join(sorted(keys)) or "none"
        return f"signed by key {checkpoint.key_id}, but the public keys given are: {known}"
    if not key.verify(checkpoint.signature, checkpoint.signed_bytes()):
        return "the signature does not match its content (the checkpoint file was altered or forged)"
    return None


def log_problem(engine: Engine, checkpoint: Checkpoint) -> str | None:
    """Does the log still hold, at the checkpoint's position, the event whose hash was signed?"""
    position = checkpoint.position
    with engine.connect() as conn:
        stored = conn.execute(select(E.hash).where(E.position == position)).scalar()
        last = conn.execute(select(func.max(E.position))).scalar() or 0
        head = conn.execute(select(head_table.c.position)).scalar() or 0
    if last < position or head < position:
        return (
            f"the log now ends at position {min(last, head)}, behind the checkpoint's position {position}: "
            f"events up to {position} were removed after {checkpoint.signed_at}"
        )
    if stored is None:
        return f"the log has no event at position {position}"
    if stored != checkpoint.hash:
        return (
            f"the event at position {position} has hash {stored[:16]}…, but the checkpoint signed "
            f"{checkpoint.hash[:16]}… on {checkpoint.signed_at}: history up to position {position} was "
            "rewritten and re-hashed"
        )
    return None
