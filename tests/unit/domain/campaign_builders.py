"""Given-histories for campaign tests: a small campaign driven to each stage by real commands."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from domain.campaign import decide, fold
from domain.campaign.commands import (
    AssignIndicators,
    Command,
    ConfirmNoDeduction,
    DetermineScore,
    IssueDeployment,
    OpenCampaign,
    OpenCollection,
    RegisterUnits,
    StartDetermination,
)
from domain.campaign.commands_results import (
    CloseAppeals,
    PublishResults,
    RecordDispatch,
    RecordLetterSigned,
    StartReporting,
    SubmitReportForApproval,
)
from domain.campaign.state import CampaignState
from domain.campaign.types import (
    BasisDocument,
    Indicator,
    IndicatorKind,
    Notice,
    RuleClause,
    ScoreDisplay,
    Unit,
    UnitGroup,
)
from domain.shared.calendar import WorkCalendar
from domain.shared.errors import DomainError
from domain.shared.events import Event
from domain.shared.figures import EvidenceFile

CST = timezone(timedelta(hours=8))
DRAFTER, CHIEF, LEADER, OFFICE = "drafter", "chief", "leader", "office"
CO_LEAD = "市委编办"
DOC = "doc-1"
CALENDAR = WorkCalendar.of(
    [date(2023, 1, 21) + timedelta(days=n) for n in range(7)], [date(2023, 1, 28), date(2023, 1, 29)]
)

UNITS = (
    Unit(code="C01", name="汉滨区", group=UnitGroup.COUNTY, order=1),
    Unit(code="C02", name="汉阴县", group=UnitGroup.COUNTY, order=2),
    Unit(code="D01", name="市委编办", group=UnitGroup.CITY_DEPARTMENT, order=1),
)
CODES = tuple(u.code for u in UNITS)
FULL = Indicator(
    code="full",
    name="政务服务“好差评”",
    kind=IndicatorKind.FULL_SCORE,
    points=Decimal(10),
    display=ScoreDisplay.HUNDRED_POINT,
    lead_unit="市行政审批服务局",
)
DED = Indicator(
    code="ded",
    name="营商环境问题专项整治第2项",
    kind=IndicatorKind.DEDUCTION,
    points=Decimal(10),
    display=ScoreDisplay.DEDUCTION,
    lead_unit="市行政审批服务局",
    co_lead_units=(CO_LEAD,),
    clauses=(RuleClause(code="c1", text="证照分离"), RuleClause(code="c2", text="微权力")),
)
BON = Indicator(
    code="bon",
    name="创新加分",
    kind=IndicatorKind.BONUS,
    points=Decimal(5),
    bonus_cap=Decimal(2),
    display=ScoreDisplay.POINTS,
    lead_unit="市行政审批服务局",
)
VETO = Indicator(
    code="veto",
    name="安全生产",
    kind=IndicatorKind.VETO,
    points=Decimal(10),
    display=ScoreDisplay.POINTS,
    lead_unit="市行政审批服务局",
)
INDICATORS = (FULL, DED, BON, VETO)
EVIDENCE = EvidenceFile(sha256="ab" * 32, size=1024, media_type="application/pdf", file_name="佐证.pdf")


def t(day: int, hour: int = 9) -> datetime:
    """Business time: day 0 is Wednesday 2023-01-11 (before the 2023 Spring Festival)."""
    return datetime(2023, 1, 11, hour, tzinfo=CST) + timedelta(days=day)


def run(commands: list[Command], state: CampaignState | None = None) -> list[Event]:
    """The events the commands produce, one after another, from ``state`` (or the start)."""
    events: list[Event] = []
    current = fold([], state)
    for command in commands:
        new = decide(current, command)
        current = fold(new, current)
        events.extend(new)
    return events


def open_cmd(**changes: object) -> OpenCampaign:
    fields: dict[str, object] = {
        "at": t(0),
        "actor": DRAFTER,
        "campaign_id": "camp-1",
        "notice": Notice(number="安作风办字〔2023〕1号", title="考核通知", issuers=("市作风办", "市考核办")),
        "basis": (BasisDocument(number="安办字〔2022〕56号", title="实施方案", issuer="市委办公室"),),
        "year": 2022,
        "assessing_unit": "安康市行政审批服务局",
        "responsibility": "牵头认定",
        "report_to": "市作风办",
    }
    fields.update(changes)
    return OpenCampaign(**fields)  # type: ignore[arg-type]


def registered() -> list[Event]:
    return run(
        [
            open_cmd(),
            RegisterUnits(at=t(0), actor=DRAFTER, units=UNITS),
            AssignIndicators(at=t(0), actor=DRAFTER, indicators=INDICATORS),
        ]
    )


def deployed() -> list[Event]:
    given = registered()
    return given + run([IssueDeployment(at=t(1), actor=CHIEF)], fold(given))


def collecting() -> list[Event]:
    given = deployed()
    return given + run([OpenCollection(at=t(1), actor=CHIEF, deadline=date(2023, 2, 10))], fold(given))


def determining() -> list[Event]:
    given = collecting()
    return given + run([StartDetermination(at=t(2), actor=CHIEF)], fold(given))


def all_determined() -> list[Event]:
    """Every cell explicit: 10 on full, 不扣分 on ded, 4 on bon, 10 on veto."""
    given = determining()
    results: list[Command] = [
        score_cmd(FULL.code, Decimal(10)),
        ConfirmNoDeduction(
            at=t(3), actor=CHIEF, indicator=DED.code, units=CODES, reason="无减分", proposed_by=DRAFTER
        ),
        score_cmd(BON.code, Decimal(4)),
        score_cmd(VETO.code, Decimal(10)),
    ]
    return given + run(results, fold(given))


def score_cmd(indicator: str, score: Decimal, units: tuple[str, ...] = CODES) -> DetermineScore:
    return DetermineScore(
        at=t(3),
        actor=CHIEF,
        indicator=indicator,
        units=units,
        score=score,
        reason="认定",
        proposed_by=DRAFTER,
    )


PUBLISHED_AT = t(6)  # Tuesday 2023-01-17; the 5th working day after it is Sunday 2023-01-29 (调休)
WINDOW_END = date(2023, 1, 29)


def published() -> list[Event]:
    given = all_determined()
    publish = PublishResults(at=PUBLISHED_AT, actor=CHIEF, window_working_days=5, calendar=CALENDAR)
    return given + run([publish], fold(given))


def appeals_closed() -> list[Event]:
    given = published()
    return given + run([CloseAppeals(at=t(20), actor=CHIEF)], fold(given))


def reporting() -> list[Event]:
    given = appeals_closed()
    return given + run([StartReporting(at=t(21), actor=DRAFTER, document_id=DOC)], fold(given))


def approving() -> list[Event]:
    given = reporting()
    return given + run([SubmitReportForApproval(at=t(21), actor=DRAFTER, document_id=DOC)], fold(given))


def signed() -> list[Event]:
    given = approving()
    sign = RecordLetterSigned(at=t(22), actor=OFFICE, document_id=DOC, signed_by=LEADER)
    return given + run([sign], fold(given))


def dispatched() -> list[Event]:
    given = signed()
    send = RecordDispatch(
        at=t(22), actor=OFFICE, document_id=DOC, recipient="市作风办", document_number="安行审函〔2023〕7号"
    )
    return given + run([send], fold(given))


def when(given: list[Event], command: Command) -> list[Event]:
    """Then-events: what the command decides on the state folded from the given events."""
    return decide(fold(given), command)


def refused(given: list[Event], command: Command, error: type[DomainError]) -> DomainError:
    """The command is refused with exactly this named error (its stable code, JSON-ready details)."""
    with pytest.raises(error) as info:
        decide(fold(given), command)
    assert info.value.code == error.code
    json.dumps(info.value.details, ensure_ascii=False)  # details reach clients as JSON
    return info.value
