"""Users, roles and bearer tokens: passwords hashed with argon2, tokens stored only as their hash."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    String,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from domain.shared.events import Event, to_data
from domain.shared.identity import (
    ROLES_NEEDING_UNIT,
    PasswordChanged,
    Role,
    TokenIssued,
    TokenRevoked,
    UserDisabled,
    UserEnabled,
    UserProfileChanged,
    UserRegistered,
)
from domain.shared.organisations import Organisation
from services.eventstore.model import NewEvent, StreamAppend
from services.eventstore.store import EventStore, utc
from services.identity.organisations import Organisations
from services.identity.policy import PolicyError, check_name, check_profile
from services.identity.policy import check_password as check_password_policy
from services.identity.sessions import end_sessions
from services.infra.db import reader

TOKEN_PREFIX = "kh_"
OPERATOR_PREFIX = "cli:"
"""Actors of the server's command line are recorded as ``cli:<the operating-system user>``."""
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
    display_name: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    """姓名: the name officials know the user by."""
    title: str | None = Field(default=None, sa_column=Column(String(100), nullable=True))
    """职务: the user's post."""
    password_changed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


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
        users_table.c.display_name,
        users_table.c.title,
        tokens_table.c.expires_at,
    )
    .join(users_table, users_table.c.id == tokens_table.c.user_id)
    .where(
        tokens_table.c.token_hash == bindparam("token_hash"),
        tokens_table.c.revoked_at.is_(None),
        users_table.c.disabled.is_(False),
    )
)


IdentityError = PolicyError
"""A user or token command was refused; ``field`` names what was wrong (the policy's refusals too)."""


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    unit: str | None
    display_name: str | None = None
    title: str | None = None
    disabled: bool = False
    organisation: str | None = None
    """For unit accounts, the id of their organisation (``services.identity.organisations``); ``unit`` is
    its name."""

    @property
    def stream_id(self) -> str:
        return f"user-{self.id}"

    @property
    def label(self) -> str:
        """张三（科长）, or the user name when no 姓名 is set."""
        name = self.display_name or self.name
        return f"{name}（{self.title}）" if self.title else name


def user_of(row: Any) -> User:
    return User(
        row.id, row.name, Role(row.role), row.unit, row.display_name, row.title, bool(row.disabled),
        row.organisation_id,
    )  # fmt: skip


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
    """User and token registry. Every change writes its rows and its audit event in one transaction."""

    def __init__(self, engine: Engine, store: EventStore) -> None:
        self.engine = engine
        self.reader = reader(engine)
        self.store = store
        self.organisations = Organisations(engine, store)
        self.on_revoke: list[Callable[[str], None]] = []
        """Called with the user's id after their tokens are revoked (the API's token cache forgets them)."""

    # -- users ---------------------------------------------------------------------------------

    def add_user(
        self,
        name: str,
        role: str,
        password: str,
        unit: str | None = None,
        *,
        actor: str = "system",
        organisation: str | None = None,
        display_name: str | None = None,
        title: str | None = None,
    ) -> User:
        """``organisation`` (id, name or 统一社会信用代码) or ``unit`` (its name) binds a unit account."""
        name = check_name(name.strip())
        try:
            parsed = Role(role)
        except ValueError:
            raise IdentityError(
                "role", f"unknown role {role!r}; one of: {', '.join(r.value for r in Role)}"
            ) from None
        org = self._organisation_for(parsed, organisation or unit)
        display_name = check_profile("display_name", display_name)
        title = check_profile("title", title)
        check_password_policy(password, name)
        if self.find_user(name) is not None:
            raise IdentityError("name", f"user {name!r} already exists")
        user = User(
            str(uuid.uuid4()), name, parsed, org.name if org else None, display_name, title,
            organisation=org.id if org else None,
        )  # fmt: skip
        now = datetime.now(UTC)
        events: list[Event] = [
            UserRegistered(
                at=now, actor=actor, user_id=user.id, name=name, role=parsed, unit=user.unit,
                organisation_id=user.organisation,
            )
        ]  # fmt: skip
        if display_name or title:
            events.append(
                UserProfileChanged(
                    at=now, actor=actor, user_id=user.id, display_name=display_name, title=title
                )
            )
        hashed = _hasher.hash(password)
        try:
            with self.store.write_transaction() as conn:
                conn.execute(
                    insert(users_table).values(
                        id=user.id, name=name, role=parsed.value, unit=user.unit, password_hash=hashed,
                        created_at=now, disabled=False, display_name=display_name, title=title,
                        password_changed_at=now, organisation_id=user.organisation,
                    )
                )  # fmt: skip
                self._record(conn, user, events)
        except IntegrityError:
            raise IdentityError("name", f"user {name!r} already exists") from None
        return user

    def set_profile(
        self, user: User, display_name: str | None, title: str | None, actor: str = "system"
    ) -> User:
        display_name = check_profile("display_name", display_name)
        title = check_profile("title", title)
        now = datetime.now(UTC)
        with self.store.write_transaction() as conn:
            self._update_user(conn, user, display_name=display_name, title=title)
            event = UserProfileChanged(
                at=now, actor=actor, user_id=user.id, display_name=display_name, title=title
            )
            self._record(conn, user, [event])
        return User(
            user.id, user.name, user.role, user.unit, display_name, title, user.disabled, user.organisation
        )

    def disable(self, user: User, actor: str = "system") -> None:
        """No more sign-ins: the user's tokens are revoked and their page sessions end, all at once."""
        now = datetime.now(UTC)
        with self.store.write_transaction() as conn:
            self._update_user(conn, user, disabled=True)
            events: list[Event] = [UserDisabled(at=now, actor=actor, user_id=user.id)]
            events += self._revoke(conn, user, now, actor)
            end_sessions(conn, user.id, now)
            self._record(conn, user, events)
        self._revoked(user)

    def enable(self, user: User, actor: str = "system") -> None:
        now = datetime.now(UTC)
        with self.store.write_transaction() as conn:
            self._update_user(conn, user, disabled=False)
            self._record(conn, user, [UserEnabled(at=now, actor=actor, user_id=user.id)])

    def change_password(self, user: User, current: str, new: str, keep_session: str | None = None) -> None:
        """The user's own change: the current password first. Every other page session of theirs ends
        (but ``keep_session``, the hash of the one they changed it from)."""
        if self.check_password(user.name, current) is None:
            raise IdentityError("current_password", "the current password is not right")
        if current == new:
            raise IdentityError("password", "the new password must differ from the current one")
        self._set_password(user, new, actor=user.name, reset=False, keep_session=keep_session)

    def reset_password(self, user: User, new: str, actor: str = "system") -> None:
        """An administrator's or the operator's reset: the user's tokens and sessions end too."""
        self._set_password(user, new, actor=actor, reset=True)

    def _set_password(
        self, user: User, new: str, actor: str, reset: bool, keep_session: str | None = None
    ) -> None:
        check_password_policy(new, user.name)
        hashed = _hasher.hash(new)
        now = datetime.now(UTC)
        with self.store.write_transaction() as conn:
            self._update_user(conn, user, password_hash=hashed, password_changed_at=now)
            events: list[Event] = [PasswordChanged(at=now, actor=actor, user_id=user.id, reset=reset)]
            if reset:
                events += self._revoke(conn, user, now, actor)
            end_sessions(conn, user.id, now, keep=keep_session)
            self._record(conn, user, events)
        if reset:
            self._revoked(user)

    def find_user(self, name: str) -> User | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.name == name)).one_or_none()
        return None if row is None else user_of(row)

    def active_roles(self, name: str) -> tuple[str, ...]:
        """The roles an enabled user holds (empty when there is no such enabled user)."""
        with self.reader.connect() as conn:
            row = conn.execute(
                select(users_table.c.role).where(
                    users_table.c.name == name, users_table.c.disabled.is_(False)
                )
            ).one_or_none()
        return () if row is None else (str(row.role),)

    def user_by_id(self, user_id: str) -> User | None:
        with self.reader.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.id == user_id)).one_or_none()
        return None if row is None else user_of(row)

    def list_users(self) -> list[User]:
        with self.reader.connect() as conn:
            rows = conn.execute(select(users_table).order_by(users_table.c.name)).all()
        return [user_of(r) for r in rows]

    def check_password(self, name: str, password: str) -> User | None:
        """The user, when the password is theirs and they are not disabled. Slow on purpose (argon2):
        async callers run it in a thread under ``services.identity.hashing.HASHING``."""
        with self.reader.connect() as conn:
            row = conn.execute(select(users_table).where(users_table.c.name == name)).one_or_none()
        if row is None or row.disabled:
            _hasher.hash(password)  # same cost whether or not the user exists
            return None
        try:
            _hasher.verify(row.password_hash, password)
        except VerificationError:
            return None
        return user_of(row)

    # -- tokens --------------------------------------------------------------------------------

    def issue_token(self, user: User, days: int = DEFAULT_TOKEN_DAYS, actor: str = "system") -> IssuedToken:
        if not 1 <= days <= 366:
            raise IdentityError("days", "a token lives 1 to 366 days")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        issued = IssuedToken(token, str(uuid.uuid4()), now + timedelta(days=days))
        with self.store.write_transaction() as conn:
            conn.execute(
                insert(tokens_table).values(
                    id=issued.token_id, token_hash=token_hash(token), user_id=user.id,
                    created_at=now, expires_at=issued.expires_at, revoked_at=None,
                )
            )  # fmt: skip
            event = TokenIssued(
                at=now, actor=actor, user_id=user.id, token_id=issued.token_id, expires_at=issued.expires_at
            )
            self._record(conn, user, [event])
        return issued

    def revoke_tokens(self, user: User, actor: str = "system") -> int:
        """Revoke every live token of a user and end their page sessions; returns how many tokens."""
        now = datetime.now(UTC)
        with self.store.write_transaction() as conn:
            events = self._revoke(conn, user, now, actor)
            end_sessions(conn, user.id, now)
            if events:
                self._record(conn, user, events)
        self._revoked(user)
        return len(events)

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
        user = User(
            row.id, row.name, Role(row.role), row.unit, row.display_name, row.title,
            organisation=row.organisation_id,
        )  # fmt: skip
        return user, utc(row.expires_at)

    # -- within one transaction ----------------------------------------------------------------

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

    def _revoke(self, conn: Connection, user: User, now: datetime, actor: str) -> list[Event]:
        live = (tokens_table.c.user_id == user.id) & tokens_table.c.revoked_at.is_(None)
        ids = [r[0] for r in conn.execute(select(tokens_table.c.id).where(live)).all()]
        if ids:
            conn.execute(update(tokens_table).where(tokens_table.c.id.in_(ids)).values(revoked_at=now))
        return [TokenRevoked(at=now, actor=actor, user_id=user.id, token_id=token_id) for token_id in ids]

    def _revoked(self, user: User) -> None:
        for listener in self.on_revoke:
            listener(user.id)

    def _update_user(self, conn: Connection, user: User, **values: Any) -> None:
        done = conn.execute(update(users_table).where(users_table.c.id == user.id).values(**values))
        if done.rowcount != 1:
            raise IdentityError("name", f"no user named {user.name!r}")

    def _record(self, conn: Connection, user: User, events: list[Event]) -> None:
        """The events go into the log in the caller's transaction: no row change without its record."""
        meta = {"actor": events[0].actor, "role": _acting_role(events[0].actor, user)}
        batch = [NewEvent(e.TYPE, to_data(e), meta) for e in events]
        self.store.append_within(conn, [StreamAppend(user.stream_id, batch, None)])


def _acting_role(actor: str, user: User) -> str:
    if actor == "system":
        return "system"
    if actor.startswith(OPERATOR_PREFIX):
        return "operator"
    return "self" if actor == user.name else "admin"
