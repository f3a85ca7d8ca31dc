"""What the viewer may do on a document now: the open tasks that are theirs and the choices each offers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain import approval
from domain.shared.identity import Role
from services.app.access import is_mine
from services.app.acts import act_named
from services.identity.accounts import User
from services.projections.event_text import step_label


def task_actions(state: approval.DocumentState, user: User, users: Iterable[User]) -> list[dict[str, Any]]:
    """The open tasks the viewer may act on, with the choices each form offers."""
    people = list(users)
    found = []
    for task in approval.open_tasks(state):
        if not is_mine(task, user):
            continue
        index = state.index(task.step)
        step = state.steps[index]
        found.append(
            {
                "task": task,
                "label": step_label(step.kind.value),
                "kind": step.kind.value,
                "offered": task.assignee is None,
                "delegated_to_me": task.owner is not None,
                "draft": index == 0,
                "earlier": [(s.key, step_label(s.kind.value)) for s in state.steps[:index]][::-1],
                "colleagues": [u.name for u in people if u.role.value == step.role and u.name != user.name],
            }
        )
    return found


def may_withdraw(state: approval.DocumentState, user: User) -> bool:
    """撤回 is for whoever decided the step before the current one (the domain checks the rest)."""
    if user.role not in act_named("withdrawSubmission").roles or state.current is None or state.current < 1:
        return False
    previous = state.steps[state.current - 1]
    return user.name in state.deciders(previous.key) or (state.current == 1 and user.name == state.drafter)


def holders(state: approval.DocumentState, step_key: str, labels: dict[Role, str]) -> list[str]:
    """Who holds a step's open tasks now: the delegate, the assignee, or the role it is offered to."""
    return [
        t.delegate or t.assignee or f"（{labels.get(Role(t.role), t.role)}）" for t in state.open_in(step_key)
    ]
