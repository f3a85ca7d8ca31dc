"""A task is handed over (转办, 委托, 加签) only to an active user who holds the role its step requires."""

from __future__ import annotations

import pytest

from domain.approval import AddSigner, DelegateTask, TransferTask, open_tasks
from domain.approval.errors import AssigneeLacksRole, UnknownAssignee
from tests.unit.domain.test_approval_fixtures import BIANBAN, CHIEF, DEPUTY, at_step, types


def test_a_step_goes_only_to_a_holder_of_its_role() -> None:
    doc = at_step("check")
    with pytest.raises(AssigneeLacksRole) as refused:
        doc.do(TransferTask, CHIEF, task_id="check-1-1", to="office", target_roles=("office",))
    assert refused.value.field == "to"
    with pytest.raises(AssigneeLacksRole):
        doc.do(DelegateTask, CHIEF, task_id="check-1-1", to="office", target_roles=("office",))
    moved = doc.do(TransferTask, CHIEF, task_id="check-1-1", to="u-chief2", target_roles=("section_chief",))
    assert types(moved) == ["TaskTransferred"]


def test_nobody_unknown_or_disabled_holds_a_task() -> None:
    doc = at_step("review")
    with pytest.raises(UnknownAssignee) as refused:
        doc.do(TransferTask, DEPUTY, task_id="review-1-1", to="no-such-person-xyz", target_roles=())
    assert refused.value.field == "to"
    assert open_tasks(doc.state)[0].assignee in (None, DEPUTY)


def test_an_added_signer_holds_the_blocks_role() -> None:
    doc = at_step("countersign")
    with pytest.raises(AssigneeLacksRole) as refused:
        doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer="u-x", target_roles=("drafter",))
    assert refused.value.field == "signer"
