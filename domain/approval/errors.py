"""Named errors of the approval chain and the number register, each with a stable code."""

from __future__ import annotations

from domain.shared.errors import IllegalTransition, InvalidCommand, NotFound, PermissionDenied

# --- the command's own fields -------------------------------------------------------------------


class InvalidChain(InvalidCommand):
    code = "invalid_chain"


class MissingField(InvalidCommand):
    """A required text (title, hash, reason, opinion, recipient…) is empty (code shared with campaign)."""

    code = "missing_field"


class NaiveTimestamp(InvalidCommand):
    """``at`` must be timezone-aware (same code as the campaign part's error of that name)."""

    code = "naive_timestamp"


class InvalidSigningDate(InvalidCommand):
    code = "invalid_signing_date"


class InvalidSerial(InvalidCommand):
    code = "invalid_serial"


# --- not found ----------------------------------------------------------------------------------


class DocumentNotFound(NotFound):
    code = "document_not_found"


class TaskNotFound(NotFound):
    """No open task with this id (it never existed, or was completed or cancelled)."""

    code = "task_not_found"


class RegisterNotFound(NotFound):
    code = "register_not_found"


class NumberNotFound(NotFound):
    code = "number_not_found"


# --- who may act --------------------------------------------------------------------------------


class NotTaskHolder(PermissionDenied):
    """Only the assignee, the role holder of an unassigned task, or the current delegate may act."""

    code = "not_task_holder"


class SelfApproval(PermissionDenied):
    """Nobody decides a step of a document they drafted."""

    code = "self_approval"


class ConsecutiveSteps(PermissionDenied):
    """One person decided the previous step and the chain does not allow them to decide this one."""

    code = "consecutive_steps"


class IneligibleAssignee(PermissionDenied):
    """A delegate, transferee or added signer who may not take this task (drafter, already in the block…)."""

    code = "ineligible_assignee"


class UnknownAssignee(InvalidCommand):
    """A delegate, transferee or added signer who is not an active user."""

    code = "unknown_assignee"


class AssigneeLacksRole(InvalidCommand):
    """A delegate, transferee or added signer who does not hold the role the step requires."""

    code = "assignee_lacks_role"


class AddedSignerCannotAdd(PermissionDenied):
    code = "added_signer_cannot_add"


class NotSubmitter(PermissionDenied):
    """Only whoever completed the previous step may withdraw it."""

    code = "not_submitter"


class NotAuthorisedToReopen(PermissionDenied):
    code = "not_authorised_to_reopen"


# --- not in this state --------------------------------------------------------------------------


class DocumentAlreadyExists(IllegalTransition):
    code = "document_exists"


class NotWithDrafter(IllegalTransition):
    """Revising or submitting needs the draft step open (new document, or returned to the drafter)."""

    code = "not_with_drafter"


class WrongStepAction(IllegalTransition):
    """This action does not fit the task's step (e.g. approve on 登记编号, assign a number on 审核)."""

    code = "wrong_step_action"


class DelegationPending(IllegalTransition):
    """The task is delegated: the delegate must resolve before the owner acts again."""

    code = "delegation_pending"


class NotDelegated(IllegalTransition):
    code = "not_delegated"


class InvalidReturnTarget(IllegalTransition):
    code = "invalid_return_target"


class WithdrawNotAllowed(IllegalTransition):
    """Withdraw needs a single previous step and an untouched current step."""

    code = "withdraw_not_allowed"


class DocumentFrozen(IllegalTransition):
    """The document is signed: changes need an explicit reopening."""

    code = "document_frozen"


class NotSigned(IllegalTransition):
    code = "not_signed"


class AlreadyDispatched(IllegalTransition):
    code = "already_dispatched"


class NotDispatched(IllegalTransition):
    code = "not_dispatched"


class AlreadyAcknowledged(IllegalTransition):
    code = "already_acknowledged"


class ChainInvariantBroken(IllegalTransition):
    """Defensive: a step would complete without every earlier step completed in this round."""

    code = "chain_invariant_broken"


class RegisterAlreadyOpened(IllegalTransition):
    code = "register_exists"


class NumberAlreadyVoided(IllegalTransition):
    code = "number_already_voided"
