"""Property: whatever documents ask for numbers and whatever is voided, no number is given twice."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.numbering import (
    IssueNumber,
    NumberIssued,
    OpenRegister,
    RegisterCommand,
    VoidNumber,
    decide_register,
    fold_register,
)
from domain.shared.errors import DomainError
from domain.shared.events import Event
from tests.unit.domain.test_approval_fixtures import OFFICE, T0

_issue = st.builds(IssueNumber, at=st.just(T0), actor=st.just(OFFICE), document_id=st.sampled_from("abcde"))
_void = st.builds(
    VoidNumber, at=st.just(T0), actor=st.just(OFFICE), serial=st.integers(1, 30), reason=st.just("退回")
)


@settings(max_examples=200, deadline=None)
@given(start=st.integers(1, 20), commands=st.lists(st.one_of(_issue, _void), max_size=40))
def test_numbers_are_never_reused(start: int, commands: list[RegisterCommand]) -> None:
    opened = OpenRegister(at=T0, actor=OFFICE, code="安行审函", year=2023, next_serial=start)
    events: list[Event] = list(decide_register(fold_register([]), opened))
    state = fold_register(events)
    for command in commands:
        try:
            emitted = decide_register(state, command)
        except DomainError:
            continue
        events += emitted
        state = fold_register(emitted, state)
        holders = [i.document_id for i in state.issued.values() if not i.voided]
        assert len(holders) == len(set(holders)), "a document holds one live number at most"
    issued = [e for e in events if isinstance(e, NumberIssued)]
    assert len({e.number for e in issued}) == len(issued)
    assert [e.serial for e in issued] == list(range(start, start + len(issued)))  # gap-free, in order
    assert state == fold_register(events)
