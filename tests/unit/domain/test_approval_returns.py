"""Going back: 退回 (any earlier step), 驳回 by a block's rule, 撤回, frozen after 签发, reopening."""

from __future__ import annotations

import dataclasses

import pytest

from domain.approval import (
    AddSigner,
    ApproveTask,
    AssignNumber,
    Block,
    CancelReason,
    ClaimTask,
    DelegateTask,
    DisagreeTask,
    ReopenDocument,
    ReturnTask,
    ReviseDraft,
    Rule,
    Status,
    SubmitDraft,
    WithdrawSubmission,
    fold,
    open_tasks,
)
from domain.approval.errors import (
    AlreadyDispatched,
    DocumentFrozen,
    InvalidReturnTarget,
    MissingField,
    NotAuthorisedToReopen,
    NotSigned,
    NotSubmitter,
    WithdrawNotAllowed,
    WrongStepAction,
)
from tests.unit.domain.test_approval_fixtures import (
    BIANBAN,
    CHAIN,
    CHIEF,
    CODE,
    DEPUTY,
    DIRECTOR,
    DRAFTER,
    FAGAI,
    OFFICE,
    YEAR,
    Doc,
    at_step,
    drafted,
    types,
)


def test_return_to_the_previous_step_opens_a_fresh_round() -> None:
    doc = at_step("review")
    back = doc.do(ReturnTask, DEPUTY, task_id="review-1-1", reason="会签意见不全")
    assert types(back) == ["TaskReturned", "TaskOpened", "TaskOpened"]
    assert back[0].to_step == "countersign"  # type: ignore[attr-defined]
    assert back[0].superseded == ("countersign-1-1", "countersign-1-2")  # type: ignore[attr-defined]
    assert [t.task_id for t in open_tasks(doc.state)] == ["countersign-2-1", "countersign-2-2"]
    assert doc.state.decisions_in("countersign") == ()


def test_return_to_the_drafter_then_a_new_version_goes_round_again() -> None:
    doc = at_step("review")
    back = doc.do(ReturnTask, DEPUTY, task_id="review-1-1", to_step="draft", reason="数据有误")
    assert back[0].superseded == ("draft-1-1", "check-1-1", "countersign-1-1", "countersign-1-2")  # type: ignore[attr-defined]
    assert doc.state.status is Status.DRAFTING
    [task] = open_tasks(doc.state)
    assert (task.task_id, task.assignee) == ("draft-2-1", DRAFTER)
    doc.do(ReviseDraft, DRAFTER, title="函", content_hash="sha256:v2")
    doc.do(SubmitDraft, DRAFTER)
    assert [t.task_id for t in open_tasks(doc.state)] == ["check-2-1"]


def test_return_to_any_earlier_step() -> None:
    doc = at_step("sign_off")
    doc.do(ReturnTask, DIRECTOR, task_id="sign_off-1-1", to_step="check", reason="请重新核稿")
    assert [t.task_id for t in open_tasks(doc.state)] == ["check-2-1"]
    assert doc.state.completed == frozenset({"draft"})


@pytest.mark.parametrize("to_step", ["review", "sign_off", "nope"])
def test_return_goes_to_an_earlier_step_of_the_chain(to_step: str) -> None:
    doc = at_step("review")
    with pytest.raises(InvalidReturnTarget):
        doc.do(ReturnTask, DEPUTY, task_id="review-1-1", to_step=to_step, reason="x")


def test_return_needs_a_reason_and_the_drafter_cannot_return() -> None:
    with pytest.raises(MissingField):
        at_step("review").do(ReturnTask, DEPUTY, task_id="review-1-1", reason=" ")
    with pytest.raises(WrongStepAction):
        drafted().do(ReturnTask, DRAFTER, task_id="draft-1-1", reason="x")


def test_return_from_a_countersign_closes_every_seat_and_supersedes_given_opinions() -> None:
    doc = at_step("countersign")
    doc.do(AddSigner, BIANBAN, task_id="countersign-1-1", signer="u-zhou")
    doc.approve("countersign", BIANBAN, opinion="同意")
    back = doc.do(ReturnTask, FAGAI, task_id="countersign-1-2", reason="口径不一致")
    assert types(back) == ["TaskReturned", "TaskCancelled", "TaskOpened"]
    assert back[1].task_id == "countersign-1-3" and back[1].reason is CancelReason.RETURNED  # type: ignore[attr-defined]
    assert "countersign-1-1" in back[0].superseded  # type: ignore[attr-defined]
    assert [t.task_id for t in open_tasks(doc.state)] == ["check-2-1"]
    doc.approve("check", CHIEF)
    assert [(t.task_id, t.assignee) for t in open_tasks(doc.state)] == [
        ("countersign-2-1", BIANBAN),
        ("countersign-2-2", FAGAI),
    ]  # fresh block: the added signer is not carried over, no old decision reused


def test_a_disagreement_under_the_all_rule_rejects_the_block() -> None:
    doc = at_step("countersign")
    out = doc.do(DisagreeTask, FAGAI, task_id="countersign-1-2", opinion="不同意该口径")
    assert types(out) == ["ApprovalStepDecided", "CountersignRejected", "TaskCancelled", "TaskOpened"]
    assert out[1].to_step == "check"  # type: ignore[attr-defined]
    assert out[2].reason is CancelReason.REJECTED  # type: ignore[attr-defined]
    assert [t.task_id for t in open_tasks(doc.state)] == ["check-2-1"]


def _block_chain(rule: Rule, n: int | None = None, reject_to: str | None = None) -> Doc:
    block = Block(rule=rule, n=n, reject_to=reject_to)
    step = dataclasses.replace(CHAIN.step("countersign"), assignees=(BIANBAN, FAGAI, "u-zhou"), block=block)
    chain = dataclasses.replace(CHAIN, steps=tuple(step if s.key == step.key else s for s in CHAIN.steps))
    doc = drafted(chain)
    doc.do(SubmitDraft, DRAFTER)
    doc.approve("check", CHIEF)
    return doc


def test_any_rule_completes_on_the_first_approval_and_cancels_the_rest() -> None:
    doc = _block_chain(Rule.ANY)
    doc.do(DisagreeTask, BIANBAN, task_id="countersign-1-1", opinion="不同意")
    out = doc.approve("countersign", FAGAI)
    assert types(out) == ["ApprovalStepDecided", "StepCompleted", "TaskCancelled", "TaskOpened"]
    assert out[2].reason is CancelReason.BLOCK_COMPLETED  # type: ignore[attr-defined]


def test_n_of_m_rejects_once_the_rule_cannot_be_met_and_goes_where_configured() -> None:
    doc = _block_chain(Rule.N_OF_M, n=2, reject_to="draft")
    assert types(doc.do(DisagreeTask, BIANBAN, task_id="countersign-1-1", opinion="不同意")) == [
        "ApprovalStepDecided"
    ]
    out = doc.do(DisagreeTask, FAGAI, task_id="countersign-1-2", opinion="不同意")
    assert out[1].to_step == "draft"  # type: ignore[attr-defined]
    assert doc.state.status is Status.DRAFTING


def test_withdraw_by_the_submitter_while_the_next_step_is_untouched() -> None:
    doc = drafted()
    doc.do(SubmitDraft, DRAFTER)
    out = doc.do(WithdrawSubmission, DRAFTER, reason="附件漏传")
    assert types(out) == ["SubmissionWithdrawn", "TaskCancelled", "TaskOpened"]
    assert out[0].superseded == ("draft-1-1",)  # type: ignore[attr-defined]
    assert out[1].reason is CancelReason.WITHDRAWN  # type: ignore[attr-defined]
    assert [(t.task_id, t.assignee) for t in open_tasks(doc.state)] == [("draft-2-1", DRAFTER)]


def test_an_approver_withdraws_their_own_step_to_themselves() -> None:
    doc = at_step("sign_off")  # review was decided by DEPUTY through a role task
    doc.do(WithdrawSubmission, DEPUTY)
    assert [(t.task_id, t.assignee) for t in open_tasks(doc.state)] == [("review-2-1", DEPUTY)]


@pytest.mark.parametrize(
    "touch",
    [
        lambda d: d.do(ClaimTask, CHIEF, task_id="check-1-1"),
        lambda d: d.do(DelegateTask, CHIEF, task_id="check-1-1", to="u-helper"),
        lambda d: d.do(ReturnTask, CHIEF, task_id="check-1-1", reason="x"),
    ],
)
def test_withdraw_is_refused_once_the_next_step_acted(touch: object) -> None:
    doc = drafted()
    doc.do(SubmitDraft, DRAFTER)
    touch(doc)  # type: ignore[operator]
    with pytest.raises(WithdrawNotAllowed):
        doc.do(WithdrawSubmission, DRAFTER)


def test_withdraw_from_a_touched_block_or_of_a_block_is_refused() -> None:
    doc = at_step("countersign")
    doc.approve("countersign", BIANBAN)
    with pytest.raises(WithdrawNotAllowed):
        doc.do(WithdrawSubmission, CHIEF)
    doc.approve("countersign", FAGAI)
    with pytest.raises(WithdrawNotAllowed):
        doc.do(WithdrawSubmission, BIANBAN)  # the previous step is a block


def test_only_the_submitter_withdraws() -> None:
    doc = at_step("check")
    with pytest.raises(NotSubmitter):
        doc.do(WithdrawSubmission, CHIEF)


def test_a_signed_document_is_frozen() -> None:
    doc = at_step("numbering")
    with pytest.raises(DocumentFrozen):
        doc.do(ReturnTask, OFFICE, task_id=doc.task("numbering"), to_step="draft", reason="错字")
    with pytest.raises(DocumentFrozen):
        doc.do(WithdrawSubmission, DIRECTOR)
    with pytest.raises(DocumentFrozen):
        doc.do(ReviseDraft, DRAFTER, title="t", content_hash="sha256:v2")


def _number(doc: Doc) -> str | None:
    return doc.state.number.number if doc.state.number else None


def test_returning_after_numbering_voids_the_number() -> None:
    doc = at_step("dispatch")
    out = doc.do(ReturnTask, OFFICE, task_id=doc.task("dispatch"), to_step="numbering", reason="文号登记错误")
    assert types(out) == ["TaskReturned", "DocumentNumberVoided", "TaskOpened"]
    assert out[1].number == "安行审函〔2023〕7号"  # type: ignore[attr-defined]
    assert _number(doc) is None and [n.serial for n in doc.state.voided_numbers] == [7]
    doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=8)
    assert _number(doc) == "安行审函〔2023〕8号"


def test_reopening_a_signed_document_restarts_the_chain() -> None:
    doc = at_step("dispatch")
    with pytest.raises(NotAuthorisedToReopen):
        doc.do(ReopenDocument, OFFICE, reason="需更正数据")
    with pytest.raises(MissingField):
        doc.do(ReopenDocument, DIRECTOR, reason="")
    out = doc.do(ReopenDocument, DIRECTOR, reason="需更正第3项数据")
    assert types(out) == ["DocumentReopened", "TaskCancelled", "DocumentNumberVoided", "TaskOpened"]
    assert len(out[0].superseded) == 7  # type: ignore[attr-defined]
    assert doc.state.signature is None and doc.state.reopenings == 1
    assert not doc.state.frozen
    assert doc.state.status is Status.DRAFTING and doc.state.completed == frozenset()
    doc.do(ReviseDraft, DRAFTER, title="函", content_hash="sha256:v2")
    assert fold(doc.events) == doc.state


def test_reopening_needs_a_signed_undispatched_document() -> None:
    with pytest.raises(NotSigned):
        at_step("sign_off").do(ReopenDocument, DIRECTOR, reason="x")
    with pytest.raises(AlreadyDispatched):
        at_step("dispatched").do(ReopenDocument, DIRECTOR, reason="x")


def test_a_sign_off_role_holder_other_than_the_signer_may_reopen() -> None:
    doc = at_step("numbering")
    assert types(doc.do(ReopenDocument, "u-acting-director", role="director", reason="x"))[0] == (
        "DocumentReopened"
    )


def test_approving_a_returned_task_is_refused() -> None:
    doc = at_step("review")
    doc.do(ReturnTask, DEPUTY, task_id="review-1-1", to_step="check", reason="x")
    with pytest.raises(Exception, match="no open task"):
        doc.do(ApproveTask, DEPUTY, task_id="review-1-1")
