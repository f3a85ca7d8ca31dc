"""Task handling commands: claim, unclaim, delegate (委托), resolve, transfer (转办), add a signer (加签)."""

from __future__ import annotations

from domain.approval.chain import Step
from domain.approval.commands import (
    AddSigner,
    ClaimTask,
    DelegateTask,
    ResolveDelegation,
    TransferTask,
    UnclaimTask,
)
from domain.approval.errors import (
    AddedSignerCannotAdd,
    AssigneeLacksRole,
    NotDelegated,
    NotTaskHolder,
    UnknownAssignee,
    WrongStepAction,
)
from domain.approval.events import (
    DelegationResolved,
    SignerAdded,
    TaskClaimed,
    TaskDelegated,
    TaskOpened,
    TaskTransferred,
    TaskUnclaimed,
)
from domain.approval.flow import task_id
from domain.approval.guards import open_task, require_eligible, require_holder, require_may_decide
from domain.approval.state import DocumentState
from domain.shared.events import Event


def require_role_holder(step: Step, person: str, roles: tuple[str, ...] | None, field: str) -> None:
    """A task goes only to an active user who holds the role its step requires."""
    if roles is None:
        return
    if not roles:
        raise UnknownAssignee(f"{person!r} is not an active user", field=field, person=person)
    if step.role not in roles:
        raise AssigneeLacksRole(
            f"{person!r} does not hold the role {step.role!r} that step {step.key!r} requires",
            field=field, person=person, step=step.key, role=step.role,
        )  # fmt: skip


def claim(state: DocumentState, c: ClaimTask) -> list[Event]:
    """签收: a holder of the role takes an offered task."""
    task, step = open_task(state, c)
    if task.assignee is not None or task.delegate is not None:
        raise WrongStepAction("only a task offered to a role can be claimed", task_id=task.task_id)
    require_holder(task, c)
    require_may_decide(state, step, c.actor)
    return [TaskClaimed(at=c.at, actor=c.actor, task_id=task.task_id)]


def unclaim(state: DocumentState, c: UnclaimTask) -> list[Event]:
    """Give a claimed task back to the role (only where the step names nobody)."""
    task, step = open_task(state, c)
    require_holder(task, c)
    if task.assignee is None or step.assignees or step.parallel or state.index(step.key) == 0:
        raise WrongStepAction("only a claimed task of a role step can be given back", task_id=task.task_id)
    return [TaskUnclaimed(at=c.at, actor=c.actor, task_id=task.task_id)]


def delegate(state: DocumentState, c: DelegateTask) -> list[Event]:
    task, step = open_task(state, c)
    _require_not_draft(state, step.key)
    require_holder(task, c)
    require_role_holder(step, c.to, c.target_roles, "to")
    require_eligible(state, task, step, c.to)
    return [
        TaskDelegated(
            at=c.at, actor=c.actor, task_id=task.task_id, owner=c.actor, delegate=c.to, reason=c.reason
        )
    ]


def resolve(state: DocumentState, c: ResolveDelegation) -> list[Event]:
    """The delegate hands the task back; the owner then decides (and stays responsible)."""
    task, _ = open_task(state, c)
    if task.delegate is None:
        raise NotDelegated("the task is not delegated", task_id=task.task_id)
    if c.actor != task.delegate:
        raise NotTaskHolder("only the delegate resolves a delegation", task_id=task.task_id)
    owner = task.assignee or ""
    return [
        DelegationResolved(
            at=c.at,
            actor=c.actor,
            task_id=task.task_id,
            owner=owner,
            delegate=task.delegate,
            opinion=c.opinion,
        )
    ]


def transfer(state: DocumentState, c: TransferTask) -> list[Event]:
    task, step = open_task(state, c)
    _require_not_draft(state, step.key)
    require_holder(task, c)
    require_role_holder(step, c.to, c.target_roles, "to")
    require_eligible(state, task, step, c.to)
    return [
        TaskTransferred(
            at=c.at,
            actor=c.actor,
            task_id=task.task_id,
            from_assignee=task.assignee,
            to_assignee=c.to,
            reason=c.reason,
        )
    ]


def add_signer(state: DocumentState, c: AddSigner) -> list[Event]:
    """加签: a member of a running parallel block adds another member (added signers cannot add)."""
    task, step = open_task(state, c)
    if not step.parallel:
        raise WrongStepAction("signers are added to a parallel block only", step=step.key)
    require_holder(task, c)
    if task.added_by is not None:
        raise AddedSignerCannotAdd("an added signer cannot add further signers", task_id=task.task_id)
    require_role_holder(step, c.signer, c.target_roles, "signer")
    require_eligible(state, task, step, c.signer)
    new_id = task_id(step.key, task.round, state.seats[step.key] + 1)
    added = SignerAdded(
        at=c.at,
        actor=c.actor,
        task_id=new_id,
        step=step.key,
        round=task.round,
        signer=c.signer,
        added_by_task=task.task_id,
        reason=c.reason,
    )
    opened = TaskOpened(
        at=c.at,
        actor=c.actor,
        task_id=new_id,
        step=step.key,
        round=task.round,
        role=step.role,
        assignee=c.signer,
        added_by=c.actor,
    )
    return [added, opened]


def _require_not_draft(state: DocumentState, step_key: str) -> None:
    if state.index(step_key) == 0:
        raise WrongStepAction("the drafter's task is neither delegated nor transferred", step=step_key)
