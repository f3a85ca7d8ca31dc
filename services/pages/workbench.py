"""工作台: what waits for me, with deadlines from the working-day calendar, and the campaigns I can see."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from services.app.queries import Queries
from services.app.wording import STAGE_LABELS
from services.pages.guards import signed_in
from services.pages.render import page, viewer


class Workbench(Controller):
    path = "/ui"
    guards = [signed_in]

    @get("/", sync_to_thread=True)
    def workbench(self, request: Request[Any, Any, Any], queries: NamedDependency[Queries]) -> Template:
        user = viewer(request)
        today = queries.today()
        campaigns = [
            {
                "id": c.id,
                "title": c.title or c.id,
                "number": c.notice_number,
                "stage": STAGE_LABELS.get(c.stage or "", ""),
            }
            for c in queries.campaigns(user)
        ]
        return page(
            request,
            "workbench.html",
            title="工作台",
            items=queries.worklist(user, today),
            campaigns=campaigns,
            today=today,
            notice={"1": "已办理。"}.get(request.query_params.get("done", "")),
        )
