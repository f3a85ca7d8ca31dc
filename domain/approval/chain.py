"""Approval chain definitions: the ordered steps an outgoing document passes, as plain data."""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping
from enum import StrEnum

from domain.approval.errors import InvalidChain

DRAFTER_ROLE = "drafter"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")


class StepKind(StrEnum):
    DRAFT = "draft"  # 拟稿
    CHECK = "check"  # 核稿
    COUNTERSIGN = "countersign"  # 会签
    REVIEW = "review"  # 审核
    SIGN_OFF = "sign_off"  # 签发
    NUMBERING = "numbering"  # 登记编号
    DISPATCH = "dispatch"  # 报送


STEP_LABELS: Mapping[StepKind, str] = {
    StepKind.DRAFT: "拟稿",
    StepKind.CHECK: "核稿",
    StepKind.COUNTERSIGN: "会签",
    StepKind.REVIEW: "审核",
    StepKind.SIGN_OFF: "签发",
    StepKind.NUMBERING: "登记编号",
    StepKind.DISPATCH: "报送",
}


class Rule(StrEnum):
    ALL = "all"  # 会签: every member approves
    ANY = "any"  # 或签: one approval completes the block
    N_OF_M = "n_of_m"  # n approvals complete the block


@dataclasses.dataclass(frozen=True, kw_only=True)
class Block:
    """A parallel block's completion rule; a rejected block goes back to ``reject_to`` (default: one step)."""

    rule: Rule = Rule.ALL
    n: int | None = None
    reject_to: str | None = None


@dataclasses.dataclass(frozen=True, kw_only=True)
class Step:
    """One step: a single task (optionally named assignee) or, with ``block``, one task per member."""

    key: str
    kind: StepKind
    role: str
    assignees: tuple[str, ...] = ()
    block: Block | None = None
    allow_same_actor_as_previous: bool = False

    @property
    def parallel(self) -> bool:
        return self.block is not None

    def needed(self, seats: int) -> int:
        """Approvals that complete this step when ``seats`` tasks were opened in the round."""
        if self.block is None or self.block.rule is Rule.ALL:
            return seats
        if self.block.rule is Rule.ANY:
            return 1
        return self.block.n or seats


@dataclasses.dataclass(frozen=True, kw_only=True)
class Chain:
    """The ordered steps for one document type; the first step is always the drafter's 拟稿."""

    doc_type: str
    steps: tuple[Step, ...]

    def index(self, key: str) -> int:
        for i, step in enumerate(self.steps):
            if step.key == key:
                return i
        raise InvalidChain(f"no step {key!r} in the chain", step=key)

    def step(self, key: str) -> Step:
        return self.steps[self.index(key)]

    def index_of_kind(self, kind: StepKind) -> int | None:
        return next((i for i, s in enumerate(self.steps) if s.kind is kind), None)

    def assign(self, key: str, *assignees: str) -> Chain:
        """The same chain with the named assignees (block members) of one step replaced."""
        self.index(key)
        steps = tuple(dataclasses.replace(s, assignees=assignees) if s.key == key else s for s in self.steps)
        return dataclasses.replace(self, steps=steps)

    def without(self, key: str) -> Chain:
        """The same chain without one (optional) step, e.g. no 会签 for a document touching no other unit."""
        self.index(key)
        return dataclasses.replace(self, steps=tuple(s for s in self.steps if s.key != key))


def validate_chain(chain: Chain) -> None:
    """Raise InvalidChain unless the chain can run: see docs/domain-approval.md for the rules."""
    steps = chain.steps
    first = steps[0] if steps else None
    if first is None or first.kind is not StepKind.DRAFT or first.role != DRAFTER_ROLE:
        raise InvalidChain("the first step must be the drafter's draft step")
    if first.assignees or first.block is not None:
        raise InvalidChain("the draft step belongs to whoever drafts the document")
    if len(steps) < 2:
        raise InvalidChain("a chain needs at least one step after the draft")
    keys = [s.key for s in steps]
    if len(set(keys)) != len(keys) or not all(_KEY.match(k) for k in keys):
        raise InvalidChain("step keys must be unique and match [a-z][a-z0-9_]*", keys=keys)
    for previous, step in itertools.pairwise(steps):
        _validate_step(step, chain)
        if set(previous.assignees) & set(step.assignees) and not step.allow_same_actor_as_previous:
            raise InvalidChain("the same person is named on two consecutive steps", step=step.key)
    _validate_order(chain)


def _validate_step(step: Step, chain: Chain) -> None:
    if step.kind is StepKind.DRAFT:
        raise InvalidChain("only the first step may be a draft step", step=step.key)
    if not step.role:
        raise InvalidChain("every step names the role allowed to act", step=step.key)
    if len(set(step.assignees)) != len(step.assignees):
        raise InvalidChain("assignees must be distinct", step=step.key)
    if step.block is None:
        if len(step.assignees) > 1:
            raise InvalidChain("a single step has at most one named assignee", step=step.key)
        return
    if step.kind in (StepKind.SIGN_OFF, StepKind.NUMBERING, StepKind.DISPATCH):
        raise InvalidChain("sign-off, numbering and dispatch are single steps", step=step.key)
    if not step.assignees:
        raise InvalidChain("a parallel block needs its members", step=step.key)
    _validate_block(step, step.block, chain)


def _validate_block(step: Step, block: Block, chain: Chain) -> None:
    if block.rule is Rule.N_OF_M:
        n_ok = block.n is not None and 1 <= block.n <= len(step.assignees)
    else:
        n_ok = block.n is None
    if not n_ok:
        raise InvalidChain("n is required for n_of_m (1 <= n <= members) and only there", step=step.key)
    if block.reject_to is not None and chain.index(block.reject_to) >= chain.index(step.key):
        raise InvalidChain("a block can only be rejected to an earlier step", step=step.key)


def _validate_order(chain: Chain) -> None:
    found = {kind: [i for i, s in enumerate(chain.steps) if s.kind is kind] for kind in StepKind}
    for kind in (StepKind.SIGN_OFF, StepKind.NUMBERING, StepKind.DISPATCH):
        if len(found[kind]) > 1:
            raise InvalidChain(f"at most one {kind.value} step", kind=kind.value)
    sign = found[StepKind.SIGN_OFF]
    blocks = [i for i, step in enumerate(chain.steps) if step.parallel]
    if sign and blocks and blocks[-1] > sign[0]:
        raise InvalidChain("parallel blocks come before sign-off (a signed document is frozen)")
    for kind in (StepKind.NUMBERING, StepKind.DISPATCH):
        if found[kind] and not (sign and sign[0] < found[kind][0]):
            raise InvalidChain(f"{kind.value} must come after sign-off", kind=kind.value)
    if found[StepKind.DISPATCH]:
        if found[StepKind.DISPATCH][0] != len(chain.steps) - 1:
            raise InvalidChain("dispatch must be the last step")
        if not found[StepKind.NUMBERING]:
            raise InvalidChain("dispatch needs a numbering step before it")


DEFAULT_LETTER_CHAIN = Chain(
    doc_type="letter",  # 函
    steps=(
        Step(key="draft", kind=StepKind.DRAFT, role=DRAFTER_ROLE),
        Step(key="check", kind=StepKind.CHECK, role="section_chief"),
        Step(key="countersign", kind=StepKind.COUNTERSIGN, role="co_lead_unit", block=Block(rule=Rule.ALL)),
        Step(key="review", kind=StepKind.REVIEW, role="deputy_director"),
        Step(key="sign_off", kind=StepKind.SIGN_OFF, role="director"),
        Step(key="numbering", kind=StepKind.NUMBERING, role="office"),
        Step(key="dispatch", kind=StepKind.DISPATCH, role="office", allow_same_actor_as_previous=True),
    ),
)
"""拟稿 → 核稿 → 会签 (all) → 审核 → 签发 → 登记编号 → 报送; name the 会签 members with ``.assign()``."""

CHAINS: Mapping[str, Chain] = {DEFAULT_LETTER_CHAIN.doc_type: DEFAULT_LETTER_CHAIN}
