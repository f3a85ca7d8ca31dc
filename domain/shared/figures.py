"""Reported figures (好差评 grades, 12345 hotline, survey, evidence) and the rates derived from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.shared.errors import InvalidCommand

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
WAN = Decimal(10000)
_SHA256 = re.compile(r"[0-9a-f]{64}")


class InvalidFigures(InvalidCommand):
    """Reported figures contradict themselves (negative counts, more connected than calls, …)."""

    code = "invalid_figures"


class InvalidEvidence(InvalidCommand):
    """An evidence file reference is malformed (hash, size, name or media type)."""

    code = "invalid_evidence"


@dataclass(frozen=True, kw_only=True)
class EvidenceFile:
    """A file referenced by content: lowercase sha256 hex, size in bytes, media type, original name."""

    sha256: str
    size: int
    media_type: str
    file_name: str

    def check(self) -> None:
        if not _SHA256.fullmatch(self.sha256):
            raise InvalidEvidence("sha256 must be 64 lowercase hex digits", sha256=self.sha256)
        if self.size < 0 or not self.media_type or not self.file_name:
            raise InvalidEvidence("evidence needs a size, a media type and a file name", file=self.file_name)


@dataclass(frozen=True, kw_only=True)
class RatingCounts:
    """政务服务"好差评" ratings by the five grades; 不满意 and 非常不满意 are 差评."""

    very_satisfied: int
    satisfied: int
    basically_satisfied: int
    dissatisfied: int
    very_dissatisfied: int

    @property
    def total(self) -> int:
        return self.good + self.dissatisfied + self.very_dissatisfied

    @property
    def good(self) -> int:
        return self.very_satisfied + self.satisfied + self.basically_satisfied

    def check(self) -> None:
        _non_negative(
            very_satisfied=self.very_satisfied,
            satisfied=self.satisfied,
            basically_satisfied=self.basically_satisfied,
            dissatisfied=self.dissatisfied,
            very_dissatisfied=self.very_dissatisfied,
        )


@dataclass(frozen=True, kw_only=True)
class HotlineFigures:
    """12345 hotline: calls, connected, and either callback counts or a reported 回访满意率 (percent)."""

    calls: int
    connected: int
    callbacks_made: int | None = None
    callbacks_satisfied: int | None = None
    reported_callback_satisfaction: Decimal | None = None

    def check(self) -> None:
        _non_negative(calls=self.calls, connected=self.connected)
        if self.connected > self.calls:
            raise InvalidFigures("more calls connected than received", calls=self.calls)
        counts = (self.callbacks_made, self.callbacks_satisfied)
        if (None in counts) == (self.reported_callback_satisfaction is None):
            raise InvalidFigures("give callbacks made and satisfied, or a reported rate, not both")
        if self.callbacks_made is not None and self.callbacks_satisfied is not None:
            _non_negative(callbacks_made=self.callbacks_made, callbacks_satisfied=self.callbacks_satisfied)
            if self.callbacks_satisfied > self.callbacks_made:
                raise InvalidFigures("more satisfied callbacks than callbacks made")
        rate = self.reported_callback_satisfaction
        if rate is not None and not Decimal(0) <= rate <= HUNDRED:
            raise InvalidFigures("a rate is a percentage between 0 and 100", rate=str(rate))


@dataclass(frozen=True, kw_only=True)
class SurveySample:
    """A satisfaction survey: number of samples collected and the channel (e.g. the 秦务员 WeChat account)."""

    count: int
    channel: str

    def check(self) -> None:
        if self.count <= 0 or not self.channel:
            raise InvalidFigures("a survey needs a positive sample count and a channel")


@dataclass(frozen=True, kw_only=True)
class DataReport:
    """One typed data report: any of ratings, hotline figures, a survey; evidence files; a note."""

    ratings: RatingCounts | None = None
    hotline: HotlineFigures | None = None
    survey: SurveySample | None = None
    evidence: tuple[EvidenceFile, ...] = ()
    note: str = ""

    def check(self) -> None:
        parts = (self.ratings, self.hotline, self.survey)
        if all(p is None for p in parts) and not self.evidence and not self.note:
            raise InvalidFigures("an empty report: give figures, evidence or an explicit note")
        for part in parts:
            if part is not None:
                part.check()
        for file in self.evidence:
            file.check()


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage, ROUND_HALF_UP to 2 decimals; None when nothing to rate."""
    if denominator == 0:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def good_rate(ratings: RatingCounts) -> Decimal | None:
    """好评率 = (非常满意 + 满意 + 基本满意) / all ratings."""
    return percent(ratings.good, ratings.total)


def connection_rate(hotline: HotlineFigures) -> Decimal | None:
    """接通率 = connected / calls."""
    return percent(hotline.connected, hotline.calls)


def callback_satisfaction_rate(hotline: HotlineFigures) -> Decimal | None:
    """回访满意率: satisfied / callbacks made, or the reported rate as given (rounded the same way)."""
    if hotline.reported_callback_satisfaction is not None:
        return hotline.reported_callback_satisfaction.quantize(CENT, rounding=ROUND_HALF_UP)
    if hotline.callbacks_made is None or hotline.callbacks_satisfied is None:
        return None
    return percent(hotline.callbacks_satisfied, hotline.callbacks_made)


def format_percent(rate: Decimal) -> str:
    """'100%' for a whole percentage, otherwise two decimals: '99.95%', '99.50%'."""
    return f"{_plain(rate)}%"


def format_wan(count: int) -> str:
    """A count in 万 (10,000), ROUND_HALF_UP to 2 decimals: 383100 → '38.31万', 380000 → '38万'."""
    return f"{_plain((Decimal(count) / WAN).quantize(CENT, rounding=ROUND_HALF_UP))}万"


def _plain(value: Decimal) -> str:
    quantized = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if quantized == quantized.to_integral_value():
        return str(quantized.quantize(Decimal(1)))
    return f"{quantized:f}"


def _non_negative(**counts: int) -> None:
    negative = [name for name, value in counts.items() if value < 0]
    if negative:
        raise InvalidFigures("counts cannot be negative", fields=negative)
