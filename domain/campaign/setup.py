"""Decide and apply: opening from the notice, units, indicators, deployment, collection, determination."""

from __future__ import annotations

from collections import Counter
from typing import Any

from domain.campaign.commands import (
    AssignIndicators,
    IssueDeployment,
    OpenCampaign,
    OpenCollection,
    RegisterUnits,
    ReviseIndicators,
    StartDetermination,
)
from domain.campaign.errors import (
    CampaignAlreadyOpened,
    DuplicateId,
    DuplicateRow,
    EmptyCampaign,
    InvalidDeadline,
    MissingField,
    SetupFrozen,
)
from domain.campaign.events import (
    CollectionOpened,
    DeploymentIssued,
    DeterminationStarted,
    IndicatorsAssigned,
    IndicatorsRevised,
    NoticeRegistered,
    UnitsRegistered,
)
from domain.campaign.rules import bump, require_stage, require_text, require_transition, stage_of
from domain.campaign.state import CampaignState, IndicatorSetVersion
from domain.campaign.types import Indicator, Stage, WorkStep
from domain.shared.calendar import business_date
from domain.shared.events import Event
from domain.shared.values import require_count

REVISABLE = (Stage.DEPLOYED, Stage.COLLECTING, Stage.DETERMINING, Stage.CONSULTING)
MAX_YEAR = 9999


def open_campaign(state: CampaignState, c: OpenCampaign) -> list[Event]:
    if state.stage is not None:
        raise CampaignAlreadyOpened("this campaign already has its notice", campaign_id=state.campaign_id)
    require_text(
        campaign_id=c.campaign_id,
        notice_number=c.notice.number,
        notice_title=c.notice.title,
        assessing_unit=c.assessing_unit,
        responsibility=c.responsibility,
        report_to=c.report_to,
    )
    if not c.notice.issuers or c.year < 1:
        raise MissingField("a notice needs its issuers and the year assessed", field="issuers/year")
    require_count(c.year, "year", lower=1, upper=MAX_YEAR)
    return [
        NoticeRegistered(
            at=c.at,
            actor=c.actor,
            campaign_id=c.campaign_id,
            notice=c.notice,
            basis=c.basis,
            year=c.year,
            assessing_unit=c.assessing_unit,
            responsibility=c.responsibility,
            report_to=c.report_to,
        )
    ]


def register_units(state: CampaignState, c: RegisterUnits) -> list[Event]:
    _require_setup(state)
    if not c.units:
        raise MissingField("no units given", field="units")
    for index, unit in enumerate(c.units):
        unit.check(f"units[{index}]")
    _require_unique([u.code for u in (*state.units.values(), *c.units)], "unit")
    rows = Counter((u.group, u.order) for u in (*state.units.values(), *c.units))
    clashes = sorted(f"{group}#{order}" for (group, order), n in rows.items() if n > 1)
    if clashes:
        raise DuplicateRow("two units share a row in their group", rows=clashes)
    return [UnitsRegistered(at=c.at, actor=c.actor, units=c.units)]


def assign_indicators(state: CampaignState, c: AssignIndicators) -> list[Event]:
    _require_setup(state)
    _check_indicators(c.indicators)
    return [IndicatorsAssigned(at=c.at, actor=c.actor, indicators=c.indicators)]


def revise_indicators(state: CampaignState, c: ReviseIndicators) -> list[Event]:
    require_stage(state, *REVISABLE)
    require_text(reason=c.reason, approver=c.approver)
    _check_indicators(c.indicators)
    version = state.indicator_version + 1
    return [
        IndicatorsRevised(
            at=c.at,
            actor=c.actor,
            version=version,
            indicators=c.indicators,
            reason=c.reason,
            approver=c.approver,
            basis=c.basis,
        )
    ]


def issue_deployment(state: CampaignState, c: IssueDeployment) -> list[Event]:
    require_transition(state, Stage.DEPLOYED)
    if not state.units or not state.indicators:
        raise EmptyCampaign("deploy needs assessed units and indicators")
    return [DeploymentIssued(at=c.at, actor=c.actor, document_number=c.document_number, summary=c.summary)]


def open_collection(state: CampaignState, c: OpenCollection) -> list[Event]:
    require_transition(state, Stage.COLLECTING)
    if c.deadline < business_date(c.at):
        raise InvalidDeadline("the deadline is before the collection opens", deadline=c.deadline.isoformat())
    return [CollectionOpened(at=c.at, actor=c.actor, deadline=c.deadline)]


def start_determination(state: CampaignState, c: StartDetermination) -> list[Event]:
    require_transition(state, Stage.DETERMINING)
    return [DeterminationStarted(at=c.at, actor=c.actor)]


def _require_setup(state: CampaignState) -> None:
    if stage_of(state) is not Stage.REGISTERED:
        raise SetupFrozen("units and draft indicators are fixed once deployed", stage=state.stage)


def _check_indicators(indicators: tuple[Indicator, ...]) -> None:
    if not indicators:
        raise MissingField("no indicators given", field="indicators")
    for index, indicator in enumerate(indicators):
        indicator.check(f"indicators[{index}]")
    _require_unique([i.code for i in indicators], "indicator")


def _require_unique(codes: list[str], what: str) -> None:
    repeated = sorted(code for code, n in Counter(codes).items() if n > 1)
    if repeated:
        raise DuplicateId(f"{what} codes repeat", codes=repeated)


# --- apply ---------------------------------------------------------------------------------------


def on_notice(state: CampaignState, e: NoticeRegistered) -> CampaignState:
    return bump(
        state,
        stage=Stage.REGISTERED,
        campaign_id=e.campaign_id,
        notice=e.notice,
        basis=e.basis,
        year=e.year,
        assessing_unit=e.assessing_unit,
        responsibility=e.responsibility,
        report_to=e.report_to,
    )


def on_units(state: CampaignState, e: UnitsRegistered) -> CampaignState:
    return bump(state, units={**state.units, **{u.code: u for u in e.units}})


def on_assigned(state: CampaignState, e: IndicatorsAssigned) -> CampaignState:
    return bump(state, indicators={i.code: i for i in e.indicators})


def on_revised(state: CampaignState, e: IndicatorsRevised) -> CampaignState:
    revision = IndicatorSetVersion(e.version, e.indicators, e.at, e.approver, e.reason)
    return bump(
        state,
        indicators={i.code: i for i in e.indicators},
        indicator_versions=(*state.indicator_versions, revision),
    )


def on_deployed(state: CampaignState, e: DeploymentIssued) -> CampaignState:
    first = IndicatorSetVersion(1, tuple(state.indicators.values()), e.at, e.actor, "部署")
    # The deployment is also a dated step of the work the letter recounts, by the assessing unit.
    step = WorkStep(
        on=business_date(e.at), what=e.summary, issuer=state.assessing_unit, document_number=e.document_number
    )
    return bump(state, stage=Stage.DEPLOYED, indicator_versions=(first,), deployment=step)


def on_collection(state: CampaignState, e: CollectionOpened) -> CampaignState:
    return bump(state, stage=Stage.COLLECTING, collection_deadline=e.deadline)


def on_determination(state: CampaignState, e: DeterminationStarted) -> CampaignState:
    return bump(state, stage=Stage.DETERMINING)


HANDLERS: dict[type[Any], Any] = {
    OpenCampaign: open_campaign,
    RegisterUnits: register_units,
    AssignIndicators: assign_indicators,
    ReviseIndicators: revise_indicators,
    IssueDeployment: issue_deployment,
    OpenCollection: open_collection,
    StartDetermination: start_determination,
}
APPLIERS: dict[type[Any], Any] = {
    NoticeRegistered: on_notice,
    UnitsRegistered: on_units,
    IndicatorsAssigned: on_assigned,
    IndicatorsRevised: on_revised,
    DeploymentIssued: on_deployed,
    CollectionOpened: on_collection,
    DeterminationStarted: on_determination,
}
