"""Decide and apply: a campaign's own wording for a report type, replacing the default template.

The text is kept as recorded (templates are data), so a report rendered as of any position uses the
wording in force at that position. Checking that the text is a valid template is the caller's job: the
domain does not know the template language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.campaign.commands import Command
from domain.campaign.errors import InvalidReportTemplate
from domain.campaign.rules import bump, require_stage, require_text
from domain.campaign.state import CampaignState
from domain.campaign.types import Stage
from domain.shared.events import Event, register

REPORT_TYPES = ("assessment_result_letter",)
MAX_TEMPLATE_CHARS = 100_000
EDITABLE = tuple(s for s in Stage if s not in (Stage.SIGNED, Stage.DISPATCHED, Stage.ARCHIVED))


@dataclass(frozen=True, kw_only=True)
class SetReportTemplate(Command):
    report_type: str
    template: str
    reason: str


@register
@dataclass(frozen=True, kw_only=True)
class ReportTemplateSet(Event):
    TYPE = "ReportTemplateSet"
    report_type: str
    template: str
    reason: str


def set_template(state: CampaignState, c: SetReportTemplate) -> list[Event]:
    require_stage(state, *EDITABLE)
    require_text(template=c.template, reason=c.reason)
    if c.report_type not in REPORT_TYPES:
        raise InvalidReportTemplate(
            f"unknown report type; one of {', '.join(REPORT_TYPES)}", field="report_type"
        )
    if len(c.template) > MAX_TEMPLATE_CHARS:
        raise InvalidReportTemplate(
            f"a template has at most {MAX_TEMPLATE_CHARS} characters", field="template"
        )
    event = ReportTemplateSet(
        at=c.at, actor=c.actor, report_type=c.report_type, template=c.template, reason=c.reason
    )
    return [event]


def on_template_set(state: CampaignState, e: ReportTemplateSet) -> CampaignState:
    return bump(state, report_templates={**state.report_templates, e.report_type: e.template})


HANDLERS: dict[type[Any], Any] = {SetReportTemplate: set_template}
APPLIERS: dict[type[Any], Any] = {ReportTemplateSet: on_template_set}
