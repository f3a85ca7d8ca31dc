"""Named domain errors: every refused command raises one of these, never a bare exception."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by a rule of the assessment. ``code`` is stable for clients."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class InvalidCommand(DomainError):
    """The command's own fields are wrong (bad value, missing item), whatever the state."""

    code = "invalid_command"


class IllegalTransition(DomainError):
    """The command is not allowed in the current stage or state."""

    code = "illegal_transition"


class PermissionDenied(DomainError):
    """A rule about who may act refused it (segregation of duties, wrong assignee)."""

    code = "permission_denied"
