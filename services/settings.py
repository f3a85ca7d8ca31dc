"""Settings read from the environment (prefix KAOHE_), with embedded defaults that need no server."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

LOG_FORMATS = ("auto", "json", "console")


class SettingsError(ValueError):
    """A KAOHE_ environment variable has a value we cannot use."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    broker_url: str | None = None
    log_format: str = "auto"
    log_level: str = "INFO"

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
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def normalise_database_url(url: str) -> str:
    """Accept plain postgresql:// URLs and point them at the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if not url.startswith(("sqlite", "postgresql+psycopg")):
        raise SettingsError(f"KAOHE_DATABASE_URL must be a sqlite:// or postgresql:// URL, not {url!r}")
    return url
