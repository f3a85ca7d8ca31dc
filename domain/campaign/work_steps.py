"""Decide and apply: dated work steps the results letter recounts that are no other event.

The letter tells what was done and when: a provincial notice received, the deployment, a report to the
provincial centre. The deployment is its own event (``DeploymentIssued``); the rest are recorded here, in any
stage before the letter is dispatched.
"""

from __future__ import annotations

from typing import Any

from domain.campaign.commands import RecordWorkStep
from domain.campaign.errors import DuplicateId, InvalidWorkStepDate
from domain.campaign.events import WorkStepRecorded
from domain.campaign.rules import bump, require_indicator, require_stage, require_text
from domain.campaign.state import CampaignState
from domain.campaign.types import DatePrecision, Stage, WorkStep
from domain.shared.calendar import business_date
from domain.shared.events import Event

RECORDABLE = tuple(s for s in Stage if s not in (Stage.DISPATCHED, Stage.ARCHIVED))
"""Work steps are recorded up to the signed letter; once dispatched, the letter has told its story."""


def record_work_step(state: CampaignState, c: RecordWorkStep) -> list[Event]:
    require_stage(state, *RECORDABLE)
    require_text(what=c.what)
    if c.indicator is not None:
        require_indicator(state, c.indicator)
    if c.on > business_date(c.at):
        raise InvalidWorkStepDate("a work step is recorded once it has happened", on=c.on.isoformat())
    if c.precision is DatePrecision.MONTH and c.on.day != 1:
        raise InvalidWorkStepDate("a step known only by its month is dated the 1st", on=c.on.isoformat())
    step = step_of(c)
    if step in state.work_steps:
        raise DuplicateId("this work step is already recorded", on=c.on.isoformat(), what=c.what)
    return [
        WorkStepRecorded(
            at=c.at,
            actor=c.actor,
            on=c.on,
            what=c.what,
            precision=c.precision,
            indicator=c.indicator,
            issuer=c.issuer,
            document_number=c.document_number,
        )
    ]


def step_of(source: RecordWorkStep | WorkStepRecorded) -> WorkStep:
    return WorkStep(
        on=source.on,
        what=source.what,
        precision=source.precision,
        indicator=source.indicator,
        issuer=source.issuer,
        document_number=source.document_number,
    )


def on_recorded(state: CampaignState, e: WorkStepRecorded) -> CampaignState:
    return bump(state, work_steps=(*state.work_steps, step_of(e)))


HANDLERS: dict[type[Any], Any] = {RecordWorkStep: record_work_step}
APPLIERS: dict[type[Any], Any] = {WorkStepRecorded: on_recorded}
