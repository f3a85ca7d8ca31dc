"""Given/when/then: the letter's stages recorded from the approval chain, 报送, archive, reopening."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.commands import AdjustScore
from domain.campaign.commands_results import (
    ArchiveCampaign,
    PublishResults,
    RecordDispatch,
    RecordLetterSigned,
    ReopenScores,
    ReturnReport,
    StartReporting,
    SubmitReportForApproval,
)
from domain.campaign.events import ScoreAdjusted
from domain.campaign.events_results import (
    CampaignArchived,
    LetterSigned,
    ReportDispatched,
    ReportingStarted,
    ReportReturned,
    ReportSubmittedForApproval,
    ScoresReopened,
)
from domain.campaign.types import Stage
from domain.shared.events import Event
from tests.unit.domain.campaign_builders import (
    CALENDAR,
    CHIEF,
    DOC,
    DRAFTER,
    FULL,
    LEADER,
    OFFICE,
    appeals_closed,
    approving,
    dispatched,
    published,
    refused,
    reporting,
    run,
    signed,
    t,
    when,
)

SIGN = RecordLetterSigned(at=t(22), actor=OFFICE, document_id=DOC, signed_by=LEADER)
SEND = RecordDispatch(
    at=t(22), actor=OFFICE, document_id=DOC, recipient="市作风办", document_number="安行审函〔2023〕7号"
)
REOPEN = ReopenScores(at=t(23), actor=CHIEF, reason="市作风办要求更正", approver=LEADER, basis="市作风办通知")


def test_reporting_starts_with_the_letter_document() -> None:
    [event] = when(appeals_closed(), StartReporting(at=t(21), actor=DRAFTER, document_id=DOC))
    assert isinstance(event, ReportingStarted)
    state = fold([*appeals_closed(), event])
    assert state.stage is Stage.REPORTING
    assert state.report is not None
    assert state.report.document_id == DOC


def test_reporting_needs_appeals_closed_and_a_document_id() -> None:
    refused(published(), StartReporting(at=t(21), actor=DRAFTER, document_id=DOC), err.IllegalStageTransition)
    refused(appeals_closed(), StartReporting(at=t(21), actor=DRAFTER, document_id=""), err.MissingField)


def test_the_letter_goes_for_approval_and_may_come_back() -> None:
    [event] = when(reporting(), SubmitReportForApproval(at=t(21), actor=DRAFTER, document_id=DOC))
    assert isinstance(event, ReportSubmittedForApproval)
    back = ReturnReport(at=t(22), actor=OFFICE, document_id=DOC, reason="表格有误")
    [returned] = when(approving(), back)
    assert isinstance(returned, ReportReturned)
    assert fold([*approving(), returned]).stage is Stage.REPORTING
    refused(approving(), replace(back, reason=""), err.MissingField)
    refused(reporting(), back, err.IllegalStageTransition)


def test_a_reopened_letter_takes_the_campaign_back_to_drafting_but_not_after_dispatch() -> None:
    back = ReturnReport(at=t(22), actor=LEADER, document_id=DOC, reason="成文日期有误")
    [returned] = when(signed(), back)
    assert isinstance(returned, ReportReturned)
    assert fold([*signed(), returned]).stage is Stage.REPORTING
    refused(dispatched(), back, err.IllegalStageTransition)


def test_only_this_campaigns_letter_moves_it() -> None:
    refused(
        reporting(),
        SubmitReportForApproval(at=t(21), actor=DRAFTER, document_id="other"),
        err.DocumentMismatch,
    )
    refused(approving(), replace(SIGN, document_id="other"), err.DocumentMismatch)


def test_sign_off_is_recorded_with_the_signer() -> None:
    [event] = when(approving(), SIGN)
    assert isinstance(event, LetterSigned)
    state = fold([*approving(), event])
    assert state.stage is Stage.SIGNED
    assert state.report is not None
    assert state.report.signed_by == LEADER
    refused(reporting(), SIGN, err.IllegalStageTransition)
    refused(approving(), replace(SIGN, signed_by=""), err.MissingField)


def test_dispatch_records_recipient_and_document_number() -> None:
    [event] = when(signed(), SEND)
    assert isinstance(event, ReportDispatched)
    state = fold([*signed(), event])
    assert state.stage is Stage.DISPATCHED
    assert state.report is not None
    assert (state.report.recipient, state.report.document_number) == ("市作风办", "安行审函〔2023〕7号")
    refused(approving(), SEND, err.IllegalStageTransition)


@pytest.mark.parametrize(
    "number", ["安行审函2023 7号", "安行审函〔23〕7号", "〔2023〕7号", "安行审函〔2023〕7"]
)
def test_a_malformed_document_number_is_refused(number: str) -> None:
    refused(signed(), replace(SEND, document_number=number), err.InvalidDocumentNumber)


def test_archive_after_dispatch_and_nothing_after_archive() -> None:
    [event] = when(dispatched(), ArchiveCampaign(at=t(23), actor=OFFICE))
    assert isinstance(event, CampaignArchived)
    archived = [*dispatched(), event]
    assert fold(archived).stage is Stage.ARCHIVED
    refused(archived, REOPEN, err.IllegalStageTransition)
    refused(signed(), ArchiveCampaign(at=t(23), actor=OFFICE), err.IllegalStageTransition)


def test_frozen_scores_change_only_after_a_recorded_reopening() -> None:
    change = AdjustScore(
        at=t(24),
        actor=DRAFTER,
        unit="C01",
        indicator=FULL.code,
        after=Decimal(9),
        reason="更正",
        basis="函",
        approver=LEADER,
    )
    refused(signed(), change, err.ScoresFrozen)
    [reopened] = when(signed(), REOPEN)
    assert isinstance(reopened, ScoresReopened)
    given: list[Event] = [*signed(), reopened]
    state = fold(given)
    assert state.stage is Stage.DETERMINING
    assert state.reopenings[0].from_stage is Stage.SIGNED
    assert state.reopenings[0].approver == LEADER
    [adjusted] = when(given, change)
    assert isinstance(adjusted, ScoreAdjusted)


def test_reopening_needs_reason_and_approver_and_is_not_for_the_publication_window() -> None:
    refused(signed(), replace(REOPEN, reason=""), err.MissingField)
    refused(signed(), replace(REOPEN, approver=""), err.MissingField)
    refused(published(), REOPEN, err.IllegalStageTransition)


def test_after_reopening_the_results_are_published_again_and_a_new_letter_follows() -> None:
    given = dispatched() + run([REOPEN], fold(dispatched()))
    publish = PublishResults(at=t(27), actor=CHIEF, window_working_days=1, calendar=CALENDAR)
    given += run([publish], fold(given))
    state = fold(given)
    assert [p.number for p in state.publications] == [1, 2]
    assert state.reports[0].document_number == "安行审函〔2023〕7号"
