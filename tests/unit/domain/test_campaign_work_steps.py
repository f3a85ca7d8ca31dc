"""Given/when/then: dated work steps the letter recounts (RecordWorkStep → WorkStepRecorded)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.commands import IssueDeployment, RecordWorkStep
from domain.campaign.events import WorkStepRecorded
from domain.campaign.queries import dated_steps
from domain.campaign.types import DatePrecision, WorkStep
from domain.shared.events import Event
from tests.unit.domain.campaign_builders import (
    CHIEF,
    DRAFTER,
    FULL,
    collecting,
    dispatched,
    registered,
    run,
    signed,
    t,
    when,
)


def step(**changes: object) -> RecordWorkStep:
    fields: dict[str, object] = {
        "at": t(5),
        "actor": DRAFTER,
        "on": t(5).date(),
        "what": "主要负责同志带队赴省中心汇报对接",
        "indicator": FULL.code,
        "issuer": "安康市行政审批服务局",
    }
    fields.update(changes)
    return RecordWorkStep(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("given", [registered, collecting, signed], ids=lambda f: f.__name__)
def test_a_step_is_recorded_in_any_stage_before_dispatch(given: object) -> None:
    history: list[Event] = given()  # type: ignore[operator]
    events = when(history, step())
    assert events == [
        WorkStepRecorded(
            at=t(5),
            actor=DRAFTER,
            on=t(5).date(),
            what="主要负责同志带队赴省中心汇报对接",
            indicator=FULL.code,
            issuer="安康市行政审批服务局",
        )
    ]
    assert fold(events, fold(history)).work_steps == (
        WorkStep(
            on=t(5).date(),
            what="主要负责同志带队赴省中心汇报对接",
            indicator=FULL.code,
            issuer="安康市行政审批服务局",
        ),
    )


def test_not_once_the_letter_is_dispatched() -> None:
    with pytest.raises(err.WrongStage):
        when(dispatched(), step())


def test_a_step_says_what_was_done() -> None:
    with pytest.raises(err.MissingField):
        when(registered(), step(what="  "))


def test_a_step_names_a_known_indicator_or_none() -> None:
    with pytest.raises(err.UnknownIndicator):
        when(registered(), step(indicator="nope"))
    assert when(registered(), step(indicator=None))


def test_a_step_is_recorded_after_it_happened() -> None:
    with pytest.raises(err.InvalidWorkStepDate):
        when(registered(), step(on=date(2023, 1, 17)))  # recorded on 2023-01-16


def test_a_month_precision_step_is_dated_on_the_first() -> None:
    with pytest.raises(err.InvalidWorkStepDate):
        when(registered(), step(on=date(2022, 12, 5), precision=DatePrecision.MONTH))
    assert when(registered(), step(on=date(2022, 12, 1), precision=DatePrecision.MONTH))


def test_the_same_step_is_not_recorded_twice() -> None:
    given = registered()
    given += run([step()], fold(given))
    with pytest.raises(err.DuplicateId):
        when(given, step())
    assert when(given, step(what="另一项"))


def test_dated_steps_merge_the_deployment_by_date() -> None:
    given = registered()
    early = step(at=t(0), on=date(2022, 12, 1), precision=DatePrecision.MONTH, what="印发考核办法")
    given += run(
        [
            early,
            IssueDeployment(at=t(1), actor=CHIEF, summary="安排部署", document_number="安行审发〔2023〕1号"),
        ],
        fold(given),
    )
    given += run([step()], fold(given))
    state = fold(given)
    assert state.deployment == WorkStep(
        on=t(1).date(), what="安排部署", issuer="安康市行政审批服务局", document_number="安行审发〔2023〕1号"
    )
    assert [s.what for s in dated_steps(state)] == [
        "印发考核办法",
        "安排部署",
        "主要负责同志带队赴省中心汇报对接",
    ]
