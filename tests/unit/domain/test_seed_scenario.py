"""The seed letter's run: 54 units, 100分 on 好差评 and 不扣分 on 营商环境第2项, figures as printed."""

from __future__ import annotations

import re
from pathlib import Path

from domain.campaign import execute, fold
from domain.campaign.queries import dated_steps, ordered_units, scores_table, undetermined_cells
from domain.campaign.state import INITIAL, CampaignState
from domain.campaign.types import Stage, UnitGroup
from domain.shared.events import Event
from domain.shared.figures import (
    callback_satisfaction_rate,
    connection_rate,
    format_percent,
    format_wan,
    good_rate,
)
from services.seed import scenario

ANNEXES = Path(__file__).with_name("seed_annexes.txt")  # the letter's annex rows, copied verbatim


def play() -> tuple[CampaignState, list[Event]]:
    state, events = INITIAL, []
    for command in scenario.commands():
        state, new = execute(state, command)
        events.extend(new)
    return state, events


STATE, EVENTS = play()


def test_the_run_ends_with_the_letter_dispatched_to_the_work_style_office() -> None:
    assert STATE.stage is Stage.DISPATCHED
    assert STATE.report is not None
    assert STATE.report.document_number == "安行审函〔2023〕7号"
    assert STATE.report.recipient == "市作风办"
    assert STATE.notice is not None
    assert STATE.notice.number == "安作风办字〔2023〕1号"
    assert [b.number for b in STATE.basis[:2]] == ["安办字〔2022〕56号", "安行审发〔2022〕22号"]


def test_live_state_equals_replay() -> None:
    assert fold(EVENTS) == STATE


def test_thirteen_counties_and_forty_one_departments_in_annex_order() -> None:
    units = ordered_units(STATE)
    assert len(units) == 54
    counties = [u.name for u in units if u.group is UnitGroup.COUNTY]
    departments = [u.name for u in units if u.group is UnitGroup.CITY_DEPARTMENT]
    assert (len(counties), len(departments)) == (13, 41)
    assert counties[0] == "汉滨区" and counties[-1] == "瀛湖生态旅游区"
    assert departments[0] == "市委宣传部" and departments[-1] == "市住建局"


def test_every_unit_has_full_marks_and_no_deduction() -> None:
    rows = scores_table(STATE)
    assert len(rows) == 108
    assert undetermined_cells(STATE) == ()
    by_indicator: dict[str, set[str | None]] = {}
    for row in rows:
        by_indicator.setdefault(row.indicator.code, set()).add(row.display)
    assert by_indicator == {"haochaping": {"100分"}, "yingshang-2": {"不扣分"}}


def test_the_published_snapshot_and_the_consultation_are_kept() -> None:
    assert STATE.publication is not None
    assert len(STATE.publication.snapshot) == 108
    consultation = STATE.consultations[scenario.CONSULTATION_ID]
    assert consultation.invited == ("市委编办",)
    assert consultation.outcome is not None and "不存在减分情况" in consultation.outcome


def test_derived_figures_as_printed() -> None:
    ratings, hotline = scenario.RATINGS, scenario.HOTLINE
    good, connected, callback = (
        good_rate(ratings),
        connection_rate(hotline),
        callback_satisfaction_rate(hotline),
    )
    assert good is not None and connected is not None and callback is not None
    printed = {
        "total": format_wan(ratings.total),
        "very_satisfied": format_wan(ratings.very_satisfied),
        "good_rate": format_percent(good),
        "connection_rate": format_percent(connected),
        "callback_satisfaction": format_percent(callback),
    }
    assert printed == scenario.PRINTED_FIGURES
    assert (
        ratings.satisfied,
        ratings.basically_satisfied,
        ratings.dissatisfied,
        ratings.very_dissatisfied,
    ) == (
        808,
        813,
        0,
        0,
    )
    assert (hotline.calls, hotline.connected) == (290_921, 290_775)
    assert scenario.SURVEY.count == 1000


def test_the_accepted_provincial_data_is_what_the_scores_rest_on() -> None:
    submission = STATE.submissions[scenario.SUBMISSION_ID]
    assert submission.unit is None
    assert submission.latest.report.ratings == scenario.RATINGS


def test_the_appeal_window_runs_five_working_days() -> None:
    assert STATE.publication is not None
    assert STATE.publication.window_end.isoformat() == "2023-03-01"


def test_unit_names_and_rows_match_the_seed_annexes() -> None:
    text = ANNEXES.read_text(encoding="utf-8")
    rows = re.findall(r"^(\d+)\t(.+?)\t100分\t不扣分$", text, flags=re.MULTILINE)
    printed = [(int(n), name.replace(" ", "")) for n, name in rows]  # one cell wraps: "人民银行安康 中心支行"
    assert printed == [(u.order, u.name) for u in ordered_units(STATE)]


def test_the_dated_steps_the_letter_recounts_are_recorded() -> None:
    steps = dated_steps(STATE)
    assert [(s.on.isoformat(), s.precision.value) for s in steps] == [
        ("2022-12-01", "month"),
        ("2023-01-10", "day"),
        ("2023-01-13", "day"),  # the deployment (DeploymentIssued)
        ("2023-01-16", "day"),
    ]
    assert steps[0].document_number == "安行审发〔2022〕22号"
    assert steps[1].issuer == "省政务大数据服务中心"
    assert STATE.deployment is steps[2]
