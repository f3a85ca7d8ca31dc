"""考核任务 pages: the stage stepper and counts, the 赋分表 (now or as of then), and the timelines."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.exceptions import PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Template

from domain import approval
from domain.campaign_queries import open_appeals, open_consultations, pending_submissions, undetermined_cells
from domain.campaign_state import CampaignState
from domain.identity import Role
from services.calendar import current_calendar
from services.commands import CommandRunner
from services.identity import User
from services.pages.actions import may, new_form_id
from services.pages.charts import stage_chart, stage_spans
from services.pages.guards import signed_in
from services.pages.render import INSIDE, page, viewer
from services.pages.timeline import campaign_names, lines, submission_positions
from services.pages.timetravel import chosen
from services.pages.wording import GROUP_LABELS, STAGE_LABELS, STAGES
from services.queries import AsOf, HistoryFilter, document_states, load_campaign, score_rows
from services.usecases import CAMPAIGN


def _runner(request: Request[Any, Any, Any]) -> CommandRunner:
    runner: CommandRunner = request.app.state.runner
    return runner


def own_unit(state: CampaignState, user: User) -> str | None:
    """The unit code an assessed unit acts for in this campaign (None for everyone else)."""
    if user.role is not Role.ASSESSED_UNIT:
        return None
    for unit in state.units.values():
        if user.unit in (unit.code, unit.name):
            return unit.code
    raise PermissionDeniedException("your unit is not assessed in this campaign")


def stepper(state: CampaignState) -> list[dict[str, Any]]:
    reached = [s for s, _ in STAGES]
    current = reached.index(state.stage) if state.stage in reached else len(reached)
    skipped_consulting = not state.consultations
    return [
        {
            "label": label,
            "state": "done" if i < current else "current" if i == current else "todo",
            "skipped": stage.value == "consulting" and skipped_consulting and i < current,
        }
        for i, (stage, label) in enumerate(STAGES)
    ]


def projection_lag(request: Request[Any, Any, Any]) -> list[dict[str, Any]]:
    """How far each read model trails the log (empty when the app keeps none)."""
    reader = getattr(request.app.state, "reader", None)
    if reader is None:
        return []
    from services.projections.registry import PROJECTIONS

    head = _runner(request).store.head().position
    found = []
    for name in PROJECTIONS:
        position = reader.position(name)
        found.append({"name": name, "position": position, "lag": max(0, head - max(position, 0))})
    return found


class CampaignPages(Controller):
    path = "/ui/campaigns/{campaign_id:str}"
    guards = [signed_in]

    @get("/", sync_to_thread=True)
    def overview(self, request: Request[Any, Any, Any], campaign_id: FromPath[str]) -> Template:
        runner, user = _runner(request), viewer(request)
        state, version = load_campaign(runner, campaign_id, AsOf())
        own_unit(state, user)
        calendar = current_calendar(runner.store)
        events = runner.store.read_stream(CAMPAIGN.stream_id(campaign_id))
        counts = {
            "被考核单位": len(state.units),
            "考核指标": len(state.indicators),
            "报送数据": len(state.submissions),
            "待审核数据": len(pending_submissions(state)),
            "未赋分单元格": len(undetermined_cells(state)) if state.indicators else 0,
            "进行中的会商": len(open_consultations(state)),
            "待复核申诉": len(open_appeals(state)),
        }
        documents = []
        if user.role in INSIDE:
            documents = [(d, s) for d, s in document_states(runner) if s.campaign_id == campaign_id]
        return page(
            request,
            "campaign.html",
            title=state.notice.title if state.notice else campaign_id,
            crumbs=[("/ui/", "工作台"), (None, "考核任务")],
            c=state,
            cid=campaign_id,
            version=version,
            steps=stepper(state),
            stage=STAGE_LABELS.get(state.stage.value if state.stage else "", ""),
            counts=counts,
            lag=projection_lag(request),
            documents=documents,
            status_labels=_DOC_STATUS,
            chart=stage_chart(stage_spans(events), calendar),
            groups=GROUP_LABELS,
            may_draft=may(user, approval.DraftDocument) and not documents,
            form_id=new_form_id(),
        )

    @get("/scores", sync_to_thread=True)
    def scores(self, request: Request[Any, Any, Any], campaign_id: FromPath[str]) -> Template:
        runner, user = _runner(request), viewer(request)
        point = chosen(request, runner)
        state, _ = load_campaign(runner, campaign_id, point.as_of)
        mine = own_unit(load_campaign(runner, campaign_id, AsOf())[0], user)
        group = request.query_params.get("group", "")
        rows = [
            r
            for r in score_rows(state, {mine} if mine else None)
            if not group or r["unit"].group.value == group
        ]
        return page(
            request,
            "scores.html",
            title="赋分表",
            cid=campaign_id,
            c=state,
            rows=rows,
            point=point,
            crumbs=[("/ui/", "工作台"), (f"/ui/campaigns/{campaign_id}", "考核任务"), (None, "赋分表")],
            indicators=list(state.indicators.values()),
            groups=GROUP_LABELS,
            group=group,
            own=mine,
            stage=STAGE_LABELS.get(state.stage.value if state.stage else "", "尚未开始"),
        )

    @get("/history", sync_to_thread=True)
    def history(self, request: Request[Any, Any, Any], campaign_id: FromPath[str]) -> Template:
        runner, user = _runner(request), viewer(request)
        state, _ = load_campaign(runner, campaign_id, AsOf())
        unit = own_unit(state, user) or request.query_params.get("unit") or None
        indicator = request.query_params.get("indicator") or None
        point = chosen(request, runner)
        stream = runner.store.read_stream(CAMPAIGN.stream_id(campaign_id), to_position=point.as_of.position)
        wanted = HistoryFilter(unit=unit, indicator=indicator)
        shown = [e for e in stream if wanted.matches(e)]
        subject = (
            " · ".join(x for x in (_unit_name(state, unit), _indicator_name(state, indicator)) if x)
            or "全部事项"
        )
        return page(
            request,
            "history.html",
            title=f"经过：{subject}",
            subject=subject,
            cid=campaign_id,
            crumbs=[("/ui/", "工作台"), (f"/ui/campaigns/{campaign_id}", "考核任务"), (None, "经过")],
            lines=lines(
                shown,
                f"/ui/campaigns/{campaign_id}/scores",
                campaign_names(state, f"/ui/campaigns/{campaign_id}/history", submission_positions(stream)),
            ),
            point=point,
            unit=unit,
            indicator=indicator,
            c=state,
        )


_DOC_STATUS = {
    "new": "未起草",
    "drafting": "拟稿中",
    "in_approval": "审批中",
    "completed": "已办结",
    "dispatched": "已报送",
    "acknowledged": "对方已签收",
}


def _unit_name(state: CampaignState, code: str | None) -> str:
    unit = state.units.get(code or "")
    return unit.name if unit else (code or "")


def _indicator_name(state: CampaignState, code: str | None) -> str:
    indicator = state.indicators.get(code or "")
    return (indicator.short_name or indicator.name) if indicator else (code or "")
