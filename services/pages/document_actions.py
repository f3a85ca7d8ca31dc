"""What officials do on a document: each form runs the command its API route runs, by the same rules."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from domain import approval, numbering
from domain.errors import DomainError
from services.api.auth import allow
from services.commands import StaleVersion
from services.eventstore.errors import ConcurrencyError, IdempotencyConflict, InvalidAppend
from services.pages.actions import execute, roles_of
from services.pages.documents import render_document
from services.pages.errors import refusal_text
from services.pages.guards import signed_in

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Req = Request[Any, Any, Any]
Id = FromPath[str]
Done = Response[Any] | Template
REFUSED = (DomainError, ConcurrencyError, IdempotencyConflict, InvalidAppend, StaleVersion, ValueError)
DOC = "/ui/documents/{document_id:str}"
TASK = DOC + "/tasks/{task_id:str}"
VERBS: dict[type[Any], str] = {
    approval.SubmitDraft: "submit", approval.WithdrawSubmission: "withdraw", approval.ApproveTask: "approve",
    approval.ReturnTask: "return", approval.DelegateTask: "delegate", approval.TransferTask: "transfer",
    approval.ClaimTask: "claim", approval.ResolveDelegation: "resolve", approval.AssignNumber: "number",
    approval.DispatchDocument: "dispatch", numbering.OpenRegister: "register",
}  # fmt: skip


def _guards(command: type[Any]) -> list[Any]:
    """Signed in, and a role the command's API route allows (403 before anything is read or recorded)."""
    return [signed_in, allow(*roles_of(command))]


def _run(
    request: Req, document_id: str, command: type[Any], fields: dict[str, Any], data: dict[str, str]
) -> Response[Any] | Template:
    """Run the command; on success back to the document, on a refusal the document with the reason."""
    key = fields.pop("_key", document_id)
    try:
        execute(request, command, key, fields, data.get("form_id", ""))
    except REFUSED as exc:
        return render_document(request, document_id, error=refusal_text(exc), status=409)
    return Redirect(f"/ui/documents/{document_id}?done={VERBS[command]}#actions", status_code=303)


def _text(data: dict[str, str], name: str) -> str:
    return data.get(name, "").strip()


def _number(data: dict[str, str], name: str, default: int = 0) -> int:
    value = _text(data, name)
    return int(value) if value.isdigit() else default


class DocumentActions(Controller):
    @post(DOC + "/submit", guards=_guards(approval.SubmitDraft), sync_to_thread=True)
    def submit(self, request: Req, document_id: Id, data: Form) -> Done:
        return _run(request, document_id, approval.SubmitDraft, {"opinion": _text(data, "opinion")}, data)

    @post(DOC + "/withdraw", guards=_guards(approval.WithdrawSubmission), sync_to_thread=True)
    def withdraw(self, request: Req, document_id: Id, data: Form) -> Done:
        fields = {"reason": _text(data, "reason")}
        return _run(request, document_id, approval.WithdrawSubmission, fields, data)

    @post(TASK + "/approve", guards=_guards(approval.ApproveTask), sync_to_thread=True)
    def approve(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        fields: dict[str, Any] = {"task_id": task_id, "opinion": _text(data, "opinion") or "同意"}
        if _text(data, "signing_date"):
            fields["signing_date"] = date.fromisoformat(_text(data, "signing_date"))
        return _run(request, document_id, approval.ApproveTask, fields, data)

    @post(TASK + "/return", guards=_guards(approval.ReturnTask), sync_to_thread=True)
    def return_(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        to_step = _text(data, "to_step") or None
        fields = {"task_id": task_id, "reason": _text(data, "reason"), "to_step": to_step}
        return _run(request, document_id, approval.ReturnTask, fields, data)

    @post(TASK + "/delegate", guards=_guards(approval.DelegateTask), sync_to_thread=True)
    def delegate(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        fields = {"task_id": task_id, "to": _text(data, "to"), "reason": _text(data, "reason")}
        return _run(request, document_id, approval.DelegateTask, fields, data)

    @post(TASK + "/transfer", guards=_guards(approval.TransferTask), sync_to_thread=True)
    def transfer(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        fields = {"task_id": task_id, "to": _text(data, "to"), "reason": _text(data, "reason")}
        return _run(request, document_id, approval.TransferTask, fields, data)

    @post(TASK + "/claim", guards=_guards(approval.ClaimTask), sync_to_thread=True)
    def claim(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        return _run(request, document_id, approval.ClaimTask, {"task_id": task_id}, data)

    @post(TASK + "/resolve", guards=_guards(approval.ResolveDelegation), sync_to_thread=True)
    def resolve(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        fields = {"task_id": task_id, "opinion": _text(data, "opinion")}
        return _run(request, document_id, approval.ResolveDelegation, fields, data)

    @post(TASK + "/number", guards=_guards(approval.AssignNumber), sync_to_thread=True)
    def number(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        code, _, year = _text(data, "register").rpartition(":")
        fields = {"task_id": task_id, "code": code, "year": int(year) if year.isdigit() else 0}
        return _run(request, document_id, approval.AssignNumber, fields, data)

    @post(TASK + "/dispatch", guards=_guards(approval.DispatchDocument), sync_to_thread=True)
    def dispatch(self, request: Req, document_id: Id, task_id: Id, data: Form) -> Done:
        fields = {
            "task_id": task_id,
            "recipient": _text(data, "recipient"),
            "channel": _text(data, "channel"),
        }
        return _run(request, document_id, approval.DispatchDocument, fields, data)

    @post(DOC + "/registers", guards=_guards(numbering.OpenRegister), sync_to_thread=True)
    def open_register(self, request: Req, document_id: Id, data: Form) -> Done:
        code, year = _text(data, "code"), _number(data, "year")
        fields = {"code": code, "year": year, "next_serial": _number(data, "next_serial", 1)}
        key = numbering.register_id(code, year)  # the register's stream, as the API names it
        return _run(request, document_id, numbering.OpenRegister, {**fields, "_key": key}, data)

    @post(
        "/ui/campaigns/{campaign_id:str}/letter", guards=_guards(approval.DraftDocument), sync_to_thread=True
    )
    def draft(self, request: Req, campaign_id: Id, data: Form) -> Redirect:
        title, form_id = _text(data, "title"), data.get("form_id", "") or uuid.uuid4().hex
        document_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kaohe-page-draft:{form_id}"))
        # The page drafts from the record: the content is the campaign's state, named by its title.
        content_hash = hashlib.sha256(f"{campaign_id}\n{title}".encode()).hexdigest()
        fields = {
            "campaign_id": campaign_id,
            "doc_type": "letter",
            "title": title,
            "content_hash": content_hash,
        }
        execute(request, approval.DraftDocument, document_id, fields, form_id)
        return Redirect(f"/ui/documents/{document_id}?done=draft", status_code=303)
