"""Reported figures (好差评 grades, 12345 hotline, survey, evidence) and the rates derived from them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.shared.errors import InvalidCommand
from domain.shared.values import require_count, require_rate

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
WAN = Decimal(10000)
MAX_FILE_BYTES = 10**12
"""An evidence file is at most 1 TB (its size is a count of bytes)."""
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

    def check(self, field: str = "evidence") -> None:
        """``field`` is where the file sits in the command (e.g. ``evidence[0]``), for the error."""
        if not isinstance(self.sha256, str) or not _SHA256.fullmatch(self.sha256):
            raise InvalidEvidence(
                f"{field}.sha256: 64 lowercase hex digits", sha256=str(self.sha256), field=f"{field}.sha256"
            )
        require_count(self.size, f"{field}.size", upper=MAX_FILE_BYTES, out_of_range=InvalidEvidence)
        if not self.media_type or not self.file_name:
            raise InvalidEvidence(
                f"{field}: evidence needs a media type and a file name",
                file=self.file_name,
                field=f"{field}.media_type" if not self.media_type else f"{field}.file_name",
            )


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

    def check(self, field: str = "ratings") -> None:
        _counts(
            field,
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

    def check(self, field: str = "hotline") -> None:
        _counts(field, calls=self.calls, connected=self.connected)
        if self.connected > self.calls:
            raise InvalidFigures(
                f"{field}.connected: more calls connected than received",
                calls=self.calls,
                field=f"{field}.connected",
            )
        callbacks = {"callbacks_made": self.callbacks_made, "callbacks_satisfied": self.callbacks_satisfied}
        _counts(field, **{name: n for name, n in callbacks.items() if n is not None})
        given = [n is not None for n in callbacks.values()]
        reported = self.reported_callback_satisfaction is not None
        either = all(given) and not reported
        other = reported and not any(given)
        if not (either or other):
            raise InvalidFigures(
                f"{field}: give callbacks made and satisfied, or a reported rate, not both", field=field
            )
        made, satisfied = self.callbacks_made, self.callbacks_satisfied
        if made is not None and satisfied is not None and satisfied > made:
            raise InvalidFigures(
                f"{field}.callbacks_satisfied: more satisfied callbacks than callbacks made",
                field=f"{field}.callbacks_satisfied",
            )
        rate = self.reported_callback_satisfaction
        if rate is not None:
            require_rate(rate, f"{field}.reported_callback_satisfaction", out_of_range=InvalidFigures)


@dataclass(frozen=True, kw_only=True)
class SurveySample:
    """A satisfaction survey: number of samples collected and the channel (e.g. the 秦务员 WeChat account)."""

    count: int
    channel: str

    def check(self, field: str = "survey") -> None:
        require_count(self.count, f"{field}.count", lower=1, out_of_range=InvalidFigures)
        if not self.channel:
            raise InvalidFigures(
                f"{field}.channel: a survey needs a positive sample count and a channel",
                field=f"{field}.channel",
            )


@dataclass(frozen=True, kw_only=True)
class DataReport:
    """One typed data report: any of ratings, hotline figures, a survey; evidence files; a note."""

    ratings: RatingCounts | None = None
    hotline: HotlineFigures | None = None
    survey: SurveySample | None = None
    evidence: tuple[EvidenceFile, ...] = ()
    note: str = ""

    def check(self, field: str = "report") -> None:
        """Every part checked; errors name the field below ``field`` (e.g. ``report.hotline.calls``)."""
        parts = {"ratings": self.ratings, "hotline": self.hotline, "survey": self.survey}
        if all(p is None for p in parts.values()) and not self.evidence and not self.note:
            raise InvalidFigures(
                f"{field}: an empty report: give figures, evidence or an explicit note", field=field
            )
        for name, part in parts.items():
            if part is not None:
                part.check(f"{field}.{name}")
        for index, file in enumerate(self.evidence):
            file.check(f"{field}.evidence[{index}]")


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


def _counts(field: str, **counts: int) -> None:
    """Each a whole number from 0 to 10^9 (``values.MAX_COUNT``); else InvalidNumber / InvalidFigures."""
    for name, value in counts.items():
        require_count(value, f"{field}.{name}", out_of_range=InvalidFigures)
