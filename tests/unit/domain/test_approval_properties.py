"""Property tests: random action sequences on one letter and its number register keep the invariants."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from hypothesis import event as observe
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.approval import (
    AcknowledgeReceipt,
    AddSigner,
    ApprovalStepDecided,
    ApproveTask,
    AssignNumber,
    ClaimTask,
    Command,
    DelegateTask,
    DisagreeTask,
    DispatchDocument,
    DocumentDispatched,
    DocumentNumberAssigned,
    DocumentNumberVoided,
    DocumentSigned,
    DocumentState,
    ReopenDocument,
    ResolveDelegation,
    ReturnTask,
    ReviseDraft,
    StepCompleted,
    StepKind,
    SubmitDraft,
    TransferTask,
    UnclaimTask,
    WithdrawSubmission,
    decide,
    evolve,
    fold,
    open_tasks,
)
from domain.numbering import (
    IssueNumber,
    OpenRegister,
    RegisterState,
    VoidNumber,
    decide_register,
    evolve_register,
)
from domain.shared.errors import DomainError
from domain.shared.events import Event
from tests.unit.domain.test_approval_fixtures import (
    BIANBAN,
    CHIEF,
    CODE,
    DEPUTY,
    DIRECTOR,
    DRAFTER,
    FAGAI,
    OFFICE,
    OFFICE2,
    T0,
    YEAR,
    drafted,
)

USERS = {
    "drafter": [DRAFTER],
    "section_chief": [CHIEF, "u-chief2"],
    "co_lead_unit": [BIANBAN, FAGAI, "u-zhou"],
    "deputy_director": [DEPUTY, "u-deputy2"],
    "director": [DIRECTOR, "u-director2"],
    "office": [OFFICE, OFFICE2],
}
ROLE_OF = {user: role for role, users in USERS.items() for user in users}
EVERYONE = sorted(ROLE_OF)


class Run:
    """One document and its register, driven by commands; records every event in order."""

    def __init__(self) -> None:
        self.doc = drafted()
        self.register = RegisterState()
        self.minutes = 0
        for event in decide_register(
            self.register, OpenRegister(at=T0, actor=OFFICE, code=CODE, year=YEAR, next_serial=7)
        ):
            self.register = evolve_register(self.register, event)
        self.issued: list[str] = []

    def at(self) -> datetime:
        self.minutes += 7
        return T0 + timedelta(minutes=self.minutes)

    def apply(self, command: Command) -> list[Event]:
        if isinstance(command, AssignNumber):
            command = AssignNumber(**{**vars(command), "serial": self.register.next_serial})
        emitted = decide(self.doc.state, command)  # DomainError: refused, nothing changes
        if isinstance(command, AssignNumber):
            self._register(IssueNumber(at=command.at, actor=command.actor, document_id="doc-1"))
        for event in emitted:
            check_before(self.doc.state, event)
            self.doc.state = evolve(self.doc.state, event)
            if isinstance(event, DocumentNumberVoided):
                self._register(
                    VoidNumber(at=event.at, actor=event.actor, serial=event.serial, reason=event.reason)
                )
        self.doc.events.extend(emitted)
        return emitted

    def _register(self, command: IssueNumber | VoidNumber) -> None:
        for event in decide_register(self.register, command):
            self.register = evolve_register(self.register, event)


def candidates(run: Run) -> list[Command]:
    """Plausible commands now: every open task acted on by its holder or any holder of its role."""
    state, at = run.doc.state, run.at()
    out: list[Command] = [
        WithdrawSubmission(at=at, actor=user, role=ROLE_OF[user], reason="撤回") for user in EVERYONE
    ]
    if state.frozen and state.dispatch is None:
        out += [ReopenDocument(at=at, actor=DIRECTOR, role="director", reason="更正")]
    if state.dispatch is not None:
        out += [AcknowledgeReceipt(at=at, actor=OFFICE, role="office", received_by="市作风办")]
    for task in open_tasks(state):
        people = [task.assignee] if task.assignee else USERS[task.role]
        for person in people:
            out += _task_commands(state, task.task_id, task.step, person, at)
    return out


def _task_commands(
    state: DocumentState, task_id: str, step_key: str, person: str, at: datetime
) -> list[Command]:
    def make(cls: type[Command], **fields: Any) -> Command:
        return cls(at=at, actor=person, role=ROLE_OF.get(person, ""), **fields)

    if state.steps[state.index(step_key)].kind is StepKind.DRAFT:
        return [make(SubmitDraft), make(ReviseDraft, title="函", content_hash=f"sha256:{at}")]
    others = [u for u in EVERYONE if u != person]
    other = others[sum(map(ord, task_id)) % len(others)]  # deterministic, unlike hash()
    commands = [
        make(ApproveTask, task_id=task_id),
        make(DisagreeTask, task_id=task_id, opinion="不同意"),
        make(ClaimTask, task_id=task_id),
        make(UnclaimTask, task_id=task_id),
        make(DelegateTask, task_id=task_id, to=other),
        make(ResolveDelegation, task_id=task_id),
        make(TransferTask, task_id=task_id, to=other),
        make(AddSigner, task_id=task_id, signer="u-zhou"),
        make(AssignNumber, task_id=task_id, code=CODE, year=YEAR, serial=1),
        make(DispatchDocument, task_id=task_id, recipient="市作风办", channel="纸质"),
    ]
    earlier = [s.key for s in state.steps[: state.index(step_key)]]
    return commands + [make(ReturnTask, task_id=task_id, to_step=key, reason="退回") for key in earlier]


FORWARD = (SubmitDraft, ApproveTask, AssignNumber, DispatchDocument, AcknowledgeReceipt)


def check_before(state: DocumentState, event: Event) -> None:
    """Invariants about the state an event is applied to."""
    if isinstance(event, StepCompleted | DocumentSigned):
        index = state.index(event.step) if isinstance(event, StepCompleted) else state.index_of_kind(SIGN_OFF)
        assert index is not None
        earlier = {s.key for s in state.steps[:index]}
        assert earlier <= state.completed, ("reached", index, "without", earlier - state.completed)
    if isinstance(event, ApprovalStepDecided | DocumentNumberAssigned | DocumentDispatched):
        task = state.tasks[event.task_id]
        index = state.index(task.step)
        assert event.actor != state.drafter
        previous, step = state.steps[index - 1], state.steps[index]
        assert step.allow_same_actor_as_previous or event.actor not in state.deciders(previous.key)


SIGN_OFF = StepKind.SIGN_OFF


def check_after(state: DocumentState) -> None:
    """No orphan: every open task belongs to the current step; a finished chain has none."""
    steps = {t.step for t in state.tasks.values()}
    if state.current is None:
        assert not steps
    else:
        assert steps <= {state.steps[state.current].key}
        assert steps, "the current step always has an open task"


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_random_runs_keep_every_invariant(data: st.DataObject) -> None:
    run = Run()
    numbers: list[str] = []
    for _ in range(data.draw(st.integers(10, 70), label="length")):
        options = candidates(run)
        bias = data.draw(st.integers(0, 19), label="bias")
        forward = [c for c in options if isinstance(c, FORWARD)]
        reopen = [c for c in options if isinstance(c, ReopenDocument)]
        pool = reopen if reopen and bias == 0 else forward if forward and bias < 13 else options
        command = data.draw(st.sampled_from(pool), label="command")
        try:
            emitted = run.apply(command)
        except DomainError:
            continue
        numbers += [e.number for e in emitted if isinstance(e, DocumentNumberAssigned)]
        check_after(run.doc.state)
    assert fold(run.doc.events) == run.doc.state
    for kind in sorted({e.TYPE for e in run.doc.events}):
        observe(kind)
    assert len(numbers) == len(set(numbers)), numbers
    issued = [i.number for i in run.register.issued.values()]
    assert len(issued) == len(set(issued)) and set(numbers) <= set(issued)
    held = run.doc.state.number
    assert held is None or run.register.held_by("doc-1") is not None
