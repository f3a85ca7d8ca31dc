"""Decide and apply: data submissions (new versions, never overwritten) and their review."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.campaign.commands import ReviewSubmission, SubmitData
from domain.campaign.errors import (
    SelfReview,
    SubmissionMismatch,
    SubmissionNotPending,
    SubmissionNotReturned,
    UnknownSubmission,
)
from domain.campaign.events import DataSubmitted, ReviewDecision, SubmissionReviewed
from domain.campaign.rules import (
    bump,
    require_indicator,
    require_stage,
    require_text,
    require_unit,
    with_item,
)
from domain.campaign.state import CampaignState, Submission, SubmissionStatus, SubmissionVersion
from domain.campaign.types import DATA_STAGES
from domain.shared.events import Event


def submit_data(state: CampaignState, c: SubmitData) -> list[Event]:
    require_stage(state, *DATA_STAGES)
    require_text(submission_id=c.submission_id)
    require_indicator(state, c.indicator)
    if c.unit is not None:
        require_unit(state, c.unit)
    c.report.check()
    version = _next_version(state.submissions.get(c.submission_id), c)
    return [
        DataSubmitted(
            at=c.at,
            actor=c.actor,
            submission_id=c.submission_id,
            version=version,
            indicator=c.indicator,
            unit=c.unit,
            report=c.report,
        )
    ]


def _next_version(existing: Submission | None, c: SubmitData) -> int:
    if existing is None:
        return 1
    if (existing.indicator, existing.unit) != (c.indicator, c.unit):
        raise SubmissionMismatch("a resubmission keeps its indicator and unit", submission_id=c.submission_id)
    if existing.status is not SubmissionStatus.RETURNED:
        raise SubmissionNotReturned(
            "only a returned submission is submitted again", status=existing.status.value
        )
    return existing.latest.version + 1


def review_submission(state: CampaignState, c: ReviewSubmission) -> list[Event]:
    require_stage(state, *DATA_STAGES)
    submission = require_submission(state, c.submission_id)
    if submission.status is not SubmissionStatus.PENDING:
        raise SubmissionNotPending("this version was already reviewed", status=submission.status.value)
    if submission.latest.submitted_by == c.actor:
        raise SelfReview("the submitter cannot review their own data", user=c.actor)
    if c.decision is ReviewDecision.RETURNED:
        require_text(opinion=c.opinion)
    return [
        SubmissionReviewed(
            at=c.at,
            actor=c.actor,
            submission_id=c.submission_id,
            version=submission.latest.version,
            decision=c.decision,
            opinion=c.opinion,
        )
    ]


def require_submission(state: CampaignState, submission_id: str) -> Submission:
    try:
        return state.submissions[submission_id]
    except KeyError:
        raise UnknownSubmission(f"no submission {submission_id!r}", submission_id=submission_id) from None


def on_submitted(state: CampaignState, e: DataSubmitted) -> CampaignState:
    version = SubmissionVersion(e.version, e.report, e.actor, e.at)
    existing = state.submissions.get(e.submission_id)
    if existing is None:
        submission = Submission(e.submission_id, e.indicator, e.unit, (version,))
    else:
        submission = replace(existing, versions=(*existing.versions, version))
    return bump(state, submissions=with_item(state.submissions, e.submission_id, submission))


def on_reviewed(state: CampaignState, e: SubmissionReviewed) -> CampaignState:
    submission = state.submissions[e.submission_id]
    reviewed = replace(submission.latest, decision=e.decision, opinion=e.opinion, reviewed_by=e.actor)
    submission = replace(submission, versions=(*submission.versions[:-1], reviewed))
    return bump(state, submissions=with_item(state.submissions, e.submission_id, submission))


HANDLERS: dict[type[Any], Any] = {SubmitData: submit_data, ReviewSubmission: review_submission}
APPLIERS: dict[type[Any], Any] = {DataSubmitted: on_submitted, SubmissionReviewed: on_reviewed}
