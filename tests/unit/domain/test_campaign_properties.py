"""Properties over random command sequences: live state equals replay, scores stay within bounds."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.campaign import decide, fold
from domain.campaign.commands import (
    AdjustScore,
    ApplyVeto,
    AwardBonus,
    Command,
    ConfirmDeduction,
    ConfirmNoDeduction,
    DetermineScore,
    IssueDeployment,
    OpenCollection,
    ProposeDeduction,
    RejectDeduction,
    ReviewSubmission,
    StartDetermination,
    SubmitData,
)
from domain.campaign.commands_results import (
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
from domain.campaign.queries import scores_table
from domain.campaign.state import CampaignState
from domain.campaign.types import Stage
from domain.shared.errors import DomainError
from domain.shared.events import Event, from_data, to_data
from services.seed.scenario import PROVINCIAL_REPORT
from tests.unit.domain.campaign_builders import (
    BON,
    CALENDAR,
    CHIEF,
    CO_LEAD,
    CODES,
    DED,
    DRAFTER,
    FULL,
    INDICATORS,
    LEADER,
    OFFICE,
    VETO,
    all_determined,
    determining,
    published,
    registered,
)

AMOUNTS = [Decimal(v) for v in ("0", "0.5", "1", "2.5", "4", "7", "10", "12")]
Maker = Callable[[datetime, int, int, Decimal], Command]
S = Stage
SETUP_R, SETUP_D, SETUP_C = frozenset({S.REGISTERED}), frozenset({S.DEPLOYED}), frozenset({S.COLLECTING})
DATA = frozenset({S.COLLECTING, S.DETERMINING, S.CONSULTING})
SCORING = frozenset({S.DETERMINING, S.CONSULTING})
PUB = frozenset({S.PUBLISHED})
LATE = frozenset({S.APPEALS_CLOSED, S.REPORTING, S.APPROVING, S.SIGNED, S.DISPATCHED})


def _units(a: int) -> tuple[str, ...]:
    return CODES if a % 2 == 0 else (CODES[a % len(CODES)],)


def _unit(a: int) -> str:
    return CODES[a % len(CODES)]


def _indicator(b: int) -> str:
    return INDICATORS[b % len(INDICATORS)].code


MAKERS: list[tuple[frozenset[Stage], Maker]] = [
    (SETUP_R, lambda at, a, b, x: IssueDeployment(at=at, actor=CHIEF)),
    (SETUP_D, lambda at, a, b, x: OpenCollection(at=at, actor=CHIEF, deadline=at.date() + timedelta(days=9))),
    (
        DATA,
        lambda at, a, b, x: SubmitData(
            at=at,
            actor=DRAFTER,
            submission_id=f"s{a % 2}",
            indicator=FULL.code,
            unit=None,
            report=PROVINCIAL_REPORT,
        ),
    ),
    (
        DATA,
        lambda at, a, b, x: ReviewSubmission(
            at=at,
            actor=CHIEF,
            submission_id=f"s{a % 2}",
            decision=list(ReviewDecision)[b % 2],
            opinion="意见",
        ),
    ),
    (SETUP_C, lambda at, a, b, x: StartDetermination(at=at, actor=CHIEF)),
    (
        SCORING,
        lambda at, a, b, x: DetermineScore(
            at=at,
            actor=CHIEF,
            indicator=_indicator(b),
            units=_units(a),
            score=x,
            reason="认定",
            proposed_by=DRAFTER,
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: ConfirmNoDeduction(
            at=at, actor=CHIEF, indicator=DED.code, units=_units(a), reason="无", proposed_by=DRAFTER
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: ProposeDeduction(
            at=at,
            actor=DRAFTER,
            deduction_id=f"d{b}",
            unit=_unit(a),
            indicator=DED.code,
            clause="c1",
            facts="事实",
            points=x,
        ),
    ),
    (SCORING, lambda at, a, b, x: ConfirmDeduction(at=at, actor=CHIEF, deduction_id=f"d{b}")),
    (SCORING, lambda at, a, b, x: RejectDeduction(at=at, actor=CHIEF, deduction_id=f"d{b}", reason="不成立")),
    (
        SCORING,
        lambda at, a, b, x: AwardBonus(
            at=at,
            actor=CHIEF,
            unit=_unit(a),
            indicator=BON.code,
            clause="加",
            facts="事实",
            points=x,
            proposed_by=DRAFTER,
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: ApplyVeto(
            at=at,
            actor=CHIEF,
            unit=_unit(a),
            indicator=VETO.code,
            clause="否",
            facts="事实",
            proposed_by=DRAFTER,
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: AdjustScore(
            at=at,
            actor=DRAFTER,
            unit=_unit(a),
            indicator=_indicator(b),
            after=x,
            reason="调",
            basis="依据",
            approver=LEADER,
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: OpenConsultation(
            at=at,
            actor=DRAFTER,
            consultation_id=f"k{a % 2}",
            indicator=DED.code,
            items=("项",),
            invited=(CO_LEAD,),
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: GiveOpinion(
            at=at,
            actor="liaison",
            consultation_id=f"k{a % 2}",
            acting_for=CO_LEAD,
            position=list(OpinionPosition)[b % 2],
            text="意见",
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: CloseConsultation(
            at=at, actor=CHIEF, consultation_id=f"k{a % 2}", outcome="结论"
        ),
    ),
    (
        SCORING,
        lambda at, a, b, x: PublishResults(
            at=at, actor=CHIEF, window_working_days=1 + b % 3, calendar=CALENDAR
        ),
    ),
    (
        PUB,
        lambda at, a, b, x: FileAppeal(
            at=at,
            actor="unit-user",
            appeal_id=f"a{b}",
            acting_for=_unit(a),
            unit=_unit(a),
            indicator=_indicator(b),
            reasons="理由",
        ),
    ),
    (
        PUB,
        lambda at, a, b, x: DecideAppeal(
            at=at,
            actor=CHIEF,
            appeal_id=f"a{b}",
            decision=AppealDecision.ADJUSTED if a % 2 else AppealDecision.UPHELD,
            reasons="复核",
            approver=LEADER,
            new_score=x if a % 2 else None,
        ),
    ),
    (PUB, lambda at, a, b, x: CloseAppeals(at=at, actor=CHIEF)),
    (LATE, lambda at, a, b, x: StartReporting(at=at, actor=DRAFTER, document_id=f"doc{a % 2}")),
    (LATE, lambda at, a, b, x: SubmitReportForApproval(at=at, actor=DRAFTER, document_id=f"doc{a % 2}")),
    (LATE, lambda at, a, b, x: ReturnReport(at=at, actor=OFFICE, document_id=f"doc{a % 2}", reason="退回")),
    (
        LATE,
        lambda at, a, b, x: RecordLetterSigned(
            at=at, actor=OFFICE, document_id=f"doc{a % 2}", signed_by=LEADER
        ),
    ),
    (
        LATE,
        lambda at, a, b, x: RecordDispatch(
            at=at,
            actor=OFFICE,
            document_id=f"doc{a % 2}",
            recipient="市作风办",
            document_number="安行审函〔2023〕7号",
        ),
    ),
    (LATE, lambda at, a, b, x: ReopenScores(at=at, actor=CHIEF, reason="更正", approver=LEADER)),
]

params = st.tuples(st.integers(0, 5), st.integers(0, 5), st.sampled_from(AMOUNTS), st.integers(0, 36))
starts = st.sampled_from([registered, determining, all_determined, published])


def play(start: list[Event], data: st.DataObject) -> tuple[CampaignState, list[Event]]:
    """Up to 50 commands, mostly fitting the stage; refused ones are skipped, events applied one by one."""
    state, emitted = fold(start), list(start)
    at = max(e.at for e in start)
    for _ in range(data.draw(st.integers(0, 50))):
        fitting = [maker for stages, maker in MAKERS if state.stage in stages]
        wild = data.draw(st.integers(0, 9)) == 0
        maker = data.draw(st.sampled_from([m for _, m in MAKERS] if wild else fitting))
        a, b, amount, hours = data.draw(params)
        at += timedelta(hours=hours)
        try:
            events = decide(state, maker(at, a, b, amount))
        except DomainError:
            continue
        for event in events:
            state = fold([event], state)
        emitted.extend(events)
    return state, emitted


@settings(max_examples=100, deadline=None)
@given(starts, st.data())
def test_the_live_state_is_the_fold_of_its_events(
    start: Callable[[], list[Event]], data: st.DataObject
) -> None:
    state, events = play(start(), data)
    assert fold(events) == state
    assert state.version == len(events)
    decoded = [from_data(e.TYPE, json.loads(json.dumps(to_data(e)))) for e in events]
    assert fold(decoded) == state


@settings(max_examples=100, deadline=None)
@given(starts, st.data())
def test_scores_stay_within_zero_and_points_plus_bonus_cap(
    start: Callable[[], list[Event]], data: st.DataObject
) -> None:
    state, _ = play(start(), data)
    for row in scores_table(state):
        if row.score is None:
            assert row.display is None
            continue
        assert Decimal(0) <= row.score <= row.indicator.points + row.indicator.bonus_cap
        assert not row.vetoed or row.score == 0
    for publication in state.publications:
        for published_score in publication.snapshot:
            indicator = state.indicators[published_score.indicator]
            assert Decimal(0) <= published_score.score <= indicator.max_score
