"""Given/when/then: values within their domain (issue 12), refused before anything is recorded.

Decimals (scores, points, rates, indicator points) are finite, with at most 2 decimal places and 6 integer
digits, and lie within the indicator's range; counts are whole numbers from 0 (or 1) to 10^9. Every refusal
names the field, in ``error.field``, ``details["field"]`` and at the start of the message.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.approval.commands import AssignNumber
from domain.approval.errors import InvalidSerial
from domain.campaign import errors as err
from domain.campaign import execute, fold
from domain.campaign.commands import (
    AdjustScore,
    AssignIndicators,
    AwardBonus,
    ProposeDeduction,
    RegisterUnits,
    SubmitData,
)
from domain.campaign.commands_results import PublishResults
from domain.campaign.events import BonusAwarded, DeductionProposed, ScoreAdjusted, ScoreDetermined
from domain.campaign.types import InvalidIndicator, InvalidUnit, Unit, UnitGroup
from domain.numbering import OpenRegister, decide_register, fold_register
from domain.shared.errors import DomainError, InvalidCommand
from domain.shared.figures import (
    DataReport,
    EvidenceFile,
    HotlineFigures,
    InvalidEvidence,
    InvalidFigures,
    RatingCounts,
    SurveySample,
)
from domain.shared.values import (
    LARGEST,
    MAX_COUNT,
    InvalidNumber,
    NumberOutOfRange,
    require_count,
    require_decimal,
    require_points,
    require_rate,
)
from services.seed import scenario
from tests.unit.domain.campaign_builders import (
    BON,
    CALENDAR,
    CHIEF,
    DED,
    DRAFTER,
    EVIDENCE,
    FULL,
    LEADER,
    PUBLISHED_AT,
    UNITS,
    all_determined,
    collecting,
    determining,
    open_cmd,
    refused,
    registered,
    score_cmd,
    t,
    when,
)
from tests.unit.domain.test_approval_fixtures import CODE, OFFICE, T0, YEAR, at_step
from tests.unit.domain.test_campaign_publication import ADJUST, appealed

POISON = ("1E+999999", "NaN", "sNaN", "Infinity", "-Infinity", "1E-999999", "1" * 35, "0." + "1" * 35)
"""The values of issue 12: not finite, an exponent out of any range, or far too many digits."""


def names(error: DomainError, field: str) -> None:
    """The refusal names the field: as ``field``, in ``details`` and at the start of the message."""
    assert error.field == field
    assert error.details["field"] == field
    assert error.message.startswith(f"{field}:")


def propose(points: str | Decimal) -> ProposeDeduction:
    return ProposeDeduction(
        at=t(3),
        actor=DRAFTER,
        deduction_id="d1",
        unit="C01",
        indicator=DED.code,
        clause="c1",
        facts="未按期整改",
        points=Decimal(points),
    )


def bonus(points: str) -> AwardBonus:
    return AwardBonus(
        at=t(3),
        actor=CHIEF,
        unit="C01",
        indicator=BON.code,
        clause="创新",
        facts="获省级表彰",
        points=Decimal(points),
        proposed_by=DRAFTER,
    )


def adjust(after: str) -> AdjustScore:
    return AdjustScore(
        at=t(5),
        actor=DRAFTER,
        unit="C01",
        indicator=FULL.code,
        after=Decimal(after),
        reason="复核更正",
        basis="安行审发〔2022〕22号",
        approver=LEADER,
    )


def submit(report: DataReport) -> SubmitData:
    return SubmitData(
        at=t(2), actor=DRAFTER, submission_id="s1", indicator=FULL.code, unit="C01", report=report
    )


# --- decimals: the form --------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "sNaN", "-NaN", "Infinity", "-Infinity"])
def test_a_number_is_finite(value: str) -> None:
    with pytest.raises(InvalidNumber) as error:
        require_decimal(Decimal(value), "points")
    names(error.value, "points")
    assert error.value.code == "invalid_number"


@pytest.mark.parametrize("value", ["1E+999999", "1E+7", "1000000", "1" * 35, "-1" + "0" * 6])
def test_a_number_has_at_most_six_digits_before_the_point(value: str) -> None:
    with pytest.raises(InvalidNumber) as error:
        require_decimal(Decimal(value), "score")
    names(error.value, "score")


@pytest.mark.parametrize("value", ["1E-999999", "0.001", "7.125", "0." + "1" * 35])
def test_a_number_has_at_most_two_decimal_places(value: str) -> None:
    with pytest.raises(InvalidNumber) as error:
        require_decimal(Decimal(value), "after")
    names(error.value, "after")


@pytest.mark.parametrize("value", ["0", "0.00", "7.5", "7.50", "7.500", "1E+1", "999999.99", "-999999.99"])
def test_a_number_of_the_fixed_precision_is_kept_as_given(value: str) -> None:
    assert require_decimal(Decimal(value), "score") == Decimal(value)
    assert str(require_decimal(Decimal(value), "score")) == value
    assert require_decimal(10, "score") == Decimal(10)  # an int is its decimal
    assert require_decimal(Decimal(value), "score") <= LARGEST


@pytest.mark.parametrize("value", [1.5, True, "10", None, Decimal("-0"), Decimal("-0.00")])
def test_a_number_is_a_decimal_and_not_a_negative_zero(value: object) -> None:
    with pytest.raises(InvalidNumber) as error:
        require_decimal(value, "points")
    names(error.value, "points")


# --- decimals: the range -------------------------------------------------------------------------


def test_points_lie_within_the_range_the_caller_gives() -> None:
    assert require_points(Decimal(10), "points", upper=Decimal(10), positive=True) == Decimal(10)
    with pytest.raises(NumberOutOfRange) as error:
        require_points(Decimal(0), "points", upper=Decimal(10), positive=True)
    names(error.value, "points")
    with pytest.raises(err.ScoreOutOfBounds):
        require_points(Decimal("10.01"), "score", upper=Decimal(10), out_of_range=err.ScoreOutOfBounds)
    with pytest.raises(InvalidNumber):  # the form is checked before the range
        require_points(Decimal("NaN"), "score", upper=Decimal(10), out_of_range=err.ScoreOutOfBounds)


def test_a_rate_is_a_percentage() -> None:
    assert require_rate(Decimal("99.97"), "rate") == Decimal("99.97")
    for value in ("-0.01", "100.01"):
        with pytest.raises(NumberOutOfRange):
            require_rate(Decimal(value), "rate")


# --- counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [-1, MAX_COUNT + 1, 10**100, -(10**5000)], ids=["-1", "1e9+1", "1e100", "-1e5000"]
)
def test_a_count_lies_from_zero_to_a_billion(value: int) -> None:
    with pytest.raises(NumberOutOfRange) as error:
        require_count(value, "calls")
    names(error.value, "calls")
    assert require_count(MAX_COUNT, "calls") == MAX_COUNT
    assert require_count(0, "calls") == 0


@pytest.mark.parametrize("value", [True, 1.0, Decimal(1), "1", None])
def test_a_count_is_a_whole_number(value: object) -> None:
    with pytest.raises(InvalidNumber) as error:
        require_count(value, "calls")
    names(error.value, "calls")


# --- the property ----------------------------------------------------------------------------------


EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
"""Arithmetic without rounding or overflow, for the test's own oracle."""


def _overlong_or_not_finite(value: Decimal) -> bool:
    """The oracle, by arithmetic (the rule reads digits): not finite, |value| >= 10^6, or not in cents."""
    if not value.is_finite():
        return True
    cents = value.scaleb(2, EXACT)
    return not -(10**6) < value < 10**6 or cents != cents.to_integral_value(context=EXACT)


wild = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-LARGEST, max_value=LARGEST, places=2),
    st.builds(
        lambda digits, exponent, sign: Decimal((sign, tuple(int(d) for d in digits), exponent)),
        st.text("0123456789", min_size=1, max_size=40),
        st.one_of(st.integers(-4, 7), st.integers(-999_999, 999_999)),
        st.integers(0, 1),
    ),
    st.sampled_from([Decimal(v) for v in POISON]),
)


@settings(max_examples=300)
@given(wild)
def test_any_non_finite_or_overlong_decimal_is_refused_and_any_other_kept(value: Decimal) -> None:
    negative_zero = value.is_zero() and value.is_signed()
    if _overlong_or_not_finite(value) or negative_zero:
        with pytest.raises(InvalidNumber):
            require_decimal(value, "points")
    else:
        assert require_decimal(value, "points") == value


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.sampled_from([Decimal(v) for v in POISON]), st.decimals(places=3, allow_nan=True)))
def test_no_deduction_of_a_non_finite_or_overlong_value_is_ever_decided(value: Decimal) -> None:
    assume(_overlong_or_not_finite(value))
    with pytest.raises(InvalidNumber):
        when(determining(), propose(value))


# --- the commands --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", POISON)
def test_a_deduction_of_a_poisoned_value_is_refused(value: str) -> None:
    names(refused(determining(), propose(value), InvalidNumber), "points")


def test_a_deduction_takes_more_than_nothing_and_at_most_the_indicators_points() -> None:
    names(refused(determining(), propose("10.01"), err.ScoreOutOfBounds), "points")
    names(refused(determining(), propose("0"), err.ScoreOutOfBounds), "points")
    [event] = when(determining(), propose("10"))
    assert isinstance(event, DeductionProposed) and event.points == Decimal(10)


@pytest.mark.parametrize("value", POISON)
def test_a_determined_score_of_a_poisoned_value_is_refused(value: str) -> None:
    names(refused(determining(), score_cmd(FULL.code, Decimal(value)), InvalidNumber), "score")


def test_a_determined_score_lies_from_zero_to_the_points() -> None:
    names(refused(determining(), score_cmd(FULL.code, Decimal("-0.01")), err.ScoreOutOfBounds), "score")
    events = when(determining(), score_cmd(FULL.code, Decimal("9.99")))
    assert {e.score for e in events if isinstance(e, ScoreDetermined)} == {Decimal("9.99")}


@pytest.mark.parametrize("value", POISON)
def test_an_adjustment_to_a_poisoned_value_is_refused(value: str) -> None:
    names(refused(all_determined(), adjust(value), InvalidNumber), "after")


def test_an_adjustment_lies_from_zero_to_the_points_plus_the_cap() -> None:
    names(refused(all_determined(), adjust("10.01"), err.ScoreOutOfBounds), "after")
    [event] = when(all_determined(), adjust("0"))
    assert isinstance(event, ScoreAdjusted) and event.after == Decimal(0)


@pytest.mark.parametrize("value", ["NaN", "1E+999999", "9.125"])
def test_an_appeal_decision_to_a_poisoned_score_is_refused(value: str) -> None:
    names(refused(appealed(), replace(ADJUST, new_score=Decimal(value)), InvalidNumber), "new_score")
    names(refused(appealed(), replace(ADJUST, new_score=Decimal(11)), err.ScoreOutOfBounds), "new_score")


def test_a_bonus_is_more_than_nothing_and_at_most_the_cap() -> None:
    names(refused(determining(), bonus("2.01"), err.ScoreOutOfBounds), "points")
    names(refused(determining(), bonus("Infinity"), InvalidNumber), "points")
    [event] = when(determining(), bonus("2"))
    assert isinstance(event, BonusAwarded) and event.points == Decimal(2)


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"points": Decimal("NaN")}, "indicators[0].points", InvalidNumber),
        ({"points": Decimal("1E+999999")}, "indicators[0].points", InvalidNumber),
        ({"points": Decimal("10.005")}, "indicators[0].points", InvalidNumber),
        ({"points": Decimal(0)}, "indicators[0].points", InvalidIndicator),
        ({"bonus_cap": Decimal("Infinity")}, "indicators[0].bonus_cap", InvalidNumber),
        ({"bonus_cap": Decimal(-1)}, "indicators[0].bonus_cap", InvalidIndicator),
    ],
)
def test_indicator_points_and_caps_are_finite_decimals(
    change: dict[str, Decimal], field: str, error: type[InvalidCommand]
) -> None:
    given = registered()[:1]
    indicator = replace(BON, **change)  # type: ignore[arg-type]
    assign = AssignIndicators(at=t(0), actor=DRAFTER, indicators=(indicator,))
    names(refused(given, assign, error), field)


def test_a_units_row_is_a_count_from_one() -> None:
    given = registered()[:1]
    far = Unit(code="C09", name="石泉县", group=UnitGroup.COUNTY, order=MAX_COUNT + 1)
    register = RegisterUnits(at=t(0), actor=DRAFTER, units=(UNITS[0], far))
    names(refused(given, register, InvalidUnit), "units[1].order")


def test_the_year_assessed_has_at_most_four_digits() -> None:
    names(refused([], open_cmd(year=10**12), NumberOutOfRange), "year")
    refused([], open_cmd(year=0), err.MissingField)


def test_the_appeal_window_lasts_from_one_to_250_working_days() -> None:
    publish = PublishResults(at=PUBLISHED_AT, actor=CHIEF, window_working_days=10**9, calendar=CALENDAR)
    names(refused(all_determined(), publish, err.InvalidWindow), "window_working_days")


# --- reported figures ----------------------------------------------------------------------------


RATINGS = RatingCounts(
    very_satisfied=9, satisfied=1, basically_satisfied=0, dissatisfied=0, very_dissatisfied=0
)


@pytest.mark.parametrize(
    ("report", "field"),
    [
        (DataReport(ratings=replace(RATINGS, satisfied=-1)), "report.ratings.satisfied"),
        (DataReport(ratings=replace(RATINGS, very_satisfied=MAX_COUNT + 1)), "report.ratings.very_satisfied"),
        (DataReport(hotline=HotlineFigures(calls=-5, connected=0, callbacks_made=0, callbacks_satisfied=0)),
         "report.hotline.calls"),
        (DataReport(hotline=HotlineFigures(calls=5, connected=5, callbacks_made=-1, callbacks_satisfied=0)),
         "report.hotline.callbacks_made"),
        (DataReport(survey=SurveySample(count=0, channel="秦务员")), "report.survey.count"),
    ],
)  # fmt: skip
def test_counts_are_whole_numbers_from_zero_to_a_billion(report: DataReport, field: str) -> None:
    names(refused(collecting(), submit(report), InvalidFigures), field)


def test_a_count_given_as_a_boolean_is_refused() -> None:
    report = DataReport(ratings=replace(RATINGS, dissatisfied=True))
    names(refused(collecting(), submit(report), InvalidNumber), "report.ratings.dissatisfied")


@pytest.mark.parametrize(
    ("rate", "error"), [("NaN", InvalidNumber), ("99.975", InvalidNumber), ("101", InvalidFigures)]
)
def test_a_reported_rate_is_a_percentage_of_two_places(rate: str, error: type[InvalidCommand]) -> None:
    hotline = HotlineFigures(calls=5, connected=5, reported_callback_satisfaction=Decimal(rate))
    field = "report.hotline.reported_callback_satisfaction"
    names(refused(collecting(), submit(DataReport(hotline=hotline)), error), field)


def test_callbacks_are_both_counted_or_a_rate_reported_never_half_and_half() -> None:
    hotline = HotlineFigures(
        calls=5, connected=5, callbacks_made=2, reported_callback_satisfaction=Decimal(99)
    )
    names(refused(collecting(), submit(DataReport(hotline=hotline)), InvalidFigures), "report.hotline")


def test_an_evidence_file_is_at_most_a_terabyte() -> None:
    huge = replace(EVIDENCE, size=10**12 + 1)
    names(
        refused(collecting(), submit(DataReport(evidence=(huge,))), InvalidEvidence),
        "report.evidence[0].size",
    )
    names(
        refused(determining(), replace(bonus("1"), evidence=(EVIDENCE, huge)), InvalidEvidence),
        "evidence[1].size",
    )
    EvidenceFile(sha256="ab" * 32, size=10**12, media_type="video/mp4", file_name="录像.mp4").check()


# --- numbers of the 文号 ------------------------------------------------------------------------


def test_a_register_starts_at_a_serial_up_to_a_billion() -> None:
    opening = OpenRegister(at=T0, actor=OFFICE, code="安行审函", year=2023, next_serial=MAX_COUNT + 1)
    with pytest.raises(InvalidSerial) as error:
        decide_register(fold_register([]), opening)
    names(error.value, "next_serial")


def test_a_document_number_has_a_serial_up_to_a_billion() -> None:
    doc = at_step("numbering")
    with pytest.raises(InvalidSerial) as error:
        doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=10**30)
    names(error.value, "serial")


# --- the seed and the errors' shape --------------------------------------------------------------


def test_every_value_of_the_seed_scenario_is_within_its_domain() -> None:
    for index, indicator in enumerate(scenario.INDICATORS):
        indicator.check(f"indicators[{index}]")
    for index, unit in enumerate(scenario.UNITS):
        unit.check(f"units[{index}]")
    scenario.PROVINCIAL_REPORT.check()
    state = fold([])
    for command in scenario.commands():
        for name in (f.name for f in fields(command)):
            value = getattr(command, name)
            if isinstance(value, Decimal):
                require_decimal(value, name)
        state, _ = execute(state, command)  # every command of the seed run is still accepted
    assert is_dataclass(state) and state.report is not None


def test_a_refusal_without_a_field_has_none() -> None:
    assert DomainError("no field").field is None
    assert err.MissingField("reason is required", field="reason").field == "reason"
    assert InvalidFigures("several", fields=["a", "b"]).field is None
