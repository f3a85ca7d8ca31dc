"""Time travel: a position in the log, or a recording time (a day means its end), as chosen on a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from litestar import Request

from services.app.queries import Queries
from services.app.replay import AsOf
from services.pages.render import CST, local


@dataclass(frozen=True)
class PointInTime:
    as_of: AsOf
    label: str
    """Empty when the page shows now."""
    query: str
    """``as_of=<position>`` to carry into links, or empty."""
    when: str = ""


def chosen(request: Request[Any, Any, Any], queries: Queries) -> PointInTime:
    raw_position = request.query_params.get("as_of", "").strip()
    raw_when = request.query_params.get("when", "").strip()
    if raw_position.isdigit() and len(raw_position) <= 18:
        return _at_position(queries, int(raw_position), raw_when)
    if raw_when:
        moment = _moment(raw_when)
        if moment is not None:
            position = queries.position_at(moment)
            point = _at_position(queries, position, raw_when)
            return PointInTime(
                point.as_of, f"记录时间截至 {local(moment)}（日志位置 {position}）", point.query, raw_when
            )
    return PointInTime(AsOf(), "", "")


def _at_position(queries: Queries, position: int, when: str) -> PointInTime:
    position = min(position, queries.head())
    recorded = queries.recorded_at(position)
    suffix = f"，记录于 {local(recorded)}" if recorded else ""
    return PointInTime(AsOf(position), f"日志位置 {position}{suffix}", f"as_of={position}", when)


def _moment(text: str) -> datetime | None:
    """``2023-03-03`` is the end of that day; ``2023-03-03T15:00`` a minute; both in China Standard Time."""
    try:
        if len(text) == 10:
            day = datetime.fromisoformat(text).date()
            return datetime.combine(day, time(23, 59, 59), CST)
        moment = datetime.fromisoformat(text)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=CST) + timedelta(seconds=59)
        moment.astimezone(CST)  # a moment at the calendar's edge may not exist in China Standard Time
        return moment
    except (ValueError, OverflowError):
        return None
