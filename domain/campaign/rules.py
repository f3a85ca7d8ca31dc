"""Checks shared by the campaign's command handlers; each raises a named error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from domain.campaign.errors import (
    CampaignNotOpened,
    IllegalStageTransition,
    MissingField,
    SameProposerAndConfirmer,
    ScoresFrozen,
    ScoresPublished,
    ScoringNotOpen,
    UnknownIndicator,
    UnknownUnit,
    WrongStage,
)
from domain.campaign.state import CampaignState
from domain.campaign.types import FROZEN_STAGES, LOCKED_STAGES, SCORING_STAGES, TRANSITIONS, Indicator, Stage
from domain.shared.figures import EvidenceFile

K = TypeVar("K")
V = TypeVar("V")


def stage_of(state: CampaignState) -> Stage:
    if state.stage is None:
        raise CampaignNotOpened("no notice has been registered for this campaign")
    return state.stage


def require_transition(state: CampaignState, target: Stage, sources: Iterable[Stage] | None = None) -> None:
    """The campaign may move to ``target`` (and only from ``sources`` when the command names them)."""
    stage = stage_of(state)
    if target not in TRANSITIONS[stage] or (sources is not None and stage not in set(sources)):
        raise IllegalStageTransition(f"cannot go from {stage} to {target}", stage=stage, target=target)


def require_stage(state: CampaignState, *stages: Stage) -> None:
    stage = stage_of(state)
    if stage not in stages:
        raise WrongStage(f"not allowed while {stage}", stage=stage, allowed=sorted(stages))


def require_scoring(state: CampaignState) -> None:
    """Scores change in determination or consultation; later only by appeal decision or reopening."""
    stage = stage_of(state)
    if stage in SCORING_STAGES:
        return
    if stage in LOCKED_STAGES:
        raise ScoresPublished("after 公示 scores change only through an appeal decision", stage=stage)
    if stage in FROZEN_STAGES:
        raise ScoresFrozen("scores are frozen after sign-off; reopen them first", stage=stage)
    raise ScoringNotOpen("determination has not started", stage=stage)


def require_text(**fields: str) -> None:
    for name, value in fields.items():
        if not value or not value.strip():
            raise MissingField(f"{name} is required", field=name)


def require_unit(state: CampaignState, code: str) -> None:
    if code not in state.units:
        raise UnknownUnit(f"no assessed unit {code!r}", unit=code)


def require_indicator(state: CampaignState, code: str) -> Indicator:
    try:
        return state.indicators[code]
    except KeyError:
        raise UnknownIndicator(f"no indicator {code!r}", indicator=code) from None


def require_other_confirmer(proposer: str, confirmer: str) -> None:
    require_text(proposed_by=proposer)
    if proposer == confirmer:
        raise SameProposerAndConfirmer("the proposer cannot confirm their own proposal", user=confirmer)


def check_evidence(files: Iterable[EvidenceFile], field: str = "evidence") -> None:
    for index, file in enumerate(files):
        file.check(f"{field}[{index}]")


def with_item(mapping: Mapping[K, V], key: K, value: V) -> dict[K, V]:
    """A new mapping with one item set: state mappings are replaced, never mutated."""
    return {**mapping, key: value}


def bump(state: CampaignState, **changes: Any) -> CampaignState:
    """The next state: the given fields changed and the version counted up."""
    return replace(state, version=state.version + 1, **changes)
