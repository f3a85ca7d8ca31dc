"""The letter's ReportModel from the record: a campaign folded to a log position P, and its document.

Pure: no store, no clock. The caller folds the campaign's events up to P (and the letter's document stream
to the same position), passes the date a draft is to carry (``on``: e.g. the date of the last event read, or
today), and gets the model ``render_all`` turns into files. The same record always gives the same model.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from domain.approval.state import DocumentState
from domain.campaign.queries import ordered_units, scores_table
from domain.campaign.state import CampaignState
from domain.campaign.types import Unit, UnitGroup
from domain.reports import ReportMode
from services.letters.body import render_body
from services.letters.letter_context import Context, campaign_context
from services.letters.model import Annex, Figure, ReportModel, ReportModelError, Table
from services.letters.text import display_width

UNDETERMINED = "未认定"
"""An annex cell with no explicit result yet (a draft read before the determinations)."""

NAME_HEADERS = {
    UnitGroup.COUNTY: "县（市、区）",
    UnitGroup.CITY_DEPARTMENT: "部门",
    UnitGroup.OTHER: "单位名称",
}
"""The name column's header per annex, as the seed's 赋分表 print it."""

TITLE_LINE_WIDTH = 40
"""A 2号 title line holds 20 Chinese characters (display width 40) in the 156 mm text block."""

FIGURE_LABELS = (
    ("survey", "count", "survey_samples", "问卷样本"),
    ("ratings", "total", "ratings_total", "评价总数"),
    ("ratings", "very_satisfied", "ratings_very_satisfied", "非常满意"),
    ("ratings", "satisfied", "ratings_satisfied", "满意"),
    ("ratings", "basically_satisfied", "ratings_basically_satisfied", "基本满意"),
    ("ratings", "dissatisfied", "ratings_dissatisfied", "不满意"),
    ("ratings", "very_dissatisfied", "ratings_very_dissatisfied", "非常不满意"),
    ("ratings", "good_rate", "ratings_positive_rate", "好评率"),
    ("hotline", "calls", "hotline_calls", "12345热线来电来信"),
    ("hotline", "connected", "hotline_connected", "12345热线接通"),
    ("hotline", "connection_rate", "hotline_connect_rate", "接通率"),
    ("hotline", "callback_satisfaction", "hotline_callback_satisfaction", "回访满意率"),
)


class ReportNotReady(ReportModelError):
    """The record does not yet hold what this report needs (a final letter's 文号 or 成文日期, a campaign)."""


def report_context(state: CampaignState, doc: DocumentState | None = None) -> Context:
    """The default template's context from the record (see letter_context), plus the document's own facts."""
    context = campaign_context(state)
    signed = doc.signature.signing_date if doc is not None and doc.signature is not None else None
    context["document"] = {
        "title": doc.title if doc is not None else "",
        "number": doc.number.number if doc is not None and doc.number is not None else None,
        "signed_on": signed.isoformat() if signed else None,
    }
    return context


def build_model(
    state: CampaignState,
    doc: DocumentState | None,
    as_of_position: int,
    mode: ReportMode | str,
    *,
    on: date | None = None,
    template: str | None = None,
) -> ReportModel:
    """The letter as of ``as_of_position``: 文号 in final mode only; 成文日期 as signed, else ``on``."""
    mode = ReportMode(mode)
    if state.stage is None:
        raise ReportNotReady("the campaign has no notice registered at this position")
    if doc is not None and doc.campaign_id and doc.campaign_id != state.campaign_id:
        raise ReportModelError(f"document {doc.document_id!r} belongs to campaign {doc.campaign_id!r}")
    number = _number(state, doc) if mode is ReportMode.FINAL else None
    if mode is ReportMode.FINAL and number is None:
        raise ReportNotReady("the final letter needs its 文号: render a draft before numbering")
    issued_on = doc.signature.signing_date if doc is not None and doc.signature is not None else on
    if issued_on is None:
        raise ReportNotReady("the letter is not signed at this position: pass the draft's date as `on`")
    context = report_context(state, doc)
    return ReportModel(
        issuing_office=state.assessing_unit,
        doc_number=number,
        title=title_lines(doc.title if doc is not None and doc.title else default_title(state), state),
        addressee=state.report_to,
        body=render_body(context, template=template),
        signature=state.assessing_unit,
        issued_on=issued_on,
        annexes=annexes(state),
        as_of_position=as_of_position,
        figures=figures(context),
    )


def _number(state: CampaignState, doc: DocumentState | None) -> str | None:
    if doc is not None and doc.number is not None:
        return doc.number.number
    report = state.report
    return report.document_number if report is not None and report.document_number else None


def default_title(state: CampaignState) -> str:
    """发文机关 + 事由 + 文种, the subject taken from the notice's title: …2022年度作风建设专项考核工作的通知
    → 安康市行政审批服务局关于报送2022年度作风建设专项考核结果的函."""
    title = state.notice.title if state.notice is not None else ""
    found = re.search(r"年度(.+?)(?:工作)?的通知$", title)
    subject = found.group(1) if found else "考核"
    return f"{state.assessing_unit}关于报送{state.year}年度{subject}结果的函"


def title_lines(title: str, state: CampaignState) -> str:
    """Where the title breaks: as written ("\\n", or a space as a printed break), else after the issuing
    office when the whole does not fit on one line (never inside a word)."""
    if "\n" in title:
        return title
    if re.search(r"\s", title.strip()):
        return re.sub(r"\s+", "\n", title.strip())
    office = state.assessing_unit
    if display_width(title) > TITLE_LINE_WIDTH and office and title.startswith(office) and title != office:
        return f"{office}\n{title[len(office) :]}"
    return title


def annexes(state: CampaignState) -> tuple[Annex, ...]:
    """One 赋分表 per unit group present, in annex order; one column per indicator, its display score."""
    cells = {(r.unit.code, r.indicator.code): r.display or UNDETERMINED for r in scores_table(state)}
    indicators = tuple(state.indicators.values())
    columns = tuple(i.short_name or i.name for i in indicators)
    groups: dict[UnitGroup, list[Unit]] = {}
    for unit in ordered_units(state):
        groups.setdefault(unit.group, []).append(unit)
    result = []
    for number, (group, units) in enumerate(groups.items(), start=1):
        rows = tuple(
            (str(row), unit.name, *(cells[unit.code, i.code] for i in indicators))
            for row, unit in enumerate(units, start=1)
        )
        table = Table(columns=("序号", NAME_HEADERS[group], *columns), rows=rows)
        result.append(Annex(number, _annex_title(group), table))
    return tuple(result)


def _annex_title(group: UnitGroup) -> str:
    return f"{group.label}考核赋分表" if group is not UnitGroup.OTHER else "其他单位考核赋分表"


def figures(context: Context) -> tuple[Figure, ...]:
    """The figures the body reports, as data: per indicator with data, prefixed by its code."""
    found: list[Figure] = []
    for ind in context["indicators"]:
        data: dict[str, Any] | None = ind["data"]
        if data is None:
            continue
        for part, key, name, label in FIGURE_LABELS:
            value = (data.get(part) or {}).get(key)
            if value is not None:
                found.append(Figure(f"{ind['code']}.{name}", label, str(value)))
    return tuple(found)
