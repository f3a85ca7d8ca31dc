"""Anchored integrity: signed checkpoints of the log's head, kept outside the database, and their check.

The key and the checkpoint files live on the file system (``Settings.key_file``, ``Settings.checkpoints``);
an auditor keeps copies of the checkpoints and the public key elsewhere, so someone who can rewrite the
database cannot also rewrite what was signed before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from services.eventstore import checkpoint as checkpoints
from services.eventstore.checkpoint import Checkpoint, CheckpointError
from services.eventstore.store import EventStore
from services.infra.logs import get_logger
from services.infra.settings import Settings
from services.infra.signing import (
    PublicKey,
    SigningKey,
    SigningKeyError,
    create_signing_key,
    load_public_key,
)

__all__ = [
    "Checkpoint",
    "CheckpointCheck",
    "CheckpointError",
    "Integrity",
    "PublicKey",
    "SigningKeyError",
    "public_keys",
    "signing_key",
]
log = get_logger("kaohe.integrity")


def signing_key(settings: Settings) -> tuple[SigningKey, bool]:
    """The key, created (0600, atomically) on first use; returns whether it was created now."""
    key, created = create_signing_key(settings.key_file)
    if created:
        log.warning("checkpoint_key_created", key_id=key.key_id, path=str(settings.key_file))
    return key, created


def public_keys(settings: Settings, files: Sequence[Path]) -> dict[str, PublicKey]:
    """The public keys an auditor gave, by id; without any, the public half of this machine's own key."""
    if not files and settings.key_file.exists():
        files = [settings.key_file]
    keys = [load_public_key(path) for path in files]
    return {key.key_id: key for key in keys}


@dataclass(frozen=True)
class CheckpointCheck:
    path: Path
    checkpoint: Checkpoint | None
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass
class Integrity:
    store: EventStore
    settings: Settings

    def signing_key(self) -> tuple[SigningKey, bool]:
        return signing_key(self.settings)

    def sign_head(self, now: datetime | None = None) -> Checkpoint:
        """A signed checkpoint of the head, not yet written anywhere (the export puts it in its manifest)."""
        key, _ = self.signing_key()
        return checkpoints.sign_head(self.store.head(), key, now or datetime.now(UTC))

    def write(self, checkpoint: Checkpoint) -> Path:
        path = checkpoints.write_file(self.settings.checkpoints, checkpoint)
        log.info("checkpoint_written", position=checkpoint.position, key_id=checkpoint.key_id, path=str(path))
        return path

    def checkpoint(self, unless_unchanged: bool = False) -> tuple[Checkpoint, Path | None]:
        """Sign the head and write it; with ``unless_unchanged``, nothing new when the newest file already
        holds this head (the periodic task on a quiet log). Returns the checkpoint and the new file."""
        head = self.store.head()
        if unless_unchanged:
            try:
                newest = checkpoints.latest(self.settings.checkpoints)
            except CheckpointError as exc:  # an unreadable newest file must not stop the signing for good
                log.warning("checkpoint_unreadable", error=str(exc))
                newest = None
            key, _ = self.signing_key()
            if newest is not None and (newest.position, newest.hash, newest.key_id) == (
                head.position,
                head.hash,
                key.key_id,
            ):
                return newest, None
        signed = self.sign_head()
        return signed, self.write(signed)

    def check(self, files: Iterable[Path], keys: dict[str, PublicKey]) -> list[CheckpointCheck]:
        """Each checkpoint's signature, then whether the log still has its hash at its position."""
        return [self._check(path, keys) for path in files]

    def _check(self, path: Path, keys: dict[str, PublicKey]) -> CheckpointCheck:
        try:
            found = checkpoints.read_file(path)
        except CheckpointError as exc:
            return CheckpointCheck(path, None, str(exc))
        problem = checkpoints.signature_problem(found, keys) or checkpoints.log_problem(
            self.store.engine, found
        )
        return CheckpointCheck(path, found, problem)
