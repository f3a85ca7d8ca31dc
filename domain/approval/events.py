"""Events of one outgoing document's stream: drafting, tasks, decisions, 签发, 文号, 报送."""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import StrEnum

from domain.approval.chain import Chain
from domain.shared.events import Event, register


class Outcome(StrEnum):
    APPROVE = "approve"  # 同意 (圈阅 counts as approval)
    DISAGREE = "disagree"  # 不同意, only inside a parallel block


class CancelReason(StrEnum):
    BLOCK_COMPLETED = "block_completed"  # the block's rule was met without this member
    RETURNED = "returned"  # 退回 by a holder of the block
    REJECTED = "rejected"  # 驳回: the block's rule can no longer be met
    WITHDRAWN = "withdrawn"  # 撤回 by the previous step's decider
    REOPENED = "reopened"  # explicit reopening of a signed document


@dataclasses.dataclass(frozen=True, kw_only=True)
class Annex:
    """附件: title and content hash of one annex (e.g. a scoring table)."""

    title: str
    content_hash: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentDrafted(Event):
    """Version 1 of a document, with the chain (copied, so replay never depends on today's config)."""

    TYPE = "DocumentDrafted"
    document_id: str
    campaign_id: str
    doc_type: str
    title: str
    content_hash: str
    annexes: tuple[Annex, ...] = ()
    chain: Chain


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DraftRevised(Event):
    TYPE = "DraftRevised"
    version: int
    title: str
    content_hash: str
    annexes: tuple[Annex, ...] = ()


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DraftSubmitted(Event):
    """The drafter completes the 拟稿 task: this version enters the chain."""

    TYPE = "DraftSubmitted"
    task_id: str
    version: int
    content_hash: str
    opinion: str = ""


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskOpened(Event):
    """A task of a step's round; ``assignee`` None means offered to every holder of ``role``."""

    TYPE = "TaskOpened"
    task_id: str
    step: str
    round: int
    role: str
    assignee: str | None = None
    added_by: str | None = None


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskClaimed(Event):
    TYPE = "TaskClaimed"
    task_id: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskUnclaimed(Event):
    TYPE = "TaskUnclaimed"
    task_id: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskDelegated(Event):
    """委托: the delegate works the task, the owner stays responsible and completes it after resolution."""

    TYPE = "TaskDelegated"
    task_id: str
    owner: str
    delegate: str
    reason: str = ""


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DelegationResolved(Event):
    """The delegate hands the task back to its owner with an opinion."""

    TYPE = "DelegationResolved"
    task_id: str
    owner: str
    delegate: str
    opinion: str = ""


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskTransferred(Event):
    """转办: the new assignee takes the task over fully."""

    TYPE = "TaskTransferred"
    task_id: str
    from_assignee: str | None
    to_assignee: str
    reason: str = ""


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class SignerAdded(Event):
    """加签 on a running parallel block: a TaskOpened for ``task_id`` follows."""

    TYPE = "SignerAdded"
    task_id: str
    step: str
    round: int
    signer: str
    added_by_task: str
    reason: str = ""


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class ApprovalStepDecided(Event):
    """A decision that closes a task; ``assisted_by`` lists delegates whose opinions the owner adopted."""

    TYPE = "ApprovalStepDecided"
    task_id: str
    step: str
    round: int
    outcome: Outcome
    opinion: str = ""
    assisted_by: tuple[str, ...] = ()


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentSigned(Event):
    """签发: fixes the 成文日期 and the signed version; from here on the document is frozen."""

    TYPE = "DocumentSigned"
    task_id: str
    signing_date: date
    version: int
    content_hash: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class StepCompleted(Event):
    TYPE = "StepCompleted"
    step: str
    round: int
    deciders: tuple[str, ...]


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskCancelled(Event):
    TYPE = "TaskCancelled"
    task_id: str
    reason: CancelReason


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskReturned(Event):
    """退回: closes ``task_id``; ``superseded`` lists the decisions (task ids) this discards."""

    TYPE = "TaskReturned"
    task_id: str
    from_step: str
    to_step: str
    reason: str
    superseded: tuple[str, ...] = ()


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class CountersignRejected(Event):
    """驳回: the block's rule can no longer be met; the document goes back to ``to_step``."""

    TYPE = "CountersignRejected"
    step: str
    round: int
    to_step: str
    superseded: tuple[str, ...] = ()


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmissionWithdrawn(Event):
    """撤回 by the previous step's decider while the current step is untouched."""

    TYPE = "SubmissionWithdrawn"
    from_step: str
    to_step: str
    reason: str = ""
    superseded: tuple[str, ...] = ()


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentReopened(Event):
    """A signed document reopened by ``actor`` (its signer or a sign-off role holder): the chain restarts."""

    TYPE = "DocumentReopened"
    reason: str
    superseded: tuple[str, ...] = ()


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentNumberAssigned(Event):
    """The 文号 this document got from the register (closes the 登记编号 task)."""

    TYPE = "DocumentNumberAssigned"
    task_id: str
    register_id: str
    serial: int
    number: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentNumberVoided(Event):
    """The document lost its 文号 (returned before numbering, or reopened); the number stays used."""

    TYPE = "DocumentNumberVoided"
    register_id: str
    serial: int
    number: str
    reason: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentDispatched(Event):
    """报送 (closes the dispatch task and the chain)."""

    TYPE = "DocumentDispatched"
    task_id: str
    recipient: str
    channel: str
    number: str | None = None


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReceiptAcknowledged(Event):
    TYPE = "ReceiptAcknowledged"
    received_by: str
    note: str = ""


DOCUMENT_EVENTS: tuple[type[Event], ...] = (
    DocumentDrafted,
    DraftRevised,
    DraftSubmitted,
    TaskOpened,
    TaskClaimed,
    TaskUnclaimed,
    TaskDelegated,
    DelegationResolved,
    TaskTransferred,
    SignerAdded,
    ApprovalStepDecided,
    DocumentSigned,
    StepCompleted,
    TaskCancelled,
    TaskReturned,
    CountersignRejected,
    SubmissionWithdrawn,
    DocumentReopened,
    DocumentNumberAssigned,
    DocumentNumberVoided,
    DocumentDispatched,
    ReceiptAcknowledged,
)
