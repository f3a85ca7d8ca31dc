"""Reported figures, their checks, the derived rates (ROUND_HALF_UP, 2 decimals) and 万 formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.shared.figures import (
    DataReport,
    EvidenceFile,
    HotlineFigures,
    InvalidEvidence,
    InvalidFigures,
    RatingCounts,
    SurveySample,
    callback_satisfaction_rate,
    connection_rate,
    format_percent,
    format_wan,
    good_rate,
    percent,
)
from services.seed.scenario import HOTLINE, RATINGS


def test_seed_ratings_print_as_the_letter_does() -> None:
    assert RATINGS.total == 383_100
    assert format_wan(RATINGS.total) == "38.31万"
    assert format_wan(RATINGS.very_satisfied) == "38.15万"
    assert format_percent(good_rate(RATINGS) or Decimal(0)) == "100%"


def test_seed_hotline_rates_print_as_the_letter_does() -> None:
    assert connection_rate(HOTLINE) == Decimal("99.95")
    assert format_percent(Decimal("99.95")) == "99.95%"
    assert callback_satisfaction_rate(HOTLINE) == Decimal("99.97")


def test_good_rate_counts_the_three_satisfied_grades() -> None:
    ratings = RatingCounts(
        very_satisfied=90, satisfied=5, basically_satisfied=2, dissatisfied=2, very_dissatisfied=1
    )
    assert good_rate(ratings) == Decimal("97.00")
    assert format_percent(Decimal("97.00")) == "97%"


def test_rounding_is_half_up_at_two_decimals() -> None:
    assert percent(1, 8) == Decimal("12.50")  # exact
    assert percent(2, 3) == Decimal("66.67")
    assert percent(1, 16) == Decimal("6.25")
    assert percent(1, 1600) == Decimal("0.06")  # 0.0625 → 0.06
    assert percent(1, 800) == Decimal("0.13")  # 0.125 → 0.13 (half up, not to even)
    assert percent(0, 0) is None


def test_callback_rate_from_counts() -> None:
    hotline = HotlineFigures(calls=10, connected=9, callbacks_made=3, callbacks_satisfied=2)
    assert callback_satisfaction_rate(hotline) == Decimal("66.67")


def test_format_wan_and_percent() -> None:
    assert format_wan(380_000) == "38万"
    assert format_wan(5) == "0万"
    assert format_wan(12_345) == "1.23万"
    assert format_percent(Decimal("99.5")) == "99.50%"


@pytest.mark.parametrize(
    "figures",
    [
        HotlineFigures(calls=5, connected=6, reported_callback_satisfaction=Decimal(99)),
        HotlineFigures(calls=-1, connected=0, reported_callback_satisfaction=Decimal(99)),
        HotlineFigures(calls=5, connected=5),
        HotlineFigures(calls=5, connected=5, callbacks_made=2),
        HotlineFigures(
            calls=5,
            connected=5,
            callbacks_made=2,
            callbacks_satisfied=2,
            reported_callback_satisfaction=Decimal(1),
        ),
        HotlineFigures(calls=5, connected=5, callbacks_made=2, callbacks_satisfied=3),
        HotlineFigures(calls=5, connected=5, reported_callback_satisfaction=Decimal("100.01")),
    ],
)
def test_contradictory_hotline_figures_are_refused(figures: HotlineFigures) -> None:
    with pytest.raises(InvalidFigures) as error:
        figures.check()
    assert error.value.code == "invalid_figures"


def test_negative_ratings_and_empty_surveys_and_reports_are_refused() -> None:
    with pytest.raises(InvalidFigures):
        RatingCounts(
            very_satisfied=1, satisfied=-1, basically_satisfied=0, dissatisfied=0, very_dissatisfied=0
        ).check()
    with pytest.raises(InvalidFigures):
        SurveySample(count=0, channel="秦务员").check()
    with pytest.raises(InvalidFigures):
        DataReport().check()


@pytest.mark.parametrize(
    "file",
    [
        EvidenceFile(sha256="AB" * 32, size=1, media_type="text/plain", file_name="a.txt"),
        EvidenceFile(sha256="ab" * 31, size=1, media_type="text/plain", file_name="a.txt"),
        EvidenceFile(sha256="ab" * 32, size=-1, media_type="text/plain", file_name="a.txt"),
        EvidenceFile(sha256="ab" * 32, size=1, media_type="", file_name="a.txt"),
        EvidenceFile(sha256="ab" * 32, size=1, media_type="text/plain", file_name=""),
    ],
)
def test_malformed_evidence_is_refused(file: EvidenceFile) -> None:
    with pytest.raises(InvalidEvidence) as error:
        DataReport(evidence=(file,)).check()
    assert error.value.code == "invalid_evidence"


@settings(max_examples=150)
@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=10**7))
def test_rates_are_exact_to_the_cent_and_within_bounds(part: int, whole: int) -> None:
    rate = percent(min(part, whole), whole)
    assert rate is not None
    assert Decimal(0) <= rate <= Decimal(100)
    assert rate.as_tuple().exponent == -2
    assert abs(rate - Decimal(min(part, whole)) * 100 / Decimal(whole)) <= Decimal("0.005")
