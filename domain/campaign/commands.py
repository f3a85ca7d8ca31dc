"""Campaign commands up to scoring: open, units, indicators, deployment, data and determinations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.campaign.events import ReviewDecision
from domain.campaign.types import BasisDocument, DatePrecision, Indicator, Notice, Unit
from domain.shared.figures import DataReport, EvidenceFile


@dataclass(frozen=True, kw_only=True)
class Command:
    """What someone asks the campaign to do: business time (tz-aware) and the acting user id."""

    at: datetime
    actor: str


@dataclass(frozen=True, kw_only=True)
class OpenCampaign(Command):
    campaign_id: str
    notice: Notice
    basis: tuple[BasisDocument, ...]
    year: int
    assessing_unit: str
    responsibility: str
    report_to: str


@dataclass(frozen=True, kw_only=True)
class RegisterUnits(Command):
    units: tuple[Unit, ...]


@dataclass(frozen=True, kw_only=True)
class AssignIndicators(Command):
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True, kw_only=True)
class ReviseIndicators(Command):
    indicators: tuple[Indicator, ...]
    reason: str
    approver: str
    basis: str = ""


@dataclass(frozen=True, kw_only=True)
class IssueDeployment(Command):
    document_number: str = ""
    summary: str = ""


@dataclass(frozen=True, kw_only=True)
class RecordWorkStep(Command):
    """Record a dated step the letter recounts that is no other event (e.g. a provincial notice received)."""

    on: date
    what: str
    precision: DatePrecision = DatePrecision.DAY
    indicator: str | None = None
    issuer: str = ""
    document_number: str = ""


@dataclass(frozen=True, kw_only=True)
class OpenCollection(Command):
    deadline: date


@dataclass(frozen=True, kw_only=True)
class StartDetermination(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class SubmitData(Command):
    """A new submission, or the next version of a returned one (same id)."""

    submission_id: str
    indicator: str
    unit: str | None
    report: DataReport


@dataclass(frozen=True, kw_only=True)
class ReviewSubmission(Command):
    submission_id: str
    decision: ReviewDecision
    opinion: str = ""


@dataclass(frozen=True, kw_only=True)
class DetermineScore(Command):
    """The actor confirms, for each of ``units``, the score proposed by ``proposed_by``."""

    indicator: str
    units: tuple[str, ...]
    score: Decimal
    reason: str
    proposed_by: str
    based_on: tuple[str, ...] = ()
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ConfirmNoDeduction(Command):
    indicator: str
    units: tuple[str, ...]
    reason: str
    proposed_by: str
    based_on: tuple[str, ...] = ()
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ProposeDeduction(Command):
    deduction_id: str
    unit: str
    indicator: str
    clause: str
    facts: str
    points: Decimal
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ConfirmDeduction(Command):
    deduction_id: str
    opinion: str = ""


@dataclass(frozen=True, kw_only=True)
class RejectDeduction(Command):
    deduction_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class AwardBonus(Command):
    unit: str
    indicator: str
    clause: str
    facts: str
    points: Decimal
    proposed_by: str
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ApplyVeto(Command):
    unit: str
    indicator: str
    clause: str
    facts: str
    proposed_by: str
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AdjustScore(Command):
    unit: str
    indicator: str
    after: Decimal
    reason: str
    basis: str
    approver: str
