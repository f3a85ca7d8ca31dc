"""Users, roles and bearer tokens: passwords hashed with argon2, tokens stored only as their hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import Boolean, Column, DateTime, Engine, String, bindparam, insert, select, update
from sqlmodel import Field, SQLModel

from domain.shared.events import Event, to_data
from domain.shared.identity import ROLES_NEEDING_UNIT, Role, TokenIssued, TokenRevoked, UserRegistered
from domain.shared.organisations import Organisation
from services.eventstore.model import NewEvent
from services.eventstore.store import EventStore, utc
from services.identity.organisations import Organisations
from services.infra.db import reader

TOKEN_PREFIX = "kh_"
DEFAULT_TOKEN_DAYS = 30
_hasher = PasswordHasher()


class UserRow(SQLModel, table=True):
    __tablename__ = "users"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    name: str = Field(sa_column=Column(String(100), nullable=False, unique=True))
    role: str = Field(sa_column=Column(String(40), nullable=False))
    unit: str | None = Field(sa_column=Column(String(200), nullable=True))
    organisation_id: str | None = Field(sa_column=Column(String(36), nullable=True))
    password_hash: str = Field(sa_column=Column(String(200), nullable=False))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    disabled: bool = Field(sa_column=Column(Boolean, nullable=False, default=False))


class TokenRow(SQLModel, table=True):
    __tablename__ = "api_tokens"

    id: str = Field(sa_column=Column(String(36), primary_key=True))
    token_hash: str = Field(sa_column=Column(String(64), nullable=False, unique=True))
    user_id: str = Field(sa_column=Column(String(36), nullable=False, index=True))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(sa_column=Column(DateTime(timezone=True), nullable=True))


users_table = UserRow.__table__  # type: ignore[attr-defined]
tokens_table = TokenRow.__table__  # type: ignore[attr-defined]


# Every API request runs this; built once (building and cache-keying a statement per call costs more
# than the query itself).
_BY_TOKEN = (
    select(
        users_table.c.id,
        users_table.c.name,
        users_table.c.role,
        users_table.c.unit,
        users_table.c.organisation_id,
        tokens_table.c.expires_at,
    )
    .join(users_table, users_table.c.id == tokens_table.c.user_id)
    .where(
        tokens_table.c.token_hash == bindparam("token_hash"),
        tokens_table.c.revoked_at.is_(None),
        users_table.c.disabled.is_(False),
    )
)


class IdentityError(ValueError):
    """A user or token command was refused; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    unit: str | None
    """For unit accounts, the name of their organisation."""
    organisation: str | None = None
    """For unit accounts, the id of their organisation (``services.identity.organisations``)."""

    @property
    def stream_id(self) -> str:
        return f"user-{self.id}"


CLI_READER = User("kaohe-cli", "kaohe-cli", Role.AUDITOR, None)
"""Who the audit commands of the command line read as: an auditor (they change nothing)."""


@dataclass(frozen=True)
class IssuedToken:
    token: str
    token_id: str
    expires_at: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Identity:
    """User and token registry; every change is also recorded as an event for the audit trail."""

    def __init__(self, engine: Engine, store: EventStore) -> None:
        self.engine = engine
        self.reader = reader(engine)
        self.store = store
        self.organisations = Organisations(engine, store)
        self.on_revoke: list[Callable[[str], None]] = []
        """Called with the user's id after their tokens are revoked (the API's token cache forgets them)."""

    def add_user(
        self, name: str, role: str, password: str, unit: str | None = None, *, actor: str = "system",
        organisation: str | None = None,
    ) -> User:  # fmt: skip
        """``organisation`` (id, name or 统一社会信用代码) or ``unit`` (its name) binds a unit account."""
        name = name.strip()
        if not name or len(name) > 100:
            raise IdentityError("name", "a user name has 1 to 100 characters")
        try:
            parsed = Role(role)
        except ValueError:
            raise IdentityError(
                "role", f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}"
            ) from None
        org = self._organisation_for(parsed, organisation or unit)
        if len(password) < 8:
            raise IdentityError("password", "a password has at least 8 characters")
        if self.find_user(name) is not None:
            raise IdentityError("name", f"user {name!r} already exists")
        user = User(str(uuid.uuid4()), name, parsed, org.name if org else None, org.id if org else None)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(
                insert(users_table).values(
                    id=user.id, name=name, role=parsed.value, unit=user.unit,
                    organisation_id=user.organisation, password_hash=_hasher.hash(password),
                    created_at=now, disabled=False,
                )
            )  # fmt: skip
        self._record(
            user, UserRegistered(
                at=now, actor=actor, user_id=user.id, name=name, role=parsed, unit=user.unit,
                organisation_id=user.organisation,
            ),
        )  # fmt: skip
        return user

    def find_user(self, name: str) -> User | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.name == name)).one_or_none()
        return None if row is None else User(row.id, row.name, Role(row.role), row.unit, row.organisation_id)

    def active_roles(self, name: str) -> tuple[str, ...]:
        """The roles an enabled user holds (empty when there is no such enabled user)."""
        with self.reader.connect() as conn:
            row = conn.execute(
                select(users_table.c.role).where(
                    users_table.c.name == name, users_table.c.disabled.is_(False)
                )
            ).one_or_none()
        return () if row is None else (str(row.role),)

    def list_users(self) -> list[User]:
        with self.reader.connect() as conn:
            rows = conn.execute(select(users_table).order_by(users_table.c.name)).all()
        return [User(r.id, r.name, Role(r.role), r.unit, r.organisation_id) for r in rows]

    def check_password(self, name: str, password: str) -> User | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.name == name)).one_or_none()
        if row is None or row.disabled:
            _hasher.hash(password)  # same cost whether or not the user exists
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except VerificationError:
            return None
        return User(row.id, row.name, Role(row.role), row.unit, row.organisation_id)

    def issue_token(self, user: User, days: int = DEFAULT_TOKEN_DAYS, actor: str = "system") -> IssuedToken:
        if not 1 <= days <= 366:
            raise IdentityError("days", "a token lives 1 to 366 days")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        issued = IssuedToken(token, str(uuid.uuid4()), now + timedelta(days=days))
        with self.engine.begin() as conn:
            conn.execute(
                insert(tokens_table).values(
                    id=issued.token_id, token_hash=token_hash(token), user_id=user.id,
                    created_at=now, expires_at=issued.expires_at, revoked_at=None,
                )
            )  # fmt: skip
        self._record(
            user,
            TokenIssued(
                at=now, actor=actor, user_id=user.id, token_id=issued.token_id, expires_at=issued.expires_at
            ),
        )
        return issued

    def revoke_tokens(self, user: User, actor: str = "system") -> int:
        """Revoke every live token of a user; returns how many were revoked."""
        now = datetime.now(UTC)
        live = (tokens_table.c.user_id == user.id) & tokens_table.c.revoked_at.is_(None)
        with self.engine.begin() as conn:
            ids = [r[0] for r in conn.execute(select(tokens_table.c.id).where(live)).all()]
            if ids:
                conn.execute(update(tokens_table).where(tokens_table.c.id.in_(ids)).values(revoked_at=now))
        for token_id in ids:
            self._record(user, TokenRevoked(at=now, actor=actor, user_id=user.id, token_id=token_id))
        for listener in self.on_revoke:
            listener(user.id)
        return len(ids)

    def authenticate(self, token: str) -> User | None:
        """The user behind a bearer token that exists, is not revoked and has not expired."""
        found = self.token_holder(token_hash(token))
        return found[0] if found is not None else None

    def token_holder(self, digest: str) -> tuple[User, datetime] | None:
        """The user of a live token (by its hash) and when the token expires."""
        with self.reader.connect() as conn:
            row = conn.execute(_BY_TOKEN, {"token_hash": digest}).one_or_none()
        if row is None or utc(row.expires_at) <= datetime.now(UTC):
            return None
        return User(row.id, row.name, Role(row.role), row.unit, row.organisation_id), utc(row.expires_at)

    def _organisation_for(self, role: Role, key: str | None) -> Organisation | None:
        """A unit account belongs to a registered organisation; nobody else belongs to one."""
        if role not in ROLES_NEEDING_UNIT:
            if key:
                raise IdentityError("organisation", f"role {role.value} acts for the bureau, not for a body")
            return None
        if not key:
            raise IdentityError("organisation", f"role {role.value} acts for an organisation: give --org")
        org = self.organisations.find(key)
        if org is None:
            raise IdentityError(
                "organisation", f"no organisation {key!r} is registered (add it first: kaohe org add)"
            )
        return org

    def _record(self, user: User, event: Event) -> None:
        meta = {"actor": event.actor, "role": "admin" if event.actor != "system" else "system"}
        self.store.append(user.stream_id, [NewEvent(event.TYPE, to_data(event), meta)], None)
