"""The campaign's state as folded from its events (immutable: every change makes a new value)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from domain.campaign.events import ReviewDecision
from domain.campaign.events_results import AppealDecision, OpinionPosition, PublishedScore
from domain.campaign.types import BasisDocument, Indicator, Notice, Stage, Unit, WorkStep
from domain.shared.figures import DataReport, EvidenceFile
from domain.shared.scoring import ScoreEntry

Cell = tuple[str, str]
"""(unit code, indicator code)."""


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    RETURNED = "returned"


class DeductionStatus(StrEnum):
    PROPOSED = "proposed"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


@dataclass(frozen=True)
class SubmissionVersion:
    version: int
    report: DataReport
    submitted_by: str
    submitted_at: datetime
    decision: ReviewDecision | None = None
    opinion: str = ""
    reviewed_by: str = ""


@dataclass(frozen=True)
class Submission:
    """A data report and all its versions; a returned version is kept beside its resubmission."""

    submission_id: str
    indicator: str
    unit: str | None
    versions: tuple[SubmissionVersion, ...]

    @property
    def latest(self) -> SubmissionVersion:
        return self.versions[-1]

    @property
    def status(self) -> SubmissionStatus:
        decision = self.latest.decision
        return SubmissionStatus.PENDING if decision is None else SubmissionStatus(decision.value)


@dataclass(frozen=True)
class Deduction:
    deduction_id: str
    unit: str
    indicator: str
    clause: str
    facts: str
    points: Decimal
    evidence: tuple[EvidenceFile, ...]
    proposed_by: str
    status: DeductionStatus = DeductionStatus.PROPOSED
    decided_by: str = ""
    opinion: str = ""
    void: str = ""
    """Why the recorded points count for nothing (a version-1 record out of its domain), else empty."""


@dataclass(frozen=True)
class Opinion:
    unit: str
    position: OpinionPosition
    text: str
    given_by: str
    at: datetime


@dataclass(frozen=True)
class Consultation:
    consultation_id: str
    indicator: str
    items: tuple[str, ...]
    invited: tuple[str, ...]
    opinions: tuple[Opinion, ...] = ()
    outcome: str | None = None

    @property
    def is_open(self) -> bool:
        return self.outcome is None

    @property
    def silent(self) -> tuple[str, ...]:
        """Invited units that have not given an opinion yet."""
        heard = {o.unit for o in self.opinions}
        return tuple(u for u in self.invited if u not in heard)


@dataclass(frozen=True)
class Publication:
    number: int
    at: datetime
    window_start: date
    window_end: date
    snapshot: tuple[PublishedScore, ...]


@dataclass(frozen=True)
class Appeal:
    appeal_id: str
    unit: str
    indicator: str
    reasons: str
    evidence: tuple[EvidenceFile, ...]
    filed_by: str
    filed_at: datetime
    decision: AppealDecision | None = None
    decision_reasons: str = ""
    approver: str = ""


@dataclass(frozen=True)
class IndicatorSetVersion:
    version: int
    indicators: tuple[Indicator, ...]
    at: datetime
    approver: str
    reason: str


@dataclass(frozen=True)
class Reopening:
    at: datetime
    reason: str
    approver: str
    basis: str
    from_stage: Stage


@dataclass(frozen=True)
class Report:
    """The results letter as the campaign knows it; the approval chain holds its steps."""

    document_id: str
    signed_by: str = ""
    recipient: str = ""
    document_number: str = ""


@dataclass(frozen=True)
class CampaignState:
    """``stage`` is None until the notice is registered. Mappings are never mutated in place."""

    campaign_id: str = ""
    stage: Stage | None = None
    version: int = 0
    notice: Notice | None = None
    basis: tuple[BasisDocument, ...] = ()
    year: int = 0
    assessing_unit: str = ""
    responsibility: str = ""
    report_to: str = ""
    units: Mapping[str, Unit] = field(default_factory=dict)
    indicators: Mapping[str, Indicator] = field(default_factory=dict)
    indicator_versions: tuple[IndicatorSetVersion, ...] = ()
    collection_deadline: date | None = None
    submissions: Mapping[str, Submission] = field(default_factory=dict)
    cells: Mapping[Cell, tuple[ScoreEntry, ...]] = field(default_factory=dict)
    deductions: Mapping[str, Deduction] = field(default_factory=dict)
    consultations: Mapping[str, Consultation] = field(default_factory=dict)
    publications: tuple[Publication, ...] = ()
    appeals: Mapping[str, Appeal] = field(default_factory=dict)
    reopenings: tuple[Reopening, ...] = ()
    reports: tuple[Report, ...] = ()
    deployment: WorkStep | None = None
    work_steps: tuple[WorkStep, ...] = ()
    report_templates: Mapping[str, str] = field(default_factory=dict)
    """Report type → the campaign's own body template (else the default one is used)."""

    @property
    def report(self) -> Report | None:
        """The letter of the current round (a reopening starts a new one)."""
        return self.reports[-1] if self.reports else None

    @property
    def publication(self) -> Publication | None:
        return self.publications[-1] if self.publications else None

    @property
    def indicator_version(self) -> int:
        return self.indicator_versions[-1].version if self.indicator_versions else 0


INITIAL = CampaignState()
