"""Who holds a task: claim, unclaim, delegate (委托) and resolve, transfer (转办), add a signer (加签)."""

from __future__ import annotations

import pytest

from domain.approval import (
    AddSigner,
    ApproveTask,
    ClaimTask,
    DelegateTask,
    DisagreeTask,
    ResolveDelegation,
    ReturnTask,
    TransferTask,
    UnclaimTask,
    open_tasks,
)
from domain.approval.errors import (
    AddedSignerCannotAdd,
    DelegationPending,
    IneligibleAssignee,
    NotDelegated,
    NotTaskHolder,
    SelfApproval,
    WrongStepAction,
)
from tests.unit.domain.test_approval_fixtures import (
    BIANBAN,
    CHIEF,
    DEPUTY,
    DRAFTER,
    FAGAI,
    OUTSIDER,
    at_step,
    drafted,
    types,
)

HELPER = "u-helper"  # a section member the chief delegates to
ZHOU = "u-zhou"  # another co-lead unit's contact


def test_a_role_task_is_open_to_every_holder_of_the_role_only() -> None:
    doc = at_step("check")
    with pytest.raises(NotTaskHolder):
        doc.do(ApproveTask, OUTSIDER, task_id="check-1-1", role="office")
    assert types(doc.do(ApproveTask, "u-other-chief", task_id="check-1-1", role="section_chief"))[0] == (
        "ApprovalStepDecided"
    )


def test_claim_makes_the_task_personal_and_unclaim_gives_it_back() -> None:
    doc = at_step("check")
    assert types(doc.do(ClaimTask, CHIEF, task_id="check-1-1")) == ["TaskClaimed"]
    assert open_tasks(doc.state)[0].assignee == CHIEF
    with pytest.raises(WrongStepAction):
        doc.do(ClaimTask, "u-other-chief", task_id="check-1-1", role="section_chief")
    with pytest.raises(NotTaskHolder):
        doc.do(ApproveTask, "u-other-chief", task_id="check-1-1", role="section_chief")
    assert types(doc.do(UnclaimTask, CHIEF, task_id="check-1-1")) == ["TaskUnclaimed"]
    assert open_tasks(doc.state)[0].assignee is None


def test_the_drafter_cannot_claim_a_step_of_their_own_document() -> None:
    doc = at_step("check")
    with pytest.raises(SelfApproval):
        doc.do(ClaimTask, DRAFTER, task_id="check-1-1", role="section_chief")


def test_named_block_seats_cannot_be_unclaimed() -> None:
    doc = at_step("countersign")
    with pytest.raises(WrongStepAction):
        doc.do(UnclaimTask, BIANBAN, task_id="countersign-1-1")


def test_delegation_keeps_the_owner_responsible() -> None:
    doc = at_step("check")
    doc.do(ClaimTask, CHIEF, task_id="check-1-1")
    assert types(doc.do(DelegateTask, CHIEF, task_id="check-1-1", to=HELPER, reason="出差")) == [
        "TaskDelegated"
    ]
    [row] = open_tasks(doc.state)
    assert (row.assignee, row.owner) == (HELPER, CHIEF)
    with pytest.raises(DelegationPending):
        doc.do(ApproveTask, CHIEF, task_id="check-1-1")
    with pytest.raises(DelegationPending):
        doc.do(ApproveTask, HELPER, task_id="check-1-1")
    with pytest.raises(NotTaskHolder):
        doc.do(ResolveDelegation, CHIEF, task_id="check-1-1")
    assert types(doc.do(ResolveDelegation, HELPER, task_id="check-1-1", opinion="数据已核")) == [
        "DelegationResolved"
    ]
    [row] = open_tasks(doc.state)
    assert (row.assignee, row.owner) == (CHIEF, None)
    decided = doc.do(ApproveTask, CHIEF, task_id="check-1-1")
    assert decided[0].assisted_by == (HELPER,)  # type: ignore[attr-defined]


def test_resolving_needs_a_delegation() -> None:
    doc = at_step("check")
    with pytest.raises(NotDelegated):
        doc.do(ResolveDelegation, CHIEF, task_id="check-1-1")


def test_delegating_or_transferring_to_the_drafter_is_refused() -> None:
    doc = at_step("check")
    with pytest.raises(IneligibleAssignee):
        doc.do(DelegateTask, CHIEF, task_id="check-1-1", to=DRAFTER)
    with pytest.raises(IneligibleAssignee):
        doc.do(TransferTask, CHIEF, task_id="check-1-1", to=DRAFTER)


def test_the_drafters_task_is_neither_delegated_nor_transferred() -> None:
    doc = drafted()
    with pytest.raises(WrongStepAction):
        doc.do(DelegateTask, DRAFTER, task_id="draft-1-1", to=HELPER)
    with pytest.raises(WrongStepAction):
        doc.do(TransferTask, DRAFTER, task_id="draft-1-1", to=HELPER)


def test_transfer_hands_the_task_over_fully() -> None:
    doc = at_step("review")
    moved = doc.do(TransferTask, DEPUTY, task_id="review-1-1", to="u-deputy2", reason="分工调整")
    assert types(moved) == ["TaskTransferred"]
    assert open_tasks(doc.state)[0].assignee == "u-deputy2"
    with pytest.raises(NotTaskHolder):
        doc.do(ApproveTask, DEPUTY, task_id="review-1-1")
    assert types(doc.do(ApproveTask, "u-deputy2", task_id="review-1-1"))[0] == "ApprovalStepDecided"


def test_only_the_holder_transfers_or_delegates() -> None:
    doc = at_step("countersign")
    with pytest.raises(NotTaskHolder):
        doc.do(TransferTask, FAGAI, task_id="countersign-1-1", to=ZHOU)
    with pytest.raises(NotTaskHolder):
        doc.do(DelegateTask, OUTSIDER, task_id="countersign-1-1", to=ZHOU)


def test_a_block_seat_cannot_go_to_someone_already_in_the_block() -> None:
    doc = at_step("countersign")
    with pytest.raises(IneligibleAssignee):
        doc.do(TransferTask, BIANBAN, task_id="countersign-1-1", to=FAGAI)
    with pytest.raises(IneligibleAssignee):
        doc.do(DelegateTask, BIANBAN, task_id="countersign-1-1", to=FAGAI)


def test_add_signer_opens_a_seat_that_the_all_rule_waits_for() -> None:
    doc = at_step("countersign")
    added = doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer=ZHOU, reason="涉及市场监管")
    assert types(added) == ["SignerAdded", "TaskOpened"]
    assert added[1].task_id == "countersign-1-3"  # type: ignore[attr-defined]
    doc.approve("countersign", BIANBAN)
    assert types(doc.approve("countersign", FAGAI)) == ["ApprovalStepDecided"]
    assert types(doc.do(ApproveTask, ZHOU, task_id="countersign-1-3"))[1] == "StepCompleted"


def test_an_added_signer_cannot_add_signers() -> None:
    doc = at_step("countersign")
    doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer=ZHOU)
    with pytest.raises(AddedSignerCannotAdd):
        doc.do(AddSigner, ZHOU, task_id="countersign-1-3", signer="u-yet-another")


def test_an_added_signer_cannot_be_someone_who_decided_or_sits_in_the_block() -> None:
    doc = at_step("countersign")
    doc.approve("countersign", FAGAI)
    with pytest.raises(IneligibleAssignee):
        doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer=FAGAI)
    with pytest.raises(IneligibleAssignee):
        doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer=BIANBAN)
    with pytest.raises(IneligibleAssignee):
        doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer=DRAFTER)
    with pytest.raises(IneligibleAssignee):
        doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer=CHIEF)  # decided the previous step


def test_signers_are_added_to_parallel_blocks_only() -> None:
    doc = at_step("review")
    with pytest.raises(WrongStepAction):
        doc.do(AddSigner, DEPUTY, task_id="review-1-1", signer=ZHOU)


def test_disagree_is_for_blocks_and_needs_an_opinion() -> None:
    doc = at_step("review")
    with pytest.raises(WrongStepAction):
        doc.do(DisagreeTask, DEPUTY, task_id="review-1-1", opinion="不同意")
    doc = at_step("countersign")
    with pytest.raises(Exception, match="opinion"):
        doc.do(DisagreeTask, BIANBAN, task_id="countersign-1-1", opinion="")


def test_a_delegate_cannot_return_while_delegated_nor_the_owner() -> None:
    doc = at_step("review")
    doc.do(DelegateTask, DEPUTY, task_id="review-1-1", to=HELPER)
    with pytest.raises(DelegationPending):
        doc.do(ReturnTask, DEPUTY, task_id="review-1-1", reason="数据有误")
    with pytest.raises(DelegationPending):
        doc.do(TransferTask, HELPER, task_id="review-1-1", to=ZHOU)
