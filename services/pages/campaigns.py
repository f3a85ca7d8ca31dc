"""考核任务 pages: the stage stepper and counts, the 赋分表 (now or as of then), and the timelines."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from domain.campaign.state import CampaignState
from services.app.core import Core
from services.app.queries import Queries
from services.app.replay import HistoryFilter
from services.app.wording import GROUP_LABELS, STAGE_LABELS, STAGES
from services.pages.actions import new_form_id
from services.pages.charts import stage_chart
from services.pages.guards import signed_in
from services.pages.render import INSIDE, page, viewer
from services.pages.timeline import campaign_names, lines, people_of, submission_positions
from services.pages.timetravel import chosen

COUNT_LABELS = {
    "units": "被考核单位",
    "indicators": "考核指标",
    "submissions": "报送数据",
    "submissions_pending": "待审核数据",
    "undetermined_cells": "未赋分单元格",
    "open_consultations": "进行中的会商",
    "open_appeals": "待复核申诉",
}
DOC_STATUS = {
    "new": "未起草",
    "drafting": "拟稿中",
    "in_approval": "审批中",
    "completed": "已办结",
    "dispatched": "已报送",
    "acknowledged": "对方已签收",
}


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


class CampaignPages(Controller):
    path = "/ui/campaigns/{campaign_id:str}"
    guards = [signed_in]

    @get("/", sync_to_thread=True)
    def overview(
        self, request: Request[Any, Any, Any], core: NamedDependency[Core], campaign_id: FromPath[str]
    ) -> Template:
        user = viewer(request)
        detail = core.queries.campaign_detail(user, campaign_id)
        state = detail.state
        counts = {COUNT_LABELS[k]: v for k, v in _items(detail.counts)}
        return page(
            request,
            "campaign.html",
            title=state.notice.title if state.notice else campaign_id,
            crumbs=[("/ui/", "工作台"), (None, "考核任务")],
            c=state,
            cid=campaign_id,
            version=detail.version,
            steps=stepper(state),
            stage=STAGE_LABELS.get(state.stage.value if state.stage else "", ""),
            counts=counts,
            lag=core.queries.projection_lag(),
            documents=detail.documents,
            status_labels=DOC_STATUS,
            chart=stage_chart(detail.spans, core.calendar()),
            groups=GROUP_LABELS,
            may_draft=core.may(user, "draftDocument") and not detail.documents,
            form_id=new_form_id(),
        )

    @get("/scores", sync_to_thread=True)
    def scores(
        self, request: Request[Any, Any, Any], queries: NamedDependency[Queries], campaign_id: FromPath[str]
    ) -> Template:
        user = viewer(request)
        point = chosen(request, queries)
        group = request.query_params.get("group", "")
        table, _ = queries.score_table(user, campaign_id, point.as_of, group or None)
        return page(
            request,
            "scores.html",
            title="赋分表",
            cid=campaign_id,
            table=table,
            point=point,
            crumbs=[("/ui/", "工作台"), (f"/ui/campaigns/{campaign_id}", "考核任务"), (None, "赋分表")],
            groups=GROUP_LABELS,
            group=group,
            own=user.role.value == "assessed_unit",
            stage=STAGE_LABELS.get(table.stage or "", "尚未开始"),
        )

    @get("/history", sync_to_thread=True)
    def history(
        self, request: Request[Any, Any, Any], queries: NamedDependency[Queries], campaign_id: FromPath[str]
    ) -> Template:
        user = viewer(request)
        state = queries.campaign_state(user, campaign_id)
        unit = request.query_params.get("unit") or None
        indicator = request.query_params.get("indicator") or None
        point = chosen(request, queries)
        shown = queries.history_events(
            user, campaign_id, HistoryFilter(unit=unit, indicator=indicator), point.as_of
        )
        everything = queries.history_events(user, campaign_id, HistoryFilter(), point.as_of)
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
                campaign_names(
                    state, f"/ui/campaigns/{campaign_id}/history", submission_positions(everything)
                ),
                people_of(queries.users(user)) if user.role in INSIDE else None,
            ),
            point=point,
            unit=unit,
            indicator=indicator,
            c=state,
        )


def _items(counts: Any) -> list[tuple[str, int]]:
    return [(name, getattr(counts, name)) for name in counts.__struct_fields__]


def _unit_name(state: CampaignState, code: str | None) -> str:
    unit = state.units.get(code or "")
    return unit.name if unit else (code or "")


def _indicator_name(state: CampaignState, code: str | None) -> str:
    indicator = state.indicators.get(code or "")
    return (indicator.short_name or indicator.name) if indicator else (code or "")
