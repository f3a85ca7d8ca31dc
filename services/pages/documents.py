"""The document page: versions, the approval chain with every opinion, and what the viewer may do now."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from domain import approval
from domain.identity import ROLE_LABELS, Role
from services.api.reads import INTERNAL
from services.commands import CommandRunner
from services.identity import Identity, User
from services.pages.actions import may, new_form_id
from services.pages.guards import signed_in
from services.pages.render import local, page, viewer
from services.pages.reports import report_section
from services.pages.timeline import lines
from services.pages.timetravel import PointInTime, chosen
from services.pages.wording import step_label
from services.queries import AsOf, load_campaign, load_document, stream_ids
from services.usecases import DOCUMENT, REGISTER

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
}


def render_document(
    request: Request[Any, Any, Any], document_id: str, error: str | None = None, status: int = 200
) -> Template:
    runner: CommandRunner = request.app.state.runner
    user = viewer(request)
    point = chosen(request, runner) if error is None else PointInTime(AsOf(), "", "")
    state, version = load_document(runner, document_id, point.as_of)
    events = runner.store.read_stream(DOCUMENT.stream_id(document_id), to_position=point.as_of.position)
    campaign, _ = load_campaign(runner, state.campaign_id, AsOf()) if state.campaign_id else (None, 0)
    live = not point.label
    return page(
        request,
        "document.html",
        status=status,
        title=state.title or document_id,
        d=state,
        doc_id=document_id,
        crumbs=[("/ui/", "工作台"), (f"/ui/campaigns/{state.campaign_id}", "考核任务"), (None, "公文")],
        version=version,
        point=point,
        chain=chain_rows(state),
        versions=versions(events),
        lines=lines(events, f"/ui/documents/{document_id}"),
        error=error,
        notice=DONE.get(request.query_params.get("done", "")) if error is None else None,
        actions=task_actions(state, user, request.app.state.identity) if live else [],
        withdraw=live and may_withdraw(state, user),
        registers=registers(runner) if live else [],
        report_to=campaign.report_to if campaign else "",
        form_id=new_form_id(),
        reports=report_section(request, state) if live else None,
        may_register=may(user, _open_register()),
    )


def _open_register() -> type[Any]:
    from domain.numbering import OpenRegister

    return OpenRegister


def chain_rows(state: approval.DocumentState) -> list[dict[str, Any]]:
    current = state.current
    rows = []
    for index, step in enumerate(state.steps):
        decided = [d for d in state.decisions if d.step == step.key]
        status = "done" if step.key in state.completed else "current" if index == current else "todo"
        holders = (
            [
                t.delegate or t.assignee or f"（{ROLE_LABELS.get(Role(t.role), t.role)}）"
                for t in state.open_in(step.key)
            ]
            if index == current
            else []
        )
        rows.append(
            {
                "label": step_label(step.kind.value),
                "role": ROLE_LABELS.get(Role(step.role), step.role),
                "status": status,
                "decided": decided,
                "holders": holders,
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


def task_actions(state: approval.DocumentState, user: User, identity: Identity) -> list[dict[str, Any]]:
    """The open tasks the viewer may act on, with the choices each form offers."""
    found = []
    for task in approval.open_tasks(state):
        offered = task.assignee is None and task.role == user.role.value
        if task.assignee != user.name and not offered:
            continue
        index = state.index(task.step)
        step = state.steps[index]
        colleagues = [
            u.name for u in identity.list_users() if u.role.value == step.role and u.name != user.name
        ]
        found.append(
            {
                "task": task,
                "label": step_label(step.kind.value),
                "kind": step.kind.value,
                "offered": offered,
                "delegated_to_me": task.owner is not None,
                "draft": index == 0,
                "earlier": [(s.key, step_label(s.kind.value)) for s in state.steps[:index]][::-1],
                "colleagues": colleagues,
            }
        )
    return found


def may_withdraw(state: approval.DocumentState, user: User) -> bool:
    """撤回 is for whoever decided the step before the current one (the domain checks the rest)."""
    if not may(user, approval.WithdrawSubmission) or state.current is None or state.current < 1:
        return False
    previous = state.steps[state.current - 1]
    return user.name in state.deciders(previous.key) or (state.current == 1 and user.name == state.drafter)


def registers(runner: CommandRunner) -> list[tuple[str, int]]:
    found = []
    for stream_id in stream_ids(runner, "register-"):
        register, _ = runner.load(REGISTER, stream_id)
        found.append((register.code, register.year))
    return found


class DocumentPages(Controller):
    path = "/ui/documents/{document_id:str}"
    guards = [signed_in, INTERNAL]

    @get("/", sync_to_thread=True)
    def document(self, request: Request[Any, Any, Any], document_id: FromPath[str]) -> Template:
        return render_document(request, document_id)
