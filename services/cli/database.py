"""`kaohe db grant-app-role`: the application's own PostgreSQL role, which can read and append to the log but
never change it; granted by the schema owner (KAOHE_MIGRATE_DATABASE_URL)."""

from __future__ import annotations

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from services.cli.common import fail, load_settings
from services.infra.db import make_engine
from services.infra.roles import RoleError, grant_app_role
from services.infra.settings import Settings


@click.group(name="db")
def db() -> None:
    """The database's roles.

    Example: KAOHE_MIGRATE_DATABASE_URL=postgresql://kaohe:…@db/kaohe kaohe db grant-app-role kaohe_app
    """


@db.command(name="grant-app-role")
@click.argument("role", required=False)
def grant_app_role_command(role: str | None) -> None:
    """Create the application's role if needed and grant it what it needs, as the schema owner.

    On the log: SELECT and INSERT (events, idempotency keys) and moving the head row forward; no UPDATE,
    DELETE or TRUNCATE, no DDL, so it cannot drop the triggers that keep history unchanged. On every
    other table (read models, users, tokens): SELECT, INSERT, UPDATE, DELETE. ROLE defaults to the user
    of KAOHE_DATABASE_URL, whose password (if the URL has one) the role is given. Connects with
    KAOHE_MIGRATE_DATABASE_URL. `kaohe migrate --grant-app-role` runs this after migrating.

    \b
    Example: KAOHE_MIGRATE_DATABASE_URL=postgresql://kaohe:secret@db/kaohe \\
             KAOHE_DATABASE_URL=postgresql://kaohe_app:other@db/kaohe kaohe db grant-app-role
    """
    grant(load_settings(), role)


def grant(settings: Settings, role: str | None) -> None:
    if settings.migrate_database_url is None:
        fail("set KAOHE_MIGRATE_DATABASE_URL to the schema owner's connection (it grants the role)")
    app_url = make_url(settings.database_url)
    role = role or app_url.username
    if not role:
        fail("give the ROLE, or a user in KAOHE_DATABASE_URL")
    password = app_url.password if app_url.username == role else None
    engine = make_engine(settings.owner_database_url, pool_size=1)
    try:
        granted = grant_app_role(engine, role, str(password) if password else None)
    except RoleError as exc:
        fail(str(exc))
    except (OperationalError, ProgrammingError) as exc:
        fail(f"cannot grant {role}: {exc.orig}")
    finally:
        engine.dispose()
    click.echo(f"role {role}: " + "; ".join(f"{table} {what}" for table, what in granted.items()))
