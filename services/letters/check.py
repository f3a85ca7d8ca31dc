"""A campaign's own template is tried before it is recorded: it must render a reference letter (the seed's)
within the sandbox's limits, or it is refused with the reason an official would otherwise meet later."""

from __future__ import annotations

from collections.abc import Callable

from domain.approval.state import DocumentState
from domain.campaign.state import CampaignState
from domain.reports import ReportMode
from services.letters.build import build_model
from services.letters.model import ReportModelError

Reference = Callable[[], tuple[CampaignState, DocumentState]]
"""The record a template is tried on (the composition root passes the seed's letter)."""


class TemplateCheck:
    def __init__(self, reference: Reference) -> None:
        self.reference = reference

    def __call__(self, report_type: str, template: str) -> str | None:
        """None when ``template`` renders the reference letter; else why not (in Chinese)."""
        if report_type != "assessment_result_letter":
            return None  # the domain refuses an unknown report type with its own message
        state, doc = self.reference()
        position = state.version
        try:
            build_model(state, doc, position, ReportMode.FINAL, template=template)
        except ReportModelError as exc:
            return f"模板未通过试排（以示例函件试排）：{exc}"
        return None
