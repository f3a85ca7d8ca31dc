"""Named errors of the campaign aggregate, each with a stable ``code``."""

from __future__ import annotations

from domain.shared.errors import IllegalTransition, InvalidCommand, NotFound, PermissionDenied

# --- the command's own fields -------------------------------------------------------------------


class MissingField(InvalidCommand):
    """A required text (reason, opinion, approver, id …) is empty; ``details['field']`` names it."""

    code = "missing_field"


class NaiveTimestamp(InvalidCommand):
    code = "naive_timestamp"


class DuplicateId(InvalidCommand):
    """An id (campaign, unit, indicator, submission, deduction, consultation, appeal) is already used."""

    code = "duplicate_id"


class DuplicateRow(InvalidCommand):
    """Two units share a row number within their group."""

    code = "duplicate_row"


class WrongIndicatorKind(InvalidCommand):
    """The kind of result is not how this indicator is scored (e.g. a deduction on a full-score item)."""

    code = "wrong_indicator_kind"


class ScoreOutOfBounds(InvalidCommand):
    code = "score_out_of_bounds"


class UnknownClause(InvalidCommand):
    code = "unknown_clause"


class NoChange(InvalidCommand):
    code = "no_change"


class NotACoLeadUnit(InvalidCommand):
    code = "not_a_co_lead_unit"


class SubmissionMismatch(InvalidCommand):
    """A resubmission names another indicator or unit than the submission it continues."""

    code = "submission_mismatch"


class DocumentMismatch(InvalidCommand):
    """The document id is not the letter this campaign is reporting with."""

    code = "document_mismatch"


class InvalidDocumentNumber(InvalidCommand):
    code = "invalid_document_number"


class InvalidDeadline(InvalidCommand):
    code = "invalid_deadline"


class InvalidWorkStepDate(InvalidCommand):
    """A work step is recorded after it happened (not in the future); a month-precision one on the 1st."""

    code = "invalid_work_step_date"


class InvalidDecision(InvalidCommand):
    """维持 carries no new score; 调整 needs one."""

    code = "invalid_decision"


class InvalidWindow(InvalidCommand):
    code = "invalid_window"


class EmptyCampaign(InvalidCommand):
    """Deployment needs at least one assessed unit and one indicator."""

    code = "empty_campaign"


# --- things that do not exist -------------------------------------------------------------------


class UnknownUnit(NotFound):
    code = "unknown_unit"


class UnknownIndicator(NotFound):
    code = "unknown_indicator"


class UnknownSubmission(NotFound):
    code = "unknown_submission"


class UnknownDeduction(NotFound):
    code = "unknown_deduction"


class UnknownConsultation(NotFound):
    code = "unknown_consultation"


class UnknownAppeal(NotFound):
    code = "unknown_appeal"


# --- stage and state ----------------------------------------------------------------------------


class CampaignNotOpened(IllegalTransition):
    code = "campaign_not_opened"


class CampaignAlreadyOpened(IllegalTransition):
    code = "campaign_already_opened"


class IllegalStageTransition(IllegalTransition):
    """The campaign cannot move from its stage to the requested one."""

    code = "illegal_stage_transition"


class WrongStage(IllegalTransition):
    """The command is not accepted in the campaign's current stage."""

    code = "wrong_stage"


class SetupFrozen(IllegalTransition):
    """Units and the draft indicator set are fixed at deployment; indicators change by revision."""

    code = "setup_frozen"


class SubmissionNotPending(IllegalTransition):
    code = "submission_not_pending"


class SubmissionNotReturned(IllegalTransition):
    code = "submission_not_returned"


class SubmissionNotAccepted(IllegalTransition):
    code = "submission_not_accepted"


class SubmissionsPending(IllegalTransition):
    code = "submissions_pending"


class ScoringNotOpen(IllegalTransition):
    """Scores are determined only once determination has started."""

    code = "scoring_not_open"


class ScoresPublished(IllegalTransition):
    """After 公示 a score changes only through an appeal decision."""

    code = "scores_published"


class ScoresFrozen(IllegalTransition):
    """After sign-off scores are frozen; a change needs a recorded reopening."""

    code = "scores_frozen"


class AlreadyDetermined(IllegalTransition):
    """The cell already has this explicit result; change it with an approved adjustment."""

    code = "already_determined"


class NotDetermined(IllegalTransition):
    code = "not_determined"


class DeductionNotPending(IllegalTransition):
    code = "deduction_not_pending"


class UndeterminedScores(IllegalTransition):
    """Some unit × indicator has no explicit result (or a deduction still waits for confirmation)."""

    code = "undetermined_scores"


class ConsultationNotOpen(IllegalTransition):
    code = "consultation_not_open"


class OpinionsOutstanding(IllegalTransition):
    code = "opinions_outstanding"


class ConsultationsOpen(IllegalTransition):
    code = "consultations_open"


class AppealWindowClosed(IllegalTransition):
    """The appeal came after the last working day of the 公示 window."""

    code = "appeal_window_closed"


class AppealWindowOpen(IllegalTransition):
    code = "appeal_window_open"


class AppealAlreadyDecided(IllegalTransition):
    code = "appeal_already_decided"


class AppealsPending(IllegalTransition):
    code = "appeals_pending"


# --- who may act --------------------------------------------------------------------------------


class SameProposerAndConfirmer(PermissionDenied):
    """Segregation of duties: whoever proposes a result does not confirm it."""

    code = "same_proposer_and_confirmer"


class SelfReview(PermissionDenied):
    code = "self_review"


class UninvitedUnit(PermissionDenied):
    """Only the co-lead units invited to a consultation give opinions in it."""

    code = "uninvited_unit"


class AppealNotByUnit(PermissionDenied):
    """An assessed unit appeals only its own results."""

    code = "appeal_not_by_unit"


class InvalidReportTemplate(InvalidCommand):
    code = "invalid_report_template"
