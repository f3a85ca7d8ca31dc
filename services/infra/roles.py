"""The application's own PostgreSQL role: it reads and appends to the log and keeps the read models, and
nothing more. The schema owner (``KAOHE_MIGRATE_DATABASE_URL``) migrates and grants; the API and the
workers (``KAOHE_DATABASE_URL``) connect as this role, so even a bug or an intruder in the application
cannot UPDATE, DELETE or TRUNCATE recorded history, nor drop the triggers that refuse it (only a table's
owner may drop its triggers, and this role owns nothing).
"""

from __future__ import annotations

import re

from psycopg import sql
from sqlalchemy import Connection, Engine, text

LOG_PRIVILEGES = {
    "events": "SELECT, INSERT",
    "idempotency_keys": "SELECT, INSERT",
    # The append takes its lock and its positions by moving the head row forward.
    "event_log_head": "SELECT, UPDATE",
    "alembic_version": "SELECT",
}
READ_MODEL_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"
"""Every other table: read models, users and tokens, task counts, report progress."""
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(ValueError):
    """The role cannot be made the application's (a bad name, a superuser, the owner, not PostgreSQL)."""


def grant_app_role(engine: Engine, role: str, password: str | None = None) -> dict[str, str]:
    """Create ``role`` (LOGIN) if it does not exist, set its password when given, and grant it exactly
    what the application needs on every table there is now. Run it again after each migration (``kaohe
    migrate --app-role`` does). Returns each table's privileges."""
    if engine.dialect.name != "postgresql":
        raise RoleError("roles exist on PostgreSQL only; an embedded SQLite store has no separate roles")
    if not ROLE_NAME.match(role):
        raise RoleError(f"{role!r} is not a plain role name (lower-case letters, digits and _)")
    with engine.begin() as conn:
        _create_or_update(conn, role, password)
        _refuse_powerful(conn, role)
        return _grant(conn, role)


def _run(conn: Connection, template: str, *names: str, literal: str | None = None) -> None:
    """DDL with each ``{}`` an identifier quoted by psycopg (and ``literal``, a password, as a literal)."""
    parts: list[sql.Composable] = [sql.Identifier(name) for name in names]
    if literal is not None:
        parts.append(sql.Literal(literal))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql.SQL(template).format(*parts))
    finally:
        cursor.close()


def _create_or_update(conn: Connection, role: str, password: str | None) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    if exists is None:
        _run(conn, "CREATE ROLE {} LOGIN" + (" PASSWORD {}" if password else ""), role, literal=password)
    elif password:
        _run(conn, "ALTER ROLE {} LOGIN PASSWORD {}", role, literal=password)


def _refuse_powerful(conn: Connection, role: str) -> None:
    row = conn.execute(
        text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": role}
    ).one()
    if row[0]:
        raise RoleError(f"{role} is a superuser: it bypasses every grant and trigger; use a role of its own")
    owned = conn.execute(
        text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tableowner = :r"),
        {"r": role},
    ).scalar_one()
    if owned:
        raise RoleError(
            f"{role} owns {owned} of the tables (did it migrate them?): use a role that owns none"
        )


def _grant(conn: Connection, role: str) -> dict[str, str]:
    database = str(conn.execute(text("SELECT current_database()")).scalar_one())
    schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    _run(conn, "GRANT CONNECT ON DATABASE {} TO {}", database, role)
    _run(conn, "GRANT USAGE ON SCHEMA {} TO {}", schema, role)
    _run(conn, "REVOKE CREATE ON SCHEMA {} FROM {}", schema, role)
    # Before PostgreSQL 15 every role may create tables in public; the application never needs to.
    _run(conn, "REVOKE CREATE ON SCHEMA {} FROM PUBLIC", schema)
    _run(conn, "REVOKE ALL ON ALL TABLES IN SCHEMA {} FROM {}", schema, role)
    tables = conn.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :s ORDER BY tablename"), {"s": schema}
    ).scalars()
    granted = {}
    for table in tables:
        privileges = LOG_PRIVILEGES.get(table, READ_MODEL_PRIVILEGES)
        _run(conn, f"GRANT {privileges} ON TABLE {{}}.{{}} TO {{}}", schema, table, role)
        granted[table] = privileges
    _run(conn, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}", schema, role)
    return granted
