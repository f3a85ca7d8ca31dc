"""审计: the hash chain verified end to end, and the log exported as JSON Lines for an offline check."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from litestar import Controller, Request, get
from litestar.response import Stream, Template

from domain.identity import Role
from services.api.auth import allow
from services.bootstrap import Container
from services.eventstore.export import export_line
from services.eventstore.verify import iter_raw, verify_database
from services.pages.guards import signed_in
from services.pages.render import local, page

AUDIT_ROLES = allow(Role.AUDITOR, Role.ADMIN)


class AuditPages(Controller):
    path = "/ui/audit"
    guards = [signed_in, AUDIT_ROLES]

    @get("/", sync_to_thread=True)
    def audit(self, request: Request[Any, Any, Any]) -> Template:
        container: Container = request.app.state.container
        started = time.perf_counter()
        result = verify_database(container.engine)
        head = container.store.head()
        return page(
            request,
            "audit.html",
            title="审计",
            result=result,
            head=head,
            head_time=local(head.recorded_at),
            seconds=f"{time.perf_counter() - started:.2f}",
            crumbs=[("/ui/", "工作台"), (None, "审计")],
        )

    @get("/export.jsonl", sync_to_thread=False)
    def export(self, request: Request[Any, Any, Any]) -> Stream:
        container: Container = request.app.state.container
        head = container.store.head().position
        lines: Iterator[str] = (export_line(e) + "\n" for e in iter_raw(container.engine, to_position=head))
        return Stream(
            lines,
            media_type="application/x-ndjson; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="kaohe-log-1-{head}.jsonl"'},
        )
