"""Settings read from the environment (prefix KAOHE_), with embedded defaults that need no server."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LOG_FORMATS = ("auto", "json", "console")


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SettingsError(ValueError):
    """A KAOHE_ environment variable has a value we cannot use."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    broker_url: str | None = None
    log_format: str = "auto"
    log_level: str = "INFO"
    sweep_seconds: float = 20.0
    """How often beat re-runs catch-up for every projection (the safety net for lost wake-ups)."""
    read_wait_seconds: float = 3.0
    """The longest a query with ``wait_for`` waits for a projection before the log answers."""
    projection_batch: int = 500
    """Events per transaction when a projection catches up (rebuilds use ``rebuild_batch``)."""
    rebuild_batch: int = 5000
    token_cache_seconds: float = 5.0
    """How long the API trusts a bearer token it checked (a revocation elsewhere takes effect within it)."""
    render_seconds: float = 120.0
    """The longest one report may render. Then it is stopped and recorded as failed (a report worker with
    the prefork pool also kills the pool process ``RENDER_GRACE_SECONDS`` later if it does not stop)."""
    migrate_database_url: str | None = None
    """The schema owner's connection for ``kaohe migrate`` (default: ``database_url``); the application
    itself connects as a role that may only read and append to the log."""
    checkpoint_key_file: Path | None = None
    """The Ed25519 key signing checkpoints and export manifests (default ``DATA/checkpoint-ed25519.key``)."""
    checkpoint_dir: Path | None = None
    """Where signed checkpoints are written (default ``DATA/checkpoints``)."""
    checkpoint_seconds: float = 3600.0
    """How often beat asks a worker to sign a checkpoint of the log's head."""
    throttle_url: str | None = None
    """Where sign-in failures are counted (KAOHE_THROTTLE_URL, redis://); default: a redis:// broker, else
    each process's memory."""
    trusted_proxies: tuple[Network, ...] = ()
    """KAOHE_TRUSTED_PROXIES (addresses or networks, comma-separated): reverse proxies whose
    X-Forwarded-For names the client (sign-in throttling, /metrics). Empty: the TCP peer is the client."""
    metrics_token: str | None = None
    """KAOHE_METRICS_TOKEN: /metrics wants ``Authorization: Bearer <it>``; unset, only loopback may read."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        data_dir = Path(env.get("KAOHE_DATA_DIR", "data")).expanduser().resolve()
        database_url = env.get("KAOHE_DATABASE_URL") or f"sqlite:///{data_dir / 'kaohe.sqlite3'}"
        log_format = env.get("KAOHE_LOG_FORMAT", "auto").lower()
        if log_format not in LOG_FORMATS:
            raise SettingsError(
                f"KAOHE_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {log_format!r}"
            )
        return cls(
            data_dir=data_dir,
            database_url=normalise_database_url(database_url),
            broker_url=env.get("KAOHE_BROKER_URL") or None,
            log_format=log_format,
            log_level=env.get("KAOHE_LOG_LEVEL", "INFO").upper(),
            sweep_seconds=_seconds(env, "KAOHE_SWEEP_SECONDS", 20.0),
            read_wait_seconds=_seconds(env, "KAOHE_READ_WAIT_SECONDS", 3.0),
            projection_batch=_batch(env, "KAOHE_PROJECTION_BATCH", 500),
            rebuild_batch=_batch(env, "KAOHE_REBUILD_BATCH", 5000),
            token_cache_seconds=_cache_seconds(env.get("KAOHE_TOKEN_CACHE_SECONDS", "")),
            render_seconds=_seconds(env, "KAOHE_RENDER_SECONDS", 120.0),
            migrate_database_url=_optional_url(env.get("KAOHE_MIGRATE_DATABASE_URL", "")),
            checkpoint_key_file=_path(env, "KAOHE_CHECKPOINT_KEY_FILE", data_dir / "checkpoint-ed25519.key"),
            checkpoint_dir=_path(env, "KAOHE_CHECKPOINT_DIR", data_dir / "checkpoints"),
            checkpoint_seconds=_seconds(env, "KAOHE_CHECKPOINT_SECONDS", 3600.0, most=86400.0),
            throttle_url=env.get("KAOHE_THROTTLE_URL") or None,
            metrics_token=_metrics_token(env.get("KAOHE_METRICS_TOKEN", "")),
            trusted_proxies=_networks(env.get("KAOHE_TRUSTED_PROXIES", "")),
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def owner_database_url(self) -> str:
        """The connection that migrates and grants: the owner's when it is set apart."""
        return self.migrate_database_url or self.database_url

    @property
    def key_file(self) -> Path:
        return self.checkpoint_key_file or self.data_dir / "checkpoint-ed25519.key"

    @property
    def checkpoints(self) -> Path:
        return self.checkpoint_dir or self.data_dir / "checkpoints"


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// URLs and point them at the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise SettingsError(f"KAOHE_DATABASE_URL must be a sqlite:// or postgresql:// URL, not {url!r}")
    return url


def _optional_url(raw: str) -> str | None:
    return normalise_database_url(raw.strip()) if raw.strip() else None


def _path(env: Mapping[str, str], name: str, default: Path) -> Path:
    raw = env.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def _seconds(env: Mapping[str, str], name: str, default: float, most: float = 3600.0) -> float:
    raw = env.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not 0 < value <= most:
        raise SettingsError(f"{name} must be between 0 and {most:g} seconds, not {raw!r}")
    return value


def _batch(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 100 <= int(raw) <= 10_000:
        raise SettingsError(f"{name} must be a whole number of events from 100 to 10000, not {raw!r}")
    return int(raw)


def _cache_seconds(raw: str) -> float:
    raw = raw.strip()
    try:
        value = float(raw) if raw else 5.0
    except ValueError:
        raise SettingsError(f"KAOHE_TOKEN_CACHE_SECONDS must be a number of seconds, not {raw!r}") from None
    if not 0 <= value <= 60:
        raise SettingsError(f"KAOHE_TOKEN_CACHE_SECONDS must be from 0 (off) to 60 seconds, not {raw!r}")
    return value


def _networks(raw: str) -> tuple[Network, ...]:
    found = []
    for item in raw.replace(" ", ",").split(","):
        if item.strip():
            try:
                found.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise SettingsError(
                    f"KAOHE_TRUSTED_PROXIES: {item.strip()!r} is not an address or network (e.g. 10.0.0.0/8)"
                ) from None
    return tuple(found)


def _metrics_token(raw: str) -> str | None:
    raw = raw.strip()
    if raw and len(raw) < 24:
        raise SettingsError("KAOHE_METRICS_TOKEN needs at least 24 characters")
    return raw or None
