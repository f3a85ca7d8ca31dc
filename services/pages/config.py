"""Settings of the officials' pages: the signing key, cookie flags and session lifetimes (KAOHE_ env)."""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.infra.settings import SettingsError

SECRET_FILE = "page-secret.key"
MIN_SECRET_CHARS = 32


@dataclass(frozen=True)
class PageSettings:
    secret: bytes
    cookie_secure: bool = False
    """Send cookies over HTTPS only (KAOHE_COOKIE_SECURE=1): set it whenever the pages are served over TLS."""
    session_hours: float = 8.0
    """Absolute lifetime of a sign-in (one working day)."""
    idle_minutes: float = 60.0
    """A session unused this long has expired."""

    @classmethod
    def from_env(cls, data_dir: Path, environ: Mapping[str, str] | None = None) -> PageSettings:
        env = os.environ if environ is None else environ
        return cls(
            secret=_secret(env.get("KAOHE_SECRET_KEY", ""), data_dir),
            cookie_secure=env.get("KAOHE_COOKIE_SECURE", "0").strip().lower() in ("1", "true", "yes"),
            session_hours=_number(env, "KAOHE_SESSION_HOURS", 8.0, 0.1, 24 * 7),
            idle_minutes=_number(env, "KAOHE_SESSION_IDLE_MINUTES", 60.0, 1, 24 * 60),
        )


def _secret(configured: str, data_dir: Path) -> bytes:
    """KAOHE_SECRET_KEY, or a random key kept in the data folder (shared by every process using it)."""
    if configured:
        if len(configured.strip()) < MIN_SECRET_CHARS:
            raise SettingsError(f"KAOHE_SECRET_KEY needs at least {MIN_SECRET_CHARS} characters")
        return configured.strip().encode("utf-8")
    path = data_dir / SECRET_FILE
    if not path.exists():
        _create_secret(path)
    with contextlib.suppress(OSError):  # an older or copied key file: readable by its owner only
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_CHARS:
        raise SettingsError(
            f"{path} holds {len(key)} characters, a page key needs at least {MIN_SECRET_CHARS}: "
            f"remove the file to have a new key made (everyone signs in again), or set KAOHE_SECRET_KEY"
        )
    return key.encode("utf-8")


def _create_secret(path: Path) -> None:
    """Write the key to a private temporary file, then link it into place: the name appears only once the
    file is complete, and only one of several processes starting together wins (the others read its key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".page-secret.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process made it first: read theirs
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def _number(env: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {raw!r}")
    return value
