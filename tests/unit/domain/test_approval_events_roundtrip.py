"""Every document and register event round-trips through to_data/from_data (stored event contracts)."""

from __future__ import annotations

import json

import pytest

from domain.approval import (
    DOCUMENT_EVENTS,
    AddSigner,
    Annex,
    ClaimTask,
    DelegateTask,
    DisagreeTask,
    ReopenDocument,
    ResolveDelegation,
    ReturnTask,
    ReviseDraft,
    SubmitDraft,
    TransferTask,
    UnclaimTask,
    WithdrawSubmission,
)
from domain.numbering import (
    REGISTER_EVENTS,
    IssueNumber,
    OpenRegister,
    VoidNumber,
    decide_register,
    fold_register,
)
from domain.shared.events import Event, event_types, from_data, to_data
from tests.unit.domain.test_approval_fixtures import (
    BIANBAN,
    CHIEF,
    DEPUTY,
    DIRECTOR,
    DRAFTER,
    T0,
    at_step,
    drafted,
)


def _every_document_event() -> list[Event]:
    """Events of several runs that, together, emit every document event type."""
    runs = [at_step("acknowledged")]
    doc = drafted()
    doc.do(
        ReviseDraft,
        DRAFTER,
        title="函",
        content_hash="sha256:v2",
        annexes=(Annex(title="附件1", content_hash="h"),),
    )
    doc.do(SubmitDraft, DRAFTER)
    doc.do(WithdrawSubmission, DRAFTER, reason="漏附件")
    doc.do(SubmitDraft, DRAFTER)
    doc.do(ClaimTask, CHIEF, task_id=doc.task("check"))
    doc.do(UnclaimTask, CHIEF, task_id=doc.task("check"))
    doc.do(DelegateTask, CHIEF, task_id=doc.task("check"), to="u-helper")
    doc.do(ResolveDelegation, "u-helper", task_id=doc.task("check"), opinion="已核")
    doc.approve("check", CHIEF)
    doc.do(AddSigner, BIANBAN, task_id=doc.task("countersign", BIANBAN), signer="u-zhou")
    doc.do(DisagreeTask, "u-zhou", task_id="countersign-1-3", opinion="不同意")
    doc.approve("check", CHIEF)
    doc.approve("countersign", BIANBAN)
    doc.approve("countersign", "u-fagai")
    doc.do(TransferTask, DEPUTY, task_id=doc.task("review"), to="u-deputy2", role="deputy_director")
    doc.do(ReturnTask, "u-deputy2", task_id=doc.task("review"), reason="补充说明")
    runs.append(doc)
    signed = at_step("dispatch")
    signed.do(ReopenDocument, DIRECTOR, reason="更正")
    runs.append(signed)
    return [e for run in runs for e in run.events]


def _register_events() -> list[Event]:
    events: list[Event] = []
    for command in (
        OpenRegister(at=T0, actor="u-chen", code="安行审函", year=2023, next_serial=7),
        IssueNumber(at=T0, actor="u-chen", document_id="doc-1"),
        VoidNumber(at=T0, actor="u-chen", serial=7, reason="退回重签"),
    ):
        events += decide_register(fold_register(events), command)
    return events


def test_the_sample_covers_every_event_type() -> None:
    seen = {type(e) for e in _every_document_event() + _register_events()}
    assert seen == set(DOCUMENT_EVENTS) | set(REGISTER_EVENTS)


@pytest.mark.parametrize("event", _every_document_event() + _register_events(), ids=lambda e: e.TYPE)
def test_event_round_trips_through_json(event: Event) -> None:
    data = json.loads(json.dumps(to_data(event), ensure_ascii=False))
    assert from_data(event.TYPE, data) == event
    assert event_types()[event.TYPE] is type(event) and type(event).VERSION == 1
    assert event.at.tzinfo is not None
