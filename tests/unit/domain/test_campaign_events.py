"""Every campaign event round-trips through the stored JSON form; fold, evolve and as_of are pure."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.campaign import CAMPAIGN_EVENTS, as_of, evolve, fold
from domain.campaign.commands import (
    AdjustScore,
    ApplyVeto,
    AwardBonus,
    ConfirmDeduction,
    ConfirmNoDeduction,
    IssueDeployment,
    OpenCollection,
    ProposeDeduction,
    RecordWorkStep,
    RejectDeduction,
    ReviewSubmission,
    ReviseIndicators,
    StartDetermination,
    SubmitData,
)
from domain.campaign.commands_results import (
    ArchiveCampaign,
    CloseAppeals,
    CloseConsultation,
    DecideAppeal,
    FileAppeal,
    GiveOpinion,
    OpenConsultation,
    PublishResults,
    RecordDispatch,
    RecordLetterSigned,
    ReopenScores,
    ReturnReport,
    StartReporting,
    SubmitReportForApproval,
)
from domain.campaign.events import ReviewDecision
from domain.campaign.events_results import AppealDecision, OpinionPosition
from domain.campaign.templates import SetReportTemplate
from domain.campaign.types import Stage
from domain.shared.events import Event, event_types, from_data, to_data
from services.seed.scenario import PROVINCIAL_REPORT
from tests.unit.domain.campaign_builders import (
    BON,
    CALENDAR,
    CHIEF,
    CO_LEAD,
    CODES,
    DED,
    DOC,
    DRAFTER,
    EVIDENCE,
    FULL,
    INDICATORS,
    LEADER,
    OFFICE,
    VETO,
    registered,
    run,
    score_cmd,
    t,
)


def full_history() -> list[Event]:
    """One run that produces every kind of campaign event at least once."""
    given = registered()
    commands: list[Any] = [
        IssueDeployment(at=t(1), actor=CHIEF, document_number="安行审发〔2023〕1号", summary="部署"),
        ReviseIndicators(at=t(1), actor=DRAFTER, indicators=INDICATORS, reason="补充细则", approver=LEADER),
        RecordWorkStep(at=t(1), actor=DRAFTER, on=t(0).date(), what="汇报对接", indicator=FULL.code),
        SetReportTemplate(
            at=t(1),
            actor=DRAFTER,
            report_type="assessment_result_letter",
            template="# 情况\n\n正文。",
            reason="统一",
        ),
        OpenCollection(at=t(1), actor=CHIEF, deadline=t(10).date()),
        SubmitData(
            at=t(2),
            actor=DRAFTER,
            submission_id="p",
            indicator=FULL.code,
            unit=None,
            report=PROVINCIAL_REPORT,
        ),
        ReviewSubmission(
            at=t(2), actor=CHIEF, submission_id="p", decision=ReviewDecision.RETURNED, opinion="补附件"
        ),
        SubmitData(
            at=t(2),
            actor=DRAFTER,
            submission_id="p",
            indicator=FULL.code,
            unit=None,
            report=PROVINCIAL_REPORT,
        ),
        ReviewSubmission(at=t(2), actor=CHIEF, submission_id="p", decision=ReviewDecision.ACCEPTED),
        StartDetermination(at=t(3), actor=CHIEF),
        _based(score_cmd(FULL.code, Decimal(10))),
        ConfirmNoDeduction(
            at=t(3), actor=CHIEF, indicator=DED.code, units=CODES[1:], reason="无减分", proposed_by=DRAFTER
        ),
        ProposeDeduction(
            at=t(3),
            actor=DRAFTER,
            deduction_id="d1",
            unit="C01",
            indicator=DED.code,
            clause="c1",
            facts="逾期",
            points=Decimal("1.5"),
            evidence=(EVIDENCE,),
        ),
        ConfirmDeduction(at=t(3), actor=CHIEF, deduction_id="d1"),
        ProposeDeduction(
            at=t(3),
            actor=DRAFTER,
            deduction_id="d2",
            unit="C01",
            indicator=DED.code,
            clause="c2",
            facts="x",
            points=Decimal(1),
        ),
        RejectDeduction(at=t(3), actor=CHIEF, deduction_id="d2", reason="不成立"),
        score_cmd(BON.code, Decimal(4)),
        AwardBonus(
            at=t(3),
            actor=CHIEF,
            unit="C01",
            indicator=BON.code,
            clause="创新",
            facts="表彰",
            points=Decimal(1),
            proposed_by=DRAFTER,
        ),
        score_cmd(VETO.code, Decimal(10)),
        ApplyVeto(
            at=t(3),
            actor=CHIEF,
            unit="C02",
            indicator=VETO.code,
            clause="事故",
            facts="事故",
            proposed_by=DRAFTER,
        ),
        AdjustScore(
            at=t(4),
            actor=DRAFTER,
            unit="C02",
            indicator=FULL.code,
            after=Decimal(9),
            reason="更正",
            basis="办法",
            approver=LEADER,
        ),
        OpenConsultation(
            at=t(4),
            actor=DRAFTER,
            consultation_id="k",
            indicator=DED.code,
            items=("微权力",),
            invited=(CO_LEAD,),
        ),
        GiveOpinion(
            at=t(4),
            actor="liaison",
            consultation_id="k",
            acting_for=CO_LEAD,
            position=OpinionPosition.DISAGREE,
            text="异议",
        ),
        CloseConsultation(at=t(5), actor=CHIEF, consultation_id="k", outcome="维持"),
        PublishResults(at=t(6), actor=CHIEF, window_working_days=5, calendar=CALENDAR),
        FileAppeal(
            at=t(7),
            actor="u",
            appeal_id="a",
            acting_for="C01",
            unit="C01",
            indicator=FULL.code,
            reasons="有误",
        ),
        DecideAppeal(
            at=t(8),
            actor=CHIEF,
            appeal_id="a",
            decision=AppealDecision.ADJUSTED,
            reasons="采纳",
            approver=LEADER,
            new_score=Decimal("9.5"),
        ),
        CloseAppeals(at=t(20), actor=CHIEF),
        StartReporting(at=t(21), actor=DRAFTER, document_id=DOC),
        SubmitReportForApproval(at=t(21), actor=DRAFTER, document_id=DOC),
        ReturnReport(at=t(21), actor=OFFICE, document_id=DOC, reason="改"),
        SubmitReportForApproval(at=t(22), actor=DRAFTER, document_id=DOC),
        RecordLetterSigned(at=t(22), actor=OFFICE, document_id=DOC, signed_by=LEADER),
        RecordDispatch(
            at=t(22),
            actor=OFFICE,
            document_id=DOC,
            recipient="市作风办",
            document_number="安行审函〔2023〕7号",
        ),
        *second_round(),
    ]
    return given + run(commands, fold(given))


def second_round() -> list[object]:
    """After 报送: a recorded reopening, a corrected score, a new 公示 and a new letter, then archive."""
    doc = "doc-2"
    return [
        ReopenScores(at=t(23), actor=CHIEF, reason="市作风办要求更正", approver=LEADER, basis="通知"),
        AdjustScore(
            at=t(23),
            actor=DRAFTER,
            unit="C01",
            indicator=FULL.code,
            after=Decimal(10),
            reason="更正",
            basis="通知",
            approver=LEADER,
        ),
        PublishResults(at=t(26), actor=CHIEF, window_working_days=1, calendar=CALENDAR),
        CloseAppeals(at=t(30), actor=CHIEF),
        StartReporting(at=t(30), actor=DRAFTER, document_id=doc),
        SubmitReportForApproval(at=t(30), actor=DRAFTER, document_id=doc),
        RecordLetterSigned(at=t(31), actor=OFFICE, document_id=doc, signed_by=LEADER),
        RecordDispatch(
            at=t(31),
            actor=OFFICE,
            document_id=doc,
            recipient="市作风办",
            document_number="安行审函〔2023〕9号",
        ),
        ArchiveCampaign(at=t(32), actor=OFFICE),
    ]


def _based(command: object) -> object:
    return dataclasses.replace(command, based_on=("p",))  # type: ignore[type-var]


HISTORY = full_history()


def test_the_history_covers_every_campaign_event_type() -> None:
    assert {type(e) for e in HISTORY} == set(CAMPAIGN_EVENTS)


@pytest.mark.parametrize("event", HISTORY, ids=lambda e: type(e).__name__)
def test_every_event_round_trips_through_json(event: Event) -> None:
    stored = json.loads(json.dumps(to_data(event), ensure_ascii=False))
    assert from_data(event.TYPE, stored) == event


VERSION_TWO = {"ScoreDetermined", "DeductionProposed", "BonusAwarded", "ScoreAdjusted"}
"""Version 2 reads a version-1 value out of its domain as void (domain/shared/values.void_out_of_domain)."""


def test_event_types_are_registered_with_stable_names_and_versions_with_their_upcasters() -> None:
    registry = event_types()
    for cls in CAMPAIGN_EVENTS:
        assert registry[cls.TYPE] is cls
        assert (2 if cls.TYPE in VERSION_TWO else 1) == cls.VERSION
        assert set(cls.UPCASTERS) == set(range(1, cls.VERSION))
        assert cls.__name__ == cls.TYPE


def test_replaying_decoded_events_gives_the_same_state() -> None:
    decoded = [from_data(e.TYPE, json.loads(json.dumps(to_data(e)))) for e in HISTORY]
    assert fold(decoded) == fold(HISTORY)


def test_evolve_leaves_the_given_state_untouched() -> None:
    before = fold(HISTORY[:-5])
    snapshot = copy.deepcopy(before)
    for event in HISTORY[-5:]:
        evolve(before, event)
    assert before == snapshot


def test_as_of_gives_the_state_at_a_past_moment() -> None:
    moment = t(6) + timedelta(hours=1)
    assert as_of(HISTORY, moment) == fold([e for e in HISTORY if e.at <= moment])
    assert as_of(HISTORY, moment).publication is not None
    assert as_of(HISTORY, moment).appeals == {}


def test_the_history_ends_archived_after_a_second_round() -> None:
    state = fold(HISTORY)
    assert state.version == len(HISTORY)
    assert state.stage is Stage.ARCHIVED
    assert [r.document_number for r in state.reports] == ["安行审函〔2023〕7号", "安行审函〔2023〕9号"]
    assert [p.number for p in state.publications] == [1, 2]
    assert state.reopenings[0].from_stage is Stage.DISPATCHED


def test_a_foreign_event_is_not_folded() -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Elsewhere(Event):
        TYPE = "Elsewhere"

    with pytest.raises(TypeError):
        evolve(fold([]), Elsewhere(at=t(0), actor=DRAFTER))
