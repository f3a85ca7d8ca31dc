"""Alembic environment: runs on the connection that services.infra.migrate hands over (lock already held)."""

from __future__ import annotations

from alembic import context

from services.eventstore.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `kaohe migrate`, which takes the migration lock first")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
