"""Given/when/then: typed data submissions, review, return and resubmission as a new version."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.commands import ReviewSubmission, SubmitData
from domain.campaign.events import DataSubmitted, ReviewDecision, SubmissionReviewed
from domain.campaign.queries import collection_status
from domain.campaign.state import SubmissionStatus
from domain.shared.calendar import DeadlineStatus
from domain.shared.figures import (
    DataReport,
    EvidenceFile,
    HotlineFigures,
    InvalidEvidence,
    InvalidFigures,
    RatingCounts,
)
from services.seed.scenario import PROVINCIAL_REPORT
from tests.unit.domain.campaign_builders import (
    CALENDAR,
    CHIEF,
    DED,
    DRAFTER,
    EVIDENCE,
    FULL,
    collecting,
    deployed,
    published,
    refused,
    run,
    t,
    when,
)

UNIT_REPORT = DataReport(
    ratings=RatingCounts(
        very_satisfied=100, satisfied=2, basically_satisfied=1, dissatisfied=0, very_dissatisfied=0
    ),
    evidence=(EVIDENCE,),
)


def submit(
    submission_id: str = "s1", unit: str | None = "C01", report: DataReport = UNIT_REPORT
) -> SubmitData:
    return SubmitData(
        at=t(2), actor=DRAFTER, submission_id=submission_id, indicator=FULL.code, unit=unit, report=report
    )


def review(decision: ReviewDecision, opinion: str = "", actor: str = CHIEF) -> ReviewSubmission:
    return ReviewSubmission(at=t(3), actor=actor, submission_id="s1", decision=decision, opinion=opinion)


def test_a_unit_submits_typed_data_with_evidence_by_hash() -> None:
    [event] = when(collecting(), submit())
    assert isinstance(event, DataSubmitted)
    assert (event.version, event.unit) == (1, "C01")
    assert event.report.evidence[0].sha256 == "ab" * 32


def test_campaign_wide_provincial_data_has_no_unit() -> None:
    [event] = when(collecting(), submit(unit=None, report=PROVINCIAL_REPORT))
    assert isinstance(event, DataSubmitted)
    assert event.unit is None
    assert event.report.hotline is not None
    assert event.report.hotline.reported_callback_satisfaction == Decimal("99.97")


def test_data_is_submitted_only_while_collecting_or_determining() -> None:
    refused(deployed(), submit(), err.WrongStage)
    refused(published(), submit(), err.WrongStage)


def test_data_names_a_known_indicator_and_unit() -> None:
    refused(collecting(), replace(submit(), indicator="nope"), err.UnknownIndicator)
    refused(collecting(), submit(unit="X99"), err.UnknownUnit)
    refused(collecting(), submit(submission_id=""), err.MissingField)


def test_contradictory_figures_are_refused() -> None:
    bad = DataReport(hotline=HotlineFigures(calls=1, connected=2, reported_callback_satisfaction=Decimal(1)))
    refused(collecting(), submit(report=bad), InvalidFigures)


def test_a_reviewer_accepts() -> None:
    given = collecting() + run([submit()], fold(collecting()))
    [event] = when(given, review(ReviewDecision.ACCEPTED))
    assert isinstance(event, SubmissionReviewed)
    assert fold([*given, event]).submissions["s1"].status is SubmissionStatus.ACCEPTED


def test_a_return_needs_an_opinion_and_the_submitter_does_not_review() -> None:
    given = collecting() + run([submit()], fold(collecting()))
    refused(given, review(ReviewDecision.RETURNED), err.MissingField)
    refused(given, review(ReviewDecision.ACCEPTED, actor=DRAFTER), err.SelfReview)
    refused(given, replace(review(ReviewDecision.ACCEPTED), submission_id="s9"), err.UnknownSubmission)


def test_a_returned_submission_comes_back_as_a_new_version_and_both_stay() -> None:
    given = collecting()
    given += run([submit(), review(ReviewDecision.RETURNED, "附件缺页")], fold(given))
    fixed = replace(UNIT_REPORT, note="补齐附件")
    [event] = when(given, submit(report=fixed))
    assert isinstance(event, DataSubmitted)
    assert event.version == 2
    submission = fold([*given, event]).submissions["s1"]
    assert [v.version for v in submission.versions] == [1, 2]
    assert submission.versions[0].opinion == "附件缺页"
    assert submission.versions[0].report == UNIT_REPORT
    assert submission.status is SubmissionStatus.PENDING


def test_only_a_returned_submission_is_submitted_again() -> None:
    given = collecting() + run([submit()], fold(collecting()))
    refused(given, submit(), err.SubmissionNotReturned)
    given += run([review(ReviewDecision.ACCEPTED)], fold(given))
    refused(given, submit(), err.SubmissionNotReturned)
    refused(given, review(ReviewDecision.ACCEPTED), err.SubmissionNotPending)


def test_a_resubmission_keeps_indicator_and_unit() -> None:
    given = collecting()
    given += run([submit(), review(ReviewDecision.RETURNED, "错")], fold(given))
    refused(given, submit(unit="C02"), err.SubmissionMismatch)
    refused(given, replace(submit(), indicator=DED.code), err.SubmissionMismatch)


def test_malformed_evidence_hash_is_refused() -> None:
    bad = DataReport(evidence=(EvidenceFile(sha256="xyz", size=1, media_type="a/b", file_name="f"),))
    refused(collecting(), submit(report=bad), InvalidEvidence)


def test_the_collection_deadline_warns_then_is_overdue() -> None:
    state = fold(collecting())  # deadline Friday 2023-02-10
    assert collection_status(fold(deployed()), date(2023, 2, 1), CALENDAR, 3) is None
    assert collection_status(state, date(2023, 2, 1), CALENDAR, 3) is DeadlineStatus.ON_TIME
    assert collection_status(state, date(2023, 2, 7), CALENDAR, 3) is DeadlineStatus.WARNING
    assert collection_status(state, date(2023, 2, 11), CALENDAR, 3) is DeadlineStatus.OVERDUE
