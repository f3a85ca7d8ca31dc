"""The calendar is the bureau's data: each year's holiday notice declared as an event (by an admin or the
office), shown with its source, and a window that runs into a year nobody declared is refused, not guessed."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from domain import campaign
from domain.shared.calendar import CalendarNotDeclared, WorkCalendar
from services.seed import scenario
from tests.api.conftest import Api
from tests.api.test_seed_through_api import ACTORS
from tests.workers.procs import KAOHE, base_env, kaohe

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

C = f"/campaigns/{scenario.CAMPAIGN_ID}"
NEXT = 2031  # a year chinese-calendar cannot know
NOTICE = f"国务院办公厅关于{NEXT}年部分节假日安排的通知"
DECLARATION = {
    "year": NEXT,
    "holidays": [f"{NEXT}-01-01", f"{NEXT}-01-22", f"{NEXT}-01-23", f"{NEXT}-01-24"],
    "workdays": [f"{NEXT}-01-19"],  # a Sunday
    "notice": NOTICE,
    "reason": "年度节假日安排",
}


def test_a_year_nobody_declared_is_refused_not_guessed() -> None:
    calendar = WorkCalendar(frozenset(), frozenset(), frozenset({2030}), {2030: "x"})
    assert calendar.add_working_days(date(2030, 12, 20), 3) == date(2030, 12, 25)
    with pytest.raises(CalendarNotDeclared) as refused:
        calendar.add_working_days(date(2030, 12, 20), 10)
    assert refused.value.code == "calendar_not_declared" and refused.value.details["year"] == 2031


@SQLITE
def test_the_office_declares_a_year_and_everyone_reads_where_it_comes_from(api: Api) -> None:
    known = api.get("auditor", "/calendar/years").json()
    assert known["first_unknown"] <= NEXT and NEXT not in [y["year"] for y in known["years"]]
    bundled = next(y for y in known["years"] if y["year"] == 2023)
    assert not bundled["declared"] and "chinese-calendar" in bundled["source"]
    assert "2023-01-23" in bundled["holidays"] and "2023-01-28" in bundled["workdays"]  # 春节, 调休

    assert api.post("drafter", "/calendar/years", DECLARATION).status_code == 403
    first = api.post("office", "/calendar/years", DECLARATION)
    assert first.status_code == 201, first.text
    again = api.post("office", "/calendar/years", DECLARATION)
    assert again.status_code in (200, 201) and again.json()["position"] == first.json()["position"], "no-op"
    corrected = api.post("office", "/calendar/years", {**DECLARATION, "holidays": [f"{NEXT}-01-01"]})
    assert corrected.status_code == 201
    year = api.get("hanbin", f"/calendar/years/{NEXT}").json()["years"][0]
    assert year["declared"] and NOTICE in year["source"] and "第2版" in year["source"]
    assert year["holidays"] == [f"{NEXT}-01-01"] and year["workdays"] == [f"{NEXT}-01-19"]
    recorded = api.container.store.read_stream("calendar-years")
    assert [(e.type, e.data["revision"]) for e in recorded] == [("YearCalendarDeclared", 1)] * 1 + [
        ("YearCalendarDeclared", 2)
    ]


@SQLITE
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"holidays": [f"{NEXT + 1}-01-01"]}, "holidays"),
        ({"workdays": [f"{NEXT}-01-20"]}, "workdays"),  # a Monday is a working day already
        ({"workdays": [f"{NEXT}-01-01"]}, "workdays"),  # both holiday and workday
        ({"notice": " "}, "notice"),
        ({"holidays": []}, "holidays"),
        ({"year": 1999}, "year"),
        ({"holidays": ["not-a-date"]}, "holidays"),
    ],
)
def test_a_bad_declaration_names_its_field_and_records_nothing(api: Api, change: dict, field: str) -> None:
    head = api.log_head()
    refused = api.post("admin", "/calendar/years", {**DECLARATION, **change})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    named = [e["field"].split("[")[0] for e in problem.get("errors") or []] + [problem.get("field")]
    assert field in named or field in problem["detail"], problem
    assert api.log_head() == head


@SQLITE
def test_a_window_into_an_undeclared_year_is_refused_then_counted_once_declared(api: Api) -> None:
    for step in scenario.steps():
        if isinstance(step.command, campaign.PublishResults):
            break
        api.ok(ACTORS[step.command.actor], step.command, scenario.CAMPAIGN_ID)
    head = api.log_head()
    first_unknown = api.get("auditor", "/calendar/years").json()["first_unknown"]
    days_left = (date(first_unknown, 1, 1) - datetime.now(UTC).date()).days
    body = {"window_working_days": 250}  # from today, well past the last known year's end
    assert days_left < 360, "the bundled data is expected to end within a year"
    refused = api.post("section-chief", f"{C}/publication", body)
    assert refused.status_code == 422 and refused.json()["code"] == "calendar_not_declared", refused.text
    assert api.log_head() == head
    for year in range(first_unknown, first_unknown + 2):
        declared = {**DECLARATION, "year": year, "notice": f"国务院办公厅关于{year}年部分节假日安排的通知",
                    "holidays": [f"{year}-01-01"], "workdays": []}  # fmt: skip
        assert api.post("office", "/calendar/years", declared).status_code == 201
    published = api.post("section-chief", f"{C}/publication", body)
    assert published.status_code in (200, 201), published.text
    stream = api.container.store.read_stream(f"campaign-{scenario.CAMPAIGN_ID}")
    event = next(e for e in reversed(stream) if e.type == "ResultsPublished")
    assert f"{first_unknown}年：国务院办公厅关于{first_unknown}年" in event.data["calendar_basis"]


def test_the_command_line_declares_imports_and_shows_years(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    kaohe(["migrate"], env)
    kaohe(
        ["users", "add", "office1", "--role", "office", "--password-stdin"], env, stdin="Kaohe-Test-2026!\n"
    )
    assert "declared 2026" in kaohe(["calendar", "import", "2026", "--as", "office1"], env)
    days = f"{NEXT}-01-01,{NEXT}-01-22 至 {NEXT}-01-24"
    declare = ["calendar", "declare", str(NEXT), "--as", "office1", "--holidays", days, "--notice", NOTICE]
    assert f"declared {NEXT}" in kaohe(declare, env)
    shown = kaohe(["calendar", "show", str(NEXT)], env)
    assert "已登记" in shown and f"{NEXT}-01-23" in shown and NOTICE in shown
    bad = [*KAOHE, "calendar", "declare", str(NEXT), "--as", "office1", "--holidays", "2031-13-01"]
    refused = subprocess.run([*bad, "--notice", "x"], env=env, capture_output=True, text=True, check=False)
    assert refused.returncode == 1 and "holidays" in refused.stderr
