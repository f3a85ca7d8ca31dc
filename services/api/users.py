"""Users and tokens, for administrators: the same operations as `kaohe users` and `kaohe token`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import FromPath, JSONBody

from domain.shared.identity import Role
from domain.shared.organisations import Organisation, OrganisationKind
from services.api.auth import allow
from services.api.problems import READ_ERRORS, WRITE_ERRORS
from services.identity.accounts import Identity, IdentityError, User


class UserView(msgspec.Struct):
    name: str
    role: str
    role_label: str
    unit: str | None
    organisation_id: str | None = None


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    role: Role
    password: str
    unit: str | None = None
    """The name of the registered organisation a unit account belongs to (or give ``organisation``)."""
    organisation: str | None = None
    """The organisation's id, name or 统一社会信用代码."""


class OrganisationView(msgspec.Struct):
    id: str
    name: str
    kind: str
    kind_label: str
    uscc: str | None


class OrganisationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    kind: OrganisationKind
    uscc: str | None = None


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    days: int = 30


class TokenIssuedView(msgspec.Struct):
    token: str
    expires_at: datetime


class Revoked(msgspec.Struct):
    revoked: int


def _view(user: User) -> UserView:
    return UserView(user.name, user.role.value, user.role.label, user.unit, user.organisation)


def _invalid(exc: IdentityError) -> ValidationException:
    return ValidationException(
        exc.message, extra=[{"key": exc.field, "message": exc.message, "source": "body"}]
    )


class UserAdmin(Controller):
    path = "/users"
    tags = ["用户"]
    guards = [allow(Role.ADMIN)]

    @get("/", sync_to_thread=True, responses=READ_ERRORS, operation_id="listUsers", summary="用户列表")
    def list_users(self, identity: NamedDependency[Identity]) -> list[UserView]:
        """Every user with role and unit."""
        return [_view(u) for u in identity.list_users()]

    @post("/", sync_to_thread=True, responses=WRITE_ERRORS, operation_id="addUser", summary="新增用户")
    def add_user(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        data: JSONBody[UserCreate],
    ) -> UserView:
        """Add a user (the password is stored as an argon2 hash)."""
        try:
            user = identity.add_user(
                data.name, data.role, data.password, data.unit,
                actor=request.user.name, organisation=data.organisation,
            )  # fmt: skip
        except IdentityError as exc:
            raise _invalid(exc) from None
        return _view(user)

    @post(
        "/{name:str}/tokens",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        operation_id="issueToken",
        summary="签发访问令牌",
    )
    def issue_token(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        name: FromPath[str],
        data: JSONBody[TokenCreate],
    ) -> TokenIssuedView:
        """A new bearer token for a user; shown once, stored only as a hash."""
        user = identity.find_user(name)
        if user is None:
            raise NotFoundException(f"no user named {name!r}")
        try:
            issued = identity.issue_token(user, data.days, actor=request.user.name)
        except IdentityError as exc:
            raise _invalid(exc) from None
        return TokenIssuedView(issued.token, issued.expires_at)

    @post(
        "/{name:str}/tokens/revoke",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        status_code=200,
        operation_id="revokeTokens",
        summary="吊销访问令牌",
    )
    def revoke_tokens(
        self, request: Request[User, Any, Any], identity: NamedDependency[Identity], name: FromPath[str]
    ) -> Revoked:
        """Revoke every live token of a user."""
        user = identity.find_user(name)
        if user is None:
            raise NotFoundException(f"no user named {name!r}")
        return Revoked(identity.revoke_tokens(user, actor=request.user.name))


def _org_view(org: Organisation) -> OrganisationView:
    return OrganisationView(org.id, org.name, org.kind.value, org.kind.label, org.uscc)


class OrganisationAdmin(Controller):
    path = "/organisations"
    tags = ["用户"]
    guards = [allow(Role.ADMIN)]

    @get("/", sync_to_thread=True, responses=READ_ERRORS, operation_id="listOrganisations", summary="机构")
    def list_organisations(self, identity: NamedDependency[Identity]) -> list[OrganisationView]:
        """Every registered organisation (counties, city departments, co-lead bodies)."""
        return [_org_view(o) for o in identity.organisations.list()]

    @post("/", sync_to_thread=True, responses=WRITE_ERRORS, operation_id="addOrganisation", summary="登记")
    def add_organisation(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        data: JSONBody[OrganisationCreate],
    ) -> OrganisationView:
        """Register an organisation; recorded as OrganisationRegistered with its row, in one transaction."""
        org = identity.organisations.add(data.name, data.kind.value, data.uscc, actor=request.user.name)
        return _org_view(org)
