"""Decide and apply: 公示 of a scores snapshot, appeals inside the window, 复核 decisions, closing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.campaign.commands import AdjustScore
from domain.campaign.commands_results import CloseAppeals, DecideAppeal, FileAppeal, PublishResults
from domain.campaign.errors import (
    AppealAlreadyDecided,
    AppealNotByUnit,
    AppealsPending,
    AppealWindowClosed,
    AppealWindowOpen,
    ConsultationsOpen,
    DuplicateId,
    InvalidDecision,
    InvalidWindow,
    SubmissionsPending,
    UndeterminedScores,
    UnknownAppeal,
)
from domain.campaign.events_results import (
    AppealDecided,
    AppealDecision,
    AppealFiled,
    AppealsClosed,
    ResultsPublished,
)
from domain.campaign.queries import open_appeals, open_consultations, pending_submissions, snapshot
from domain.campaign.queries import undetermined_cells as missing_cells
from domain.campaign.rules import (
    bump,
    check_evidence,
    require_indicator,
    require_stage,
    require_text,
    require_transition,
    require_unit,
    with_item,
)
from domain.campaign.scoring import adjustment
from domain.campaign.state import Appeal, CampaignState, Publication
from domain.campaign.types import Stage
from domain.shared.calendar import business_date
from domain.shared.events import Event
from domain.shared.values import require_count

MAX_WINDOW = 250
"""The 公示 window lasts from 1 to 250 working days (about a working year)."""


def publish_results(state: CampaignState, c: PublishResults) -> list[Event]:
    require_transition(state, Stage.PUBLISHED)
    require_count(
        c.window_working_days, "window_working_days", lower=1, upper=MAX_WINDOW, out_of_range=InvalidWindow
    )
    if pending_submissions(state):
        raise SubmissionsPending("review all data before publishing")
    if open_consultations(state):
        raise ConsultationsOpen("close all consultations before publishing")
    missing = missing_cells(state)
    if missing:
        raise UndeterminedScores("some units have no explicit result", cells=[f"{u}/{i}" for u, i in missing])
    start = business_date(c.at)
    end = c.calendar.add_working_days(start, c.window_working_days)  # refused in an undeclared year
    return [
        ResultsPublished(
            at=c.at,
            actor=c.actor,
            publication=len(state.publications) + 1,
            window_start=start,
            window_end=end,
            window_working_days=c.window_working_days,
            snapshot=snapshot(state),
            calendar_basis=c.calendar.basis(start, end),
        )
    ]


def file_appeal(state: CampaignState, c: FileAppeal) -> list[Event]:
    require_stage(state, Stage.PUBLISHED)
    require_text(appeal_id=c.appeal_id, reasons=c.reasons)
    if c.appeal_id in state.appeals:
        raise DuplicateId("appeal id already used", appeal_id=c.appeal_id)
    require_unit(state, c.unit)
    require_indicator(state, c.indicator)
    if c.acting_for != c.unit:
        raise AppealNotByUnit("a unit appeals only its own results", unit=c.unit, acting_for=c.acting_for)
    publication = state.publication
    assert publication is not None  # a published campaign has a publication
    if not publication.window_start <= business_date(c.at) <= publication.window_end:
        raise AppealWindowClosed("the appeal window is closed", window_end=publication.window_end.isoformat())
    check_evidence(c.evidence)
    return [
        AppealFiled(
            at=c.at,
            actor=c.actor,
            appeal_id=c.appeal_id,
            unit=c.unit,
            indicator=c.indicator,
            reasons=c.reasons,
            evidence=c.evidence,
        )
    ]


def decide_appeal(state: CampaignState, c: DecideAppeal) -> list[Event]:
    require_stage(state, Stage.PUBLISHED)
    appeal = state.appeals.get(c.appeal_id)
    if appeal is None:
        raise UnknownAppeal(f"no appeal {c.appeal_id!r}", appeal_id=c.appeal_id)
    if appeal.decision is not None:
        raise AppealAlreadyDecided("this appeal was already decided", appeal_id=c.appeal_id)
    require_text(reasons=c.reasons, approver=c.approver)
    adjusting = c.decision is AppealDecision.ADJUSTED
    if adjusting != (c.new_score is not None):
        raise InvalidDecision("维持 carries no new score; 调整 needs one", decision=c.decision.value)
    decided = AppealDecided(
        at=c.at,
        actor=c.actor,
        appeal_id=c.appeal_id,
        decision=c.decision,
        reasons=c.reasons,
        approver=c.approver,
    )
    if c.new_score is None:
        return [decided]
    request = AdjustScore(
        at=c.at,
        actor=c.actor,
        unit=appeal.unit,
        indicator=appeal.indicator,
        after=c.new_score,
        reason=c.reasons,
        basis=c.basis or f"申诉复核 {c.appeal_id}",
        approver=c.approver,
    )
    change = adjustment(state, request, appeal_id=c.appeal_id, field="new_score")
    return [decided, change]


def close_appeals(state: CampaignState, c: CloseAppeals) -> list[Event]:
    require_transition(state, Stage.APPEALS_CLOSED)
    if open_appeals(state):
        raise AppealsPending("decide every appeal first", appeals=[a.appeal_id for a in open_appeals(state)])
    publication = state.publication
    assert publication is not None
    if business_date(c.at) <= publication.window_end:
        raise AppealWindowOpen(
            "the appeal window is still open", window_end=publication.window_end.isoformat()
        )
    return [AppealsClosed(at=c.at, actor=c.actor)]


def on_published(state: CampaignState, e: ResultsPublished) -> CampaignState:
    publication = Publication(e.publication, e.at, e.window_start, e.window_end, e.snapshot)
    return bump(state, stage=Stage.PUBLISHED, publications=(*state.publications, publication))


def on_appeal(state: CampaignState, e: AppealFiled) -> CampaignState:
    appeal = Appeal(e.appeal_id, e.unit, e.indicator, e.reasons, e.evidence, e.actor, e.at)
    return bump(state, appeals=with_item(state.appeals, e.appeal_id, appeal))


def on_decided(state: CampaignState, e: AppealDecided) -> CampaignState:
    appeal = replace(
        state.appeals[e.appeal_id], decision=e.decision, decision_reasons=e.reasons, approver=e.approver
    )
    return bump(state, appeals=with_item(state.appeals, e.appeal_id, appeal))


def on_appeals_closed(state: CampaignState, e: AppealsClosed) -> CampaignState:
    return bump(state, stage=Stage.APPEALS_CLOSED)


HANDLERS: dict[type[Any], Any] = {
    PublishResults: publish_results,
    FileAppeal: file_appeal,
    DecideAppeal: decide_appeal,
    CloseAppeals: close_appeals,
}
APPLIERS: dict[type[Any], Any] = {
    ResultsPublished: on_published,
    AppealFiled: on_appeal,
    AppealDecided: on_decided,
    AppealsClosed: on_appeals_closed,
}
