"""A large synthetic campaign written straight into the store: for the projection benchmark and fault tests.

The events are real domain events (so the folds accept them) but not decided by commands: fast to make.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from domain import campaign
from domain.shared.events import Event, to_data
from services.eventstore.model import NewEvent, StreamAppend
from services.eventstore.store import EventStore

SETUP_EVENTS = 6


def _setup(campaign_id: str, units: int, indicators: int, at: datetime) -> list[Event]:
    unit_list = tuple(
        campaign.Unit(code=f"U{n:04d}", name=f"单位{n}", group=campaign.UnitGroup.COUNTY, order=n)
        for n in range(1, units + 1)
    )
    indicator_list = tuple(
        campaign.Indicator(
            code=f"I{n:02d}", name=f"指标{n}", kind=campaign.IndicatorKind.BONUS, points=Decimal(10),
            display=campaign.ScoreDisplay.POINTS, lead_unit="市考核办", bonus_cap=Decimal(2),
        )
        for n in range(1, indicators + 1)
    )  # fmt: skip
    notice = campaign.Notice(number="安考办字〔2024〕1号", title="大型考核（基准）", issuers=("市考核办",))
    common = {"at": at, "actor": "drafter"}
    return [
        campaign.NoticeRegistered(
            **common,
            campaign_id=campaign_id,
            notice=notice,
            basis=(),
            year=2024,
            assessing_unit="市考核办",
            responsibility="市考核办",
            report_to="市委",
        ),
        campaign.UnitsRegistered(**common, units=unit_list),
        campaign.IndicatorsAssigned(**common, indicators=indicator_list),
        campaign.DeploymentIssued(**common, document_number="安考办发〔2024〕2号"),
        campaign.CollectionOpened(**common, deadline=at.date() + timedelta(days=30)),
        campaign.DeterminationStarted(**common),
    ]


def scoring_events(n: int, units: int, indicators: int, at: datetime, seed: int = 7) -> Iterator[Event]:
    """``n`` scoring events over units × indicators: scores, bonuses, adjustments, deductions, 不扣分."""
    rng = random.Random(seed)
    pending: list[str] = []
    for k in range(n):
        unit, indicator = f"U{rng.randrange(units) + 1:04d}", f"I{rng.randrange(indicators) + 1:02d}"
        common = {"at": at, "actor": "section-chief"}
        roll = rng.random()
        if pending and roll < 0.12:
            yield campaign.DeductionConfirmed(**common, deduction_id=pending.pop(), opinion="属实")
        elif roll < 0.22:
            pending.append(f"d{k}")
            yield campaign.DeductionProposed(
                **common, deduction_id=f"d{k}", unit=unit, indicator=indicator, clause="第3条第2款",
                facts=f"第{k}号问题整改不到位", points=Decimal("0.5"),
            )  # fmt: skip
        elif roll < 0.35:
            yield campaign.BonusAwarded(
                **common, unit=unit, indicator=indicator, clause="第5条", facts="经验做法被推广",
                points=Decimal("0.5"), proposed_by="drafter",
            )  # fmt: skip
        elif roll < 0.45:
            yield campaign.NoDeductionConfirmed(
                **common,
                unit=unit,
                indicator=indicator,
                reason="经查阅资料不存在减分情况",
                proposed_by="drafter",
            )
        else:
            yield campaign.ScoreDetermined(
                **common, unit=unit, indicator=indicator, score=Decimal(rng.randrange(60, 101)) / 10,
                reason="依据平台数据赋分", proposed_by="drafter", based_on=("provincial-data",),
            )  # fmt: skip


def write_campaign(
    store: EventStore,
    campaign_id: str,
    total: int,
    *,
    units: int = 100,
    indicators: int = 10,
    batch: int = 2000,
) -> int:
    """Append ``total`` events of one campaign in batches of ``batch`` per transaction; the head position."""
    at = datetime(2024, 3, 1, tzinfo=UTC)
    events = [
        *_setup(campaign_id, units, indicators, at),
        *scoring_events(total - SETUP_EVENTS, units, indicators, at),
    ]
    meta = {"actor": "bench", "role": "drafter"}
    stream_id = f"campaign-{campaign_id}"
    version = 0
    for start in range(0, len(events), batch):
        chunk = [NewEvent(e.TYPE, to_data(e), meta) for e in events[start : start + batch]]
        result = store.append_streams([StreamAppend(stream_id, chunk, version)])
        version = result.stream_versions[stream_id]
    return store.head().position
