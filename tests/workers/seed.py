"""Commands for the worker tests: the seed campaign and a letter in approval, run through the use cases."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain import approval, campaign
from domain.approval.chain import CHAINS
from services.app.commands import Actor, CommandRunner, RequestInfo
from services.app.usecases import UseCases
from services.eventstore.store import EventStore
from services.seed import scenario

REPORTING = (
    campaign.StartReporting
    | campaign.SubmitReportForApproval
    | campaign.RecordLetterSigned
    | campaign.RecordDispatch
)


def actor(name: str, role: str = "drafter") -> Actor:
    return Actor(name, name, role)


def run_campaign(store: EventStore) -> UseCases:
    """The model letter's campaign up to the closed appeal window (about 140 events)."""
    use_cases = UseCases(CommandRunner(store))
    for step in scenario.steps():
        command = step.command
        if not isinstance(command, REPORTING):
            use_cases.campaign(scenario.CAMPAIGN_ID, command, actor(command.actor), RequestInfo())
    return use_cases


def draft_letter(use_cases: UseCases, document_id: str, at: datetime) -> None:
    """A letter drafted and submitted: its 核稿 task waits in the section chief's inbox."""
    chain = CHAINS["letter"].without("countersign")
    draft = approval.DraftDocument(
        at=at,
        actor=scenario.DRAFTER,
        role="drafter",
        document_id=document_id,
        campaign_id=scenario.CAMPAIGN_ID,
        doc_type="letter",
        title=f"关于报送考核结果的函（{document_id}）",
        content_hash="0" * 64,
        chain=chain,
    )
    use_cases.document(document_id, draft, actor(scenario.DRAFTER), RequestInfo())
    submit = approval.SubmitDraft(at=at + timedelta(minutes=5), actor=scenario.DRAFTER, role="drafter")
    use_cases.document(document_id, submit, actor(scenario.DRAFTER), RequestInfo(request_id="req-seed"))
