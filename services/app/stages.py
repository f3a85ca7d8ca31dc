"""How long a campaign spent in each stage: the business dates it entered and left each one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from domain import campaign
from domain.campaign.state import CampaignState
from domain.shared.events import from_data
from services.eventstore.model import RecordedEvent

CST = timezone(timedelta(hours=8), "CST")


@dataclass(frozen=True)
class Span:
    stage: str
    start: date
    end: date
    current: bool


def stage_spans(events: Iterable[RecordedEvent]) -> list[Span]:
    """Each stage entered, with the business dates (the events' ``at``) it began and ended.

    The current stage runs to the latest recorded business date: a campaign entered after the fact
    (dates in the past) is drawn as it happened, not stretched to today.
    """
    state: CampaignState | None = None
    entered: list[tuple[str, date]] = []
    until = date.min
    for e in events:
        state = campaign.evolve(state or campaign.fold(()), from_data(e.type, e.data))
        on = _day(e.data.get("at"), e.recorded_at)
        until = max(until, on)
        if state.stage is not None and (not entered or entered[-1][0] != state.stage.value):
            entered.append((state.stage.value, on))
    spans = []
    for index, (stage, start) in enumerate(entered):
        last = index == len(entered) - 1
        end = until if last else entered[index + 1][1]
        spans.append(Span(stage, start, max(end, start), last))
    return spans


def _day(value: object, fallback: datetime) -> date:
    try:
        return datetime.fromisoformat(str(value)).astimezone(CST).date()
    except ValueError:
        return fallback.astimezone(CST).date()
