"""Decide and apply: deductions (扣分) proposed with clause, facts and evidence, then confirmed by another."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.campaign.commands import ConfirmDeduction, ProposeDeduction, RejectDeduction
from domain.campaign.errors import AlreadyDetermined, DeductionNotPending, DuplicateId, UnknownDeduction
from domain.campaign.events import DeductionConfirmed, DeductionProposed, DeductionRejected
from domain.campaign.queries import entries
from domain.campaign.rules import (
    bump,
    check_evidence,
    require_other_confirmer,
    require_scoring,
    require_text,
    require_unit,
    with_item,
)
from domain.campaign.scoring import POINTS, add_entry, check_item, require_item_points, scorable
from domain.campaign.state import CampaignState, Deduction, DeductionStatus
from domain.shared.events import Event
from domain.shared.scoring import EntryKind, ScoreEntry
from domain.shared.values import InvalidNumber


def propose_deduction(state: CampaignState, c: ProposeDeduction) -> list[Event]:
    indicator = scorable(state, c.indicator, "deduction")
    require_text(deduction_id=c.deduction_id)
    if c.deduction_id in state.deductions:
        raise DuplicateId("deduction id already used", deduction_id=c.deduction_id)
    require_unit(state, c.unit)
    check_item(indicator, c.clause, c.facts)
    require_item_points(c.points, indicator.points, POINTS)
    if any(e.kind is EntryKind.NO_DEDUCTION for e in entries(state, c.unit, c.indicator)):
        raise AlreadyDetermined("no deduction was confirmed here; adjust the score instead", unit=c.unit)
    check_evidence(c.evidence)
    return [
        DeductionProposed(
            at=c.at,
            actor=c.actor,
            deduction_id=c.deduction_id,
            unit=c.unit,
            indicator=c.indicator,
            clause=c.clause,
            facts=c.facts,
            points=c.points,
            evidence=c.evidence,
        )
    ]


def confirm_deduction(state: CampaignState, c: ConfirmDeduction) -> list[Event]:
    deduction = _pending(state, c.deduction_id)
    if deduction.void:
        raise InvalidNumber(
            f"points: {deduction.void}; reject this deduction and propose it again", field="points"
        )
    require_other_confirmer(deduction.proposed_by, c.actor)
    return [DeductionConfirmed(at=c.at, actor=c.actor, deduction_id=c.deduction_id, opinion=c.opinion)]


def reject_deduction(state: CampaignState, c: RejectDeduction) -> list[Event]:
    _pending(state, c.deduction_id)
    require_text(reason=c.reason)
    return [DeductionRejected(at=c.at, actor=c.actor, deduction_id=c.deduction_id, reason=c.reason)]


def _pending(state: CampaignState, deduction_id: str) -> Deduction:
    require_scoring(state)
    deduction = state.deductions.get(deduction_id)
    if deduction is None:
        raise UnknownDeduction(f"no deduction {deduction_id!r}", deduction_id=deduction_id)
    if deduction.status is not DeductionStatus.PROPOSED:
        raise DeductionNotPending("this deduction was already decided", status=deduction.status.value)
    return deduction


def on_proposed(state: CampaignState, e: DeductionProposed) -> CampaignState:
    deduction = Deduction(
        e.deduction_id, e.unit, e.indicator, e.clause, e.facts, e.points, e.evidence, proposed_by=e.actor,
        void=e.void,
    )  # fmt: skip
    return bump(state, deductions=with_item(state.deductions, e.deduction_id, deduction))


def on_confirmed(state: CampaignState, e: DeductionConfirmed) -> CampaignState:
    deduction = _decided(state, e.deduction_id, DeductionStatus.CONFIRMED, e.actor, e.opinion)
    if deduction.void:  # confirmed before values were checked, with a value out of its domain
        return bump(_with(state, deduction))
    entry = ScoreEntry(EntryKind.DEDUCTION, deduction.points, e.deduction_id)
    return add_entry(_with(state, deduction), deduction.unit, deduction.indicator, entry)


def on_rejected(state: CampaignState, e: DeductionRejected) -> CampaignState:
    deduction = _decided(state, e.deduction_id, DeductionStatus.REJECTED, e.actor, e.reason)
    return bump(_with(state, deduction))


def _decided(
    state: CampaignState, deduction_id: str, status: DeductionStatus, by: str, text: str
) -> Deduction:
    return replace(state.deductions[deduction_id], status=status, decided_by=by, opinion=text)


def _with(state: CampaignState, deduction: Deduction) -> CampaignState:
    return replace(state, deductions=with_item(state.deductions, deduction.deduction_id, deduction))


HANDLERS: dict[type[Any], Any] = {
    ProposeDeduction: propose_deduction,
    ConfirmDeduction: confirm_deduction,
    RejectDeduction: reject_deduction,
}
APPLIERS: dict[type[Any], Any] = {
    DeductionProposed: on_proposed,
    DeductionConfirmed: on_confirmed,
    DeductionRejected: on_rejected,
}
