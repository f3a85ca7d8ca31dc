"""Given/when/then: 公示 of a complete snapshot, appeals inside the working-day window, 维持 / 调整."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.commands import ConfirmNoDeduction, SubmitData
from domain.campaign.commands_results import CloseAppeals, DecideAppeal, FileAppeal, PublishResults
from domain.campaign.events import ScoreAdjusted
from domain.campaign.events_results import (
    AppealDecided,
    AppealDecision,
    AppealFiled,
    AppealsClosed,
    ResultsPublished,
)
from domain.campaign.queries import cell_score
from domain.campaign.types import Stage
from domain.shared.calendar import business_date
from domain.shared.events import Event
from services.seed.scenario import PROVINCIAL_REPORT
from tests.unit.domain.campaign_builders import (
    BON,
    CALENDAR,
    CHIEF,
    CODES,
    DED,
    DRAFTER,
    EVIDENCE,
    FULL,
    LEADER,
    PUBLISHED_AT,
    VETO,
    WINDOW_END,
    all_determined,
    determining,
    published,
    refused,
    run,
    score_cmd,
    t,
    when,
)

PUBLISH = PublishResults(at=PUBLISHED_AT, actor=CHIEF, window_working_days=5, calendar=CALENDAR)
LAST_DAY = PUBLISHED_AT + timedelta(days=(WINDOW_END - PUBLISHED_AT.date()).days)
APPEAL = FileAppeal(
    at=LAST_DAY,
    actor="c01-user",
    appeal_id="a1",
    acting_for="C01",
    unit="C01",
    indicator=FULL.code,
    reasons="数据统计有误",
    evidence=(EVIDENCE,),
)
UPHOLD = DecideAppeal(
    at=LAST_DAY,
    actor=CHIEF,
    appeal_id="a1",
    decision=AppealDecision.UPHELD,
    reasons="数据无误",
    approver=LEADER,
)
ADJUST = replace(UPHOLD, decision=AppealDecision.ADJUSTED, reasons="核减有误", new_score=Decimal("9.5"))
CLOSE = CloseAppeals(at=LAST_DAY + timedelta(days=1), actor=CHIEF)


def appealed() -> list[Event]:
    return published() + run([APPEAL], fold(published()))


def test_publication_carries_the_snapshot_and_the_working_day_window() -> None:
    [event] = when(all_determined(), PUBLISH)
    assert isinstance(event, ResultsPublished)
    assert (event.window_start, event.window_end, event.publication) == (PUBLISHED_AT.date(), WINDOW_END, 1)
    assert len(event.snapshot) == len(CODES) * 4
    first = event.snapshot[0]
    assert (first.unit, first.indicator, first.score, first.display) == (
        "C01",
        FULL.code,
        Decimal(10),
        "100分",
    )
    assert fold([*all_determined(), event]).stage is Stage.PUBLISHED


def test_publication_needs_every_unit_determined() -> None:
    given = determining() + run([score_cmd(FULL.code, Decimal(10))], fold(determining()))
    error = refused(given, PUBLISH, err.UndeterminedScores)
    assert "C01/ded" in error.details["cells"]  # type: ignore[operator]
    nearly = all_determined()[:-1]  # the veto indicator's results are missing
    refused(nearly, PUBLISH, err.UndeterminedScores)


def test_publication_waits_for_pending_data_and_needs_a_window() -> None:
    given = determining()
    submit = SubmitData(
        at=t(3), actor=DRAFTER, submission_id="p", indicator=FULL.code, unit=None, report=PROVINCIAL_REPORT
    )
    given = given + run([submit], fold(given))
    refused(given, PUBLISH, err.SubmissionsPending)
    refused(all_determined(), replace(PUBLISH, window_working_days=0), err.InvalidWindow)


def test_a_unit_appeals_its_own_result_inside_the_window() -> None:
    [event] = when(published(), APPEAL)
    assert isinstance(event, AppealFiled)
    assert fold([*published(), event]).appeals["a1"].filed_by == "c01-user"


def test_a_late_appeal_is_refused() -> None:
    refused(published(), replace(APPEAL, at=LAST_DAY + timedelta(days=1)), err.AppealWindowClosed)


def test_a_unit_does_not_appeal_for_another() -> None:
    refused(published(), replace(APPEAL, acting_for="C02"), err.AppealNotByUnit)


def test_appeal_rules() -> None:
    refused(published(), replace(APPEAL, reasons=""), err.MissingField)
    refused(published(), replace(APPEAL, unit="X", acting_for="X"), err.UnknownUnit)
    refused(appealed(), APPEAL, err.DuplicateId)
    refused(all_determined(), APPEAL, err.WrongStage)


def test_uphold_keeps_the_score() -> None:
    [event] = when(appealed(), UPHOLD)
    assert isinstance(event, AppealDecided)
    state = fold([*appealed(), event])
    assert state.appeals["a1"].decision is AppealDecision.UPHELD
    assert cell_score(state, "C01", FULL.code).score == Decimal(10)


def test_adjust_produces_a_score_adjustment_tied_to_the_appeal() -> None:
    decided, adjusted = when(appealed(), ADJUST)
    assert isinstance(decided, AppealDecided)
    assert isinstance(adjusted, ScoreAdjusted)
    assert (adjusted.before, adjusted.after, adjusted.appeal_id, adjusted.approver) == (
        Decimal(10),
        Decimal("9.5"),
        "a1",
        LEADER,
    )
    state = fold([*appealed(), decided, adjusted])
    assert cell_score(state, "C01", FULL.code).score == Decimal("9.5")
    assert state.publication is not None
    assert state.publication.snapshot[0].score == Decimal(10)  # the published snapshot stays as published


def test_decision_rules() -> None:
    refused(appealed(), replace(UPHOLD, new_score=Decimal(9)), err.InvalidDecision)
    refused(appealed(), replace(ADJUST, new_score=None), err.InvalidDecision)
    refused(appealed(), replace(ADJUST, new_score=Decimal(10)), err.NoChange)
    refused(appealed(), replace(ADJUST, new_score=Decimal(11)), err.ScoreOutOfBounds)
    refused(appealed(), replace(UPHOLD, approver=""), err.MissingField)
    refused(appealed(), replace(UPHOLD, appeal_id="a9"), err.UnknownAppeal)
    given = appealed() + run([UPHOLD], fold(appealed()))
    refused(given, UPHOLD, err.AppealAlreadyDecided)


def test_appeals_close_after_the_window_with_every_appeal_decided() -> None:
    refused(appealed(), CLOSE, err.AppealsPending)
    refused(published(), replace(CLOSE, at=LAST_DAY), err.AppealWindowOpen)
    [event] = when(published(), CLOSE)
    assert isinstance(event, AppealsClosed)
    assert fold([*published(), event]).stage is Stage.APPEALS_CLOSED


def test_snapshot_shows_each_kind() -> None:
    [event] = when(all_determined(), PUBLISH)
    assert isinstance(event, ResultsPublished)
    displays = {(s.indicator, s.display) for s in event.snapshot if s.unit == "C01"}
    assert displays == {(FULL.code, "100分"), (DED.code, "不扣分"), (BON.code, "4分"), (VETO.code, "10分")}


def test_no_deduction_for_units_is_needed_before_publication() -> None:
    partial = ConfirmNoDeduction(
        at=t(3), actor=CHIEF, indicator=DED.code, units=("C01",), reason="无", proposed_by=DRAFTER
    )
    given = determining() + run(
        [
            score_cmd(FULL.code, Decimal(10)),
            partial,
            score_cmd(BON.code, Decimal(1)),
            score_cmd(VETO.code, Decimal(10)),
        ],
        fold(determining()),
    )
    error = refused(given, PUBLISH, err.UndeterminedScores)
    assert error.details["cells"] == ["C02/ded", "D01/ded"]


def test_business_dates_are_days_in_china_even_when_the_server_fills_in_a_utc_time() -> None:
    """16:25 UTC on 2026-11-29 is already 00:25 on 11-30 in China: the window starts on the 30th."""
    late = datetime(2023, 2, 16, 16, 25, tzinfo=UTC)  # 2023-02-17 00:25 in China
    assert business_date(late) == date(2023, 2, 17) and late.date() == date(2023, 2, 16)
    [event] = when(all_determined(), replace(PUBLISH, at=late))
    assert isinstance(event, ResultsPublished) and event.window_start == date(2023, 2, 17)
    early = datetime(2023, 2, 16, 15, 59, tzinfo=UTC)  # 23:59 in China: still the 16th
    [event] = when(all_determined(), replace(PUBLISH, at=early))
    assert isinstance(event, ResultsPublished) and event.window_start == date(2023, 2, 16)
