"""Scoring of one unit on one indicator: the ordered entries, the clamped score and how it is shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from domain.campaign.types import Indicator, ScoreDisplay

ZERO = Decimal(0)
CENT = Decimal("0.01")
VETO_DISPLAY = "一票否决"


class EntryKind(StrEnum):
    SCORE_SET = "score_set"  # ScoreDetermined: an explicit score
    NO_DEDUCTION = "no_deduction"  # NoDeductionConfirmed: an approved "不扣分"
    DEDUCTION = "deduction"  # DeductionConfirmed
    BONUS = "bonus"  # BonusAwarded
    VETO = "veto"  # VetoApplied
    ADJUSTMENT = "adjustment"  # ScoreAdjusted (directly, by appeal decision or after reopening)


DECISIVE = frozenset({EntryKind.SCORE_SET, EntryKind.NO_DEDUCTION, EntryKind.DEDUCTION, EntryKind.VETO})
"""Entries that make a result explicit. A bonus alone determines nothing; an adjustment needs one first."""


@dataclass(frozen=True)
class ScoreEntry:
    kind: EntryKind
    value: Decimal = ZERO
    ref: str = ""


@dataclass(frozen=True)
class CellScore:
    """The result of one cell. ``score`` is None when nothing explicit was determined."""

    score: Decimal | None
    vetoed: bool = False


def is_determined(entries: Iterable[ScoreEntry]) -> bool:
    return any(e.kind in DECISIVE for e in entries)


def compute(indicator: Indicator, entries: tuple[ScoreEntry, ...]) -> CellScore:
    """Fold the entries in order: 扣完为止 floors at 0, bonuses stop at the cap, a veto scores 0."""
    if not is_determined(entries):
        return CellScore(None)
    score, bonus, vetoed = indicator.points, ZERO, False
    for entry in entries:
        if entry.kind is EntryKind.SCORE_SET:
            score = entry.value
        elif entry.kind is EntryKind.ADJUSTMENT:
            score, vetoed = entry.value, False
        elif entry.kind is EntryKind.DEDUCTION:
            score = max(ZERO, score - entry.value)
        elif entry.kind is EntryKind.BONUS:
            added = min(entry.value, indicator.bonus_cap - bonus)
            bonus, score = bonus + added, score + added
        elif entry.kind is EntryKind.VETO:
            vetoed = True
    if vetoed:
        return CellScore(ZERO, vetoed=True)
    return CellScore(min(max(score, ZERO), indicator.max_score))


def display(indicator: Indicator, cell: CellScore) -> str | None:
    """How the annex prints a result: '100分', '10分', '不扣分', '扣2分', '一票否决'; None if undetermined."""
    if cell.score is None:
        return None
    if cell.vetoed:
        return VETO_DISPLAY
    if indicator.display is ScoreDisplay.HUNDRED_POINT:
        return f"{plain(cell.score * 100 / indicator.points)}分"
    if indicator.display is ScoreDisplay.POINTS:
        return f"{plain(cell.score)}分"
    taken = indicator.points - cell.score
    if taken == 0:
        return "不扣分"
    return f"扣{plain(taken)}分" if taken > 0 else f"加{plain(-taken)}分"


def plain(value: Decimal) -> str:
    """ROUND_HALF_UP to 2 decimals, trailing zeros dropped: 100 → '100', 72.50 → '72.5'."""
    text = f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
