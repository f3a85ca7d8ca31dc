"""Who may act on a document's tasks: holders, segregation of duties, eligible assignees."""

from __future__ import annotations

from datetime import datetime

from domain.approval.chain import Step
from domain.approval.commands import Command, TaskCommand
from domain.approval.errors import (
    ConsecutiveSteps,
    DelegationPending,
    DocumentNotFound,
    IneligibleAssignee,
    MissingField,
    NaiveTimestamp,
    NotTaskHolder,
    SelfApproval,
    TaskNotFound,
)
from domain.approval.state import DocumentState, Task


def require_aware(at: datetime) -> None:
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimestamp("times must be timezone-aware", at=at.isoformat())


def require_document(state: DocumentState) -> None:
    if not state.exists:
        raise DocumentNotFound("no such document")


def require_text(**fields: str) -> None:
    for name, value in fields.items():
        if not value.strip():
            raise MissingField(f"{name} must not be empty", field=name)


def open_task(state: DocumentState, command: TaskCommand) -> tuple[Task, Step]:
    require_document(state)
    task = state.tasks.get(command.task_id)
    if task is None:
        raise TaskNotFound("no open task with this id", task_id=command.task_id)
    return task, state.steps[state.index(task.step)]


def require_holder(task: Task, command: Command) -> None:
    """The owner acts (assignee, or a role holder while unassigned), unless a delegation is pending."""
    if task.delegate is not None:
        if command.actor in (task.delegate, task.assignee):
            raise DelegationPending(
                "the task is delegated: the delegate resolves it first", task_id=task.task_id
            )
        raise NotTaskHolder("not your task", task_id=task.task_id)
    if task.assignee is not None and command.actor != task.assignee:
        raise NotTaskHolder("the task is assigned to someone else", task_id=task.task_id)
    if task.assignee is None and command.role != task.role:
        raise NotTaskHolder(f"the task is offered to the role {task.role!r}", task_id=task.task_id)


def require_may_decide(state: DocumentState, step: Step, person: str) -> None:
    """Segregation of duties: not the drafter; not the previous step's decider unless the step allows it."""
    index = state.index(step.key)
    if index == 0:
        return
    if person == state.drafter:
        raise SelfApproval("nobody decides a step of their own draft", step=step.key, person=person)
    previous = state.steps[index - 1]
    if not step.allow_same_actor_as_previous and person in state.deciders(previous.key):
        raise ConsecutiveSteps(
            "the same person cannot decide two consecutive steps here",
            step=step.key,
            previous=previous.key,
            person=person,
        )


def require_eligible(state: DocumentState, task: Task, step: Step, person: str) -> None:
    """A delegate, transferee or added signer must be allowed to decide and not already sit in the block."""
    try:
        require_may_decide(state, step, person)
    except (SelfApproval, ConsecutiveSteps) as refused:
        raise IneligibleAssignee(refused.message, **refused.details) from None
    if person in (task.assignee, task.delegate):
        raise IneligibleAssignee("the task is already with this person", person=person)
    if step.parallel and person in _seated(state, step):
        raise IneligibleAssignee("already a member or a decider in this block", person=person)


def _seated(state: DocumentState, step: Step) -> frozenset[str]:
    holders = {p for t in state.open_in(step.key) for p in (t.assignee, t.delegate, *t.assisted_by) if p}
    return state.deciders(step.key) | holders
