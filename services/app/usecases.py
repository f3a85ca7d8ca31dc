"""Use cases: the aggregates' functions named once, and the policies that keep streams in step.

A document's approval drives its campaign's stages (drafting the letter starts reporting, signing it
records the signature, dispatching it records the dispatch); a 文号 comes from its register. Each such
pair of changes is appended in one transaction, so the campaign and the document never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from domain import approval, campaign, numbering
from domain.approval.chain import CHAINS
from domain.campaign.state import CampaignState
from domain.shared import calendar_years
from domain.shared.events import Event
from services.app.commands import Actor, Aggregate, CommandResult, CommandRunner, RequestInfo

CAMPAIGN: Aggregate[CampaignState] = Aggregate("campaign", campaign.fold, campaign.decide)
DOCUMENT: Aggregate[approval.DocumentState] = Aggregate("document", approval.fold, approval.decide)
REGISTER: Aggregate[numbering.RegisterState] = Aggregate(
    "register", numbering.fold_register, numbering.decide_register
)
CALENDAR: Aggregate[calendar_years.CalendarYears] = Aggregate(
    "calendar", calendar_years.fold, calendar_years.decide
)
AGGREGATES = {a.name: a for a in (CAMPAIGN, DOCUMENT, REGISTER, CALENDAR)}


@dataclass
class UseCases:
    runner: CommandRunner

    def campaign(self, key: str, command: Any, actor: Actor, request: RequestInfo) -> CommandResult:
        return self.runner.execute(CAMPAIGN, key, command, actor, request)

    def register(self, key: str, command: Any, actor: Actor, request: RequestInfo) -> CommandResult:
        return self.runner.execute(REGISTER, key, command, actor, request)

    def calendar(self, key: str, command: Any, actor: Actor, request: RequestInfo) -> CommandResult:
        return self.runner.execute(CALENDAR, key, command, actor, request)

    def document(self, key: str, command: Any, actor: Actor, request: RequestInfo) -> CommandResult:
        """Decide on the document, then let the campaign (and register) follow in the same append."""
        stream_id = DOCUMENT.stream_id(key)
        replay = self.runner.replay(stream_id, request)
        if replay is not None:
            return replay
        doc, doc_version = self.runner.load_for_write(DOCUMENT, stream_id, request)
        events = approval.decide(doc, command)
        after = approval.fold(events, doc)
        changes: list[tuple[str, int, list[Event]]] = [(stream_id, doc_version, events)]
        changes += self._campaign_follows(after, events, command, actor)
        changes += self._register_follows(after, events, command)
        return self.runner.append(changes, actor, request, primary=stream_id)

    def assign_number(self, key: str, command: Any, actor: Actor, request: RequestInfo) -> CommandResult:
        """登记编号: take the next serial from the register, then give it to the document, atomically."""
        stream_id = DOCUMENT.stream_id(key)
        replay = self.runner.replay(stream_id, request)
        if replay is not None:
            return replay
        doc, doc_version = self.runner.load_for_write(DOCUMENT, stream_id, request)
        register_id = numbering.register_id(command.code, command.year)
        register, register_version = self.runner.load(REGISTER, REGISTER.stream_id(register_id))
        issued = numbering.decide_register(
            register, numbering.IssueNumber(at=command.at, actor=command.actor, document_id=key)
        )
        serial = next((e.serial for e in issued if isinstance(e, numbering.NumberIssued)), None)
        if serial is None:
            held = register.held_by(key)
            serial = held.serial if held else command.serial
        doc_events = approval.decide(doc, replace(command, serial=serial))
        after = approval.fold(doc_events, doc)
        changes: list[tuple[str, int, list[Event]]] = [
            (stream_id, doc_version, doc_events),
            (REGISTER.stream_id(register_id), register_version, issued),
        ]
        changes += self._campaign_follows(after, doc_events, command, actor)
        return self.runner.append(changes, actor, request, primary=stream_id)

    def _campaign_follows(
        self, doc: approval.DocumentState, events: list[Event], command: Any, actor: Actor
    ) -> list[tuple[str, int, list[Event]]]:
        if not doc.campaign_id or doc.doc_type not in CHAINS:
            return []
        follow = _campaign_command(doc, events, command)
        if follow is None:
            return []
        stream_id = CAMPAIGN.stream_id(doc.campaign_id)
        state, version = self.runner.load(CAMPAIGN, stream_id)
        return [(stream_id, version, campaign.decide(state, follow))]

    def _register_follows(
        self, doc: approval.DocumentState, events: list[Event], command: Any
    ) -> list[tuple[str, int, list[Event]]]:
        changes = []
        for event in events:
            if isinstance(event, approval.DocumentNumberVoided):
                stream_id = REGISTER.stream_id(event.register_id)
                serial = event.serial
                register, version = self.runner.load(REGISTER, stream_id)
                void = numbering.VoidNumber(
                    at=command.at, actor=command.actor, serial=serial, reason=event.reason
                )
                changes.append((stream_id, version, numbering.decide_register(register, void)))
        return changes


def _campaign_command(doc: approval.DocumentState, events: list[Event], command: Any) -> Any:
    at, actor, document_id = command.at, command.actor, doc.document_id
    for event in events:
        if isinstance(event, approval.DocumentDrafted):
            return campaign.StartReporting(at=at, actor=actor, document_id=document_id)
        if isinstance(event, approval.DocumentSigned):
            return campaign.RecordLetterSigned(at=at, actor=actor, document_id=document_id, signed_by=actor)
        if isinstance(event, approval.DocumentReopened):
            return campaign.ReturnReport(at=at, actor=actor, document_id=document_id, reason=event.reason)
        if isinstance(event, approval.DocumentDispatched):
            number = doc.number.number if doc.number else ""
            return campaign.RecordDispatch(
                at=at, actor=actor, document_id=document_id, recipient=event.recipient, document_number=number
            )
    submitted = any(isinstance(e, approval.DraftSubmitted) for e in events)
    back_to_drafter = any(isinstance(e, approval.TaskReturned | approval.SubmissionWithdrawn) for e in events)
    if submitted:
        return campaign.SubmitReportForApproval(at=at, actor=actor, document_id=document_id)
    if back_to_drafter and doc.current == 0:
        reason = getattr(command, "reason", "") or "退回拟稿人修改"
        return campaign.ReturnReport(at=at, actor=actor, document_id=document_id, reason=reason)
    return None
