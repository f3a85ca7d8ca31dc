"""Users and tokens: administrators manage users; a token is only ever issued to its own user."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.params import FromPath, JSONBody

from domain.shared.identity import Role
from domain.shared.organisations import Organisation, OrganisationKind
from services.api.auth import ANY_ROLE, allow
from services.api.problems import READ_ERRORS, WRITE_ERRORS, Problem, problem, problem_responses
from services.bootstrap import Container
from services.identity.accounts import Identity, IdentityError, User
from services.identity.throttle import hashing
from services.web.addresses import client_address


class UserView(msgspec.Struct):
    name: str
    role: str
    role_label: str
    unit: str | None
    organisation_id: str | None = None
    display_name: str | None = None
    title: str | None = None
    disabled: bool = False


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    role: Role
    password: str
    unit: str | None = None
    """The name of the registered organisation a unit account belongs to (or give ``organisation``)."""
    organisation: str | None = None
    """The organisation's id, name or 统一社会信用代码."""
    display_name: str | None = None
    title: str | None = None


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


class ProfileUpdate(msgspec.Struct, forbid_unknown_fields=True):
    display_name: str | None = None
    title: str | None = None


class PasswordReset(msgspec.Struct, forbid_unknown_fields=True):
    password: str


class TokenCreate(msgspec.Struct, forbid_unknown_fields=True):
    days: int = 30


class TokenIssuedView(msgspec.Struct):
    token: str
    expires_at: datetime


class Revoked(msgspec.Struct):
    revoked: int


def view(user: User) -> UserView:
    return UserView(
        user.name, user.role.value, user.role.label, user.unit, user.organisation, user.display_name,
        user.title, user.disabled,
    )  # fmt: skip


def invalid(exc: IdentityError) -> ValidationException:
    return ValidationException(
        exc.message, extra=[{"key": exc.field, "message": exc.message, "source": "body"}]
    )


def _user(identity: Identity, name: str) -> User:
    user = identity.find_user(name)
    if user is None:
        raise NotFoundException(f"no user named {name!r}")
    return user


class UserAdmin(Controller):
    path = "/users"
    tags = ["用户"]
    guards = [allow(Role.ADMIN)]

    @get("/", sync_to_thread=True, responses=READ_ERRORS, operation_id="listUsers", summary="用户列表")
    def list_users(self, identity: NamedDependency[Identity]) -> list[UserView]:
        """Every user with role, unit, 姓名, 职务 and whether they are disabled."""
        return [view(u) for u in identity.list_users()]

    @post("/", sync_to_thread=True, responses=WRITE_ERRORS, operation_id="addUser", summary="新增用户")
    def add_user(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        data: JSONBody[UserCreate],
    ) -> UserView:
        """Add a user (the password must pass the policy; it is stored as an argon2 hash)."""
        try:
            user = identity.add_user(
                data.name, data.role, data.password, data.unit, actor=request.user.name,
                organisation=data.organisation, display_name=data.display_name, title=data.title,
            )  # fmt: skip
        except IdentityError as exc:
            raise invalid(exc) from None
        return view(user)

    @patch(
        "/{name:str}",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        operation_id="updateUser",
        summary="修改姓名职务",
    )
    def update_user(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        name: FromPath[str],
        data: JSONBody[ProfileUpdate],
    ) -> UserView:
        """Set a user's 姓名 (display name) and 职务 (title)."""
        try:
            user = identity.set_profile(
                _user(identity, name), data.display_name, data.title, request.user.name
            )
        except IdentityError as exc:
            raise invalid(exc) from None
        return view(user)

    @post(
        "/{name:str}/disable",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        status_code=200,
        operation_id="disableUser",
        summary="停用用户",
    )
    def disable(
        self, request: Request[User, Any, Any], identity: NamedDependency[Identity], name: FromPath[str]
    ) -> UserView:
        """Disable a user: no sign-in; their tokens are revoked and their page sessions end at once."""
        user = _user(identity, name)
        if user.id == request.user.id:
            raise PermissionDeniedException("an administrator cannot disable themself")
        identity.disable(user, actor=request.user.name)
        return view(_user(identity, name))

    @post(
        "/{name:str}/enable",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        status_code=200,
        operation_id="enableUser",
        summary="启用用户",
    )
    def enable(
        self, request: Request[User, Any, Any], identity: NamedDependency[Identity], name: FromPath[str]
    ) -> UserView:
        """Let a disabled user sign in again (their old tokens stay revoked)."""
        identity.enable(_user(identity, name), actor=request.user.name)
        return view(_user(identity, name))

    @post(
        "/{name:str}/password",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        status_code=200,
        operation_id="resetPassword",
        summary="重置密码",
    )
    def reset_password(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        name: FromPath[str],
        data: JSONBody[PasswordReset],
    ) -> UserView:
        """Set a new password for a user; their tokens are revoked and their page sessions end."""
        user = _user(identity, name)
        try:
            identity.reset_password(user, data.password, actor=request.user.name)
        except IdentityError as exc:
            raise invalid(exc) from None
        return view(user)

    @post(
        "/{name:str}/tokens",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        operation_id="issueToken",
        summary="签发访问令牌（仅本人）",
    )
    def issue_token(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        name: FromPath[str],
        data: JSONBody[TokenCreate],
    ) -> TokenIssuedView:
        """A new bearer token for the administrator themself: a token for anyone else would let the
        administrator act as them. Others get theirs with POST /auth/tokens or `kaohe token` on the server."""
        if name != request.user.name:
            raise PermissionDeniedException(
                "a token is issued only to its own user: sign in as them (POST /auth/tokens) "
                "or run `kaohe token NAME` on the server"
            )
        return _issue(identity, request.user, data.days)

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
        """Revoke every live token of a user and end their page sessions."""
        return Revoked(identity.revoke_tokens(_user(identity, name), actor=request.user.name))


def _issue(identity: Identity, user: User, days: int) -> TokenIssuedView:
    try:
        issued = identity.issue_token(user, days, actor=user.name)
    except IdentityError as exc:
        raise invalid(exc) from None
    return TokenIssuedView(issued.token, issued.expires_at)


class OwnPassword(msgspec.Struct, forbid_unknown_fields=True):
    current_password: str
    new_password: str


class MyAccount(Controller):
    path = "/me"
    tags = ["system"]
    guards = [ANY_ROLE]

    @post(
        "/tokens",
        sync_to_thread=True,
        responses=WRITE_ERRORS,
        operation_id="issueOwnToken",
        summary="签发本人令牌",
    )
    def issue_own_token(
        self,
        request: Request[User, Any, Any],
        identity: NamedDependency[Identity],
        data: JSONBody[TokenCreate],
    ) -> TokenIssuedView:
        """Another bearer token for the caller (e.g. one per machine)."""
        return _issue(identity, request.user, data.days)

    @post(
        "/password",
        responses={**WRITE_ERRORS, **problem_responses(429)},
        status_code=200,
        operation_id="changeOwnPassword",
        summary="修改本人密码",
    )
    async def change_password(
        self,
        request: Request[User, Any, Any],
        container: NamedDependency[Container],
        data: JSONBody[OwnPassword],
    ) -> UserView | Response[Problem]:
        """Change the caller's own password (the current one first; wrong ones count towards the sign-in
        lockout); their page sessions end."""
        user, address = request.user, client_address(request)
        refused = container.throttle.check(user.name, address)
        if refused is not None:
            response = problem(429, "too many wrong passwords: try again later", "throttled")
            response.headers.update({"Retry-After": str(refused.retry_after)})
            return response
        try:
            await hashing(container.identity.change_password, user, data.current_password, data.new_password)
        except IdentityError as exc:
            if exc.field == "current_password":
                container.throttle.failed(user.name, address)
            raise invalid(exc) from None
        return view(user)


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
