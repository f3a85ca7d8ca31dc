"""Liveness, readiness and who-am-i."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from sqlalchemy import text

from services.api.auth import ANY_ROLE
from services.api.problems import READ_ERRORS, Problem, problem, problem_responses
from services.bootstrap import Container
from services.identity.accounts import User

BrokerCheck = Callable[[], tuple[bool, str]] | None


class Health(msgspec.Struct):
    status: str


class Readiness(msgspec.Struct):
    status: str
    database: str
    broker: str
    log_position: int


class Me(msgspec.Struct):
    name: str
    role: str
    role_label: str
    unit: str | None
    display_name: str | None = None
    title: str | None = None


class SystemController(Controller):
    tags = ["system"]

    @get("/health", sync_to_thread=False, operation_id="getHealth", summary="存活检查")
    def health(self) -> Health:
        """The process is alive."""
        return Health(status="ok")

    @get(
        "/ready",
        sync_to_thread=True,
        responses=problem_responses(503),
        operation_id="getReadiness",
        summary="就绪检查",
    )
    def ready(
        self, container: NamedDependency[Container], broker_check: NamedDependency[BrokerCheck]
    ) -> Readiness | Response[Problem]:
        """The database answers (and the broker, when one is configured)."""
        try:
            with container.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            position = container.store.head().position
        except Exception as exc:
            return problem(503, f"database not reachable: {exc.__class__.__name__}", "not_ready")
        broker = "not configured"
        if broker_check is not None:
            ok, broker = broker_check()
            if not ok:
                return problem(503, f"not ready: {broker}", "not_ready")
        return Readiness(status="ready", database="ok", broker=broker, log_position=position)

    @get(
        "/me",
        guards=[ANY_ROLE],
        sync_to_thread=False,
        responses=READ_ERRORS,
        operation_id="getMe",
        summary="当前用户",
    )
    def me(self, request: Request[User, Any, Any]) -> Me:
        """The caller's own identity, role and unit, with 姓名 and 职务 when set."""
        user = request.user
        return Me(user.name, user.role.value, user.role.label, user.unit, user.display_name, user.title)
