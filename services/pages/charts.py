"""One picture: how long the campaign spent in each stage, from 通知 to 报送, as server-side SVG."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from markupsafe import Markup, escape

from domain.shared.calendar import CalendarNotDeclared, WorkCalendar
from services.app.stages import Span
from services.app.wording import STAGE_LABELS

WIDTH, ROW, LEFT, TOP, RIGHT = 1000, 28, 84, 28, 16
LABEL_ROOM = 150  # a bar's label goes to its left when it would not fit on the right


def stage_chart(spans: list[Span], calendar: WorkCalendar) -> Markup:
    if not spans:
        return Markup("")
    first, last = spans[0].start, max(s.end for s in spans) + timedelta(days=1)
    days = max((last - first).days, 1)
    plot = WIDTH - LEFT - RIGHT
    height = TOP + ROW * len(spans) + 8

    def x(day: date) -> float:
        return LEFT + plot * (day - first).days / days

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-t chart-d" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="chart-t">各阶段用时</title>'
        f'<desc id="chart-d">{escape(_describe(spans, calendar))}</desc>'
    ]
    parts += _month_ticks(first, last, x, height)
    for row, span in enumerate(spans):
        y = TOP + row * ROW
        width = max(x(span.end + timedelta(days=1)) - x(span.start), 3)
        label = STAGE_LABELS.get(span.stage, span.stage)
        work = _working_days(calendar, span)
        css = "bar now" if span.current else "bar"
        start = x(span.start)
        right = start + width + LABEL_ROOM <= WIDTH
        value_x, anchor = (start + width + 4, "start") if right else (start - 4, "end")
        took = "起" if span.current else f"·{work}个工作日" if work else "·当日" if work == 0 else ""
        parts.append(
            f'<text x="{LEFT - 8}" y="{y + 18}" text-anchor="end" class="lbl">{escape(label)}</text>'
            f'<rect x="{start:.1f}" y="{y + 5}" width="{width:.1f}" height="{ROW - 10}" class="{css}" rx="2">'
            f"<title>{escape(label)}：{span.start.isoformat()} 至 {span.end.isoformat()}，"
            f"{'' if work is None else f'{work}个工作日'}</title></rect>"
            f'<text x="{value_x:.1f}" y="{y + 18}" text-anchor="{anchor}" class="val">'
            f"{span.start.month}月{span.start.day}日{took}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _month_ticks(first: date, last: date, x: Callable[[date], float], height: int) -> list[str]:
    ticks = []
    months = max(1, ((last - first).days // 30) // 8)  # at most about eight ticks
    day = date(first.year, first.month, 1)
    while day <= last:
        if day >= first and (day.month - 1) % months == 0 and x(day) < WIDTH - 80:
            pos = x(day)
            ticks.append(
                f'<line x1="{pos:.1f}" y1="{TOP - 6}" x2="{pos:.1f}" y2="{height - 4}" class="grid"/>'
                f'<text x="{pos + 3:.1f}" y="{TOP - 10}" class="tick">{day.year}年{day.month}月</text>'
            )
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


def _describe(spans: list[Span], calendar: WorkCalendar) -> str:
    return "；".join(
        f"{STAGE_LABELS.get(s.stage, s.stage)} {s.start.isoformat()}起"
        f"{'' if s.current or (n := _working_days(calendar, s)) is None else f'，{n}个工作日'}"
        for s in spans
    )


def _working_days(calendar: WorkCalendar, span: Span) -> int | None:
    """Working days of a span; None when it reaches a year whose holidays nobody declared (not a guess)."""
    try:
        return calendar.working_days_between(span.start, span.end)
    except CalendarNotDeclared:
        return None
