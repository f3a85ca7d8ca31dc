"""Value types of a campaign: stages, notice, basis documents, assessed units and indicators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from domain.shared.errors import InvalidCommand
from domain.shared.values import LARGEST, require_count, require_points


class InvalidIndicator(InvalidCommand):
    code = "invalid_indicator"


class InvalidUnit(InvalidCommand):
    code = "invalid_unit"


class Stage(StrEnum):
    REGISTERED = "registered"
    DEPLOYED = "deployed"
    COLLECTING = "collecting"
    DETERMINING = "determining"
    CONSULTING = "consulting"
    PUBLISHED = "published"
    APPEALS_CLOSED = "appeals_closed"
    REPORTING = "reporting"
    APPROVING = "approving"
    SIGNED = "signed"
    DISPATCHED = "dispatched"
    ARCHIVED = "archived"


_S = Stage
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    _S.REGISTERED: frozenset({_S.DEPLOYED}),
    _S.DEPLOYED: frozenset({_S.COLLECTING}),
    _S.COLLECTING: frozenset({_S.DETERMINING}),
    _S.DETERMINING: frozenset({_S.CONSULTING, _S.PUBLISHED}),
    _S.CONSULTING: frozenset({_S.PUBLISHED}),
    _S.PUBLISHED: frozenset({_S.APPEALS_CLOSED}),
    _S.APPEALS_CLOSED: frozenset({_S.REPORTING, _S.DETERMINING}),
    _S.REPORTING: frozenset({_S.APPROVING, _S.DETERMINING}),
    _S.APPROVING: frozenset({_S.SIGNED, _S.REPORTING, _S.DETERMINING}),
    _S.SIGNED: frozenset({_S.DISPATCHED, _S.REPORTING, _S.DETERMINING}),
    _S.DISPATCHED: frozenset({_S.ARCHIVED, _S.DETERMINING}),
    _S.ARCHIVED: frozenset(),
}
"""Legal stage changes. Back to DETERMINING is the recorded reopening (ScoresReopened), nothing else; back
from SIGNED to REPORTING is the letter reopened before 报送 (its chain restarts with the drafter)."""

SCORING_STAGES = frozenset({_S.DETERMINING, _S.CONSULTING})
DATA_STAGES = frozenset({_S.COLLECTING, _S.DETERMINING, _S.CONSULTING})
LOCKED_STAGES = frozenset({_S.PUBLISHED, _S.APPEALS_CLOSED, _S.REPORTING, _S.APPROVING})
FROZEN_STAGES = frozenset({_S.SIGNED, _S.DISPATCHED, _S.ARCHIVED})


class UnitGroup(StrEnum):
    COUNTY = "county"
    CITY_DEPARTMENT = "city_department"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    UnitGroup.COUNTY: "县（市、区）",
    UnitGroup.CITY_DEPARTMENT: "市级部门",
    UnitGroup.OTHER: "其他",
}


class IndicatorKind(StrEnum):
    FULL_SCORE = "full_score"  # 达标满分: the lead determines a score up to the points
    DEDUCTION = "deduction"  # 扣分制, 扣完为止: points minus confirmed deductions, never below 0
    BONUS = "bonus"  # a determined score plus bonuses up to bonus_cap
    VETO = "veto"  # 一票否决: full points, or vetoed (score 0)


class ScoreDisplay(StrEnum):
    HUNDRED_POINT = "hundred_point"  # score on a hundred-point scale: 10 of 10 → "100分"
    POINTS = "points"  # the score itself: "10分"
    DEDUCTION = "deduction"  # what was taken off: "不扣分", "扣2分"


@dataclass(frozen=True, kw_only=True)
class Notice:
    """The 通知 that launches the assessment. ``issued_on`` is None when its date is not known."""

    number: str
    title: str
    issuers: tuple[str, ...]
    issued_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class BasisDocument:
    number: str
    title: str
    issuer: str
    issued_on: date | None = None


@dataclass(frozen=True, kw_only=True)
class Unit:
    """An assessed unit (被考核单位): its name exactly as printed, its group and its row in that group.

    ``organisation`` is the id of the enrolled organisation (filled by the server from the registry); the
    code and order are this campaign's display data only. Units recorded before organisations existed
    carry None and match an organisation by exact name.
    """

    code: str
    name: str
    group: UnitGroup
    order: int
    organisation: str | None = None

    def check(self, field: str = "unit") -> None:
        """``field`` is where the unit sits in the command (e.g. ``units[0]``), for the error."""
        if not self.code or not self.name:
            raise InvalidUnit(f"{field}: a unit needs a code and a name", code=self.code, field=field)
        require_count(self.order, f"{field}.order", lower=1, out_of_range=InvalidUnit)


@dataclass(frozen=True, kw_only=True)
class RuleClause:
    code: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Indicator:
    """An assessment indicator (指标) with its points, scoring kind, display and responsible units."""

    code: str
    name: str
    kind: IndicatorKind
    points: Decimal
    display: ScoreDisplay
    lead_unit: str
    short_name: str = ""
    co_lead_units: tuple[str, ...] = ()
    bonus_cap: Decimal = Decimal(0)
    clauses: tuple[RuleClause, ...] = ()
    required_evidence: tuple[str, ...] = ()
    basis: tuple[str, ...] = ()

    @property
    def max_score(self) -> Decimal:
        return self.points + self.bonus_cap

    def clause(self, code: str) -> RuleClause | None:
        return next((c for c in self.clauses if c.code == code), None)

    def check(self, field: str = "indicator") -> None:
        """``field`` is where the indicator sits in the command (e.g. ``indicators[0]``), for the error."""
        if not self.code or not self.name or not self.lead_unit:
            raise InvalidIndicator(
                f"{field}: an indicator needs a code, a name and a lead unit", code=self.code, field=field
            )
        bad = InvalidIndicator
        require_points(self.points, f"{field}.points", upper=LARGEST, positive=True, out_of_range=bad)
        require_points(self.bonus_cap, f"{field}.bonus_cap", upper=LARGEST, out_of_range=bad)
        if self.bonus_cap and self.kind is not IndicatorKind.BONUS:
            raise InvalidIndicator(
                f"{field}.bonus_cap: only a bonus indicator has a bonus cap",
                code=self.code,
                field=f"{field}.bonus_cap",
            )
        if self.lead_unit in self.co_lead_units:
            raise InvalidIndicator(
                f"{field}.co_lead_units: the lead unit is not its own co-lead",
                code=self.code,
                field=f"{field}.co_lead_units",
            )
        if len({c.code for c in self.clauses}) != len(self.clauses):
            raise InvalidIndicator(
                f"{field}.clauses: rule clause codes repeat", code=self.code, field=f"{field}.clauses"
            )


class DatePrecision(StrEnum):
    DAY = "day"  # printed 2023年1月10日
    MONTH = "month"  # printed 2022年12月: only the month is known, ``on`` is its first day


@dataclass(frozen=True, kw_only=True)
class WorkStep:
    """A dated step of the work that the results letter recounts: a notice received, a report made.

    ``indicator`` is None for a step of the whole campaign; ``issuer`` is who acted (empty: not said).
    """

    on: date
    what: str
    precision: DatePrecision = DatePrecision.DAY
    indicator: str | None = None
    issuer: str = ""
    document_number: str = ""
