"""What waits for a user: approval steps, data reviews, consultations, appeals and deductions, with deadlines.

The domain sets no due date on these; the office's working rule (in working days, from the Chinese
calendar with its 调休 days) is kept here, in one place, and shown on the 工作台 and in ``GET /worklist``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from domain.campaign.queries import open_appeals, open_consultations, pending_submissions
from domain.campaign.state import CampaignState, DeductionStatus
from domain.shared.calendar import CalendarNotDeclared, DeadlineStatus, WorkCalendar, business_date
from services.app.access import sees_campaign
from services.app.acts import ACTS
from services.app.commands import CommandRunner
from services.app.replay import stream_ids
from services.app.usecases import CAMPAIGN
from services.app.views import TaskView, WorkItem
from services.identity.accounts import User
from services.projections.event_text import step_label

CST = timezone(timedelta(hours=8), "CST")
APPROVAL_WORKING_DAYS = 3  # each approval step: 公文办理时限
CONSULTATION_WORKING_DAYS = 5  # 会商意见
APPEAL_DECISION_WORKING_DAYS = 5  # 复核决定, counted from the end of the appeal window
WARN_WORKING_DAYS = 1
STATUS_LABELS = {
    DeadlineStatus.ON_TIME: "正常",
    DeadlineStatus.WARNING: "即将到期",
    DeadlineStatus.OVERDUE: "已逾期",
}


class Clock:
    def __init__(self, calendar: WorkCalendar, today: date) -> None:
        self.calendar = calendar
        self.today = today

    def due(self, start: date, days: int) -> tuple[date | None, DeadlineStatus | None]:
        """The deadline and its state; (None, None) when it would fall in a year with no declared holidays
        (the work item still shows, without a deadline that would be a guess)."""
        try:
            deadline = self.calendar.add_working_days(start, days)
        except CalendarNotDeclared:
            return None, None
        return deadline, self.status(deadline)

    def status(self, deadline: date) -> DeadlineStatus | None:
        try:
            return self.calendar.deadline_status(deadline, self.today, WARN_WORKING_DAYS)
        except CalendarNotDeclared:
            return None


def work_items(runner: CommandRunner, user: User, clock: Clock, tasks: list[TaskView]) -> list[WorkItem]:
    """``tasks`` are the user's open approval tasks (the inbox read model's answer)."""
    items = approval_items(tasks, clock)
    for stream_id in stream_ids(runner, "campaign-"):
        state, _ = runner.load(CAMPAIGN, stream_id)
        if sees_campaign(state, user):
            items += campaign_items(runner, stream_id, state, user, clock)
    order = {
        DeadlineStatus.OVERDUE.value: 0,
        DeadlineStatus.WARNING.value: 1,
        DeadlineStatus.ON_TIME.value: 2,
    }
    return sorted(items, key=lambda i: (order.get(i.status or "", 3), i.deadline or date.max))


def approval_items(tasks: list[TaskView], clock: Clock) -> list[WorkItem]:
    found = []
    for task in tasks:
        deadline, status = clock.due(business_date(task.since), APPROVAL_WORKING_DAYS)
        what = step_label(task.step) + ("（受托办理）" if task.owner else "")
        href = f"/ui/documents/{task.document_id}#actions"
        found.append(_item("公文审批", task.title, what, task.since, deadline, status, href))
    return found


def campaign_items(
    runner: CommandRunner, stream_id: str, state: CampaignState, user: User, clock: Clock
) -> list[WorkItem]:
    cid = state.campaign_id
    found: list[WorkItem] = []
    if _may(user, "reviewSubmission"):
        for s in pending_submissions(state):
            deadline = state.collection_deadline
            status = clock.status(deadline) if deadline else None
            found.append(
                _item(
                    "数据审核",
                    f"{s.indicator} 报送数据（第{s.latest.version}版）",
                    "审核报送数据",
                    s.latest.submitted_at,
                    deadline,
                    status,
                    f"/ui/campaigns/{cid}",
                )
            )
    if _may(user, "giveOpinion"):
        opened = _opened_at(runner, stream_id, "ConsultationOpened", "consultation_id")
        for c in open_consultations(state):
            if user.unit in c.silent:
                start = opened.get(c.consultation_id)
                deadline, status = (
                    clock.due(business_date(start), CONSULTATION_WORKING_DAYS) if start else (None, None)
                )
                found.append(
                    _item(
                        "会商",
                        "；".join(c.items),
                        "提出会商意见",
                        start,
                        deadline,
                        status,
                        f"/ui/campaigns/{cid}",
                    )
                )
    if _may(user, "decideAppeal"):
        window = state.publication.window_end if state.publication else None
        for a in open_appeals(state):
            deadline, status = clock.due(window, APPEAL_DECISION_WORKING_DAYS) if window else (None, None)
            found.append(
                _item(
                    "申诉复核",
                    f"{a.unit} {a.indicator}：{a.reasons}",
                    "作出复核决定",
                    a.filed_at,
                    deadline,
                    status,
                    f"/ui/campaigns/{cid}/history?unit={a.unit}",
                )
            )
    if _may(user, "confirmDeduction"):
        for d in state.deductions.values():
            if d.status is DeductionStatus.PROPOSED:
                found.append(
                    _item(
                        "扣分确认",
                        f"{d.unit} {d.indicator} 扣{d.points}分",
                        "确认或驳回扣分",
                        None,
                        None,
                        None,
                        f"/ui/campaigns/{cid}/history?unit={d.unit}",
                    )
                )
    return found


def _opened_at(runner: CommandRunner, stream_id: str, event_type: str, key: str) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for e in runner.store.read_stream(stream_id):
        if e.type == event_type:
            found[e.data[key]] = _as_time(e.data.get("at"), e.recorded_at).astimezone(CST)
    return found


def _as_time(value: Any, fallback: datetime) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return fallback


def _may(user: User, act: str) -> bool:
    return user.role in ACTS[act].roles


def _item(  # noqa: PLR0917
    kind: str,
    title: str,
    what: str,
    since: datetime | None,
    deadline: date | None,
    status: DeadlineStatus | None,
    href: str,
) -> WorkItem:
    label = STATUS_LABELS[status] if status else "无时限"
    return WorkItem(kind, title, what, since, deadline, status.value if status else None, href, label)
