"""Read-only questions about a campaign state: scores table, what is missing, deadline status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from domain.campaign.events_results import PublishedScore
from domain.campaign.state import (
    Appeal,
    CampaignState,
    Cell,
    Consultation,
    Deduction,
    DeductionStatus,
    Submission,
    SubmissionStatus,
)
from domain.campaign.types import Indicator, Unit, UnitGroup, WorkStep
from domain.shared.calendar import DeadlineStatus, WorkCalendar
from domain.shared.scoring import CellScore, ScoreEntry, compute, display

_GROUP_ORDER = {group: index for index, group in enumerate(UnitGroup)}


@dataclass(frozen=True)
class ScoreRow:
    """One unit × indicator: score and display are None while nothing explicit is determined."""

    unit: Unit
    indicator: Indicator
    score: Decimal | None
    display: str | None
    vetoed: bool = False


def ordered_units(state: CampaignState) -> tuple[Unit, ...]:
    """Units as the annexes print them: 县（市、区） first, then 市级部门, then others, each by row."""
    return tuple(sorted(state.units.values(), key=lambda u: (_GROUP_ORDER[u.group], u.order)))


def entries(state: CampaignState, unit: str, indicator: str) -> tuple[ScoreEntry, ...]:
    return state.cells.get((unit, indicator), ())


def pending_deductions(state: CampaignState, unit: str, indicator: str) -> tuple[Deduction, ...]:
    return tuple(
        d
        for d in state.deductions.values()
        if (d.unit, d.indicator) == (unit, indicator) and d.status is DeductionStatus.PROPOSED
    )


def cell_score(state: CampaignState, unit: str, indicator: str) -> CellScore:
    """No score while a deduction waits for confirmation or nothing explicit was determined."""
    if pending_deductions(state, unit, indicator):
        return CellScore(None)
    return compute(state.indicators[indicator], entries(state, unit, indicator))


def scores_table(state: CampaignState) -> tuple[ScoreRow, ...]:
    rows = []
    for unit in ordered_units(state):
        for indicator in state.indicators.values():
            cell = cell_score(state, unit.code, indicator.code)
            rows.append(ScoreRow(unit, indicator, cell.score, display(indicator, cell), cell.vetoed))
    return tuple(rows)


def undetermined_cells(state: CampaignState) -> tuple[Cell, ...]:
    return tuple((r.unit.code, r.indicator.code) for r in scores_table(state) if r.score is None)


def snapshot(state: CampaignState) -> tuple[PublishedScore, ...]:
    """The determined rows of the scores table, as a 公示 snapshot carries them."""
    return tuple(
        PublishedScore(
            unit=r.unit.code, indicator=r.indicator.code, score=r.score, display=r.display, vetoed=r.vetoed
        )
        for r in scores_table(state)
        if r.score is not None and r.display is not None
    )


def dated_steps(state: CampaignState) -> tuple[WorkStep, ...]:
    """The dated steps of the work by date: the deployment and the recorded steps (ties: as recorded)."""
    steps = (state.deployment, *state.work_steps) if state.deployment else state.work_steps
    return tuple(sorted(steps, key=lambda s: s.on))


def pending_submissions(state: CampaignState) -> tuple[Submission, ...]:
    return tuple(s for s in state.submissions.values() if s.status is SubmissionStatus.PENDING)


def open_consultations(state: CampaignState) -> tuple[Consultation, ...]:
    return tuple(c for c in state.consultations.values() if c.is_open)


def open_appeals(state: CampaignState) -> tuple[Appeal, ...]:
    return tuple(a for a in state.appeals.values() if a.decision is None)


def collection_status(
    state: CampaignState, today: date, calendar: WorkCalendar, warn_days: int
) -> DeadlineStatus | None:
    """The data-collection deadline's state on ``today``; None when no collection was opened."""
    if state.collection_deadline is None:
        return None
    return calendar.deadline_status(state.collection_deadline, today, warn_days)


def counts(state: CampaignState) -> dict[str, int]:
    """What a campaign holds and what is still open: the overview's and the campaign page's figures."""
    return {
        "units": len(state.units),
        "indicators": len(state.indicators),
        "submissions": len(state.submissions),
        "submissions_pending": len(pending_submissions(state)),
        "undetermined_cells": len(undetermined_cells(state)) if state.indicators else 0,
        "open_consultations": len(open_consultations(state)),
        "open_appeals": len(open_appeals(state)),
    }
