"""The forward path: draft, submit, approve, 签发, 登记编号, 报送, receipt — and their refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.approval import (
    DEFAULT_LETTER_CHAIN,
    AcknowledgeReceipt,
    Annex,
    ApproveTask,
    AssignNumber,
    DispatchDocument,
    DraftDocument,
    ReviseDraft,
    Status,
    SubmitDraft,
    decide,
    fold,
    open_tasks,
)
from domain.approval.errors import (
    AlreadyAcknowledged,
    DocumentAlreadyExists,
    DocumentNotFound,
    InvalidChain,
    InvalidSerial,
    InvalidSigningDate,
    MissingField,
    NaiveTimestamp,
    NotDispatched,
    NotTaskHolder,
    NotWithDrafter,
    TaskNotFound,
    WrongStepAction,
)
from domain.shared.errors import DomainError
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
    OUTSIDER,
    YEAR,
    Doc,
    at_step,
    drafted,
    types,
)


def test_drafting_opens_the_drafters_task() -> None:
    doc = drafted()
    assert types(doc.events) == ["DocumentDrafted", "TaskOpened"]
    assert doc.state.status is Status.DRAFTING
    assert doc.state.drafter == DRAFTER and doc.state.version == 1
    assert doc.state.content_hash == "sha256:v1" and doc.state.campaign_id == "camp-2023"
    [task] = open_tasks(doc.state)
    assert (task.task_id, task.step, task.assignee, task.role) == ("draft-1-1", "draft", DRAFTER, "drafter")
    assert task.since == doc.events[0].at


def test_drafting_twice_is_refused() -> None:
    doc = drafted()
    with pytest.raises(DocumentAlreadyExists):
        doc.do(DraftDocument, DRAFTER, document_id="doc-1", campaign_id="c", doc_type="letter", title="t",
               content_hash="h", chain=CHAIN)  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": " "}, MissingField),
        ({"content_hash": ""}, MissingField),
        ({"chain": DEFAULT_LETTER_CHAIN}, InvalidChain),  # 会签 members not named
        ({"doc_type": "notice"}, InvalidChain),
        ({"role": "office"}, NotTaskHolder),
        ({"chain": CHAIN.assign("check", DRAFTER)}, InvalidChain),
    ],
)
def test_drafting_refusals(fields: dict[str, object], error: type[DomainError]) -> None:
    base: dict[str, object] = {
        "document_id": "doc-1",
        "campaign_id": "camp",
        "doc_type": "letter",
        "title": "函",
        "content_hash": "sha256:v1",
        "chain": CHAIN,
    }
    with pytest.raises(error):
        Doc().do(DraftDocument, DRAFTER, **{**base, **fields})


def test_commands_on_a_missing_document_are_refused() -> None:
    with pytest.raises(DocumentNotFound):
        Doc().do(SubmitDraft, DRAFTER)
    with pytest.raises(DocumentNotFound):
        Doc().do(ApproveTask, CHIEF, task_id="check-1-1")


def test_the_drafter_revises_then_submits_the_new_version() -> None:
    doc = drafted()
    annex = Annex(title="附件1 赋分表", content_hash="sha256:annex")
    revised = doc.do(ReviseDraft, DRAFTER, title="新标题", content_hash="sha256:v2", annexes=(annex,))
    assert types(revised) == ["DraftRevised"] and doc.state.version == 2
    submitted = doc.do(SubmitDraft, DRAFTER, opinion="请审核")
    assert types(submitted) == ["DraftSubmitted", "StepCompleted", "TaskOpened"]
    assert submitted[0].version == 2 and submitted[0].content_hash == "sha256:v2"  # type: ignore[attr-defined]
    assert doc.state.status is Status.IN_APPROVAL
    assert [(t.step, t.assignee, t.role) for t in open_tasks(doc.state)] == [("check", None, "section_chief")]


def test_only_the_drafter_revises_or_submits_and_only_while_it_is_with_them() -> None:
    doc = drafted()
    with pytest.raises(NotTaskHolder):
        doc.do(SubmitDraft, CHIEF, role="drafter")
    with pytest.raises(MissingField):
        doc.do(ReviseDraft, DRAFTER, title="t", content_hash="")
    doc.do(SubmitDraft, DRAFTER)
    with pytest.raises(NotWithDrafter):
        doc.do(SubmitDraft, DRAFTER)
    with pytest.raises(NotWithDrafter):
        doc.do(ReviseDraft, DRAFTER, title="t", content_hash="sha256:v2")


def test_a_full_run_reaches_receipt_and_folds_to_the_same_state() -> None:
    doc = at_step("acknowledged")
    assert doc.state.status is Status.ACKNOWLEDGED
    assert doc.state.number is not None and doc.state.number.number == "安行审函〔2023〕7号"
    assert doc.state.dispatch is not None and doc.state.dispatch.recipient == "市作风办"
    assert doc.state.dispatch.received_by == "市作风办 刘"
    assert open_tasks(doc.state) == []
    assert fold(doc.events) == doc.state


def test_a_countersign_block_opens_one_task_per_member_and_waits_for_all() -> None:
    doc = at_step("countersign")
    assert [(t.task_id, t.assignee) for t in open_tasks(doc.state)] == [
        ("countersign-1-1", BIANBAN),
        ("countersign-1-2", FAGAI),
    ]
    first = doc.approve("countersign", BIANBAN, opinion="同意")
    assert types(first) == ["ApprovalStepDecided"]
    last = doc.approve("countersign", FAGAI)
    assert types(last) == ["ApprovalStepDecided", "StepCompleted", "TaskOpened"]
    assert last[1].deciders == (BIANBAN, FAGAI)  # type: ignore[attr-defined]


def test_sign_off_fixes_the_signing_date_and_the_signed_version() -> None:
    doc = at_step("sign_off")
    emitted = doc.approve("sign_off", DIRECTOR, opinion="同意")
    assert types(emitted) == ["ApprovalStepDecided", "DocumentSigned", "StepCompleted", "TaskOpened"]
    signed = emitted[1]
    assert signed.signing_date == emitted[0].at.date()  # type: ignore[attr-defined]
    assert doc.state.signature is not None and doc.state.signature.signer == DIRECTOR
    assert doc.state.signature.content_hash == "sha256:v1" and doc.state.frozen


def test_the_signer_may_write_the_date_within_a_day() -> None:
    doc = at_step("sign_off")
    doc.approve("sign_off", DIRECTOR, signing_date=date(2023, 3, 2))
    assert doc.state.signature is not None and doc.state.signature.signing_date == date(2023, 3, 2)
    with pytest.raises(InvalidSigningDate):
        at_step("sign_off").approve("sign_off", DIRECTOR, signing_date=date(2023, 3, 7))
    with pytest.raises(InvalidSigningDate):
        at_step("review").approve("review", DEPUTY, signing_date=date(2023, 3, 1))


def test_numbering_and_dispatch_take_their_own_commands() -> None:
    doc = at_step("numbering")
    with pytest.raises(WrongStepAction):
        doc.approve("numbering", OFFICE)
    with pytest.raises(InvalidSerial):
        doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=0)
    numbered = doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=7)
    assert types(numbered) == ["DocumentNumberAssigned", "StepCompleted", "TaskOpened"]
    assert numbered[0].number == "安行审函〔2023〕7号"  # type: ignore[attr-defined]
    with pytest.raises(WrongStepAction):
        doc.do(AssignNumber, OFFICE, task_id=doc.task("dispatch"), code=CODE, year=YEAR, serial=8)
    with pytest.raises(MissingField):
        doc.do(DispatchDocument, OFFICE, task_id=doc.task("dispatch"), recipient="", channel="纸质")
    sent = doc.do(
        DispatchDocument, OFFICE, task_id=doc.task("dispatch"), recipient="市作风办", channel="纸质"
    )
    assert types(sent) == ["DocumentDispatched", "StepCompleted"]
    assert sent[0].number == "安行审函〔2023〕7号"  # type: ignore[attr-defined]
    assert doc.state.status is Status.DISPATCHED and doc.state.current is None


def test_dispatch_is_refused_on_an_approval_task() -> None:
    doc = at_step("review")
    with pytest.raises(WrongStepAction):
        doc.do(DispatchDocument, DEPUTY, task_id=doc.task("review"), recipient="x", channel="y")


def test_receipt_needs_a_dispatch_and_is_recorded_once() -> None:
    doc = at_step("dispatch")
    with pytest.raises(NotDispatched):
        doc.do(AcknowledgeReceipt, OFFICE, received_by="市作风办")
    doc.do(DispatchDocument, OFFICE, task_id=doc.task("dispatch"), recipient="市作风办", channel="纸质")
    with pytest.raises(NotTaskHolder):
        doc.do(AcknowledgeReceipt, OUTSIDER, received_by="市作风办")
    with pytest.raises(MissingField):
        doc.do(AcknowledgeReceipt, OFFICE, received_by=" ")
    assert types(doc.do(AcknowledgeReceipt, OFFICE, received_by="市作风办")) == ["ReceiptAcknowledged"]
    with pytest.raises(AlreadyAcknowledged):
        doc.do(AcknowledgeReceipt, OFFICE, received_by="市作风办")


def test_acting_on_a_closed_or_unknown_task_is_refused() -> None:
    doc = at_step("review")
    with pytest.raises(TaskNotFound):
        doc.do(ApproveTask, CHIEF, task_id="check-1-1")
    with pytest.raises(TaskNotFound):
        doc.do(ApproveTask, DEPUTY, task_id="nope")


def test_draft_tasks_are_not_approved() -> None:
    doc = drafted()
    with pytest.raises(WrongStepAction):
        doc.do(ApproveTask, DRAFTER, task_id="draft-1-1")


def test_naive_times_are_refused() -> None:
    doc = drafted()
    with pytest.raises(NaiveTimestamp):
        decide(doc.state, SubmitDraft(at=datetime(2023, 3, 1, 9), actor=DRAFTER, role="drafter"))
