"""Decide and apply: explicit scores, approved no-deduction results, bonuses, vetoes, adjustments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.campaign.commands import AdjustScore, ApplyVeto, AwardBonus, ConfirmNoDeduction, DetermineScore
from domain.campaign.errors import (
    AlreadyDetermined,
    MissingField,
    NoChange,
    NotDetermined,
    ScoreOutOfBounds,
    SubmissionMismatch,
    SubmissionNotAccepted,
    UnknownClause,
    WrongIndicatorKind,
)
from domain.campaign.events import (
    BonusAwarded,
    NoDeductionConfirmed,
    ScoreAdjusted,
    ScoreDetermined,
    VetoApplied,
)
from domain.campaign.queries import cell_score, entries, pending_deductions
from domain.campaign.rules import (
    bump,
    check_evidence,
    require_indicator,
    require_other_confirmer,
    require_scoring,
    require_text,
    require_unit,
    with_item,
)
from domain.campaign.state import CampaignState, SubmissionStatus
from domain.campaign.types import Indicator, IndicatorKind
from domain.shared.events import Event
from domain.shared.scoring import ZERO, EntryKind, ScoreEntry, is_determined
from domain.shared.values import require_points

K = IndicatorKind
POINTS = "the indicator's points"
MAX_SCORE = "the indicator's points plus its bonus cap"
ALLOWED_KINDS = {
    "score": frozenset({K.FULL_SCORE, K.BONUS, K.VETO}),
    "no_deduction": frozenset({K.DEDUCTION}),
    "deduction": frozenset({K.DEDUCTION}),
    "bonus": frozenset({K.BONUS}),
    "veto": frozenset({K.VETO}),
}
"""Which kinds of result each indicator kind takes; adjustments apply to all."""


def determine_score(state: CampaignState, c: DetermineScore) -> list[Event]:
    indicator = _open_cells(state, c, "score")
    require_points(c.score, "score", upper=indicator.points, out_of_range=ScoreOutOfBounds, what=POINTS)
    return [
        ScoreDetermined(
            at=c.at,
            actor=c.actor,
            unit=unit,
            indicator=c.indicator,
            score=c.score,
            reason=c.reason,
            proposed_by=c.proposed_by,
            based_on=c.based_on,
            evidence=c.evidence,
        )
        for unit in c.units
    ]


def confirm_no_deduction(state: CampaignState, c: ConfirmNoDeduction) -> list[Event]:
    _open_cells(state, c, "no_deduction")
    return [
        NoDeductionConfirmed(
            at=c.at,
            actor=c.actor,
            unit=unit,
            indicator=c.indicator,
            reason=c.reason,
            proposed_by=c.proposed_by,
            based_on=c.based_on,
            evidence=c.evidence,
        )
        for unit in c.units
    ]


def _open_cells(state: CampaignState, c: DetermineScore | ConfirmNoDeduction, what: str) -> Indicator:
    """Checks for a result given to many units at once: every cell must still be open."""
    indicator = scorable(state, c.indicator, what)
    require_text(reason=c.reason)
    require_other_confirmer(c.proposed_by, c.actor)
    if not c.units or len(set(c.units)) != len(c.units):
        raise MissingField("name each unit once", field="units")
    for unit in c.units:
        require_unit(state, unit)
        if is_determined(entries(state, unit, c.indicator)) or pending_deductions(state, unit, c.indicator):
            raise AlreadyDetermined("this unit already has a result here", unit=unit, indicator=c.indicator)
    _check_basis(state, c.indicator, c.based_on)
    check_evidence(c.evidence)
    return indicator


def scorable(state: CampaignState, code: str, what: str) -> Indicator:
    require_scoring(state)
    indicator = require_indicator(state, code)
    if indicator.kind not in ALLOWED_KINDS[what]:
        raise WrongIndicatorKind(f"a {what} does not apply to a {indicator.kind} indicator", indicator=code)
    return indicator


def _check_basis(state: CampaignState, indicator: str, based_on: tuple[str, ...]) -> None:
    for submission_id in based_on:
        submission = state.submissions.get(submission_id)
        if submission is None or submission.status is not SubmissionStatus.ACCEPTED:
            raise SubmissionNotAccepted("results rest on accepted data only", submission_id=submission_id)
        if submission.indicator != indicator:
            raise SubmissionMismatch("that data belongs to another indicator", submission_id=submission_id)


def check_item(indicator: Indicator, clause: str, facts: str) -> None:
    """A deduction, bonus or veto names a rule clause of the indicator and the facts."""
    require_text(clause=clause, facts=facts)
    if indicator.clauses and indicator.clause(clause) is None:
        raise UnknownClause(
            f"no rule clause {clause!r}", indicator=indicator.code, clause=clause, field="clause"
        )


def require_item_points(value: Decimal, upper: Decimal, what: str) -> Decimal:
    """The points of a deduction (up to the indicator's points) or a bonus (up to its cap): more than 0."""
    return require_points(
        value, "points", upper=upper, positive=True, out_of_range=ScoreOutOfBounds, what=what
    )


def award_bonus(state: CampaignState, c: AwardBonus) -> list[Event]:
    indicator = scorable(state, c.indicator, "bonus")
    require_unit(state, c.unit)
    check_item(indicator, c.clause, c.facts)
    require_item_points(c.points, indicator.bonus_cap, "the indicator's bonus cap")
    require_other_confirmer(c.proposed_by, c.actor)
    check_evidence(c.evidence)
    return [
        BonusAwarded(
            at=c.at,
            actor=c.actor,
            unit=c.unit,
            indicator=c.indicator,
            clause=c.clause,
            facts=c.facts,
            points=c.points,
            proposed_by=c.proposed_by,
            evidence=c.evidence,
        )
    ]


def apply_veto(state: CampaignState, c: ApplyVeto) -> list[Event]:
    indicator = scorable(state, c.indicator, "veto")
    require_unit(state, c.unit)
    check_item(indicator, c.clause, c.facts)
    require_other_confirmer(c.proposed_by, c.actor)
    if cell_score(state, c.unit, c.indicator).vetoed:
        raise AlreadyDetermined("already vetoed", unit=c.unit, indicator=c.indicator)
    check_evidence(c.evidence)
    return [
        VetoApplied(
            at=c.at,
            actor=c.actor,
            unit=c.unit,
            indicator=c.indicator,
            clause=c.clause,
            facts=c.facts,
            proposed_by=c.proposed_by,
            evidence=c.evidence,
        )
    ]


def adjust_score(state: CampaignState, c: AdjustScore) -> list[Event]:
    require_scoring(state)
    return [adjustment(state, c)]


def adjustment(
    state: CampaignState, c: AdjustScore, appeal_id: str | None = None, field: str = "after"
) -> ScoreAdjusted:
    """The ScoreAdjusted for a change to ``c.after``: directly, or by the appeal decision ``appeal_id``.

    ``field`` names the new score in the command that asked (``after``, or an appeal's ``new_score``).
    """
    require_unit(state, c.unit)
    indicator = require_indicator(state, c.indicator)
    require_text(reason=c.reason, basis=c.basis, approver=c.approver)
    current = cell_score(state, c.unit, c.indicator)
    if current.score is None:
        raise NotDetermined("only a determined score can be adjusted", unit=c.unit, indicator=c.indicator)
    require_points(c.after, field, upper=indicator.max_score, out_of_range=ScoreOutOfBounds, what=MAX_SCORE)
    if c.after == current.score and not current.vetoed:
        raise NoChange("the score is already that", score=str(c.after))
    return ScoreAdjusted(
        at=c.at,
        actor=c.actor,
        unit=c.unit,
        indicator=c.indicator,
        before=current.score,
        after=c.after,
        reason=c.reason,
        basis=c.basis,
        approver=c.approver,
        appeal_id=appeal_id,
    )


def add_entry(state: CampaignState, unit: str, code: str, entry: ScoreEntry) -> CampaignState:
    cell = (unit, code)
    return bump(state, cells=with_item(state.cells, cell, (*state.cells.get(cell, ()), entry)))


def on_score(state: CampaignState, e: ScoreDetermined) -> CampaignState:
    if e.void:  # recorded out of its domain before values were checked: it counts for nothing
        return bump(state)
    return add_entry(state, e.unit, e.indicator, ScoreEntry(EntryKind.SCORE_SET, e.score))


def on_no_deduction(state: CampaignState, e: NoDeductionConfirmed) -> CampaignState:
    return add_entry(state, e.unit, e.indicator, ScoreEntry(EntryKind.NO_DEDUCTION))


def on_bonus(state: CampaignState, e: BonusAwarded) -> CampaignState:
    if e.void:
        return bump(state)
    return add_entry(state, e.unit, e.indicator, ScoreEntry(EntryKind.BONUS, e.points, e.clause))


def on_veto(state: CampaignState, e: VetoApplied) -> CampaignState:
    return add_entry(state, e.unit, e.indicator, ScoreEntry(EntryKind.VETO, ZERO, e.clause))


def on_adjusted(state: CampaignState, e: ScoreAdjusted) -> CampaignState:
    if e.void:
        return bump(state)
    return add_entry(state, e.unit, e.indicator, ScoreEntry(EntryKind.ADJUSTMENT, e.after, e.appeal_id or ""))


HANDLERS: dict[type[Any], Any] = {
    DetermineScore: determine_score,
    ConfirmNoDeduction: confirm_no_deduction,
    AwardBonus: award_bonus,
    ApplyVeto: apply_veto,
    AdjustScore: adjust_score,
}
APPLIERS: dict[type[Any], Any] = {
    ScoreDetermined: on_score,
    NoDeductionConfirmed: on_no_deduction,
    BonusAwarded: on_bonus,
    VetoApplied: on_veto,
    ScoreAdjusted: on_adjusted,
}
