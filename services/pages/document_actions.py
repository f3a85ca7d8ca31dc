"""What officials do on a document: each form is parsed, run as the core's act and answered with a page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from services.app.core import Core
from services.app.errors import REFUSED
from services.app.queries import Queries
from services.pages.actions import execute, filled
from services.pages.documents import render_document
from services.pages.errors import refusal_text
from services.pages.guards import signed_in
from services.web.guards import allow_act

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Req = Request[Any, Any, Any]
Id = FromPath[str]
Done = Response[Any] | Template
DOC = "/ui/documents/{document_id:str}"
TASK = DOC + "/tasks/{task_id:str}"
VERBS = {
    "submitDraft": "submit",
    "withdrawSubmission": "withdraw",
    "approveTask": "approve",
    "returnTask": "return",
    "delegateTask": "delegate",
    "transferTask": "transfer",
    "claimTask": "claim",
    "resolveDelegation": "resolve",
    "assignNumber": "number",
    "dispatchDocument": "dispatch",
    "openRegister": "register",
}


def _guards(act: str) -> list[Any]:
    """Signed in, and a role the act allows (403 before anything is read or recorded)."""
    return [signed_in, allow_act(act)]


def _run(  # noqa: PLR0917
    request: Req,
    core: NamedDependency[Core],
    document_id: str,
    act: str,
    target: dict[str, str],
    fields: dict[str, Any],
    data: dict[str, str],
) -> Done:
    """Run the act; on success back to the document, on a refusal the document with the reason."""
    try:
        execute(request, core, act, target, fields, data.get("form_id", ""))
    except REFUSED as exc:
        return render_document(request, core.queries, document_id, error=refusal_text(exc), status=409)
    return Redirect(f"/ui/documents/{document_id}?done={VERBS[act]}#actions", status_code=303)


class DocumentActions(Controller):
    @post(DOC + "/submit", guards=_guards("submitDraft"), sync_to_thread=True)
    def submit(self, request: Req, core: NamedDependency[Core], document_id: Id, data: Form) -> Done:
        target = {"document_id": document_id}
        return _run(request, core, document_id, "submitDraft", target, filled(data, "opinion"), data)

    @post(DOC + "/withdraw", guards=_guards("withdrawSubmission"), sync_to_thread=True)
    def withdraw(self, request: Req, core: NamedDependency[Core], document_id: Id, data: Form) -> Done:
        target = {"document_id": document_id}
        return _run(request, core, document_id, "withdrawSubmission", target, filled(data, "reason"), data)

    @post(TASK + "/approve", guards=_guards("approveTask"), sync_to_thread=True)
    def approve(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        fields = {"opinion": "同意", **filled(data, "opinion", "signing_date")}
        target = {"document_id": document_id, "task_id": task_id}
        return _run(request, core, document_id, "approveTask", target, fields, data)

    @post(TASK + "/return", guards=_guards("returnTask"), sync_to_thread=True)
    def return_(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        target = {"document_id": document_id, "task_id": task_id}
        fields = {"reason": "", **filled(data, "reason", "to_step")}
        return _run(request, core, document_id, "returnTask", target, fields, data)

    @post(TASK + "/delegate", guards=_guards("delegateTask"), sync_to_thread=True)
    def delegate(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        target = {"document_id": document_id, "task_id": task_id}
        fields = {"to": "", "reason": "", **filled(data, "to", "reason")}
        return _run(request, core, document_id, "delegateTask", target, fields, data)

    @post(TASK + "/transfer", guards=_guards("transferTask"), sync_to_thread=True)
    def transfer(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        target = {"document_id": document_id, "task_id": task_id}
        fields = {"to": "", "reason": "", **filled(data, "to", "reason")}
        return _run(request, core, document_id, "transferTask", target, fields, data)

    @post(TASK + "/claim", guards=_guards("claimTask"), sync_to_thread=True)
    def claim(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        target = {"document_id": document_id, "task_id": task_id}
        return _run(request, core, document_id, "claimTask", target, {}, data)

    @post(TASK + "/resolve", guards=_guards("resolveDelegation"), sync_to_thread=True)
    def resolve(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        target = {"document_id": document_id, "task_id": task_id}
        return _run(request, core, document_id, "resolveDelegation", target, filled(data, "opinion"), data)

    @post(TASK + "/number", guards=_guards("assignNumber"), sync_to_thread=True)
    def number(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        code, _, year = data.get("register", "").strip().rpartition(":")
        target = {"document_id": document_id, "task_id": task_id}
        return _run(request, core, document_id, "assignNumber", target, {"code": code, "year": year}, data)

    @post(TASK + "/dispatch", guards=_guards("dispatchDocument"), sync_to_thread=True)
    def dispatch(
        self, request: Req, core: NamedDependency[Core], document_id: Id, task_id: Id, data: Form
    ) -> Done:
        target = {"document_id": document_id, "task_id": task_id}
        fields = {"recipient": "", "channel": "", **filled(data, "recipient", "channel")}
        return _run(request, core, document_id, "dispatchDocument", target, fields, data)

    @post(DOC + "/registers", guards=_guards("openRegister"), sync_to_thread=True)
    def open_register(self, request: Req, core: NamedDependency[Core], document_id: Id, data: Form) -> Done:
        return _run(
            request, core, document_id, "openRegister", {}, filled(data, "code", "year", "next_serial"), data
        )

    @post("/ui/campaigns/{campaign_id:str}/letter", guards=_guards("draftDocument"), sync_to_thread=True)
    def draft(
        self,
        request: Req,
        core: NamedDependency[Core],
        queries: NamedDependency[Queries],
        campaign_id: Id,
        data: Form,
    ) -> Done:
        fields = {"campaign_id": campaign_id, "doc_type": "letter", **filled(data, "title")}
        outcome = execute(request, core, "draftDocument", {}, fields, data.get("form_id", ""))
        return Redirect(f"/ui/documents/{outcome.accepted.id}?done=draft", status_code=303)
