"""Apply document events to DocumentState: evolve one event, fold a stream."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any

from domain.approval.chain import StepKind
from domain.approval.events import (
    ApprovalStepDecided,
    CountersignRejected,
    DelegationResolved,
    DocumentDispatched,
    DocumentDrafted,
    DocumentNumberAssigned,
    DocumentNumberVoided,
    DocumentReopened,
    DocumentSigned,
    DraftRevised,
    DraftSubmitted,
    Outcome,
    ReceiptAcknowledged,
    SignerAdded,
    StepCompleted,
    SubmissionWithdrawn,
    TaskCancelled,
    TaskClaimed,
    TaskDelegated,
    TaskOpened,
    TaskReturned,
    TaskTransferred,
    TaskUnclaimed,
)
from domain.approval.state import Decision, Dispatch, DocumentState, NumberRef, Signature, Task
from domain.shared.events import Event

INITIAL_STATE = DocumentState()

replace = dataclasses.replace


def evolve(state: DocumentState, event: Event) -> DocumentState:
    """The state after one event (pure; unknown event types leave the state unchanged)."""
    handler = _HANDLERS.get(type(event))
    return handler(state, event) if handler else state


def fold(events: Iterable[Event], state: DocumentState | None = None) -> DocumentState:
    current = INITIAL_STATE if state is None else state
    for event in events:
        current = evolve(current, event)
    return current


def _drafted(s: DocumentState, e: DocumentDrafted) -> DocumentState:
    return replace(
        s,
        document_id=e.document_id,
        campaign_id=e.campaign_id,
        doc_type=e.doc_type,
        title=e.title,
        drafter=e.actor,
        chain=e.chain,
        version=1,
        content_hash=e.content_hash,
        annexes=e.annexes,
    )


def _revised(s: DocumentState, e: DraftRevised) -> DocumentState:
    return replace(s, version=e.version, title=e.title, content_hash=e.content_hash, annexes=e.annexes)


def _opened(s: DocumentState, e: TaskOpened) -> DocumentState:
    task = Task(
        task_id=e.task_id,
        step=e.step,
        round=e.round,
        role=e.role,
        assignee=e.assignee,
        since=e.at,
        added_by=e.added_by,
    )
    same_round = s.rounds.get(e.step) == e.round
    seats = s.seats.get(e.step, 0) + 1 if same_round else 1
    return replace(
        s,
        current=s.index(e.step),
        rounds={**s.rounds, e.step: e.round},
        seats={**s.seats, e.step: seats},
        tasks={**s.tasks, e.task_id: task},
    )


def _touch(s: DocumentState, task_id: str, **changes: Any) -> DocumentState:
    task = replace(s.tasks[task_id], touched=True, **changes)
    return replace(s, tasks={**s.tasks, task_id: task})


def _claimed(s: DocumentState, e: TaskClaimed) -> DocumentState:
    return _touch(s, e.task_id, assignee=e.actor)


def _unclaimed(s: DocumentState, e: TaskUnclaimed) -> DocumentState:
    return _touch(s, e.task_id, assignee=None)


def _delegated(s: DocumentState, e: TaskDelegated) -> DocumentState:
    return _touch(s, e.task_id, assignee=e.owner, delegate=e.delegate, since=e.at)


def _resolved(s: DocumentState, e: DelegationResolved) -> DocumentState:
    assisted = (*s.tasks[e.task_id].assisted_by, e.delegate)
    return _touch(s, e.task_id, delegate=None, since=e.at, assisted_by=assisted)


def _transferred(s: DocumentState, e: TaskTransferred) -> DocumentState:
    return _touch(s, e.task_id, assignee=e.to_assignee, delegate=None, since=e.at)


def _signer_added(s: DocumentState, e: SignerAdded) -> DocumentState:
    return _touch(s, e.added_by_task)


def _close(s: DocumentState, task_id: str, actor: str, outcome: Outcome = Outcome.APPROVE) -> DocumentState:
    task = s.tasks[task_id]
    decision = Decision(
        task_id=task_id,
        step=task.step,
        round=task.round,
        actor=actor,
        outcome=outcome,
        assisted_by=task.assisted_by,
    )
    return replace(_drop_task(s, task_id), decisions=(*s.decisions, decision))


def _submitted(s: DocumentState, e: DraftSubmitted) -> DocumentState:
    return _close(s, e.task_id, e.actor)


def _decided(s: DocumentState, e: ApprovalStepDecided) -> DocumentState:
    return _close(s, e.task_id, e.actor, e.outcome)


def _signed(s: DocumentState, e: DocumentSigned) -> DocumentState:
    signature = Signature(
        task_id=e.task_id,
        signer=e.actor,
        signing_date=e.signing_date,
        version=e.version,
        content_hash=e.content_hash,
    )
    return replace(s, signature=signature)


def _step_completed(s: DocumentState, e: StepCompleted) -> DocumentState:
    last = s.index(e.step) == len(s.steps) - 1
    return replace(s, completed=s.completed | {e.step}, current=None if last else s.current)


def _drop_task(s: DocumentState, task_id: str) -> DocumentState:
    return replace(s, tasks={k: v for k, v in s.tasks.items() if k != task_id})


def _cancelled(s: DocumentState, e: TaskCancelled) -> DocumentState:
    return _drop_task(s, e.task_id)


def _rewind(s: DocumentState, to_step: str) -> DocumentState:
    """Discard every decision and completion from ``to_step`` on; the open tasks are cancelled by events."""
    target = s.index(to_step)
    dropped = {step.key for step in s.steps[target:]}
    sign_at = s.index_of_kind(StepKind.SIGN_OFF)
    return replace(
        s,
        decisions=tuple(d for d in s.decisions if d.step not in dropped),
        completed=s.completed - dropped,
        signature=None if sign_at is not None and target <= sign_at else s.signature,
    )


def _returned(s: DocumentState, e: TaskReturned) -> DocumentState:
    return _rewind(_drop_task(s, e.task_id), e.to_step)


def _rejected(s: DocumentState, e: CountersignRejected) -> DocumentState:
    return _rewind(s, e.to_step)


def _withdrawn(s: DocumentState, e: SubmissionWithdrawn) -> DocumentState:
    return _rewind(s, e.to_step)


def _reopened(s: DocumentState, e: DocumentReopened) -> DocumentState:
    return replace(_rewind(s, s.steps[0].key), signature=None, reopenings=s.reopenings + 1)


def _numbered(s: DocumentState, e: DocumentNumberAssigned) -> DocumentState:
    number = NumberRef(register_id=e.register_id, serial=e.serial, number=e.number)
    return replace(_close(s, e.task_id, e.actor), number=number)


def _number_voided(s: DocumentState, e: DocumentNumberVoided) -> DocumentState:
    voided = NumberRef(register_id=e.register_id, serial=e.serial, number=e.number)
    return replace(s, number=None, voided_numbers=(*s.voided_numbers, voided))


def _dispatched(s: DocumentState, e: DocumentDispatched) -> DocumentState:
    dispatch = Dispatch(recipient=e.recipient, channel=e.channel, dispatcher=e.actor, at=e.at)
    return replace(_close(s, e.task_id, e.actor), dispatch=dispatch)


def _acknowledged(s: DocumentState, e: ReceiptAcknowledged) -> DocumentState:
    assert s.dispatch is not None
    return replace(s, dispatch=replace(s.dispatch, received_by=e.received_by))


_HANDLERS: dict[type[Event], Callable[[DocumentState, Any], DocumentState]] = {
    DocumentDrafted: _drafted,
    DraftRevised: _revised,
    DraftSubmitted: _submitted,
    TaskOpened: _opened,
    TaskClaimed: _claimed,
    TaskUnclaimed: _unclaimed,
    TaskDelegated: _delegated,
    DelegationResolved: _resolved,
    TaskTransferred: _transferred,
    SignerAdded: _signer_added,
    ApprovalStepDecided: _decided,
    DocumentSigned: _signed,
    StepCompleted: _step_completed,
    TaskCancelled: _cancelled,
    TaskReturned: _returned,
    CountersignRejected: _rejected,
    SubmissionWithdrawn: _withdrawn,
    DocumentReopened: _reopened,
    DocumentNumberAssigned: _numbered,
    DocumentNumberVoided: _number_voided,
    DocumentDispatched: _dispatched,
    ReceiptAcknowledged: _acknowledged,
}
