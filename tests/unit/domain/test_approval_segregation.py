"""Segregation of duties: no approving one's own draft, no two consecutive steps unless allowed."""

from __future__ import annotations

import dataclasses

import pytest

from domain.approval import (
    ApproveTask,
    AssignNumber,
    DelegateTask,
    DispatchDocument,
    Step,
    StepKind,
    SubmitDraft,
    TransferTask,
)
from domain.approval.errors import ConsecutiveSteps, IneligibleAssignee, SelfApproval
from domain.shared.errors import PermissionDenied
from tests.unit.domain.test_approval_fixtures import (
    CHAIN,
    CHIEF,
    CODE,
    DEPUTY,
    DIRECTOR,
    DRAFTER,
    OFFICE,
    OFFICE2,
    YEAR,
    at_step,
    drafted,
)


def test_nobody_approves_their_own_draft() -> None:
    doc = at_step("check")
    with pytest.raises(SelfApproval) as refused:
        doc.do(ApproveTask, DRAFTER, task_id="check-1-1", role="section_chief")
    assert refused.value.code == "self_approval" and isinstance(refused.value, PermissionDenied)


def test_the_drafter_cannot_sign_even_holding_the_role() -> None:
    doc = at_step("sign_off")
    with pytest.raises(SelfApproval):
        doc.do(ApproveTask, DRAFTER, task_id="sign_off-1-1", role="director")


def test_one_person_cannot_decide_two_consecutive_steps() -> None:
    doc = at_step("sign_off")
    with pytest.raises(ConsecutiveSteps) as refused:
        doc.do(ApproveTask, DEPUTY, task_id="sign_off-1-1", role="director")
    assert refused.value.details["previous"] == "review"


def test_consecutive_is_about_the_previous_step_only() -> None:
    doc = at_step("review")
    doc.do(ApproveTask, CHIEF, task_id="review-1-1", role="deputy_director")  # CHIEF decided 核稿, not 会签
    assert doc.state.signature is None and doc.task("sign_off")


def test_a_block_member_cannot_decide_the_next_step() -> None:
    doc = at_step("review")
    with pytest.raises(ConsecutiveSteps):
        doc.do(ApproveTask, "u-bianban", task_id="review-1-1", role="deputy_director")


def test_the_chain_may_allow_the_same_person_on_consecutive_steps() -> None:
    doc = at_step("numbering")
    doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=7)
    doc.do(DispatchDocument, OFFICE, task_id=doc.task("dispatch"), recipient="市作风办", channel="纸质")
    assert doc.state.dispatch is not None


def test_without_the_flag_the_same_clerk_cannot_number_and_dispatch() -> None:
    steps = tuple(
        dataclasses.replace(s, allow_same_actor_as_previous=False) if s.kind is StepKind.DISPATCH else s
        for s in CHAIN.steps
    )
    doc = drafted(dataclasses.replace(CHAIN, steps=steps))
    doc.do(SubmitDraft, DRAFTER)
    for key, actors in [("check", [CHIEF]), ("countersign", ["u-bianban", "u-fagai"]), ("review", [DEPUTY])]:
        for actor in actors:
            doc.approve(key, actor)
    doc.approve("sign_off", DIRECTOR)
    doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=7)
    with pytest.raises(ConsecutiveSteps):
        doc.do(DispatchDocument, OFFICE, task_id=doc.task("dispatch"), recipient="x", channel="y")
    doc.do(DispatchDocument, OFFICE2, task_id=doc.task("dispatch"), recipient="x", channel="y")


def test_named_assignees_alone_may_act() -> None:
    named = CHAIN.assign("check", CHIEF)
    doc = drafted(named)
    doc.do(SubmitDraft, DRAFTER)
    with pytest.raises(PermissionDenied):
        doc.do(ApproveTask, "u-other-chief", task_id="check-1-1", role="section_chief")
    doc.do(ApproveTask, CHIEF, task_id="check-1-1")


def test_delegating_to_the_previous_decider_is_refused() -> None:
    doc = at_step("sign_off")
    with pytest.raises(IneligibleAssignee):
        doc.do(DelegateTask, DIRECTOR, task_id="sign_off-1-1", to=DEPUTY)
    with pytest.raises(IneligibleAssignee):
        doc.do(TransferTask, DIRECTOR, task_id="sign_off-1-1", to=DEPUTY)


def test_chain_steps_are_plain_data() -> None:
    step = Step(key="check", kind=StepKind.CHECK, role="section_chief", allow_same_actor_as_previous=True)
    assert step.allow_same_actor_as_previous and not step.parallel
