"""The operator's and auditor's tools: the log's integrity, exports, and the read models' state.

The command line reaches the event store and the projections through here, never directly.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from services.app.integrity import Integrity, PublicKey
from services.eventstore.export import (
    ExportError,
    FileCheck,
    Manifest,
    export_range,
    manifest_path,
    verify_file,
    write_export,
)
from services.eventstore.store import EventStore
from services.eventstore.verify import VerifyResult, verify_database
from services.infra.settings import Settings
from services.projections import checkpoints
from services.projections.registry import PROJECTIONS, VERSIONS, UnknownProjection
from services.projections.runner import Runner

__all__ = [
    "ExportError",
    "Operations",
    "ProjectionState",
    "UnknownProjection",
    "manifest_path",
    "verify_export",
]


@dataclass(frozen=True)
class ProjectionState:
    name: str
    generation: int | None
    version: int
    state: str
    position: int
    lag: int


@dataclass
class Operations:
    store: EventStore
    settings: Settings

    @property
    def integrity(self) -> Integrity:
        return Integrity(self.store, self.settings)

    def verify_log(self) -> VerifyResult:
        return verify_database(self.store.engine)

    def export(
        self, file: Path, first: int | None, last: int | None, progress: Callable[[int], None]
    ) -> tuple[Manifest, Path]:
        """The export and its signed manifest, which carries a checkpoint of the head (also written to the
        checkpoints folder). Returns the manifest and the checkpoint file."""
        start, end = export_range(self.store.head().position, first, last)
        integrity = self.integrity
        key, _ = integrity.signing_key()
        checkpoint = integrity.sign_head()
        written = integrity.write(checkpoint)
        return write_export(self.store.engine, file, start, end, progress, key, checkpoint), written

    def export_size(self, first: int | None, last: int | None) -> int:
        start, end = export_range(self.store.head().position, first, last)
        return end - start + 1

    def projections(self) -> tuple[int, list[ProjectionState]]:
        """The log's head and each projection's generations (a projection never run shows as new)."""
        head = self.store.head().position
        found = checkpoints.everything(self.store.engine)
        states = []
        for name in PROJECTIONS:
            rows = [c for c in found if c.name == name]
            if not rows:
                states.append(ProjectionState(name, None, VERSIONS[name], "new", 0, head))
            for c in rows:
                states.append(
                    ProjectionState(name, c.generation, c.version, c.state, c.position, head - c.position)
                )
        return head, states

    def rebuild(self, name: str, here: bool) -> int:
        """A new generation of ``name`` beside the serving one; with ``here``, built in this process."""
        runner = self._runner()
        generation = runner.rebuild(name)
        if here:
            runner.catch_up(name)
        return generation

    def _runner(self) -> Runner:
        settings = self.settings
        return Runner(self.store.engine, self.store, settings.projection_batch, settings.rebuild_batch)

    def catch_up(self) -> None:
        """Bring every projection up to the head of the log in this process (tools and tests)."""
        runner = self._runner()
        for name in PROJECTIONS:
            runner.catch_up(name)


def verify_export(
    file: Path, progress: Callable[[int], None], keys: Mapping[str, PublicKey], unsigned_ok: bool = False
) -> FileCheck:
    """An export checked offline, with no database: its manifest's signature, then its chain; names the
    first bad line."""
    return verify_file(file, progress, keys, unsigned_ok)
