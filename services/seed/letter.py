"""The demo report: the seed letter built from the seed scenario's record (安行审函〔2023〕7号)."""

from __future__ import annotations

from functools import cache
from typing import Any

from domain.approval.state import DocumentState, NumberRef, Signature
from domain.campaign import INITIAL_STATE, execute
from domain.campaign.state import CampaignState
from domain.numbering import parse_number, register_id
from domain.reports import ReportMode
from domain.shared.events import Event
from services.letters.build import build_model, report_context
from services.letters.model import Annex, ReportModel, Table
from services.seed import scenario
from services.seed.scenario import COUNTIES, DEPARTMENTS

__all__ = [
    "COUNTIES",
    "DEPARTMENTS",
    "large_model",
    "seed_context",
    "seed_document",
    "seed_model",
    "seed_record",
]
# COUNTIES and DEPARTMENTS are annexes 1 and 2 of the seed, in its order (旬阳县 as printed there). The seed's
# text shows "人民银行安康 中心支行": the space is where the printed cell wrapped, so the name has none.


@cache
def seed_record() -> tuple[CampaignState, tuple[Event, ...]]:
    """The seed scenario's campaign, every command decided in order: the final state and its events."""
    state, events = INITIAL_STATE, []
    for command in scenario.commands():
        state, new = execute(state, command)
        events.extend(new)
    return state, tuple(events)


def seed_document() -> DocumentState:
    """The letter as its approval chain leaves it: signed on 2023-03-07, numbered 安行审函〔2023〕7号."""
    code, year, serial = parse_number(scenario.LETTER_NUMBER)
    return DocumentState(
        document_id=scenario.DOCUMENT_ID,
        campaign_id=scenario.CAMPAIGN_ID,
        doc_type="letter",
        title=scenario.LETTER_TITLE,
        signature=Signature(
            task_id="sign_off-1", signer=scenario.DIRECTOR, signing_date=scenario.LETTER_DATE, version=1,
            content_hash="",
        ),
        number=NumberRef(register_id=register_id(code, year), serial=serial, number=scenario.LETTER_NUMBER),
    )  # fmt: skip


def seed_context() -> dict[str, Any]:
    """The template context as the record gives it (services/letters/build.report_context)."""
    return report_context(seed_record()[0], seed_document())


def seed_model(*, draft: bool = False, as_of_position: int | None = None) -> ReportModel:
    """The seed letter built from the scenario's record; `draft=True` drops the 文号 (watermark 草稿)."""
    state, events = seed_record()
    mode = ReportMode.DRAFT if draft else ReportMode.FINAL
    position = len(events) if as_of_position is None else as_of_position
    return build_model(state, seed_document(), position, mode)


def large_model(units: int, *, indicators: int = 2) -> ReportModel:
    """A generated campaign of `units` assessed units (for the bench): one annex, varied scores."""
    columns = tuple(f"指标{i + 1}" for i in range(indicators))
    rows = tuple(
        (str(n), f"第{n}被考核单位", *(f"{100 - (n * (k + 3)) % 7}分" for k in range(indicators)))
        for n in range(1, units + 1)
    )
    base = seed_model()
    return ReportModel(
        issuing_office=base.issuing_office,
        doc_number=base.doc_number,
        title=base.title,
        addressee=base.addressee,
        body=base.body,
        signature=base.signature,
        issued_on=base.issued_on,
        annexes=(Annex(1, "被考核单位考核赋分表", Table(("序号", "单位名称", *columns), rows)),),
        as_of_position=units,
    )
