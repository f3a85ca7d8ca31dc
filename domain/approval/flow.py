"""How the chain moves: opening a step's round, completing or rejecting it, rewinding to an earlier step."""

from __future__ import annotations

from datetime import datetime

from domain.approval.chain import StepKind
from domain.approval.errors import ChainInvariantBroken
from domain.approval.events import (
    CancelReason,
    CountersignRejected,
    DocumentNumberVoided,
    Outcome,
    StepCompleted,
    TaskCancelled,
    TaskOpened,
)
from domain.approval.evolve import evolve
from domain.approval.state import DocumentState
from domain.shared.events import Event


class Emitter:
    """Collects the events a command emits, keeping the state they lead to for follow-up decisions."""

    def __init__(self, state: DocumentState) -> None:
        self.state = state
        self.events: list[Event] = []

    def add(self, *events: Event) -> Emitter:
        for event in events:
            self.events.append(event)
            self.state = evolve(self.state, event)
        return self


def task_id(step: str, round_: int, slot: int) -> str:
    """Derived from the stream, never generated: step key, round of that step, seat in the round."""
    return f"{step}-{round_}-{slot}"


def open_step(out: Emitter, index: int, at: datetime, actor: str, assignee: str | None = None) -> None:
    """Open a fresh round of a step: one task, or one per member of a parallel block."""
    state = out.state
    step = state.steps[index]
    round_ = state.rounds.get(step.key, 0) + 1
    if index == 0:
        members: tuple[str | None, ...] = (state.drafter,)
    elif assignee is not None:
        members = (assignee,)
    else:
        members = step.assignees if step.assignees else (None,)
    for slot, member in enumerate(members, start=1):
        out.add(
            TaskOpened(
                at=at,
                actor=actor,
                task_id=task_id(step.key, round_, slot),
                step=step.key,
                round=round_,
                role=step.role,
                assignee=member,
            )
        )


def settle(out: Emitter, step_key: str, at: datetime, actor: str) -> None:
    """After a decision: complete the step if its rule is met, reject a block that can no longer meet it."""
    state = out.state
    step = state.steps[state.index(step_key)]
    decisions = state.decisions_in(step_key)
    approvals = sum(d.outcome is Outcome.APPROVE for d in decisions)
    still_open = len(state.open_in(step_key))
    needed = step.needed(state.seats.get(step_key, 1))
    if approvals >= needed:
        _complete(out, step_key, at, actor)
    elif approvals + still_open < needed:
        assert step.block is not None  # a single step needs one approval and has no other way to close
        index = state.index(step_key)
        target = state.index(step.block.reject_to) if step.block.reject_to else index - 1
        out.add(
            CountersignRejected(
                at=at,
                actor=actor,
                step=step_key,
                round=state.rounds[step_key],
                to_step=state.steps[target].key,
                superseded=superseded_from(state, target),
            )
        )
        rewind(out, target, CancelReason.REJECTED, at, actor)


def _complete(out: Emitter, step_key: str, at: datetime, actor: str) -> None:
    state = out.state
    index = state.index(step_key)
    missing = [s.key for s in state.steps[:index] if s.key not in state.completed]
    if missing:
        raise ChainInvariantBroken("earlier steps are not completed in this round", missing=missing)
    deciders = tuple(d.actor for d in state.decisions_in(step_key) if d.outcome is Outcome.APPROVE)
    out.add(StepCompleted(at=at, actor=actor, step=step_key, round=state.rounds[step_key], deciders=deciders))
    cancel_open(out, CancelReason.BLOCK_COMPLETED, at, actor)
    if index + 1 < len(state.steps):
        open_step(out, index + 1, at, actor)


def superseded_from(state: DocumentState, target: int) -> tuple[str, ...]:
    """Task ids of the live decisions a rewind to step ``target`` discards."""
    dropped = {s.key for s in state.steps[target:]}
    return tuple(d.task_id for d in state.decisions if d.step in dropped)


def cancel_open(out: Emitter, reason: CancelReason, at: datetime, actor: str) -> None:
    for open_id in list(out.state.tasks):
        out.add(TaskCancelled(at=at, actor=actor, task_id=open_id, reason=reason))


def rewind(
    out: Emitter,
    target: int,
    reason: CancelReason,
    at: datetime,
    actor: str,
    *,
    assignee: str | None = None,
) -> None:
    """After a return/withdraw/rejection/reopening event: close every open task, void a lost 文号, reopen."""
    cancel_open(out, reason, at, actor)
    numbering = out.state.index_of_kind(StepKind.NUMBERING)
    number = out.state.number
    if number is not None and numbering is not None and target <= numbering:
        out.add(
            DocumentNumberVoided(
                at=at,
                actor=actor,
                register_id=number.register_id,
                serial=number.serial,
                number=number.number,
                reason=reason.value,
            )
        )
    open_step(out, target, at, actor, assignee)
