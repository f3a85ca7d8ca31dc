"""The organisation registry: one row per body, recorded as an event in the same transaction as its row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Column, Connection, DateTime, Engine, String, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from domain.shared.events import to_data
from domain.shared.organisations import (
    InvalidOrganisation,
    Organisation,
    OrganisationKind,
    OrganisationRegistered,
    new_organisation,
)
from services.eventstore.model import NewEvent, StreamAppend
from services.eventstore.store import EventStore
from services.infra.db import reader


class OrganisationRow(SQLModel, table=True):
    __tablename__ = "organisations"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    name: str = Field(sa_column=Column(String(200), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(40), nullable=False))
    uscc: str | None = Field(sa_column=Column(String(18), nullable=True, unique=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


organisations_table = OrganisationRow.__table__  # type: ignore[attr-defined]


class Organisations:
    """Add, find and list organisations; a name or a 统一社会信用代码 names one body only."""

    def __init__(self, engine: Engine, store: EventStore) -> None:
        self.reader = reader(engine)
        self.store = store

    def add(self, name: str, kind: str, uscc: str | None = None, actor: str = "system") -> Organisation:
        org = new_organisation(str(uuid.uuid4()), name, kind, uscc)
        if self.find(org.name) is not None:
            raise InvalidOrganisation(f"an organisation named {org.name!r} already exists", field="name")
        if org.uscc and self.find(org.uscc) is not None:
            raise InvalidOrganisation(f"统一社会信用代码 {org.uscc} is already registered", field="uscc")
        now = datetime.now(UTC)
        event = OrganisationRegistered(
            at=now, actor=actor, organisation_id=org.id, name=org.name, kind=org.kind, uscc=org.uscc
        )
        meta = {"actor": actor, "role": "admin" if actor != "system" else "system"}
        batch = StreamAppend(f"organisation-{org.id}", [NewEvent(event.TYPE, to_data(event), meta)], 0)

        def row(conn: Connection) -> None:
            conn.execute(
                insert(organisations_table).values(
                    id=org.id, name=org.name, kind=org.kind.value, uscc=org.uscc, created_at=now
                )
            )

        try:
            self.store.append_streams([batch], also=row)
        except IntegrityError:  # registered meanwhile under the same name or code: neither row nor event
            raise InvalidOrganisation(f"{org.name!r} or its code is registered", field="name") from None
        return org

    def ensure(self, name: str, kind: str, actor: str = "system") -> Organisation:
        """The organisation of this name, added if it is not registered yet (the demo's and tests' setup)."""
        return self.find(name) or self.add(name, kind, actor=actor)

    def find(self, key: str) -> Organisation | None:
        """By id, exact name or 统一社会信用代码."""
        t = organisations_table.c
        with self.reader.connect() as conn:
            row = conn.execute(
                select(organisations_table).where(or_(t.id == key, t.name == key, t.uscc == key.upper()))
            ).first()
        return None if row is None else _org(row)

    def list(self) -> list[Organisation]:
        with self.reader.connect() as conn:
            rows = conn.execute(select(organisations_table).order_by(organisations_table.c.name)).all()
        return [_org(r) for r in rows]


def _org(row: object) -> Organisation:
    r = row
    return Organisation(
        id=r.id,  # type: ignore[attr-defined]
        name=r.name,  # type: ignore[attr-defined]
        kind=OrganisationKind(r.kind),  # type: ignore[attr-defined]
        uscc=r.uscc,  # type: ignore[attr-defined]
    )
