"""Given/when/then: 会商 with invited co-lead units; dissent kept; closing needs every opinion."""

from __future__ import annotations

from dataclasses import replace

from domain.campaign import errors as err
from domain.campaign import fold
from domain.campaign.commands_results import CloseConsultation, GiveOpinion, OpenConsultation, PublishResults
from domain.campaign.events_results import (
    ConsultationClosed,
    ConsultationOpened,
    ConsultationOpinionGiven,
    OpinionPosition,
)
from domain.campaign.types import Stage
from domain.shared.events import Event
from tests.unit.domain.campaign_builders import (
    CALENDAR,
    CHIEF,
    CO_LEAD,
    DED,
    DRAFTER,
    FULL,
    all_determined,
    collecting,
    determining,
    refused,
    run,
    t,
    when,
)

OPEN = OpenConsultation(
    at=t(3), actor=DRAFTER, consultation_id="k1", indicator=DED.code, items=("微权力",), invited=(CO_LEAD,)
)
DISSENT = GiveOpinion(
    at=t(4),
    actor="liaison",
    consultation_id="k1",
    acting_for=CO_LEAD,
    position=OpinionPosition.DISAGREE,
    text="有异议",
)
AGREE = replace(DISSENT, position=OpinionPosition.AGREE, text="")
CLOSE = CloseConsultation(at=t(5), actor=CHIEF, consultation_id="k1", outcome="维持不扣分")


def opened(given: list[Event] | None = None) -> list[Event]:
    given = determining() if given is None else given
    return given + run([OPEN], fold(given))


def test_a_consultation_opens_with_items_and_invited_co_leads() -> None:
    [event] = when(determining(), OPEN)
    assert isinstance(event, ConsultationOpened)
    state = fold([*determining(), event])
    assert state.stage is Stage.CONSULTING
    assert state.consultations["k1"].invited == (CO_LEAD,)


def test_only_co_lead_units_of_the_indicator_are_invited() -> None:
    refused(determining(), replace(OPEN, invited=("市财政局",)), err.NotACoLeadUnit)
    refused(determining(), replace(OPEN, indicator=FULL.code), err.NotACoLeadUnit)
    refused(determining(), replace(OPEN, invited=()), err.MissingField)
    refused(determining(), replace(OPEN, items=()), err.MissingField)
    refused(opened(), OPEN, err.DuplicateId)
    refused(collecting(), OPEN, err.WrongStage)


def test_dissent_is_kept_with_its_text() -> None:
    [event] = when(opened(), DISSENT)
    assert isinstance(event, ConsultationOpinionGiven)
    opinion = fold([*opened(), event]).consultations["k1"].opinions[0]
    assert (opinion.unit, opinion.position, opinion.text, opinion.given_by) == (
        CO_LEAD,
        OpinionPosition.DISAGREE,
        "有异议",
        "liaison",
    )


def test_disagreement_needs_a_text_and_only_invited_units_speak() -> None:
    refused(opened(), replace(DISSENT, text=""), err.MissingField)
    refused(opened(), replace(AGREE, acting_for="市财政局"), err.UninvitedUnit)
    refused(opened(), replace(AGREE, consultation_id="k9"), err.UnknownConsultation)


def test_closing_needs_every_invited_opinion_and_an_outcome() -> None:
    refused(opened(), CLOSE, err.OpinionsOutstanding)
    given = opened() + run([DISSENT, AGREE], fold(opened()))
    refused(given, replace(CLOSE, outcome=""), err.MissingField)
    [event] = when(given, CLOSE)
    assert isinstance(event, ConsultationClosed)
    state = fold([*given, event])
    consultation = state.consultations["k1"]
    assert consultation.outcome == "维持不扣分"
    assert [o.position for o in consultation.opinions] == [OpinionPosition.DISAGREE, OpinionPosition.AGREE]


def test_a_closed_consultation_takes_no_more_opinions() -> None:
    given = opened() + run([AGREE, CLOSE], fold(opened()))
    refused(given, AGREE, err.ConsultationNotOpen)
    refused(given, CLOSE, err.ConsultationNotOpen)


def test_results_are_not_published_while_a_consultation_is_open() -> None:
    publish = PublishResults(at=t(6), actor=CHIEF, window_working_days=5, calendar=CALENDAR)
    refused(opened(all_determined()), publish, err.ConsultationsOpen)
