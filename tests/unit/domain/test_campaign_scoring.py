"""Given/when/then: explicit scores and no-deduction results, deductions, bonuses, vetoes, adjustments."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.commands import (
    AdjustScore,
    ApplyVeto,
    AwardBonus,
    Command,
    ConfirmDeduction,
    ConfirmNoDeduction,
    ProposeDeduction,
    RejectDeduction,
    ReviewSubmission,
    StartDetermination,
    SubmitData,
)
from domain.campaign.events import (
    DeductionConfirmed,
    DeductionProposed,
    DeductionRejected,
    NoDeductionConfirmed,
    ReviewDecision,
    ScoreAdjusted,
    ScoreDetermined,
    VetoApplied,
)
from domain.campaign.queries import cell_score, scores_table, undetermined_cells
from domain.shared.events import Event
from services.seed.scenario import PROVINCIAL_REPORT
from tests.unit.domain.campaign_builders import (
    BON,
    CHIEF,
    CODES,
    DED,
    DRAFTER,
    EVIDENCE,
    FULL,
    LEADER,
    VETO,
    all_determined,
    collecting,
    determining,
    published,
    refused,
    run,
    score_cmd,
    signed,
    t,
    when,
)


def no_deduction(units: tuple[str, ...] = CODES, **changes: object) -> ConfirmNoDeduction:
    command = ConfirmNoDeduction(
        at=t(3), actor=CHIEF, indicator=DED.code, units=units, reason="无减分", proposed_by=DRAFTER
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def propose(
    deduction_id: str = "d1", points: str = "2", unit: str = "C01", **changes: object
) -> ProposeDeduction:
    command = ProposeDeduction(
        at=t(3),
        actor=DRAFTER,
        deduction_id=deduction_id,
        unit=unit,
        indicator=DED.code,
        clause="c1",
        facts="未按期整改",
        points=Decimal(points),
        evidence=(EVIDENCE,),
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def confirm(deduction_id: str = "d1", actor: str = CHIEF) -> ConfirmDeduction:
    return ConfirmDeduction(at=t(4), actor=actor, deduction_id=deduction_id, opinion="同意")


def adjust(after: str, unit: str = "C01", indicator: str = FULL.code, **changes: object) -> AdjustScore:
    command = AdjustScore(
        at=t(5),
        actor=DRAFTER,
        unit=unit,
        indicator=indicator,
        after=Decimal(after),
        reason="复核更正",
        basis="安行审发〔2022〕22号",
        approver=LEADER,
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def bonus(points: str, **changes: object) -> AwardBonus:
    command = AwardBonus(
        at=t(3),
        actor=CHIEF,
        unit="C01",
        indicator=BON.code,
        clause="创新",
        facts="获省级表彰",
        points=Decimal(points),
        proposed_by=DRAFTER,
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def veto(**changes: object) -> ApplyVeto:
    command = ApplyVeto(
        at=t(3),
        actor=CHIEF,
        unit="C01",
        indicator=VETO.code,
        clause="重大事故",
        facts="发生事故",
        proposed_by=DRAFTER,
    )
    return replace(command, **changes)  # type: ignore[arg-type]


def then(given: list[Event], *commands: Command) -> list[Event]:
    return given + run(list(commands), fold(given))


def shown(events: list[Event], unit: str, indicator: str) -> tuple[Decimal | None, str | None]:
    row = next(r for r in scores_table(fold(events)) if (r.unit.code, r.indicator.code) == (unit, indicator))
    return row.score, row.display


# --- explicit scores -------------------------------------------------------------------------------


def test_a_score_is_determined_for_each_named_unit() -> None:
    events = when(determining(), score_cmd(FULL.code, Decimal(10)))
    assert [type(e) for e in events] == [ScoreDetermined] * 3
    assert {e.unit for e in events if isinstance(e, ScoreDetermined)} == set(CODES)
    assert shown(determining() + events, "C01", FULL.code) == (Decimal(10), "100分")


def test_a_unit_without_a_determination_has_no_score() -> None:
    given = then(determining(), score_cmd(FULL.code, Decimal(10), units=("C01",)))
    assert shown(given, "C02", FULL.code) == (None, None)
    assert ("C02", FULL.code) in undetermined_cells(fold(given))
    assert ("C01", FULL.code) not in undetermined_cells(fold(given))


@pytest.mark.parametrize("score", ["-1", "10.01"])
def test_a_determined_score_stays_within_the_points(score: str) -> None:
    refused(determining(), score_cmd(FULL.code, Decimal(score)), err.ScoreOutOfBounds)


def test_whoever_proposes_does_not_confirm() -> None:
    refused(
        determining(), replace(score_cmd(FULL.code, Decimal(10)), actor=DRAFTER), err.SameProposerAndConfirmer
    )
    refused(determining(), no_deduction(actor=DRAFTER), err.SameProposerAndConfirmer)


def test_a_result_needs_reason_and_units_named_once() -> None:
    refused(determining(), replace(score_cmd(FULL.code, Decimal(10)), reason=""), err.MissingField)
    refused(determining(), score_cmd(FULL.code, Decimal(10), units=()), err.MissingField)
    refused(determining(), score_cmd(FULL.code, Decimal(10), units=("C01", "C01")), err.MissingField)
    refused(determining(), score_cmd(FULL.code, Decimal(10), units=("X",)), err.UnknownUnit)
    refused(determining(), score_cmd("nope", Decimal(10)), err.UnknownIndicator)


@pytest.mark.parametrize(
    "command",
    [
        score_cmd(DED.code, Decimal(10)),
        replace(no_deduction(), indicator=FULL.code),
        propose(indicator=FULL.code),
        bonus("1", indicator=FULL.code),
        veto(indicator=FULL.code),
    ],
)
def test_a_result_must_fit_the_indicator_kind(command: Command) -> None:
    refused(determining(), command, err.WrongIndicatorKind)


def test_a_cell_is_determined_once_then_only_adjusted() -> None:
    given = then(determining(), score_cmd(FULL.code, Decimal(10)))
    refused(given, score_cmd(FULL.code, Decimal(9)), err.AlreadyDetermined)
    given = then(given, no_deduction())
    refused(given, no_deduction(), err.AlreadyDetermined)


def test_results_rest_on_accepted_data_of_the_same_indicator() -> None:
    given = collecting()
    submit = SubmitData(
        at=t(2), actor=DRAFTER, submission_id="p", indicator=FULL.code, unit=None, report=PROVINCIAL_REPORT
    )
    given = then(given, submit)
    pending = determining_from(given)
    based = replace(score_cmd(FULL.code, Decimal(10)), based_on=("p",))
    refused(pending, based, err.SubmissionNotAccepted)
    accepted = then(
        given, ReviewSubmission(at=t(2), actor=CHIEF, submission_id="p", decision=ReviewDecision.ACCEPTED)
    )
    accepted = determining_from(accepted)
    assert len(when(accepted, based)) == 3
    refused(accepted, no_deduction(based_on=("p",)), err.SubmissionMismatch)


def determining_from(given: list[Event]) -> list[Event]:
    return then(given, StartDetermination(at=t(2), actor=CHIEF))


def test_scores_wait_for_determination_and_lock_at_publication_and_freeze_at_sign_off() -> None:
    refused(collecting(), score_cmd(FULL.code, Decimal(10)), err.ScoringNotOpen)
    refused(published(), adjust("9"), err.ScoresPublished)
    refused(published(), propose(), err.ScoresPublished)
    refused(signed(), adjust("9"), err.ScoresFrozen)
    refused(signed(), confirm(), err.ScoresFrozen)


# --- no deduction and deductions -------------------------------------------------------------------


def test_no_deduction_is_an_explicit_approved_result() -> None:
    events = when(determining(), no_deduction())
    assert [type(e) for e in events] == [NoDeductionConfirmed] * 3
    assert shown(determining() + events, "C01", DED.code) == (Decimal(10), "不扣分")


def test_a_proposed_deduction_waits_for_confirmation_by_someone_else() -> None:
    given = determining()
    [proposed] = when(given, propose())
    assert isinstance(proposed, DeductionProposed)
    given = [*given, proposed]
    assert shown(given, "C01", DED.code) == (None, None)
    refused(given, confirm(actor=DRAFTER), err.SameProposerAndConfirmer)
    [confirmed] = when(given, confirm())
    assert isinstance(confirmed, DeductionConfirmed)
    assert shown([*given, confirmed], "C01", DED.code) == (Decimal(8), "扣2分")
    refused([*given, confirmed], confirm(), err.DeductionNotPending)


def test_a_rejected_deduction_takes_nothing_off() -> None:
    given = then(determining(), propose())
    refused(given, RejectDeduction(at=t(4), actor=CHIEF, deduction_id="d1", reason=""), err.MissingField)
    [rejected] = when(given, RejectDeduction(at=t(4), actor=CHIEF, deduction_id="d1", reason="证据不足"))
    assert isinstance(rejected, DeductionRejected)
    state = fold([*given, rejected])
    assert cell_score(state, "C01", DED.code).score is None
    assert state.deductions["d1"].opinion == "证据不足"


def test_deductions_are_floored_at_zero() -> None:
    given = then(determining(), propose("d1", "6"), propose("d2", "7"), confirm("d1"), confirm("d2"))
    assert shown(given, "C01", DED.code) == (Decimal(0), "扣10分")


def test_deduction_rules() -> None:
    given = then(determining(), propose())
    refused(given, propose(), err.DuplicateId)
    refused(given, propose("d2", clause="c9"), err.UnknownClause)
    refused(given, propose("d2", points="0"), err.ScoreOutOfBounds)
    refused(given, propose("d2", facts=""), err.MissingField)
    refused(given, confirm("d9"), err.UnknownDeduction)
    refused(given, no_deduction(units=("C01",)), err.AlreadyDetermined)
    after_no_deduction = then(determining(), no_deduction())
    refused(after_no_deduction, propose(), err.AlreadyDetermined)


# --- bonuses, vetoes, adjustments ------------------------------------------------------------------


def test_bonuses_stop_at_the_cap() -> None:
    given = then(determining(), score_cmd(BON.code, Decimal(4)), bonus("1.5"), bonus("1"))
    assert shown(given, "C01", BON.code) == (Decimal(6), "6分")


def test_a_bonus_alone_determines_nothing() -> None:
    given = then(determining(), bonus("1"))
    assert shown(given, "C01", BON.code) == (None, None)
    refused(determining(), bonus("1", proposed_by=CHIEF), err.SameProposerAndConfirmer)


def test_a_veto_scores_zero_and_shows_as_vetoed() -> None:
    [event] = when(determining(), veto())
    assert isinstance(event, VetoApplied)
    given = [*determining(), event]
    assert shown(given, "C01", VETO.code) == (Decimal(0), "一票否决")
    refused(given, veto(), err.AlreadyDetermined)


def test_an_adjustment_records_before_after_reason_basis_approver() -> None:
    given = all_determined()
    [event] = when(given, adjust("7.5"))
    assert isinstance(event, ScoreAdjusted)
    assert (event.before, event.after, event.approver, event.appeal_id) == (
        Decimal(10),
        Decimal("7.5"),
        LEADER,
        None,
    )
    assert shown([*given, event], "C01", FULL.code) == (Decimal("7.5"), "75分")


def test_adjustment_rules() -> None:
    refused(determining(), adjust("9"), err.NotDetermined)
    given = all_determined()
    refused(given, adjust("10"), err.NoChange)
    refused(given, adjust("10.5"), err.ScoreOutOfBounds)
    refused(given, adjust("7.5", indicator=BON.code), err.ScoreOutOfBounds)  # 5 points + 2 bonus cap
    refused(given, adjust("9", approver=""), err.MissingField)
    refused(given, adjust("9", basis=""), err.MissingField)


def test_an_adjustment_lifts_a_veto() -> None:
    given = then(determining(), veto())
    given = then(given, adjust("10", indicator=VETO.code))
    assert shown(given, "C01", VETO.code) == (Decimal(10), "10分")


def test_deductions_on_top_of_an_adjustment() -> None:
    given = then(determining(), propose(), confirm())
    given = then(given, adjust("9", indicator=DED.code), propose("d2", "1.5"), confirm("d2"))
    assert shown(given, "C01", DED.code) == (Decimal("7.5"), "扣2.5分")
