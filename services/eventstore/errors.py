"""Errors the event store raises; each leaves the log untouched."""

from __future__ import annotations


class EventStoreError(Exception):
    """Base class for every refusal by the event store."""


class InvalidAppend(EventStoreError, ValueError):
    """Bad input to append: names the offending field so the API can return a field-level 4xx."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ConcurrencyError(EventStoreError):
    """The stream moved on since the caller read it: nothing was written."""

    def __init__(self, stream_id: str, expected_version: int, actual_version: int) -> None:
        super().__init__(
            f"stream {stream_id!r} is at version {actual_version}, not the expected {expected_version}"
        )
        self.stream_id = stream_id
        self.expected_version = expected_version
        self.actual_version = actual_version


class IdempotencyConflict(EventStoreError):
    """The idempotency key was already used for a different append."""

    def __init__(self, key: str) -> None:
        super().__init__(f"idempotency key {key!r} was already used for a different request")
        self.key = key


class UnknownEventType(InvalidAppend):
    def __init__(self, field: str, type_name: str) -> None:
        super().__init__(field, f"unknown event type {type_name!r}")
        self.type_name = type_name
