"""`kaohe checkpoint keygen|public-key|write` and `kaohe verify --checkpoint`: tamper evidence anchored
outside the database, in signed files an auditor keeps."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy.exc import OperationalError

from services.app.integrity import (
    CheckpointError,
    PublicKey,
    SigningKeyError,
    public_keys,
    signing_key,
)
from services.bootstrap import build
from services.cli.common import fail, load_settings

PUBLIC_KEY_HELP = (
    "The PEM public key to check signatures with (kaohe checkpoint public-key wrote it); repeat it for "
    "keys used before a rotation. Default: the public half of this machine's KAOHE_CHECKPOINT_KEY_FILE."
)


@click.group()
def checkpoint() -> None:
    """Signed checkpoints of the log's head, kept as files outside the database.

    A checkpoint is the position and chain hash of the last event, when it was recorded, and an Ed25519
    signature made with KAOHE_CHECKPOINT_KEY_FILE (default DATA/checkpoint-ed25519.key). The worker writes
    one every KAOHE_CHECKPOINT_SECONDS (default 3600) and every export writes one. Copy the files in
    KAOHE_CHECKPOINT_DIR (default DATA/checkpoints) and the public key off the machine.

    \b
    Example: kaohe checkpoint keygen && kaohe checkpoint public-key > kaohe-checkpoint.pub
             kaohe verify --checkpoint DATA/checkpoints/000000000120-20260301T080000Z.json \\
                 --public-key kaohe-checkpoint.pub
    """


@checkpoint.command(name="keygen")
def keygen() -> None:
    """Create the signing key (mode 0600) if there is none; an existing key is kept, never replaced.

    The writers (the worker's periodic task, kaohe export, kaohe checkpoint write) also create it on
    first use; run this to create it at a time of your choosing and publish its public key.

    Example: kaohe checkpoint keygen
    """
    settings = load_settings()
    try:
        key, created = signing_key(settings)
    except (SigningKeyError, OSError) as exc:
        fail(str(exc))
    verb = "created" if created else "kept the existing"
    click.echo(f"{verb} checkpoint key {key.key_id} at {settings.key_file}")


@checkpoint.command(name="public-key")
def public_key() -> None:
    """Print the public key (PEM) that checks checkpoints and export manifests; give it to auditors.

    Example: kaohe checkpoint public-key > kaohe-checkpoint.pub
    """
    settings = load_settings()
    if not settings.key_file.exists():
        fail(f"no checkpoint key at {settings.key_file} (create one with kaohe checkpoint keygen)")
    try:
        keys = public_keys(settings, [])
    except SigningKeyError as exc:
        fail(str(exc))
    for key in keys.values():
        click.echo(key.pem(), nl=False)
        click.echo(f"key id: {key.key_id}", err=True)


@checkpoint.command(name="write")
def write() -> None:
    """Sign a checkpoint of the log's head now and write it to the checkpoints folder.

    Example: kaohe checkpoint write
    """
    container = build(load_settings())
    try:
        signed, path = container.operations.integrity.checkpoint()
    except OperationalError as exc:
        fail(f"cannot read the event log (did you run kaohe migrate?): {exc.orig}")
    except (CheckpointError, SigningKeyError, OSError) as exc:
        fail(str(exc))
    finally:
        container.close()
    click.echo(
        f"checkpoint of position {signed.position} (hash {signed.hash}) signed by {signed.key_id}: {path}"
    )


def load_keys(files: Sequence[Path]) -> dict[str, PublicKey]:
    try:
        return public_keys(load_settings(), files)
    except SigningKeyError as exc:
        fail(str(exc))


def verify_checkpoints(files: Sequence[Path], key_files: Sequence[Path]) -> None:
    """`kaohe verify --checkpoint FILE…`: the chain first, then each checkpoint; exit 1 at any failure."""
    keys = load_keys(key_files)
    if not keys:
        fail("no public key to check the checkpoints with: give --public-key FILE")
    container = build(load_settings())
    try:
        chain = container.operations.verify_log()
        checks = container.operations.integrity.check(files, keys) if chain.ok else []
    except OperationalError as exc:
        fail(f"cannot read the event log: {exc.orig}")
    finally:
        container.close()
    if not chain.ok:
        click.echo(f"checked {chain.checked} events: FAILED at position {chain.bad_position}: {chain.reason}")
        sys.exit(1)
    click.echo(
        f"checked {chain.checked} events: the hash chain is intact (last position {chain.last_position})"
    )
    for check in checks:
        found = check.checkpoint
        what = f"checkpoint {check.path}" + (f" (position {found.position})" if found else "")
        if check.ok and found is not None:
            click.echo(f"{what}: signed by {found.key_id} on {found.signed_at}; the log still holds it")
        else:
            click.echo(f"{what}: FAILED: {check.problem}")
    if not all(check.ok for check in checks):
        sys.exit(1)
