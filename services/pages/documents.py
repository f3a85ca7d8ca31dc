"""The document page: versions, the approval chain with every opinion, and what the viewer may do now."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from domain import approval
from domain.shared.identity import ROLE_LABELS, Role
from services.app.access import DOCUMENT_READERS
from services.app.core import Core
from services.app.document_acts import holders, may_withdraw, task_actions
from services.app.queries import Queries
from services.app.replay import AsOf
from services.app.wording import step_label
from services.pages.actions import new_form_id
from services.pages.guards import signed_in
from services.pages.render import local, page, viewer
from services.pages.reports import report_section
from services.pages.timeline import lines, people_of
from services.pages.timetravel import PointInTime, chosen
from services.web.guards import allow

VERB_OF_KIND = {"draft": "送审", "numbering": "已编号", "dispatch": "已报送"}
DONE = {
    "submit": "已送审。",
    "approve": "已同意。",
    "return": "已退回。",
    "withdraw": "已撤回。",
    "delegate": "已委托。",
    "transfer": "已转办。",
    "claim": "已签收。",
    "resolve": "已交回委托人。",
    "number": "已登记编号。",
    "dispatch": "已报送。",
    "draft": "已起草。",
    "register": "已开设登记簿。",
    "report": "已提交生成请求，生成完成后可下载。",
    "cancel": "已取消生成。",
}


def render_document(
    request: Request[Any, Any, Any],
    queries: NamedDependency[Queries],
    document_id: str,
    error: str | None = None,
    status: int = 200,
) -> Template:
    user = viewer(request)
    point = chosen(request, queries) if error is None else PointInTime(AsOf(), "", "")
    found = queries.document_detail(user, document_id, point.as_of)
    state = found.state
    live = not point.label
    return page(
        request,
        "document.html",
        status=status,
        title=state.title or document_id,
        d=state,
        doc_id=document_id,
        crumbs=[("/ui/", "工作台"), (f"/ui/campaigns/{state.campaign_id}", "考核任务"), (None, "公文")],
        version=found.version,
        point=point,
        chain=chain_rows(state),
        versions=versions(found.events),
        lines=lines(found.events, f"/ui/documents/{document_id}", people=people_of(queries.users(user))),
        error=error,
        notice=DONE.get(request.query_params.get("done", "")) if error is None else None,
        actions=task_actions(state, user, queries.users(user)) if live else [],
        withdraw=live and may_withdraw(state, user),
        registers=queries.registers(user) if live and Core.may(user, "assignNumber") else [],
        report_to=found.report_to,
        form_id=new_form_id(),
        reports=report_section(request, queries, state) if live else None,
        may_register=Core.may(user, "openRegister"),
    )


def chain_rows(state: approval.DocumentState) -> list[dict[str, Any]]:
    current = state.current
    rows = []
    for index, step in enumerate(state.steps):
        decided = [d for d in state.decisions if d.step == step.key]
        status = "done" if step.key in state.completed else "current" if index == current else "todo"
        rows.append(
            {
                "label": step_label(step.kind.value),
                "role": ROLE_LABELS.get(Role(step.role), step.role),
                "status": status,
                "decided": decided,
                "holders": holders(state, step.key, dict(ROLE_LABELS)) if index == current else [],
                "verb": VERB_OF_KIND.get(step.kind.value, ""),
            }
        )
    return rows


def versions(events: list[Any]) -> list[dict[str, Any]]:
    found = []
    for e in events:
        if e.type in ("DocumentDrafted", "DraftRevised"):
            found.append(
                {
                    "version": e.data.get("version", 1),
                    "title": e.data["title"],
                    "actor": e.metadata.get("actor"),
                    "hash": e.data["content_hash"],
                    "at": local(e.data.get("at")),
                    "position": e.position,
                }
            )
    return found


class DocumentPages(Controller):
    path = "/ui/documents/{document_id:str}"
    guards = [signed_in, allow(*DOCUMENT_READERS)]

    @get("/", sync_to_thread=True)
    def document(
        self, request: Request[Any, Any, Any], queries: NamedDependency[Queries], document_id: FromPath[str]
    ) -> Template:
        return render_document(request, queries, document_id)
