"""Named domain errors: every refused command raises one of these, never a bare exception."""

from __future__ import annotations


class DomainError(Exception):
    """A command was refused by a rule of the assessment. ``code`` is stable for clients.

    ``details`` are JSON-ready facts about the refusal; ``field``, when the refusal concerns one field of
    the command, names it (the path as the API's body spells it, e.g. ``points`` or
    ``report.hotline.calls``) and is also ``details["field"]``.
    """

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    @property
    def field(self) -> str | None:
        """The command field the refusal is about, or None."""
        named = self.details.get("field")
        return named if isinstance(named, str) and named else None


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
