"""The officials who run the demo, one per role, and a short-lived bearer token for each."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from domain.campaign.types import UnitGroup
from domain.shared.identity import Role
from services.demo.client import Client, DemoError
from services.identity.accounts import Identity, IdentityError, User
from services.seed import scenario

TOKEN_DAYS = 1


@dataclass(frozen=True)
class Official:
    name: str
    role: Role
    unit: str | None
    does: str


DEPUTY_DIRECTOR = "deputy-director"
OFFICIALS = (
    Official(scenario.DRAFTER, Role.DRAFTER, None, "拟稿、录入数据"),
    Official(scenario.SECTION_CHIEF, Role.SECTION_CHIEF, None, "审核数据、赋分、核稿"),
    Official(DEPUTY_DIRECTOR, Role.DEPUTY_DIRECTOR, None, "审核"),
    Official(scenario.DIRECTOR, Role.DIRECTOR, None, "签发"),
    Official(scenario.OFFICE, Role.OFFICE, None, "登记编号、报送"),
    Official(scenario.BIANBAN_LIAISON, Role.CO_LEAD_UNIT, scenario.CO_LEAD_UNIT, "会商意见"),
    Official("hanbin", Role.ASSESSED_UNIT, "汉滨区", "查看本单位结果（页面）"),
    Official("auditor", Role.AUDITOR, None, "审计：回放、核验、导出（页面）"),
)
Tick = Callable[[Official], None]


# One password for every demo official, so a newcomer can sign in to the pages after the run; it is
# written to DATA/demo-logins.txt (0600) by the embedded demo. KAOHE_DEMO_PASSWORD chooses it.
DEMO_PASSWORD = os.environ.get("KAOHE_DEMO_PASSWORD") or secrets.token_urlsafe(9)


def _password() -> str:
    return DEMO_PASSWORD


def _check(official: Official, role: str, unit: str | None) -> None:
    if role != official.role.value or (unit or None) != official.unit:
        raise DemoError(
            f"a user named {official.name!r} already exists as {role}{' for ' + unit if unit else ''}; "
            f"the demo needs {official.role.value}{' for ' + official.unit if official.unit else ''}"
        )


def organisations() -> list[tuple[str, str]]:
    """The bodies the seed enrols (its 54 units) and consults (市委编办 is one of them), with their kind."""
    found = {u.name: KINDS[u.group] for u in scenario.UNITS}
    found.setdefault(scenario.CO_LEAD_UNIT, "co_lead_body")
    return list(found.items())


KINDS = {UnitGroup.COUNTY: "county", UnitGroup.CITY_DEPARTMENT: "city_department", UnitGroup.OTHER: "other"}


def tokens_from_identity(identity: Identity, tick: Tick) -> dict[str, str]:
    """Users and tokens made directly in the database (the demo's own server, or KAOHE_DATABASE_URL)."""
    for name, kind in organisations():
        identity.organisations.ensure(name, kind, actor="kaohe-demo")
    tokens = {}
    for official in OFFICIALS:
        user: User | None = identity.find_user(official.name)
        try:
            if user is None:
                user = identity.add_user(
                    official.name, official.role, _password(), official.unit, actor="kaohe-demo"
                )
            _check(official, user.role.value, user.unit)
            tokens[official.name] = identity.issue_token(user, TOKEN_DAYS, actor="kaohe-demo").token
        except IdentityError as exc:
            raise DemoError(f"cannot set up user {official.name!r}: {exc.field}: {exc.message}") from None
        tick(official)
    return tokens


def tokens_from_api(client: Client, admin_token: str, tick: Tick) -> dict[str, str]:
    """Users made through the API's /users routes with an administrator's token; each official then signs
    in for a token of their own (POST /auth/tokens): an administrator cannot get a token for someone else.
    Officials who already exist need KAOHE_DEMO_PASSWORD to be their password."""
    known = {o["name"] for o in client.request("GET", "/organisations", None, token=admin_token).json()}
    for name, kind in organisations():
        if name not in known:
            client.request("POST", "/organisations", None, {"name": name, "kind": kind}, token=admin_token)
    found = client.request("GET", "/users", None, token=admin_token).json()
    existing = {u["name"]: u for u in found}
    tokens = {}
    for official in OFFICIALS:
        user = existing.get(official.name)
        if user is None:
            body = {
                "name": official.name,
                "role": official.role.value,
                "password": _password(),
                "unit": official.unit,
            }
            user = client.request("POST", "/users", None, body, token=admin_token).json()
        _check(official, user["role"], user.get("unit"))
        sign_in = {"name": official.name, "password": _password(), "days": TOKEN_DAYS}
        issued = client.request("POST", "/auth/tokens", None, sign_in).json()
        tokens[official.name] = issued["token"]
        tick(official)
    return tokens
