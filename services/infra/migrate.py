"""`kaohe migrate`: bring the schema to the latest revision, one process at a time."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

# Any fixed 64-bit number; every Kaohe process that migrates takes this advisory lock first.
MIGRATION_LOCK_KEY = 0x4B414F4845  # "KAOHE"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "services.infra:migrations")
    return config


def migrate(engine: Engine) -> tuple[str | None, str | None]:
    """Upgrade to head under a lock (PostgreSQL: advisory lock; SQLite: the write lock).

    Returns the revision before and after, so a caller can say what changed.
    """
    config = alembic_config()
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                return _upgrade(conn, config)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                conn.commit()
        conn.execution_options(sqlite_write=True)
        return _upgrade(conn, config)


def _upgrade(conn: Connection, config: Config) -> tuple[str | None, str | None]:
    before = current_revision(conn)
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
    conn.commit()
    return before, current_revision(conn)


def current_revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
