"""Commands on an outgoing document: what a user asks for, with time, actor and role passed in."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime

from domain.approval.chain import Chain
from domain.approval.events import Annex


@dataclasses.dataclass(frozen=True, kw_only=True)
class Command:
    """``role`` is the role the actor acts in; it matters for tasks offered to a role."""

    at: datetime
    actor: str
    role: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class DraftDocument(Command):
    document_id: str
    campaign_id: str
    doc_type: str
    title: str
    content_hash: str
    chain: Chain
    annexes: tuple[Annex, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReviseDraft(Command):
    title: str
    content_hash: str
    annexes: tuple[Annex, ...] = ()


@dataclasses.dataclass(frozen=True, kw_only=True)
class SubmitDraft(Command):
    opinion: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TaskCommand(Command):
    task_id: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ApproveTask(TaskCommand):
    """同意; on 签发, ``signing_date`` (成文日期) defaults to the day of ``at`` (±1 day allowed)."""

    opinion: str = ""
    signing_date: date | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class DisagreeTask(TaskCommand):
    opinion: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReturnTask(TaskCommand):
    """退回 to ``to_step`` (a step key; None = the previous step, the first step = the drafter)."""

    reason: str
    to_step: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class WithdrawSubmission(Command):
    reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClaimTask(TaskCommand):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class UnclaimTask(TaskCommand):
    pass


@dataclasses.dataclass(frozen=True, kw_only=True)
class DelegateTask(TaskCommand):
    to: str
    reason: str = ""
    target_roles: tuple[str, ...] | None = None
    """The roles ``to`` holds as an active user, looked up by the server (empty: no such active user;
    None: not looked up, as in pure-domain use)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ResolveDelegation(TaskCommand):
    opinion: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class TransferTask(TaskCommand):
    to: str
    reason: str = ""
    target_roles: tuple[str, ...] | None = None
    """The roles ``to`` holds as an active user, looked up by the server (empty: no such active user;
    None: not looked up, as in pure-domain use)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AddSigner(TaskCommand):
    signer: str
    reason: str = ""
    target_roles: tuple[str, ...] | None = None
    """The roles ``signer`` holds as an active user, looked up by the server (empty: no such active user;
    None: not looked up, as in pure-domain use)."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignNumber(TaskCommand):
    """Record the serial the number register (``code``, ``year``) issued to this document."""

    code: str
    year: int
    serial: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class DispatchDocument(TaskCommand):
    recipient: str
    channel: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class AcknowledgeReceipt(Command):
    received_by: str
    note: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class ReopenDocument(Command):
    reason: str
