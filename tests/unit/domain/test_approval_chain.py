"""Chain definitions: the default letter chain and the validation rules."""

from __future__ import annotations

import dataclasses

import pytest

from domain.approval import (
    CHAINS,
    DEFAULT_LETTER_CHAIN,
    STEP_LABELS,
    Block,
    Chain,
    Rule,
    Step,
    StepKind,
    validate_chain,
)
from domain.approval.errors import InvalidChain
from domain.shared.errors import InvalidCommand
from tests.unit.domain.test_approval_fixtures import BIANBAN, CHAIN, FAGAI


def test_default_letter_chain_runs_draft_to_dispatch() -> None:
    labels = [STEP_LABELS[s.kind] for s in DEFAULT_LETTER_CHAIN.steps]
    assert labels == ["拟稿", "核稿", "会签", "审核", "签发", "登记编号", "报送"]
    assert [s.role for s in DEFAULT_LETTER_CHAIN.steps] == [
        "drafter",
        "section_chief",
        "co_lead_unit",
        "deputy_director",
        "director",
        "office",
        "office",
    ]
    assert CHAINS["letter"] is DEFAULT_LETTER_CHAIN
    assert DEFAULT_LETTER_CHAIN.step("countersign").block == Block(rule=Rule.ALL)
    assert DEFAULT_LETTER_CHAIN.step("dispatch").allow_same_actor_as_previous


def test_default_chain_needs_its_countersign_members() -> None:
    with pytest.raises(InvalidChain, match="members"):
        validate_chain(DEFAULT_LETTER_CHAIN)
    validate_chain(CHAIN)
    assert CHAIN.step("countersign").assignees == (BIANBAN, FAGAI)


def test_a_chain_without_countersign_is_valid() -> None:
    chain = DEFAULT_LETTER_CHAIN.without("countersign")
    validate_chain(chain)
    assert [s.key for s in chain.steps] == ["draft", "check", "review", "sign_off", "numbering", "dispatch"]


def test_unknown_step_keys_are_refused() -> None:
    with pytest.raises(InvalidChain):
        DEFAULT_LETTER_CHAIN.assign("nope", "x")
    with pytest.raises(InvalidChain):
        DEFAULT_LETTER_CHAIN.without("nope")


def _chain(*steps: Step) -> Chain:
    return Chain(doc_type="letter", steps=steps)


DRAFT = Step(key="draft", kind=StepKind.DRAFT, role="drafter")
CHECK = Step(key="check", kind=StepKind.CHECK, role="section_chief")
SIGN = Step(key="sign_off", kind=StepKind.SIGN_OFF, role="director")
NUMBER = Step(key="numbering", kind=StepKind.NUMBERING, role="office")
DISPATCH = Step(key="dispatch", kind=StepKind.DISPATCH, role="office")


@pytest.mark.parametrize(
    ("chain", "message"),
    [
        (_chain(), "first step"),
        (_chain(DRAFT), "at least"),
        (_chain(CHECK, DRAFT), "first step"),
        (_chain(dataclasses.replace(DRAFT, role="office"), CHECK), "first step"),
        (_chain(DRAFT, CHECK, dataclasses.replace(CHECK, kind=StepKind.REVIEW)), "unique"),
        (_chain(DRAFT, dataclasses.replace(CHECK, key="Check-1")), "unique"),
        (_chain(DRAFT, dataclasses.replace(DRAFT, key="again")), "only the first"),
        (_chain(DRAFT, dataclasses.replace(CHECK, role="")), "role"),
        (_chain(DRAFT, dataclasses.replace(CHECK, assignees=("a", "b"))), "at most one"),
        (_chain(DRAFT, dataclasses.replace(CHECK, assignees=("a", "a"))), "distinct"),
        (_chain(DRAFT, dataclasses.replace(CHECK, block=Block())), "members"),
        (_chain(DRAFT, dataclasses.replace(SIGN, assignees=("a",), block=Block())), "single steps"),
        (_chain(DRAFT, dataclasses.replace(CHECK, assignees=("a",), block=Block(rule=Rule.N_OF_M))), "n is"),
        (
            _chain(DRAFT, dataclasses.replace(CHECK, assignees=("a",), block=Block(rule=Rule.N_OF_M, n=2))),
            "n is",
        ),
        (
            _chain(DRAFT, dataclasses.replace(CHECK, assignees=("a",), block=Block(rule=Rule.ANY, n=1))),
            "n is",
        ),
        (
            _chain(DRAFT, dataclasses.replace(CHECK, assignees=("a",), block=Block(reject_to="check"))),
            "earlier",
        ),
        (_chain(DRAFT, SIGN, dataclasses.replace(SIGN, key="again")), "at most one"),
        (_chain(DRAFT, NUMBER, SIGN), "after sign-off"),
        (_chain(DRAFT, SIGN, DISPATCH, NUMBER), "last"),
        (_chain(DRAFT, SIGN, DISPATCH), "numbering step"),
        (_chain(dataclasses.replace(DRAFT, assignees=("a",)), CHECK), "whoever drafts"),
        (_chain(DRAFT, *[dataclasses.replace(s, assignees=("a",)) for s in (CHECK, SIGN)]), "consecutive"),
        (_chain(DRAFT, SIGN, dataclasses.replace(CHECK, assignees=("a",), block=Block())), "before sign-off"),
    ],
)
def test_invalid_chains_are_named(chain: Chain, message: str) -> None:
    with pytest.raises(InvalidChain, match=message) as refused:
        validate_chain(chain)
    assert refused.value.code == "invalid_chain"
    assert isinstance(refused.value, InvalidCommand)


def test_blocks_know_how_many_approvals_complete_them() -> None:
    members = ("a", "b", "c")
    step = Step(key="cs", kind=StepKind.COUNTERSIGN, role="co_lead_unit", assignees=members, block=Block())
    assert step.needed(3) == 3
    assert step.needed(4) == 4  # 加签 raises the bar of an "all" block
    assert dataclasses.replace(step, block=Block(rule=Rule.ANY)).needed(3) == 1
    assert dataclasses.replace(step, block=Block(rule=Rule.N_OF_M, n=2)).needed(4) == 2
    assert CHAIN.step("check").needed(1) == 1


def test_the_same_person_may_be_named_on_consecutive_steps_when_allowed() -> None:
    named = [dataclasses.replace(s, assignees=("a",)) for s in (CHECK, SIGN)]
    validate_chain(_chain(DRAFT, named[0], dataclasses.replace(named[1], allow_same_actor_as_previous=True)))
