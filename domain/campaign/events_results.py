"""Campaign events from consultation on: 会商, 公示 and appeals, reporting, sign-off, 报送, reopening."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.shared.events import Event, register
from domain.shared.figures import EvidenceFile


class OpinionPosition(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"


class AppealDecision(StrEnum):
    UPHELD = "upheld"  # 维持
    ADJUSTED = "adjusted"  # 调整


@dataclass(frozen=True, kw_only=True)
class PublishedScore:
    """One row of the published snapshot: the score and how it was shown."""

    unit: str
    indicator: str
    score: Decimal
    display: str
    vetoed: bool = False


@register
@dataclass(frozen=True, kw_only=True)
class ConsultationOpened(Event):
    TYPE = "ConsultationOpened"
    consultation_id: str
    indicator: str
    items: tuple[str, ...]
    invited: tuple[str, ...]


@register
@dataclass(frozen=True, kw_only=True)
class ConsultationOpinionGiven(Event):
    """A co-lead unit's opinion; dissent is kept as given."""

    TYPE = "ConsultationOpinionGiven"
    consultation_id: str
    unit: str
    position: OpinionPosition
    text: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class ConsultationClosed(Event):
    TYPE = "ConsultationClosed"
    consultation_id: str
    outcome: str


@register
@dataclass(frozen=True, kw_only=True)
class ResultsPublished(Event):
    """公示: the scores table as of publication, and the appeal window (inclusive working-day range)."""

    TYPE = "ResultsPublished"
    publication: int
    window_start: date
    window_end: date
    window_working_days: int
    snapshot: tuple[PublishedScore, ...]
    calendar_basis: str = ""
    """Which holiday data the window was counted with (each year's declared notice, or the bundled data)."""


@register
@dataclass(frozen=True, kw_only=True)
class AppealFiled(Event):
    TYPE = "AppealFiled"
    appeal_id: str
    unit: str
    indicator: str
    reasons: str
    evidence: tuple[EvidenceFile, ...] = ()


@register
@dataclass(frozen=True, kw_only=True)
class AppealDecided(Event):
    """复核 decision; an 调整 is followed by the ScoreAdjusted it produces."""

    TYPE = "AppealDecided"
    appeal_id: str
    decision: AppealDecision
    reasons: str
    approver: str


@register
@dataclass(frozen=True, kw_only=True)
class AppealsClosed(Event):
    TYPE = "AppealsClosed"


@register
@dataclass(frozen=True, kw_only=True)
class ReportingStarted(Event):
    """The results letter (函) is being drafted as document ``document_id`` of the approval chain."""

    TYPE = "ReportingStarted"
    document_id: str


@register
@dataclass(frozen=True, kw_only=True)
class ReportSubmittedForApproval(Event):
    TYPE = "ReportSubmittedForApproval"
    document_id: str


@register
@dataclass(frozen=True, kw_only=True)
class ReportReturned(Event):
    """The approval chain sent the draft back; the campaign is reporting again."""

    TYPE = "ReportReturned"
    document_id: str
    reason: str


@register
@dataclass(frozen=True, kw_only=True)
class LetterSigned(Event):
    """签发 recorded from the approval chain; scores are frozen from here on."""

    TYPE = "LetterSigned"
    document_id: str
    signed_by: str


@register
@dataclass(frozen=True, kw_only=True)
class ReportDispatched(Event):
    """报送: the signed letter, with its 文号, went to the recipient."""

    TYPE = "ReportDispatched"
    document_id: str
    recipient: str
    document_number: str


@register
@dataclass(frozen=True, kw_only=True)
class CampaignArchived(Event):
    TYPE = "CampaignArchived"


@register
@dataclass(frozen=True, kw_only=True)
class ScoresReopened(Event):
    """A recorded, approved reopening of locked or frozen scores; the campaign is determining again."""

    TYPE = "ScoresReopened"
    reason: str
    approver: str
    basis: str = ""
