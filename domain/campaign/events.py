"""Campaign events up to scoring: notice, units, indicators, deployment, data and determinations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.campaign.types import BasisDocument, DatePrecision, Indicator, Notice, Unit
from domain.shared.events import Event, register
from domain.shared.figures import DataReport, EvidenceFile
from domain.shared.values import void_out_of_domain


class ReviewDecision(StrEnum):
    ACCEPTED = "accepted"
    RETURNED = "returned"


@register
@dataclass(frozen=True, kw_only=True)
class NoticeRegistered(Event):
    """The campaign opens from its 通知; the first event of the campaign's stream."""

    TYPE = "NoticeRegistered"
    campaign_id: str
    notice: Notice
    basis: tuple[BasisDocument, ...]
    year: int
    assessing_unit: str
    responsibility: str
    report_to: str


@register
@dataclass(frozen=True, kw_only=True)
class UnitsRegistered(Event):
    TYPE = "UnitsRegistered"
    units: tuple[Unit, ...]


@register
@dataclass(frozen=True, kw_only=True)
class IndicatorsAssigned(Event):
    """The draft indicator set, replacing any earlier draft; it becomes version 1 at deployment."""

    TYPE = "IndicatorsAssigned"
    indicators: tuple[Indicator, ...]


@register
@dataclass(frozen=True, kw_only=True)
class IndicatorsRevised(Event):
    """A new version of the frozen indicator set, with its own approval."""

    TYPE = "IndicatorsRevised"
    version: int
    indicators: tuple[Indicator, ...]
    reason: str
    approver: str
    basis: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class DeploymentIssued(Event):
    """部署: the assessment is deployed; units and indicators (version 1) are frozen."""

    TYPE = "DeploymentIssued"
    document_number: str = ""
    summary: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class WorkStepRecorded(Event):
    """A dated step of the work (not otherwise an event) that the results letter recounts."""

    TYPE = "WorkStepRecorded"
    on: date
    what: str
    precision: DatePrecision = DatePrecision.DAY
    indicator: str | None = None
    issuer: str = ""
    document_number: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class CollectionOpened(Event):
    TYPE = "CollectionOpened"
    deadline: date


@register
@dataclass(frozen=True, kw_only=True)
class DeterminationStarted(Event):
    TYPE = "DeterminationStarted"


@register
@dataclass(frozen=True, kw_only=True)
class DataSubmitted(Event):
    """A version of a data report; ``unit`` is None for campaign-wide data (provincial platform figures)."""

    TYPE = "DataSubmitted"
    submission_id: str
    version: int
    indicator: str
    unit: str | None
    report: DataReport


@register
@dataclass(frozen=True, kw_only=True)
class SubmissionReviewed(Event):
    TYPE = "SubmissionReviewed"
    submission_id: str
    version: int
    decision: ReviewDecision
    opinion: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class ScoreDetermined(Event):
    """An explicit score for one unit, confirmed by the actor, proposed by ``proposed_by``."""

    TYPE = "ScoreDetermined"
    VERSION = 2
    UPCASTERS = {1: lambda data: void_out_of_domain(data, "score")}
    unit: str
    indicator: str
    score: Decimal
    reason: str
    proposed_by: str
    based_on: tuple[str, ...] = ()
    evidence: tuple[EvidenceFile, ...] = ()
    void: str = ""
    """Set only by the upcaster of a version-1 record whose value is out of its domain: counts for nothing."""


@register
@dataclass(frozen=True, kw_only=True)
class NoDeductionConfirmed(Event):
    """An approved "不扣分" for one unit: an explicit result, never the absence of one."""

    TYPE = "NoDeductionConfirmed"
    unit: str
    indicator: str
    reason: str
    proposed_by: str
    based_on: tuple[str, ...] = ()
    evidence: tuple[EvidenceFile, ...] = ()


@register
@dataclass(frozen=True, kw_only=True)
class DeductionProposed(Event):
    TYPE = "DeductionProposed"
    VERSION = 2
    UPCASTERS = {1: lambda data: void_out_of_domain(data, "points")}
    deduction_id: str
    unit: str
    indicator: str
    clause: str
    facts: str
    points: Decimal
    evidence: tuple[EvidenceFile, ...] = ()
    void: str = ""
    """Set only by the upcaster of a version-1 record whose value is out of its domain: counts for nothing."""


@register
@dataclass(frozen=True, kw_only=True)
class DeductionConfirmed(Event):
    TYPE = "DeductionConfirmed"
    deduction_id: str
    opinion: str = ""


@register
@dataclass(frozen=True, kw_only=True)
class DeductionRejected(Event):
    TYPE = "DeductionRejected"
    deduction_id: str
    reason: str


@register
@dataclass(frozen=True, kw_only=True)
class BonusAwarded(Event):
    TYPE = "BonusAwarded"
    VERSION = 2
    UPCASTERS = {1: lambda data: void_out_of_domain(data, "points")}
    unit: str
    indicator: str
    clause: str
    facts: str
    points: Decimal
    proposed_by: str
    evidence: tuple[EvidenceFile, ...] = ()
    void: str = ""
    """Set only by the upcaster of a version-1 record whose value is out of its domain: counts for nothing."""


@register
@dataclass(frozen=True, kw_only=True)
class VetoApplied(Event):
    """一票否决: the unit scores 0 on the indicator and shows as vetoed."""

    TYPE = "VetoApplied"
    unit: str
    indicator: str
    clause: str
    facts: str
    proposed_by: str
    evidence: tuple[EvidenceFile, ...] = ()


@register
@dataclass(frozen=True, kw_only=True)
class ScoreAdjusted(Event):
    """A score changed from ``before`` to ``after``, approved; by an appeal decision when appeal_id is set."""

    TYPE = "ScoreAdjusted"
    VERSION = 2
    UPCASTERS = {1: lambda data: void_out_of_domain(data, "before", "after")}
    unit: str
    indicator: str
    before: Decimal
    after: Decimal
    reason: str
    basis: str
    approver: str
    appeal_id: str | None = None
    void: str = ""
    """Set only by the upcaster of a version-1 record whose value is out of its domain: counts for nothing."""
