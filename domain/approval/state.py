"""State of one outgoing document, and the queries decide and the inbox projection need."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import NamedTuple

from domain.approval.chain import Chain, Step, StepKind
from domain.approval.events import Annex, Outcome


class Status(StrEnum):
    NEW = "new"
    DRAFTING = "drafting"  # the drafter's 拟稿 task is open
    IN_APPROVAL = "in_approval"
    COMPLETED = "completed"  # chain finished (no dispatch step in it)
    DISPATCHED = "dispatched"
    ACKNOWLEDGED = "acknowledged"


@dataclasses.dataclass(frozen=True, kw_only=True)
class Task:
    """An open task; ``delegate`` is set while a delegation is pending (the assignee stays the owner)."""

    task_id: str
    step: str
    round: int
    role: str
    assignee: str | None
    since: datetime
    delegate: str | None = None
    added_by: str | None = None
    touched: bool = False
    assisted_by: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class Decision:
    """A live (not superseded) decision of the current round of a step."""

    task_id: str
    step: str
    round: int
    actor: str
    outcome: Outcome
    assisted_by: tuple[str, ...] = ()

    @property
    def people(self) -> frozenset[str]:
        return frozenset((self.actor, *self.assisted_by))


@dataclasses.dataclass(frozen=True, kw_only=True)
class Signature:
    task_id: str
    signer: str
    signing_date: date
    version: int
    content_hash: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class NumberRef:
    register_id: str
    serial: int
    number: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class Dispatch:
    recipient: str
    channel: str
    dispatcher: str
    at: datetime
    received_by: str | None = None


class OpenTask(NamedTuple):
    """One inbox row: ``assignee`` None means offered to ``role``; ``owner`` is set while delegated."""

    task_id: str
    step: str
    assignee: str | None
    role: str
    since: datetime
    owner: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentState:
    document_id: str = ""
    campaign_id: str = ""
    doc_type: str = ""
    title: str = ""
    drafter: str = ""
    chain: Chain | None = None
    version: int = 0
    content_hash: str = ""
    annexes: tuple[Annex, ...] = ()
    current: int | None = None
    rounds: Mapping[str, int] = dataclasses.field(default_factory=dict)
    seats: Mapping[str, int] = dataclasses.field(default_factory=dict)
    tasks: Mapping[str, Task] = dataclasses.field(default_factory=dict)
    decisions: tuple[Decision, ...] = ()
    completed: frozenset[str] = frozenset()
    signature: Signature | None = None
    number: NumberRef | None = None
    voided_numbers: tuple[NumberRef, ...] = ()
    dispatch: Dispatch | None = None
    reopenings: int = 0

    @property
    def exists(self) -> bool:
        return self.chain is not None

    @property
    def steps(self) -> tuple[Step, ...]:
        return self.chain.steps if self.chain else ()

    @property
    def current_step(self) -> Step | None:
        return None if self.current is None else self.steps[self.current]

    @property
    def frozen(self) -> bool:
        return self.signature is not None

    @property
    def status(self) -> Status:
        if not self.exists:
            return Status.NEW
        if self.dispatch is not None:
            return Status.ACKNOWLEDGED if self.dispatch.received_by else Status.DISPATCHED
        if self.current is None:
            return Status.COMPLETED
        return Status.DRAFTING if self.current == 0 else Status.IN_APPROVAL

    def index(self, step_key: str) -> int:
        assert self.chain is not None
        return self.chain.index(step_key)

    def index_of_kind(self, kind: StepKind) -> int | None:
        return self.chain.index_of_kind(kind) if self.chain else None

    def decisions_in(self, step_key: str) -> tuple[Decision, ...]:
        return tuple(d for d in self.decisions if d.step == step_key)

    def deciders(self, step_key: str) -> frozenset[str]:
        return frozenset().union(*(d.people for d in self.decisions_in(step_key)))

    def open_in(self, step_key: str) -> tuple[Task, ...]:
        return tuple(t for t in self.tasks.values() if t.step == step_key)


def open_tasks(state: DocumentState) -> list[OpenTask]:
    """Every open task with who may act on it now, in the order the tasks were opened."""
    return [_row(t) for t in state.tasks.values()]


def _row(task: Task) -> OpenTask:
    if task.delegate is not None:
        return OpenTask(task.task_id, task.step, task.delegate, task.role, task.since, owner=task.assignee)
    return OpenTask(task.task_id, task.step, task.assignee, task.role, task.since)
