"""Given/when/then: opening from the notice, units, indicators, deployment, stage transitions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

import pytest

from domain import campaign
from domain.campaign import UnknownCommand, decide, fold
from domain.campaign import errors as err
from domain.campaign import types as campaign_types
from domain.campaign.commands import (
    AssignIndicators,
    Command,
    IssueDeployment,
    OpenCollection,
    RegisterUnits,
    ReviseIndicators,
    StartDetermination,
)
from domain.campaign.commands_results import ArchiveCampaign, CloseAppeals, StartReporting
from domain.campaign.events import (
    CollectionOpened,
    DeploymentIssued,
    DeterminationStarted,
    IndicatorsAssigned,
    IndicatorsRevised,
    NoticeRegistered,
    UnitsRegistered,
)
from domain.campaign.types import InvalidIndicator, InvalidUnit, Stage, Unit, UnitGroup
from domain.shared import calendar, figures
from domain.shared.errors import DomainError, IllegalTransition, InvalidCommand, NotFound, PermissionDenied
from domain.shared.events import Event
from tests.unit.domain.campaign_builders import (
    BON,
    CHIEF,
    DED,
    DRAFTER,
    FULL,
    INDICATORS,
    LEADER,
    UNITS,
    collecting,
    deployed,
    determining,
    dispatched,
    open_cmd,
    published,
    refused,
    registered,
    run,
    t,
    when,
)


def test_the_notice_opens_the_campaign() -> None:
    [event] = when([], open_cmd())
    assert isinstance(event, NoticeRegistered)
    assert event.campaign_id == "camp-1"
    assert event.notice.number == "安作风办字〔2023〕1号"
    state = fold([event])
    assert state.stage is Stage.REGISTERED
    assert state.basis[0].number == "安办字〔2022〕56号"
    assert (state.year, state.report_to) == (2022, "市作风办")


def test_a_campaign_opens_once() -> None:
    refused(registered(), open_cmd(), err.CampaignAlreadyOpened)


@pytest.mark.parametrize("field", ["campaign_id", "assessing_unit", "responsibility", "report_to"])
def test_opening_needs_its_texts(field: str) -> None:
    error = refused([], open_cmd(**{field: " "}), err.MissingField)
    assert error.details["field"] == field


def test_opening_needs_issuers() -> None:
    notice = open_cmd().notice
    refused([], open_cmd(notice=replace(notice, issuers=())), err.MissingField)


def test_nothing_happens_before_the_notice() -> None:
    refused([], RegisterUnits(at=t(0), actor=DRAFTER, units=UNITS), err.CampaignNotOpened)


def test_command_time_must_be_timezone_aware_and_actor_given() -> None:
    refused([], open_cmd(at=datetime(2023, 1, 11, 9)), err.NaiveTimestamp)
    refused([], open_cmd(actor=""), err.MissingField)


def test_an_unknown_command_is_refused() -> None:
    @dataclass(frozen=True, kw_only=True)
    class Dance(Command):
        pass

    with pytest.raises(UnknownCommand):
        decide(fold(registered()), Dance(at=t(0), actor=DRAFTER))


def test_units_are_registered_with_group_and_row() -> None:
    events = registered()
    assert isinstance(events[1], UnitsRegistered)
    state = fold(events)
    assert [u.name for u in state.units.values()] == ["汉滨区", "汉阴县", "市委编办"]
    assert state.units["D01"].group.label == "市级部门"


def test_unit_codes_are_unique_across_registrations() -> None:
    again = Unit(code="C01", name="另一个", group=UnitGroup.OTHER, order=1)
    refused(registered(), RegisterUnits(at=t(0), actor=DRAFTER, units=(again,)), err.DuplicateId)


def test_two_units_cannot_share_a_row_in_a_group() -> None:
    clash = Unit(code="C09", name="石泉县", group=UnitGroup.COUNTY, order=2)
    refused(registered(), RegisterUnits(at=t(0), actor=DRAFTER, units=(clash,)), err.DuplicateRow)


def test_a_unit_needs_a_name_and_a_row_from_one() -> None:
    bad = Unit(code="X", name="", group=UnitGroup.OTHER, order=1)
    refused(registered(), RegisterUnits(at=t(0), actor=DRAFTER, units=(bad,)), InvalidUnit)
    refused(registered(), RegisterUnits(at=t(0), actor=DRAFTER, units=()), err.MissingField)


def test_units_are_fixed_once_deployed() -> None:
    late = Unit(code="C03", name="石泉县", group=UnitGroup.COUNTY, order=3)
    refused(deployed(), RegisterUnits(at=t(2), actor=DRAFTER, units=(late,)), err.SetupFrozen)


def test_assigning_indicators_replaces_the_draft_before_deployment() -> None:
    given = registered()
    [event] = when(given, AssignIndicators(at=t(0), actor=DRAFTER, indicators=(FULL,)))
    assert isinstance(event, IndicatorsAssigned)
    assert list(fold([*given, event]).indicators) == ["full"]


@pytest.mark.parametrize(
    "indicator",
    [
        replace(FULL, points=Decimal(0)),
        replace(FULL, lead_unit=""),
        replace(FULL, bonus_cap=Decimal(1)),
        replace(BON, bonus_cap=Decimal(-1)),
        replace(DED, co_lead_units=(DED.lead_unit,)),
        replace(DED, clauses=(DED.clauses[0], DED.clauses[0])),
    ],
)
def test_malformed_indicators_are_refused(indicator: object) -> None:
    command = AssignIndicators(at=t(0), actor=DRAFTER, indicators=(indicator,))  # type: ignore[arg-type]
    refused(registered(), command, InvalidIndicator)


def test_indicator_codes_are_unique_and_a_set_is_not_empty() -> None:
    refused(registered(), AssignIndicators(at=t(0), actor=DRAFTER, indicators=(FULL, FULL)), err.DuplicateId)
    refused(registered(), AssignIndicators(at=t(0), actor=DRAFTER, indicators=()), err.MissingField)


def test_deployment_freezes_the_indicator_set_as_version_one() -> None:
    given = registered()
    [event] = when(given, IssueDeployment(at=t(1), actor=CHIEF, summary="部署"))
    assert isinstance(event, DeploymentIssued)
    state = fold([*given, event])
    assert state.stage is Stage.DEPLOYED
    assert state.indicator_version == 1
    assert state.indicator_versions[0].indicators == INDICATORS
    refused([*given, event], AssignIndicators(at=t(1), actor=DRAFTER, indicators=(FULL,)), err.SetupFrozen)


def test_deployment_needs_units_and_indicators() -> None:
    refused(run([open_cmd()]), IssueDeployment(at=t(1), actor=CHIEF), err.EmptyCampaign)


def test_a_frozen_indicator_set_changes_by_an_approved_revision() -> None:
    given = deployed()
    revise = ReviseIndicators(
        at=t(2),
        actor=DRAFTER,
        indicators=(replace(FULL, points=Decimal(20)),),
        reason="更正分值",
        approver=LEADER,
    )
    [event] = when(given, revise)
    assert isinstance(event, IndicatorsRevised)
    assert (event.version, event.approver) == (2, LEADER)
    state = fold([*given, event])
    assert state.indicators["full"].points == Decimal(20)
    assert [v.version for v in state.indicator_versions] == [1, 2]


def test_a_revision_needs_reason_and_approver_and_the_right_stage() -> None:
    revise = ReviseIndicators(at=t(2), actor=DRAFTER, indicators=(FULL,), reason="更正", approver="")
    refused(deployed(), revise, err.MissingField)
    refused(registered(), replace(revise, approver=LEADER), err.WrongStage)
    refused(published(), replace(revise, approver=LEADER), err.WrongStage)


def test_collection_opens_with_a_deadline_not_in_the_past() -> None:
    given = deployed()
    [event] = when(given, OpenCollection(at=t(1), actor=CHIEF, deadline=date(2023, 2, 10)))
    assert isinstance(event, CollectionOpened)
    assert fold([*given, event]).collection_deadline == date(2023, 2, 10)
    refused(given, OpenCollection(at=t(1), actor=CHIEF, deadline=date(2023, 1, 1)), err.InvalidDeadline)


def test_determination_starts_after_collection() -> None:
    [event] = when(collecting(), StartDetermination(at=t(2), actor=CHIEF))
    assert isinstance(event, DeterminationStarted)
    assert fold(determining()).stage is Stage.DETERMINING


@pytest.mark.parametrize(
    ("given", "command"),
    [
        (registered, OpenCollection(at=t(1), actor=CHIEF, deadline=date(2023, 2, 1))),
        (registered, StartDetermination(at=t(1), actor=CHIEF)),
        (deployed, IssueDeployment(at=t(1), actor=CHIEF)),
        (collecting, CloseAppeals(at=t(30), actor=CHIEF)),
        (determining, StartReporting(at=t(30), actor=CHIEF, document_id="d")),
        (published, StartDetermination(at=t(30), actor=CHIEF)),
        (dispatched, StartReporting(at=t(30), actor=CHIEF, document_id="d")),
        (registered, ArchiveCampaign(at=t(30), actor=CHIEF)),
    ],
)
def test_illegal_stage_transitions_are_refused(given: Callable[[], list[Event]], command: Command) -> None:
    error = refused(given(), command, err.IllegalStageTransition)
    assert isinstance(error, IllegalTransition)


def test_every_campaign_error_has_its_own_stable_code() -> None:
    modules = (err, calendar, figures, campaign_types, campaign)
    errors = {
        c for m in modules for c in vars(m).values() if isinstance(c, type) and issubclass(c, DomainError)
    } - {DomainError, InvalidCommand, IllegalTransition, NotFound, PermissionDenied}
    codes = [c.code for c in errors]
    assert len(errors) > 40
    assert len(codes) == len(set(codes))
    assert all(c.code not in {"domain_error", "invalid_command", "illegal_transition"} for c in errors)
