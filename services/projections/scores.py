"""Per-unit scores: campaign × unit × indicator, with the display score, points and deductions' basis."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, delete

from domain import campaign
from domain.campaign.queries import ordered_units
from domain.campaign.state import CampaignState, Cell, Deduction, DeductionStatus
from domain.campaign.types import Indicator, Unit
from domain.shared.scoring import CellScore, compute, display
from services.eventstore.model import RecordedEvent
from services.eventstore.store import EventStore
from services.projections.base import StreamStates, by_stream, upsert
from services.projections.tables import score_cells_table

# Events that change which units and indicators exist (or their names and points): every cell is rewritten.
STRUCTURAL = frozenset({"NoticeRegistered", "UnitsRegistered", "IndicatorsAssigned", "IndicatorsRevised"})
T = score_cells_table.c


class ScoresProjection:
    name = "scores"
    version = 3  # 3: version-1 records out of their domain are void (upcast), so cells are rebuilt
    tables: tuple[Table, ...] = (score_cells_table,)

    def __init__(self, store: EventStore) -> None:
        self.states: StreamStates[CampaignState] = StreamStates(store, campaign.fold)

    def reset(self) -> None:
        self.states.clear()

    def apply(self, conn: Connection, generation: int, events: Sequence[RecordedEvent]) -> None:
        for stream_id, group in by_stream(events, "campaign-").items():
            state = self.states.advance(stream_id, group)
            campaign_id = stream_id.removeprefix("campaign-")
            rewrite_at, touched = affected(state, group)
            if rewrite_at is not None:
                conn.execute(
                    delete(score_cells_table).where(T.generation == generation, T.campaign_id == campaign_id)
                )
                touched = {cell: max(rewrite_at, touched.get(cell, 0)) for cell in all_cells(state)}
                upsert(conn, score_cells_table, cell_rows(generation, campaign_id, state, touched))
            elif touched:
                upsert(conn, score_cells_table, cell_rows(generation, campaign_id, state, touched))


def affected(state: CampaignState, group: Sequence[RecordedEvent]) -> tuple[int | None, dict[Cell, int]]:
    """The position of the last structural event (if any) and the cells the other events touched."""
    rewrite_at: int | None = None
    touched: dict[Cell, int] = {}
    for event in group:
        data = event.data
        if event.type in STRUCTURAL:
            rewrite_at = event.position
        elif data.get("unit") and data.get("indicator"):
            touched[(str(data["unit"]), str(data["indicator"]))] = event.position
        elif "deduction_id" in data:
            deduction = state.deductions.get(str(data["deduction_id"]))
            if deduction is not None:
                touched[(deduction.unit, deduction.indicator)] = event.position
    return rewrite_at, touched


def all_cells(state: CampaignState) -> list[Cell]:
    return [(u.code, i) for u in ordered_units(state) for i in state.indicators]


def cell_rows(
    generation: int, campaign_id: str, state: CampaignState, touched: dict[Cell, int]
) -> list[dict[str, Any]]:
    deductions = _deductions_by_cell(state)
    rows = []
    for (unit_code, indicator_code), position in touched.items():
        unit = state.units.get(unit_code)
        indicator = state.indicators.get(indicator_code)
        if unit is None or indicator is None:
            continue  # e.g. data filed against a unit that is not registered: no cell to show
        cell_deductions = deductions.get((unit_code, indicator_code), [])
        rows.append(_row(generation, campaign_id, unit, indicator, state, cell_deductions, position))
    return rows


def _deductions_by_cell(state: CampaignState) -> dict[Cell, list[Deduction]]:
    found: dict[Cell, list[Deduction]] = {}
    for deduction in state.deductions.values():
        found.setdefault((deduction.unit, deduction.indicator), []).append(deduction)
    return found


def _row(  # noqa: PLR0917
    generation: int,
    campaign_id: str,
    unit: Unit,
    indicator: Indicator,
    state: CampaignState,
    deductions: list[Deduction],
    position: int,
) -> dict[str, Any]:
    # As domain.campaign.queries.cell_score: a deduction awaiting confirmation leaves the cell undetermined.
    pending = any(d.status is DeductionStatus.PROPOSED for d in deductions)
    cell = (
        CellScore(None) if pending else compute(indicator, state.cells.get((unit.code, indicator.code), ()))
    )
    return {
        "generation": generation,
        "campaign_id": campaign_id,
        "unit_code": unit.code,
        "indicator_code": indicator.code,
        "unit_name": unit.name,
        "unit_group": unit.group.value,
        "unit_order": unit.order,
        "indicator_name": indicator.name,
        "indicator_order": list(state.indicators).index(indicator.code),
        "indicator_label": indicator.short_name or indicator.name,
        "points": str(indicator.points),
        "score": None if cell.score is None else str(cell.score),
        "display": display(indicator, cell),
        "vetoed": cell.vetoed,
        "deductions": [_deduction(d) for d in deductions],
        "last_position": position,
    }


def _deduction(d: Deduction) -> dict[str, Any]:
    return {
        "id": d.deduction_id,
        "basis": d.clause,
        "facts": d.facts,
        "points": str(d.points),
        "status": d.status.value,
        "proposed_by": d.proposed_by,
        "decided_by": d.decided_by,
        "opinion": d.opinion,
    }
