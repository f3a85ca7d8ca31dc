"""The application core's refusals that are not the domain's: who may act, and input that does not fit."""

from __future__ import annotations

from dataclasses import dataclass

from domain.shared.errors import DomainError
from services.app.commands import StaleVersion
from services.eventstore.errors import ConcurrencyError, IdempotencyConflict, InvalidAppend


class AccessDenied(Exception):
    """The user's role or unit may not do or see this (403 on the API, 无权操作 on the pages)."""

    code = "forbidden"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class InvalidInput(Exception):
    """One or more fields do not fit the act (422 naming the fields; the form's message on the pages)."""

    code = "invalid_input"

    def __init__(self, *problems: FieldProblem) -> None:
        self.problems = problems
        self.message = "; ".join(f"{p.field}: {p.message}" for p in problems)
        super().__init__(self.message)

    @classmethod
    def field(cls, field: str, message: str) -> InvalidInput:
        return cls(FieldProblem(field, message))


REFUSED: tuple[type[Exception], ...] = (
    DomainError,
    AccessDenied,
    InvalidInput,
    ConcurrencyError,
    IdempotencyConflict,
    InvalidAppend,
    StaleVersion,
)
"""Every refusal an act can meet, each with a ``code``: the domain's, access, input and the store's."""
