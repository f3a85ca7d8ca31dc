"""decide(): turn a command on an outgoing document into events, or refuse it with a named error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from domain.approval.chain import Step, StepKind, validate_chain
from domain.approval.commands import (
    AcknowledgeReceipt,
    AddSigner,
    ApproveTask,
    AssignNumber,
    ClaimTask,
    Command,
    DelegateTask,
    DisagreeTask,
    DispatchDocument,
    DraftDocument,
    ReopenDocument,
    ResolveDelegation,
    ReturnTask,
    ReviseDraft,
    SubmitDraft,
    TransferTask,
    UnclaimTask,
    WithdrawSubmission,
)
from domain.approval.errors import (
    AlreadyAcknowledged,
    DocumentAlreadyExists,
    DocumentFrozen,
    InvalidChain,
    InvalidSerial,
    InvalidSigningDate,
    NotDispatched,
    NotTaskHolder,
    NotWithDrafter,
    WrongStepAction,
)
from domain.approval.events import (
    ApprovalStepDecided,
    DocumentDispatched,
    DocumentDrafted,
    DocumentNumberAssigned,
    DocumentSigned,
    DraftRevised,
    DraftSubmitted,
    Outcome,
    ReceiptAcknowledged,
)
from domain.approval.flow import Emitter, open_step, settle
from domain.approval.guards import (
    open_task,
    require_aware,
    require_document,
    require_holder,
    require_may_decide,
    require_text,
)
from domain.approval.returns import reopen, return_task, withdraw
from domain.approval.state import DocumentState, Task
from domain.approval.tasks import add_signer, claim, delegate, resolve, transfer, unclaim
from domain.numbering import format_number, register_id
from domain.shared.calendar import business_date
from domain.shared.events import Event
from domain.shared.values import require_count


def decide(state: DocumentState, command: Command) -> list[Event]:
    """The events a command produces on this document's state; raises a DomainError subclass if refused."""
    handler = _HANDLERS.get(type(command))
    if handler is None:
        raise TypeError(f"not a document command: {type(command).__name__}")
    require_aware(command.at)
    return handler(state, command)


def _draft(state: DocumentState, c: DraftDocument) -> list[Event]:
    if state.exists:
        raise DocumentAlreadyExists("this document already exists", document_id=state.document_id)
    require_text(
        document_id=c.document_id, campaign_id=c.campaign_id, title=c.title, content_hash=c.content_hash
    )
    validate_chain(c.chain)
    if c.chain.doc_type != c.doc_type:
        raise InvalidChain("the chain belongs to another document type", doc_type=c.chain.doc_type)
    if c.role != c.chain.steps[0].role:
        raise NotTaskHolder(f"documents are drafted in the role {c.chain.steps[0].role!r}")
    if any(c.actor in step.assignees for step in c.chain.steps):
        raise InvalidChain("the drafter cannot be named on a step of their own document", drafter=c.actor)
    drafted = DocumentDrafted(
        at=c.at,
        actor=c.actor,
        document_id=c.document_id,
        campaign_id=c.campaign_id,
        doc_type=c.doc_type,
        title=c.title,
        content_hash=c.content_hash,
        annexes=c.annexes,
        chain=c.chain,
    )
    out = Emitter(state).add(drafted)
    open_step(out, 0, c.at, c.actor)
    return out.events


def _drafter_task(state: DocumentState, actor: str) -> Task:
    require_document(state)
    if state.frozen:
        raise DocumentFrozen("the document is signed: reopen it to change it")
    task = next(iter(state.open_in(state.steps[0].key)), None)
    if task is None:
        raise NotWithDrafter("the draft is not with the drafter")
    if actor != task.assignee:
        raise NotTaskHolder("only the drafter revises and submits the draft")
    return task


def _revise(state: DocumentState, c: ReviseDraft) -> list[Event]:
    _drafter_task(state, c.actor)
    require_text(title=c.title, content_hash=c.content_hash)
    version = state.version + 1
    return [
        DraftRevised(
            at=c.at,
            actor=c.actor,
            version=version,
            title=c.title,
            content_hash=c.content_hash,
            annexes=c.annexes,
        )
    ]


def _submit(state: DocumentState, c: SubmitDraft) -> list[Event]:
    task = _drafter_task(state, c.actor)
    submitted = DraftSubmitted(
        at=c.at,
        actor=c.actor,
        task_id=task.task_id,
        version=state.version,
        content_hash=state.content_hash,
        opinion=c.opinion,
    )
    out = Emitter(state).add(submitted)
    settle(out, task.step, c.at, c.actor)
    return out.events


def _deciding(state: DocumentState, c: Any, *kinds: StepKind) -> tuple[Task, Step]:
    """The task and step for a completing action, after holder and segregation checks."""
    task, step = open_task(state, c)
    if step.kind not in kinds:
        raise WrongStepAction(f"this action does not complete a {step.kind.value} step", step=step.key)
    require_holder(task, c)
    require_may_decide(state, step, c.actor)
    return task, step


_APPROVABLE = (StepKind.CHECK, StepKind.COUNTERSIGN, StepKind.REVIEW, StepKind.SIGN_OFF)


def _approve(state: DocumentState, c: ApproveTask) -> list[Event]:
    task, step = _deciding(state, c, *_APPROVABLE)
    signing = _signing_date(c) if step.kind is StepKind.SIGN_OFF else None
    if signing is None and c.signing_date is not None:
        raise InvalidSigningDate("a signing date is given on 签发 only", step=step.key)
    out = Emitter(state).add(_decision(task, c.opinion, Outcome.APPROVE, c))
    if signing is not None:
        out.add(
            DocumentSigned(
                at=c.at,
                actor=c.actor,
                task_id=task.task_id,
                signing_date=signing,
                version=state.version,
                content_hash=state.content_hash,
            )
        )
    settle(out, step.key, c.at, c.actor)
    return out.events


def _signing_date(c: ApproveTask) -> date:
    day = business_date(c.at)
    if c.signing_date is None:
        return day
    if abs(c.signing_date - day) > timedelta(days=1):
        raise InvalidSigningDate(
            "the 成文日期 is the day of signing", signing_date=c.signing_date.isoformat()
        )
    return c.signing_date


def _disagree(state: DocumentState, c: DisagreeTask) -> list[Event]:
    task, step = _deciding(state, c, *_APPROVABLE)
    if not step.parallel:
        raise WrongStepAction(
            "disagreement is for parallel blocks; a single step returns instead", step=step.key
        )
    require_text(opinion=c.opinion)
    out = Emitter(state).add(_decision(task, c.opinion, Outcome.DISAGREE, c))
    settle(out, step.key, c.at, c.actor)
    return out.events


def _decision(task: Task, opinion: str, outcome: Outcome, c: Command) -> ApprovalStepDecided:
    return ApprovalStepDecided(
        at=c.at,
        actor=c.actor,
        task_id=task.task_id,
        step=task.step,
        round=task.round,
        outcome=outcome,
        opinion=opinion,
        assisted_by=task.assisted_by,
    )


def _number(state: DocumentState, c: AssignNumber) -> list[Event]:
    task, step = _deciding(state, c, StepKind.NUMBERING)
    require_text(code=c.code)
    require_count(c.serial, "serial", lower=1, out_of_range=InvalidSerial)  # serials start at 1
    numbered = DocumentNumberAssigned(
        at=c.at,
        actor=c.actor,
        task_id=task.task_id,
        register_id=register_id(c.code, c.year),
        serial=c.serial,
        number=format_number(c.code, c.year, c.serial),
    )
    out = Emitter(state).add(numbered)
    settle(out, step.key, c.at, c.actor)
    return out.events


def _dispatch(state: DocumentState, c: DispatchDocument) -> list[Event]:
    task, step = _deciding(state, c, StepKind.DISPATCH)
    require_text(recipient=c.recipient, channel=c.channel)
    number = state.number.number if state.number else None
    dispatched = DocumentDispatched(
        at=c.at,
        actor=c.actor,
        task_id=task.task_id,
        recipient=c.recipient,
        channel=c.channel,
        number=number,
    )
    out = Emitter(state).add(dispatched)
    settle(out, step.key, c.at, c.actor)
    return out.events


def _acknowledge(state: DocumentState, c: AcknowledgeReceipt) -> list[Event]:
    require_document(state)
    if state.dispatch is None:
        raise NotDispatched("the document has not been dispatched")
    if state.dispatch.received_by is not None:
        raise AlreadyAcknowledged("the receipt is already recorded")
    dispatch_role = state.steps[-1].role
    if c.actor != state.dispatch.dispatcher and c.role != dispatch_role:
        raise NotTaskHolder("the dispatcher or a holder of the dispatch role records the receipt")
    require_text(received_by=c.received_by)
    return [ReceiptAcknowledged(at=c.at, actor=c.actor, received_by=c.received_by, note=c.note)]


_HANDLERS: dict[type[Command], Callable[[DocumentState, Any], list[Event]]] = {
    DraftDocument: _draft,
    ReviseDraft: _revise,
    SubmitDraft: _submit,
    ApproveTask: _approve,
    DisagreeTask: _disagree,
    ReturnTask: return_task,
    WithdrawSubmission: withdraw,
    ClaimTask: claim,
    UnclaimTask: unclaim,
    DelegateTask: delegate,
    ResolveDelegation: resolve,
    TransferTask: transfer,
    AddSigner: add_signer,
    AssignNumber: _number,
    DispatchDocument: _dispatch,
    AcknowledgeReceipt: _acknowledge,
    ReopenDocument: reopen,
}
