"""Going back: return (退回), withdraw (撤回) and the explicit reopening of a signed document."""

from __future__ import annotations

from domain.approval.chain import StepKind
from domain.approval.commands import ReopenDocument, ReturnTask, WithdrawSubmission
from domain.approval.errors import (
    AlreadyDispatched,
    DocumentFrozen,
    InvalidChain,
    InvalidReturnTarget,
    NotAuthorisedToReopen,
    NotSigned,
    NotSubmitter,
    WithdrawNotAllowed,
    WrongStepAction,
)
from domain.approval.events import CancelReason, DocumentReopened, SubmissionWithdrawn, TaskReturned
from domain.approval.flow import Emitter, rewind, superseded_from
from domain.approval.guards import open_task, require_document, require_holder, require_text
from domain.approval.state import DocumentState
from domain.shared.events import Event


def return_task(state: DocumentState, c: ReturnTask) -> list[Event]:
    """退回 to an earlier step: close every open task, supersede the discarded decisions, open a new round."""
    task, step = open_task(state, c)
    index = state.index(step.key)
    if index == 0:
        raise WrongStepAction("the drafter submits or revises, and cannot return", task_id=task.task_id)
    require_holder(task, c)
    require_text(reason=c.reason)
    target = _target(state, index, c.to_step)
    _require_not_frozen(state, target)
    head = TaskReturned(
        at=c.at,
        actor=c.actor,
        task_id=task.task_id,
        from_step=step.key,
        to_step=state.steps[target].key,
        reason=c.reason,
        superseded=superseded_from(state, target),
    )
    out = Emitter(state).add(head)
    rewind(out, target, CancelReason.RETURNED, c.at, c.actor)
    return out.events


def _target(state: DocumentState, index: int, to_step: str | None) -> int:
    if to_step is None:
        return index - 1
    try:
        target = state.index(to_step)
    except InvalidChain:
        raise InvalidReturnTarget("no such step in this document's chain", to_step=to_step) from None
    if target >= index:
        raise InvalidReturnTarget("a return goes to an earlier step", to_step=to_step)
    return target


def _require_not_frozen(state: DocumentState, target: int) -> None:
    sign_at = state.index_of_kind(StepKind.SIGN_OFF)
    if state.frozen and sign_at is not None and target <= sign_at:
        raise DocumentFrozen("the document is signed: reopen it to go back before 签发")


def withdraw(state: DocumentState, c: WithdrawSubmission) -> list[Event]:
    """撤回: the previous (single) step's decider takes it back while the current step is untouched."""
    require_document(state)
    current = state.current
    if current is None or current == 0:
        raise WithdrawNotAllowed("nothing to withdraw: the document is not in the chain")
    previous = state.steps[current - 1]
    prior = state.decisions_in(previous.key)
    if previous.parallel or len(prior) != 1:
        raise WithdrawNotAllowed("only a single step's decision can be withdrawn", step=previous.key)
    if c.actor != prior[0].actor:
        raise NotSubmitter("only whoever completed the previous step may withdraw", step=previous.key)
    step = state.steps[current]
    if state.decisions_in(step.key) or any(t.touched for t in state.open_in(step.key)):
        raise WithdrawNotAllowed("the next step has already acted on the document", step=step.key)
    _require_not_frozen(state, current - 1)
    head = SubmissionWithdrawn(
        at=c.at,
        actor=c.actor,
        from_step=step.key,
        to_step=previous.key,
        reason=c.reason,
        superseded=superseded_from(state, current - 1),
    )
    out = Emitter(state).add(head)
    rewind(out, current - 1, CancelReason.WITHDRAWN, c.at, c.actor, assignee=c.actor)
    return out.events


def reopen(state: DocumentState, c: ReopenDocument) -> list[Event]:
    """Reopen a signed, undispatched document: approved by its signer or a holder of the sign-off role."""
    require_document(state)
    if state.signature is None:
        raise NotSigned("only a signed document needs reopening")
    if state.dispatch is not None:
        raise AlreadyDispatched("a dispatched letter is corrected by a new document, not reopened")
    sign_at = state.index_of_kind(StepKind.SIGN_OFF)
    assert sign_at is not None
    if c.actor != state.signature.signer and c.role != state.steps[sign_at].role:
        raise NotAuthorisedToReopen("the signer or a holder of the sign-off role approves a reopening")
    require_text(reason=c.reason)
    head = DocumentReopened(at=c.at, actor=c.actor, reason=c.reason, superseded=superseded_from(state, 0))
    out = Emitter(state).add(head)
    rewind(out, 0, CancelReason.REOPENED, c.at, c.actor)
    return out.events
