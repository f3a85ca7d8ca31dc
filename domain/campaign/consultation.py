"""Decide and apply: 会商 with co-lead units on named items; dissent is kept."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from domain.campaign.commands_results import CloseConsultation, GiveOpinion, OpenConsultation
from domain.campaign.errors import (
    ConsultationNotOpen,
    DuplicateId,
    MissingField,
    NotACoLeadUnit,
    OpinionsOutstanding,
    UninvitedUnit,
    UnknownConsultation,
)
from domain.campaign.events_results import (
    ConsultationClosed,
    ConsultationOpened,
    ConsultationOpinionGiven,
    OpinionPosition,
)
from domain.campaign.rules import bump, require_indicator, require_stage, require_text, with_item
from domain.campaign.state import CampaignState, Consultation, Opinion
from domain.campaign.types import Stage
from domain.shared.events import Event


def open_consultation(state: CampaignState, c: OpenConsultation) -> list[Event]:
    require_stage(state, Stage.DETERMINING, Stage.CONSULTING)
    require_text(consultation_id=c.consultation_id)
    if c.consultation_id in state.consultations:
        raise DuplicateId("consultation id already used", consultation_id=c.consultation_id)
    indicator = require_indicator(state, c.indicator)
    if not c.items or not all(item.strip() for item in c.items):
        raise MissingField("name the items consulted on", field="items")
    if not c.invited:
        raise MissingField("invite at least one co-lead unit", field="invited")
    strangers = [u for u in c.invited if u not in indicator.co_lead_units]
    if strangers:
        raise NotACoLeadUnit("only co-lead units of the indicator are consulted", units=strangers)
    return [
        ConsultationOpened(
            at=c.at,
            actor=c.actor,
            consultation_id=c.consultation_id,
            indicator=c.indicator,
            items=c.items,
            invited=c.invited,
        )
    ]


def give_opinion(state: CampaignState, c: GiveOpinion) -> list[Event]:
    consultation = _open(state, c.consultation_id)
    if c.acting_for not in consultation.invited:
        raise UninvitedUnit("this unit was not invited to the consultation", unit=c.acting_for)
    if c.position is OpinionPosition.DISAGREE:
        require_text(text=c.text)
    return [
        ConsultationOpinionGiven(
            at=c.at,
            actor=c.actor,
            consultation_id=c.consultation_id,
            unit=c.acting_for,
            position=c.position,
            text=c.text,
        )
    ]


def close_consultation(state: CampaignState, c: CloseConsultation) -> list[Event]:
    consultation = _open(state, c.consultation_id)
    if consultation.silent:
        raise OpinionsOutstanding("some invited units have not answered", units=list(consultation.silent))
    require_text(outcome=c.outcome)
    return [ConsultationClosed(at=c.at, actor=c.actor, consultation_id=c.consultation_id, outcome=c.outcome)]


def _open(state: CampaignState, consultation_id: str) -> Consultation:
    consultation = state.consultations.get(consultation_id)
    if consultation is None:
        raise UnknownConsultation(f"no consultation {consultation_id!r}", consultation_id=consultation_id)
    if not consultation.is_open:
        raise ConsultationNotOpen("the consultation is closed", consultation_id=consultation_id)
    return consultation


def on_opened(state: CampaignState, e: ConsultationOpened) -> CampaignState:
    consultation = Consultation(e.consultation_id, e.indicator, e.items, e.invited)
    consultations = with_item(state.consultations, e.consultation_id, consultation)
    return bump(state, stage=Stage.CONSULTING, consultations=consultations)


def on_opinion(state: CampaignState, e: ConsultationOpinionGiven) -> CampaignState:
    consultation = state.consultations[e.consultation_id]
    opinion = Opinion(e.unit, e.position, e.text, e.actor, e.at)
    consultation = replace(consultation, opinions=(*consultation.opinions, opinion))
    return bump(state, consultations=with_item(state.consultations, e.consultation_id, consultation))


def on_closed(state: CampaignState, e: ConsultationClosed) -> CampaignState:
    consultation = replace(state.consultations[e.consultation_id], outcome=e.outcome)
    return bump(state, consultations=with_item(state.consultations, e.consultation_id, consultation))


HANDLERS: dict[type[Any], Any] = {
    OpenConsultation: open_consultation,
    GiveOpinion: give_opinion,
    CloseConsultation: close_consultation,
}
APPLIERS: dict[type[Any], Any] = {
    ConsultationOpened: on_opened,
    ConsultationOpinionGiven: on_opinion,
    ConsultationClosed: on_closed,
}
