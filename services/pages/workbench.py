"""工作台: what waits for me, with deadlines from the working-day calendar, and the campaigns I can see."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Template

from domain.identity import Role
from services.calendar import current_calendar
from services.commands import CommandRunner
from services.pages.guards import signed_in
from services.pages.render import page, today, viewer
from services.pages.tasks import Clock, work_items
from services.pages.wording import STAGE_LABELS
from services.queries import stream_ids
from services.usecases import CAMPAIGN


class Workbench(Controller):
    path = "/ui"
    guards = [signed_in]

    @get("/", sync_to_thread=True)
    def workbench(self, request: Request[Any, Any, Any]) -> Template:
        runner: CommandRunner = request.app.state.runner
        user = viewer(request)
        clock = Clock(current_calendar(runner.store), today())
        items = [] if user.role in (Role.AUDITOR, Role.ADMIN) else work_items(runner, user, clock)
        campaigns = []
        for stream_id in stream_ids(runner, "campaign-"):
            state, _ = runner.load(CAMPAIGN, stream_id)
            own = next((u for u in state.units.values() if user.unit in (u.code, u.name)), None)
            if user.role is Role.ASSESSED_UNIT and own is None:
                continue
            campaigns.append(
                {
                    "id": state.campaign_id,
                    "title": state.notice.title if state.notice else state.campaign_id,
                    "number": state.notice.number if state.notice else "",
                    "stage": STAGE_LABELS.get(state.stage.value if state.stage else "", ""),
                    "own": own,
                }
            )
        return page(
            request,
            "workbench.html",
            title="工作台",
            items=items,
            campaigns=campaigns,
            today=clock.today,
            notice=_done(request),
        )


def _done(request: Request[Any, Any, Any]) -> str | None:
    return {"1": "已办理。"}.get(request.query_params.get("done", ""))
