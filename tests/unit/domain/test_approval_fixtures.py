"""Shared givens for the approval tests: people, the letter chain, a small driver (no tests here)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from domain.approval import (
    DEFAULT_LETTER_CHAIN,
    INITIAL_STATE,
    AcknowledgeReceipt,
    ApproveTask,
    AssignNumber,
    Chain,
    Command,
    DispatchDocument,
    DocumentState,
    DraftDocument,
    SubmitDraft,
    decide,
    evolve,
    fold,
    open_tasks,
)
from domain.shared.events import Event

CST = timezone(timedelta(hours=8))
T0 = datetime(2023, 3, 1, 9, 0, tzinfo=CST)

DRAFTER = "u-zhang"  # 经办人
CHIEF = "u-li"  # 科室负责人
BIANBAN = "u-bianban"  # 市委编办 (co-lead unit)
FAGAI = "u-fagai"  # 市发改委 (co-lead unit)
DEPUTY = "u-wang"  # 分管领导
DIRECTOR = "u-zhao"  # 主要领导
OFFICE = "u-chen"  # 办公室
OFFICE2 = "u-sun"
OUTSIDER = "u-nobody"

ROLES = {
    DRAFTER: "drafter",
    CHIEF: "section_chief",
    BIANBAN: "co_lead_unit",
    FAGAI: "co_lead_unit",
    DEPUTY: "deputy_director",
    DIRECTOR: "director",
    OFFICE: "office",
    OFFICE2: "office",
}

CHAIN = DEFAULT_LETTER_CHAIN.assign("countersign", BIANBAN, FAGAI)
CODE, YEAR = "安行审函", 2023


class Doc:
    """Drives one document: ``do`` decides a command on the current state and applies its events."""

    def __init__(self, chain: Chain = CHAIN) -> None:
        self.chain = chain
        self.state: DocumentState = INITIAL_STATE
        self.events: list[Event] = []
        self.minutes = 0

    def command(self, cls: type[Command], actor: str, **fields: Any) -> Command:
        self.minutes += 5
        fields.setdefault("role", ROLES.get(actor, ""))
        return cls(at=T0 + timedelta(minutes=self.minutes), actor=actor, **fields)

    def do(self, cls: type[Command], actor: str, **fields: Any) -> list[Event]:
        emitted = decide(self.state, self.command(cls, actor, **fields))
        for event in emitted:
            self.state = evolve(self.state, event)
        self.events.extend(emitted)
        return emitted

    def task(self, step: str, assignee: str | None = None) -> str:
        """The id of the open task of ``step`` (held by ``assignee`` if given)."""
        ids = [t.task_id for t in open_tasks(self.state) if t.step == step and assignee in (None, t.assignee)]
        assert len(ids) == 1, (step, assignee, open_tasks(self.state))
        return ids[0]

    def approve(self, step: str, actor: str, **fields: Any) -> list[Event]:
        return self.do(ApproveTask, actor, task_id=self.task(step, _member(step, actor)), **fields)

    def refold(self) -> DocumentState:
        return fold(self.events)


def _member(step: str, actor: str) -> str | None:
    return actor if step == "countersign" else None


def drafted(chain: Chain = CHAIN) -> Doc:
    doc = Doc(chain)
    doc.do(
        DraftDocument,
        DRAFTER,
        document_id="doc-1",
        campaign_id="camp-2023",
        doc_type="letter",
        title="关于2023年作风建设专项考核赋分情况的函",
        content_hash="sha256:v1",
        chain=chain,
    )
    return doc


def at_step(step: str) -> Doc:
    """A document that went through the letter chain up to ``step`` (its tasks open)."""
    doc = drafted()
    doc.do(SubmitDraft, DRAFTER)
    path = [
        ("check", [CHIEF]),
        ("countersign", [BIANBAN, FAGAI]),
        ("review", [DEPUTY]),
        ("sign_off", [DIRECTOR]),
    ]
    for key, actors in path:
        if key == step:
            return doc
        for actor in actors:
            doc.approve(key, actor)
    if step == "numbering":
        return doc
    doc.do(AssignNumber, OFFICE, task_id=doc.task("numbering"), code=CODE, year=YEAR, serial=7)
    if step == "dispatch":
        return doc
    doc.do(
        DispatchDocument, OFFICE, task_id=doc.task("dispatch"), recipient="市作风办", channel="电子公文交换"
    )
    if step == "dispatched":
        return doc
    doc.do(AcknowledgeReceipt, OFFICE, received_by="市作风办 刘")
    return doc


def types(events: list[Event]) -> list[str]:
    return [e.TYPE for e in events]
