"""Number register (发文登记簿): one stream per 代字 and year, handing out 文号 that are never reused."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from domain.approval.errors import (
    InvalidSerial,
    MissingField,
    NumberAlreadyVoided,
    NumberNotFound,
    RegisterAlreadyOpened,
    RegisterNotFound,
)
from domain.approval.guards import require_aware
from domain.shared.events import Event, register
from domain.shared.values import require_count

_NUMBER = re.compile(r"^(?P<code>[^〔〕\s]+)〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


def format_number(code: str, year: int, serial: int) -> str:
    """发文字号: 机关代字 + 〔year〕 + serial + 号, no leading zeros, e.g. 安行审函〔2023〕7号."""
    return f"{code}〔{year}〕{serial}号"


def parse_number(number: str) -> tuple[str, int, int]:
    """(code, year, serial) of a 文号 written as format_number writes it; InvalidSerial otherwise."""
    match = _NUMBER.match(number)
    if match is None:
        raise InvalidSerial(f"not a document number: {number!r}", number=number)
    return match["code"], int(match["year"]), int(match["serial"])


def register_id(code: str, year: int) -> str:
    """The register's stream id, e.g. ``number-register:安行审函:2023``."""
    return f"number-register:{code}:{year}"


# --- events -------------------------------------------------------------------------------------


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class NumberRegisterOpened(Event):
    TYPE = "NumberRegisterOpened"
    register_id: str
    code: str
    year: int
    next_serial: int


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class NumberIssued(Event):
    TYPE = "NumberIssued"
    register_id: str
    serial: int
    number: str
    document_id: str


@register
@dataclasses.dataclass(frozen=True, kw_only=True)
class NumberVoided(Event):
    """The number stays used: a voided serial is never issued again."""

    TYPE = "NumberVoided"
    register_id: str
    serial: int
    number: str
    document_id: str
    reason: str


REGISTER_EVENTS: tuple[type[Event], ...] = (NumberRegisterOpened, NumberIssued, NumberVoided)


# --- commands -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class OpenRegister:
    at: datetime
    actor: str
    code: str
    year: int
    next_serial: int = 1


@dataclasses.dataclass(frozen=True, kw_only=True)
class IssueNumber:
    at: datetime
    actor: str
    document_id: str


@dataclasses.dataclass(frozen=True, kw_only=True)
class VoidNumber:
    at: datetime
    actor: str
    serial: int
    reason: str


RegisterCommand = OpenRegister | IssueNumber | VoidNumber


# --- state --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class Issued:
    serial: int
    number: str
    document_id: str
    voided: bool = False
    void_reason: str = ""


@dataclasses.dataclass(frozen=True, kw_only=True)
class RegisterState:
    register_id: str = ""
    code: str = ""
    year: int = 0
    next_serial: int = 0
    issued: Mapping[int, Issued] = dataclasses.field(default_factory=dict)

    @property
    def opened(self) -> bool:
        return bool(self.register_id)

    def held_by(self, document_id: str) -> Issued | None:
        """The number a document holds now (not voided), if any."""
        return next((i for i in self.issued.values() if i.document_id == document_id and not i.voided), None)


INITIAL_REGISTER = RegisterState()


def decide_register(state: RegisterState, command: RegisterCommand) -> list[Event]:
    """The events a register command produces; IssueNumber for a document holding a number emits none."""
    require_aware(command.at)
    if isinstance(command, OpenRegister):
        return _open(state, command)
    if not state.opened:
        raise RegisterNotFound("the number register has not been opened")
    if isinstance(command, IssueNumber):
        return _issue(state, command)
    return _void(state, command)


def _open(state: RegisterState, c: OpenRegister) -> list[Event]:
    if state.opened:
        raise RegisterAlreadyOpened("the number register is already open", register_id=state.register_id)
    if not c.code.strip() or re.search(r"[〔〕\s]", c.code):
        raise MissingField("the register needs a 机关代字 without brackets or spaces", code=c.code)
    if c.next_serial < 1 or not 1000 <= c.year <= 9999:
        raise InvalidSerial(
            "serials start at 1 or more and the year has four digits", next_serial=c.next_serial
        )
    require_count(c.next_serial, "next_serial", lower=1, out_of_range=InvalidSerial)
    rid = register_id(c.code, c.year)
    return [
        NumberRegisterOpened(
            at=c.at, actor=c.actor, register_id=rid, code=c.code, year=c.year, next_serial=c.next_serial
        )
    ]


def _issue(state: RegisterState, c: IssueNumber) -> list[Event]:
    if not c.document_id:
        raise MissingField("a number is issued to a document", field="document_id")
    if state.held_by(c.document_id) is not None:
        return []  # idempotent: the document already holds a number from this register
    serial = state.next_serial
    number = format_number(state.code, state.year, serial)
    return [
        NumberIssued(
            at=c.at,
            actor=c.actor,
            register_id=state.register_id,
            serial=serial,
            number=number,
            document_id=c.document_id,
        )
    ]


def _void(state: RegisterState, c: VoidNumber) -> list[Event]:
    issued = state.issued.get(c.serial)
    if issued is None:
        raise NumberNotFound("this serial was never issued", serial=c.serial)
    if issued.voided:
        raise NumberAlreadyVoided("this number is already voided", number=issued.number)
    if not c.reason.strip():
        raise MissingField("voiding a number needs a reason", field="reason")
    return [
        NumberVoided(
            at=c.at,
            actor=c.actor,
            register_id=state.register_id,
            serial=c.serial,
            number=issued.number,
            document_id=issued.document_id,
            reason=c.reason,
        )
    ]


def evolve_register(state: RegisterState, event: Event) -> RegisterState:
    handler = _HANDLERS.get(type(event))
    return handler(state, event) if handler else state


def fold_register(events: Iterable[Event], state: RegisterState | None = None) -> RegisterState:
    current = INITIAL_REGISTER if state is None else state
    for event in events:
        current = evolve_register(current, event)
    return current


def _opened(s: RegisterState, e: NumberRegisterOpened) -> RegisterState:
    return dataclasses.replace(
        s, register_id=e.register_id, code=e.code, year=e.year, next_serial=e.next_serial
    )


def _issued(s: RegisterState, e: NumberIssued) -> RegisterState:
    issued = Issued(serial=e.serial, number=e.number, document_id=e.document_id)
    return dataclasses.replace(
        s, next_serial=max(s.next_serial, e.serial + 1), issued={**s.issued, e.serial: issued}
    )


def _voided(s: RegisterState, e: NumberVoided) -> RegisterState:
    issued = dataclasses.replace(s.issued[e.serial], voided=True, void_reason=e.reason)
    return dataclasses.replace(s, issued={**s.issued, e.serial: issued})


_HANDLERS: dict[type[Event], Callable[[RegisterState, Any], RegisterState]] = {
    NumberRegisterOpened: _opened,
    NumberIssued: _issued,
    NumberVoided: _voided,
}
