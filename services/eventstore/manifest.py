"""The export's manifest: where the file starts and ends, its sha256, a signed checkpoint of the log's head,
and an Ed25519 signature over all of it; and the check of that signature."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from services.eventstore.canonical import canonical_json
from services.eventstore.checkpoint import Checkpoint, CheckpointError, signature_problem
from services.infra.signing import ALGORITHM, PublicKey, SigningKey

FORMAT = "kaohe-export/1"


@dataclass(frozen=True)
class Manifest:
    count: int
    first_position: int
    last_position: int
    first_prev_hash: str
    last_hash: str
    sha256: str
    created_at: str
    file: str
    format: str = FORMAT
    checkpoint: dict[str, Any] | None = None
    """A signed checkpoint of the log's head when the export was made (``Checkpoint.to_json``)."""
    signature: dict[str, str] | None = None
    """``{"algorithm", "key_id", "value"}`` over ``signed_bytes()``; None in manifests made before signing."""

    def unsigned(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "format": self.format,
            "file": self.file,
            "count": self.count,
            "first_position": self.first_position,
            "last_position": self.last_position,
            "first_prev_hash": self.first_prev_hash,
            "last_hash": self.last_hash,
            "sha256": self.sha256,
            "created_at": self.created_at,
        }
        if self.checkpoint is not None:
            value["checkpoint"] = self.checkpoint
        return value

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field but the signature, as canonical JSON."""
        return canonical_json(self.unsigned()).encode("utf-8")

    def to_json(self) -> dict[str, Any]:
        value = self.unsigned()
        if self.signature is not None:
            value["signature"] = self.signature
        return value

    def signed(self, key: SigningKey) -> Manifest:
        signature = {"algorithm": ALGORITHM, "key_id": key.key_id, "value": key.sign(self.signed_bytes())}
        return replace(self, signature=signature)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Manifest:
        return cls(
            count=int(value["count"]),
            first_position=int(value["first_position"]),
            last_position=int(value["last_position"]),
            first_prev_hash=str(value["first_prev_hash"]),
            last_hash=str(value["last_hash"]),
            sha256=str(value["sha256"]),
            created_at=str(value["created_at"]),
            file=str(value.get("file", "")),
            format=str(value.get("format", FORMAT)),
            checkpoint=value.get("checkpoint"),
            signature=value.get("signature"),
        )


def authenticity(
    manifest: Manifest | None, keys: Mapping[str, PublicKey], unsigned_ok: bool, notes: list[str]
) -> tuple[str | None, Checkpoint | None]:
    """Why the manifest cannot be trusted (None: it can, or ``unsigned_ok`` lets an unsigned one through),
    and its checkpoint once that checkpoint's own signature holds."""
    if manifest is None:
        return (
            None if unsigned_ok else "no manifest beside the file; --unsigned-ok checks the chain only"
        ), None
    signature = manifest.signature
    if signature is None:
        why = "the manifest is not signed (made before signing, or written by hand)"
        return _unsigned(notes, why, unsigned_ok), None
    key = keys.get(str(signature.get("key_id")))
    if key is None:
        known = ", ".join(sorted(keys)) or "none"
        why = f"the manifest is signed by key {signature.get('key_id')}; the public keys given are: {known}"
        return _unsigned(notes, why, unsigned_ok), None
    if signature.get("algorithm") != ALGORITHM or not key.verify(
        str(signature.get("value", "")), manifest.signed_bytes()
    ):
        return "the manifest's signature does not match its content (the manifest was altered)", None
    if manifest.checkpoint is None:
        return None, None
    try:
        checkpoint = Checkpoint.from_json(manifest.checkpoint)
    except CheckpointError as exc:
        return f"the manifest's checkpoint: {exc}", None
    problem = signature_problem(checkpoint, keys)
    if problem is not None:
        return f"the manifest's checkpoint: {problem}", None
    return None, checkpoint


def _unsigned(notes: list[str], why: str, unsigned_ok: bool) -> str | None:
    if not unsigned_ok:
        return f"{why}; give --unsigned-ok to check it without its signature"
    notes.append(f"{why}: its signature is not checked (--unsigned-ok)")
    return None
