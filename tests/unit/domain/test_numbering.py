"""The number register (发文登记簿): 文号 format, seeding, issuing, voiding, never reusing."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.approval.errors import (
    InvalidSerial,
    MissingField,
    NaiveTimestamp,
    NumberAlreadyVoided,
    NumberNotFound,
    RegisterAlreadyOpened,
    RegisterNotFound,
)
from domain.numbering import (
    INITIAL_REGISTER,
    IssueNumber,
    NumberIssued,
    NumberRegisterOpened,
    NumberVoided,
    OpenRegister,
    RegisterCommand,
    RegisterState,
    VoidNumber,
    decide_register,
    evolve_register,
    fold_register,
    format_number,
    parse_number,
    register_id,
)
from domain.shared.events import Event
from tests.unit.domain.test_approval_fixtures import OFFICE, T0


def _run(*commands: RegisterCommand) -> tuple[RegisterState, list[Event]]:
    events: list[Event] = []
    for command in commands:
        events += decide_register(fold_register(events), command)
    return fold_register(events), events


OPEN_AT_7 = OpenRegister(at=T0, actor=OFFICE, code="安行审函", year=2023, next_serial=7)


def _issue(document_id: str) -> IssueNumber:
    return IssueNumber(at=T0, actor=OFFICE, document_id=document_id)


def test_format_uses_hexagonal_brackets_and_no_leading_zeros() -> None:
    assert format_number("安行审函", 2023, 7) == "安行审函〔2023〕7号"
    assert format_number("安行审函", 2023, 12) == "安行审函〔2023〕12号"
    assert "\u3014" in format_number("x", 2023, 1) and "\u3015" in format_number("x", 2023, 1)


def test_parse_is_the_inverse_of_format() -> None:
    assert parse_number("安行审函〔2023〕7号") == ("安行审函", 2023, 7)
    for bad in ("安行审函[2023]7号", "安行审函〔2023〕07号", "安行审函〔23〕7号", "安行审函〔2023〕7"):
        with pytest.raises(InvalidSerial):
            parse_number(bad)


def test_the_seed_register_starts_at_7() -> None:
    state, events = _run(OPEN_AT_7, _issue("doc-1"))
    assert isinstance(events[0], NumberRegisterOpened)
    assert events[0].register_id == register_id("安行审函", 2023) == "number-register:安行审函:2023"
    issued = events[1]
    assert isinstance(issued, NumberIssued)
    assert (issued.serial, issued.number, issued.document_id) == (7, "安行审函〔2023〕7号", "doc-1")
    assert state.next_serial == 8 and state.held_by("doc-1") is not None


def test_a_register_starts_at_1_by_default() -> None:
    state, _ = _run(OpenRegister(at=T0, actor=OFFICE, code="安行审函", year=2024), _issue("doc-9"))
    assert state.issued[1].number == "安行审函〔2024〕1号"


def test_issuing_again_to_a_holding_document_is_a_no_op() -> None:
    state, events = _run(OPEN_AT_7, _issue("doc-1"), _issue("doc-1"))
    assert len(events) == 2 and state.next_serial == 8


def test_a_voided_number_stays_used() -> None:
    void = VoidNumber(at=T0, actor=OFFICE, serial=7, reason="退回重新签发")
    state, events = _run(OPEN_AT_7, _issue("doc-1"), void, _issue("doc-1"), _issue("doc-2"))
    assert isinstance(events[2], NumberVoided) and events[2].document_id == "doc-1"
    assert state.issued[7].voided and state.issued[7].void_reason == "退回重新签发"
    assert [(i.serial, i.document_id, i.voided) for i in state.issued.values()] == [
        (7, "doc-1", True),
        (8, "doc-1", False),
        (9, "doc-2", False),
    ]


@pytest.mark.parametrize(
    ("commands", "error"),
    [
        ((_issue("doc-1"),), RegisterNotFound),
        ((OPEN_AT_7, OPEN_AT_7), RegisterAlreadyOpened),
        ((OpenRegister(at=T0, actor=OFFICE, code="安行审函", year=2023, next_serial=0),), InvalidSerial),
        ((OpenRegister(at=T0, actor=OFFICE, code="安行审函", year=23),), InvalidSerial),
        ((OpenRegister(at=T0, actor=OFFICE, code="安行〔审〕函", year=2023),), MissingField),
        ((OPEN_AT_7, _issue("")), MissingField),
        ((OPEN_AT_7, VoidNumber(at=T0, actor=OFFICE, serial=7, reason="x")), NumberNotFound),
        ((OPEN_AT_7, _issue("d"), VoidNumber(at=T0, actor=OFFICE, serial=7, reason=" ")), MissingField),
        (
            (
                OPEN_AT_7,
                _issue("d"),
                VoidNumber(at=T0, actor=OFFICE, serial=7, reason="x"),
                VoidNumber(at=T0, actor=OFFICE, serial=7, reason="x"),
            ),
            NumberAlreadyVoided,
        ),
    ],
)
def test_register_refusals(commands: tuple[RegisterCommand, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        _run(*commands)


def test_fold_and_evolve_agree() -> None:
    state, events = _run(OPEN_AT_7, _issue("a"), _issue("b"))
    stepwise = INITIAL_REGISTER
    for event in events:
        stepwise = evolve_register(stepwise, event)
    assert stepwise == state == fold_register(events[1:], fold_register(events[:1]))


def test_naive_times_are_refused() -> None:
    with pytest.raises(NaiveTimestamp):
        _run(OpenRegister(at=datetime(2023, 3, 1), actor=OFFICE, code="安行审函", year=2023))
