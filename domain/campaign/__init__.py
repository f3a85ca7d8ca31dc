"""The campaign aggregate (考核任务): decide(state, command) → events, evolve(state, event), fold(events)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import reduce
from typing import Any

from domain.campaign import consultation as campaign_consultation
from domain.campaign import data as campaign_data
from domain.campaign import deductions as campaign_deductions
from domain.campaign import publication as campaign_publication
from domain.campaign import reporting as campaign_reporting
from domain.campaign import scoring as campaign_scoring
from domain.campaign import setup as campaign_setup
from domain.campaign import templates as campaign_templates
from domain.campaign import work_steps as campaign_work_steps
from domain.campaign.commands import (
    AdjustScore,
    ApplyVeto,
    AssignIndicators,
    AwardBonus,
    Command,
    ConfirmDeduction,
    ConfirmNoDeduction,
    DetermineScore,
    IssueDeployment,
    OpenCampaign,
    OpenCollection,
    ProposeDeduction,
    RecordWorkStep,
    RegisterUnits,
    RejectDeduction,
    ReviewSubmission,
    ReviseIndicators,
    StartDetermination,
    SubmitData,
)
from domain.campaign.commands_results import (
    ArchiveCampaign,
    CloseAppeals,
    CloseConsultation,
    DecideAppeal,
    FileAppeal,
    GiveOpinion,
    OpenConsultation,
    PublishResults,
    RecordDispatch,
    RecordLetterSigned,
    ReopenScores,
    ReturnReport,
    StartReporting,
    SubmitReportForApproval,
)
from domain.campaign.errors import CampaignNotOpened, MissingField, NaiveTimestamp
from domain.campaign.events import (
    BonusAwarded,
    CollectionOpened,
    DataSubmitted,
    DeductionConfirmed,
    DeductionProposed,
    DeductionRejected,
    DeploymentIssued,
    DeterminationStarted,
    IndicatorsAssigned,
    IndicatorsRevised,
    NoDeductionConfirmed,
    NoticeRegistered,
    ReviewDecision,
    ScoreAdjusted,
    ScoreDetermined,
    SubmissionReviewed,
    UnitsRegistered,
    VetoApplied,
    WorkStepRecorded,
)
from domain.campaign.events_results import (
    AppealDecided,
    AppealDecision,
    AppealFiled,
    AppealsClosed,
    CampaignArchived,
    ConsultationClosed,
    ConsultationOpened,
    ConsultationOpinionGiven,
    LetterSigned,
    OpinionPosition,
    PublishedScore,
    ReportDispatched,
    ReportingStarted,
    ReportReturned,
    ReportSubmittedForApproval,
    ResultsPublished,
    ScoresReopened,
)
from domain.campaign.state import (
    INITIAL,
    CampaignState,
)
from domain.campaign.types import (
    TRANSITIONS,
    BasisDocument,
    DatePrecision,
    Indicator,
    IndicatorKind,
    Notice,
    RuleClause,
    ScoreDisplay,
    Stage,
    Unit,
    UnitGroup,
    WorkStep,
)
from domain.shared.calendar import WorkCalendar
from domain.shared.errors import InvalidCommand
from domain.shared.events import Event
from domain.shared.figures import DataReport, EvidenceFile, HotlineFigures, RatingCounts, SurveySample

_FEATURES = (
    campaign_setup,
    campaign_templates,
    campaign_work_steps,
    campaign_data,
    campaign_scoring,
    campaign_deductions,
    campaign_consultation,
    campaign_publication,
    campaign_reporting,
)
_HANDLERS: dict[type[Any], Callable[[CampaignState, Any], list[Event]]] = {
    kind: handler for feature in _FEATURES for kind, handler in feature.HANDLERS.items()
}
_APPLIERS: dict[type[Any], Callable[[CampaignState, Any], CampaignState]] = {
    kind: applier for feature in _FEATURES for kind, applier in feature.APPLIERS.items()
}

CAMPAIGN_COMMANDS: tuple[type[Command], ...] = tuple(_HANDLERS)
CAMPAIGN_EVENTS: tuple[type[Event], ...] = tuple(_APPLIERS)
INITIAL_STATE = INITIAL


class UnknownCommand(InvalidCommand):
    code = "unknown_command"


def decide(state: CampaignState, command: Command) -> list[Event]:
    """The events a command produces in this state, or a named DomainError; the state is not changed."""
    if command.at.tzinfo is None or command.at.utcoffset() is None:
        raise NaiveTimestamp("command time must be timezone-aware", at=command.at.isoformat())
    if not command.actor:
        raise MissingField("actor is required", field="actor")
    handler = _HANDLERS.get(type(command))
    if handler is None:
        raise UnknownCommand(f"the campaign does not handle {type(command).__name__}")
    if state.stage is None and not isinstance(command, OpenCampaign):
        raise CampaignNotOpened("register the notice first")
    return handler(state, command)


def evolve(state: CampaignState, event: Event) -> CampaignState:
    """The state after one event (pure: ``state`` is left as it was)."""
    applier = _APPLIERS.get(type(event))
    if applier is None:
        raise TypeError(f"{type(event).__name__} is not a campaign event")
    return applier(state, event)


def fold(events: Iterable[Event], state: CampaignState | None = None) -> CampaignState:
    """Replay: the state after all events, from ``state`` or from the initial state."""
    return reduce(evolve, events, INITIAL_STATE if state is None else state)


def as_of(events: Iterable[Event], moment: datetime) -> CampaignState:
    """Audit: the state made by the events that happened at or before ``moment`` (business time)."""
    return fold(e for e in events if e.at <= moment)


def execute(state: CampaignState, command: Command) -> tuple[CampaignState, list[Event]]:
    """decide, then evolve with what was decided: the live aggregate step (the store appends the events)."""
    events = decide(state, command)
    return fold(events, state), events


__all__ = [
    "CAMPAIGN_COMMANDS",
    "CAMPAIGN_EVENTS",
    "INITIAL",
    "INITIAL_STATE",
    "TRANSITIONS",
    "AdjustScore",
    "AppealDecided",
    "AppealDecision",
    "AppealFiled",
    "AppealsClosed",
    "ApplyVeto",
    "ArchiveCampaign",
    "AssignIndicators",
    "AwardBonus",
    "BasisDocument",
    "BonusAwarded",
    "CampaignArchived",
    "CloseAppeals",
    "CloseConsultation",
    "CollectionOpened",
    "Command",
    "ConfirmDeduction",
    "ConfirmNoDeduction",
    "ConsultationClosed",
    "ConsultationOpened",
    "ConsultationOpinionGiven",
    "DataReport",
    "DataSubmitted",
    "DatePrecision",
    "DecideAppeal",
    "DeductionConfirmed",
    "DeductionProposed",
    "DeductionRejected",
    "DeploymentIssued",
    "DeterminationStarted",
    "DetermineScore",
    "EvidenceFile",
    "FileAppeal",
    "GiveOpinion",
    "HotlineFigures",
    "Indicator",
    "IndicatorKind",
    "IndicatorsAssigned",
    "IndicatorsRevised",
    "IssueDeployment",
    "LetterSigned",
    "NoDeductionConfirmed",
    "Notice",
    "NoticeRegistered",
    "OpenCampaign",
    "OpenCollection",
    "OpenConsultation",
    "OpinionPosition",
    "ProposeDeduction",
    "PublishResults",
    "PublishedScore",
    "RatingCounts",
    "RecordDispatch",
    "RecordLetterSigned",
    "RecordWorkStep",
    "RegisterUnits",
    "RejectDeduction",
    "ReopenScores",
    "ReportDispatched",
    "ReportReturned",
    "ReportSubmittedForApproval",
    "ReportingStarted",
    "ResultsPublished",
    "ReturnReport",
    "ReviewDecision",
    "ReviewSubmission",
    "ReviseIndicators",
    "RuleClause",
    "ScoreAdjusted",
    "ScoreDetermined",
    "ScoreDisplay",
    "ScoresReopened",
    "Stage",
    "StartDetermination",
    "StartReporting",
    "SubmissionReviewed",
    "SubmitData",
    "SubmitReportForApproval",
    "SurveySample",
    "Unit",
    "UnitGroup",
    "UnitsRegistered",
    "UnknownCommand",
    "VetoApplied",
    "WorkCalendar",
    "WorkStep",
    "WorkStepRecorded",
    "as_of",
    "decide",
    "evolve",
    "execute",
    "fold",
]
