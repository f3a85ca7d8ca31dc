"""Campaign commands from consultation on: 会商, 公示 and appeals, reporting, sign-off, 报送, reopening."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.campaign.commands import Command
from domain.campaign.events_results import AppealDecision, OpinionPosition
from domain.shared.calendar import WorkCalendar
from domain.shared.figures import EvidenceFile


@dataclass(frozen=True, kw_only=True)
class OpenConsultation(Command):
    consultation_id: str
    indicator: str
    items: tuple[str, ...]
    invited: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class GiveOpinion(Command):
    """An opinion given by the actor on behalf of the co-lead unit ``acting_for``."""

    consultation_id: str
    acting_for: str
    position: OpinionPosition
    text: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseConsultation(Command):
    consultation_id: str
    outcome: str


@dataclass(frozen=True, kw_only=True)
class PublishResults(Command):
    """公示 for ``window_working_days`` working days after the publication date, by ``calendar``."""

    window_working_days: int
    calendar: WorkCalendar


@dataclass(frozen=True, kw_only=True)
class FileAppeal(Command):
    """An appeal by the assessed unit ``acting_for`` (the actor acts for it) on its own result."""

    appeal_id: str
    acting_for: str
    unit: str
    indicator: str
    reasons: str
    evidence: tuple[EvidenceFile, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DecideAppeal(Command):
    """维持 (no new score) or 调整 (``new_score`` required)."""

    appeal_id: str
    decision: AppealDecision
    reasons: str
    approver: str
    new_score: Decimal | None = None
    basis: str = ""


@dataclass(frozen=True, kw_only=True)
class CloseAppeals(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class StartReporting(Command):
    document_id: str


@dataclass(frozen=True, kw_only=True)
class SubmitReportForApproval(Command):
    document_id: str


@dataclass(frozen=True, kw_only=True)
class ReturnReport(Command):
    document_id: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RecordLetterSigned(Command):
    document_id: str
    signed_by: str


@dataclass(frozen=True, kw_only=True)
class RecordDispatch(Command):
    document_id: str
    recipient: str
    document_number: str


@dataclass(frozen=True, kw_only=True)
class ArchiveCampaign(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class ReopenScores(Command):
    reason: str
    approver: str
    basis: str = ""
