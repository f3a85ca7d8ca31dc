"""审计: the hash chain verified end to end, and the log exported as JSON Lines for an offline check."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Stream, Template

from services.app.access import AUDIT
from services.app.queries import Queries
from services.pages.guards import signed_in
from services.pages.render import local, page, viewer
from services.web.guards import allow


class AuditPages(Controller):
    path = "/ui/audit"
    guards = [signed_in, allow(*AUDIT)]

    @get("/", sync_to_thread=True)
    def audit(self, request: Request[Any, Any, Any], queries: NamedDependency[Queries]) -> Template:
        user = viewer(request)
        started = time.perf_counter()
        result = queries.verify_log(user)
        head = queries.log_head(user)
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

    @get("/export.jsonl", sync_to_thread=True)
    def export(self, request: Request[Any, Any, Any], queries: NamedDependency[Queries]) -> Stream:
        user = viewer(request)
        head = queries.log_head(user).position
        return Stream(
            queries.export_lines(user, head),
            media_type="application/x-ndjson; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="kaohe-log-1-{head}.jsonl"'},
        )
