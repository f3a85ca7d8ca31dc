"""Decide and apply: the letter's stages as recorded from the approval chain, archiving, reopening."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from domain.campaign.commands_results import (
    ArchiveCampaign,
    RecordDispatch,
    RecordLetterSigned,
    ReopenScores,
    ReturnReport,
    StartReporting,
    SubmitReportForApproval,
)
from domain.campaign.errors import DocumentMismatch, InvalidDocumentNumber
from domain.campaign.events_results import (
    CampaignArchived,
    LetterSigned,
    ReportDispatched,
    ReportingStarted,
    ReportReturned,
    ReportSubmittedForApproval,
    ScoresReopened,
)
from domain.campaign.rules import bump, require_text, require_transition, stage_of
from domain.campaign.state import CampaignState, Reopening, Report
from domain.campaign.types import Stage
from domain.shared.events import Event

DOCUMENT_NUMBER = re.compile(r"\S+〔\d{4}〕\d+号")
"""发文字号: 机关代字 + 〔year〕 + serial + 号, e.g. 安行审函〔2023〕7号."""

REOPENABLE = (Stage.APPEALS_CLOSED, Stage.REPORTING, Stage.APPROVING, Stage.SIGNED, Stage.DISPATCHED)


def start_reporting(state: CampaignState, c: StartReporting) -> list[Event]:
    require_transition(state, Stage.REPORTING, sources=(Stage.APPEALS_CLOSED,))
    require_text(document_id=c.document_id)
    return [ReportingStarted(at=c.at, actor=c.actor, document_id=c.document_id)]


def submit_for_approval(state: CampaignState, c: SubmitReportForApproval) -> list[Event]:
    require_transition(state, Stage.APPROVING)
    _require_document(state, c.document_id)
    return [ReportSubmittedForApproval(at=c.at, actor=c.actor, document_id=c.document_id)]


def return_report(state: CampaignState, c: ReturnReport) -> list[Event]:
    """The letter back with its drafter: returned in approval, or reopened after 签发 (never after 报送)."""
    require_transition(state, Stage.REPORTING, sources=(Stage.APPROVING, Stage.SIGNED))
    _require_document(state, c.document_id)
    require_text(reason=c.reason)
    return [ReportReturned(at=c.at, actor=c.actor, document_id=c.document_id, reason=c.reason)]


def record_signed(state: CampaignState, c: RecordLetterSigned) -> list[Event]:
    require_transition(state, Stage.SIGNED)
    _require_document(state, c.document_id)
    require_text(signed_by=c.signed_by)
    return [LetterSigned(at=c.at, actor=c.actor, document_id=c.document_id, signed_by=c.signed_by)]


def record_dispatch(state: CampaignState, c: RecordDispatch) -> list[Event]:
    require_transition(state, Stage.DISPATCHED)
    _require_document(state, c.document_id)
    require_text(recipient=c.recipient, document_number=c.document_number)
    if not DOCUMENT_NUMBER.fullmatch(c.document_number):
        raise InvalidDocumentNumber("not a 发文字号 like 安行审函〔2023〕7号", number=c.document_number)
    return [
        ReportDispatched(
            at=c.at,
            actor=c.actor,
            document_id=c.document_id,
            recipient=c.recipient,
            document_number=c.document_number,
        )
    ]


def archive(state: CampaignState, c: ArchiveCampaign) -> list[Event]:
    require_transition(state, Stage.ARCHIVED)
    return [CampaignArchived(at=c.at, actor=c.actor)]


def reopen_scores(state: CampaignState, c: ReopenScores) -> list[Event]:
    require_transition(state, Stage.DETERMINING, sources=REOPENABLE)
    require_text(reason=c.reason, approver=c.approver)
    return [ScoresReopened(at=c.at, actor=c.actor, reason=c.reason, approver=c.approver, basis=c.basis)]


def _require_document(state: CampaignState, document_id: str) -> None:
    report = state.report
    if report is None or report.document_id != document_id:
        current = report.document_id if report else None
        raise DocumentMismatch("not this campaign's letter", document_id=document_id, current=current)


def _with_report(state: CampaignState, stage: Stage, **changes: str) -> CampaignState:
    report = state.report
    assert report is not None  # reporting started before any of these events
    return bump(state, stage=stage, reports=(*state.reports[:-1], replace(report, **changes)))


def on_reporting(state: CampaignState, e: ReportingStarted) -> CampaignState:
    return bump(state, stage=Stage.REPORTING, reports=(*state.reports, Report(e.document_id)))


def on_submitted(state: CampaignState, e: ReportSubmittedForApproval) -> CampaignState:
    return bump(state, stage=Stage.APPROVING)


def on_returned(state: CampaignState, e: ReportReturned) -> CampaignState:
    return bump(state, stage=Stage.REPORTING)


def on_signed(state: CampaignState, e: LetterSigned) -> CampaignState:
    return _with_report(state, Stage.SIGNED, signed_by=e.signed_by)


def on_dispatched(state: CampaignState, e: ReportDispatched) -> CampaignState:
    return _with_report(state, Stage.DISPATCHED, recipient=e.recipient, document_number=e.document_number)


def on_archived(state: CampaignState, e: CampaignArchived) -> CampaignState:
    return bump(state, stage=Stage.ARCHIVED)


def on_reopened(state: CampaignState, e: ScoresReopened) -> CampaignState:
    reopening = Reopening(e.at, e.reason, e.approver, e.basis, stage_of(state))
    return bump(state, stage=Stage.DETERMINING, reopenings=(*state.reopenings, reopening))


HANDLERS: dict[type[Any], Any] = {
    StartReporting: start_reporting,
    SubmitReportForApproval: submit_for_approval,
    ReturnReport: return_report,
    RecordLetterSigned: record_signed,
    RecordDispatch: record_dispatch,
    ArchiveCampaign: archive,
    ReopenScores: reopen_scores,
}
APPLIERS: dict[type[Any], Any] = {
    ReportingStarted: on_reporting,
    ReportSubmittedForApproval: on_submitted,
    ReportReturned: on_returned,
    LetterSigned: on_signed,
    ReportDispatched: on_dispatched,
    CampaignArchived: on_archived,
    ScoresReopened: on_reopened,
}
