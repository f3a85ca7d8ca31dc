"""The letter body's template context, read from a campaign's record (its folded state) — nothing typed in.

Every value is a display string or a plain list/dict, formatted as the letter prints it: counts of
ratings from 10,000 up in 万 (38.31万), other counts as digits (808, 290921), rates by the one rounding
rule (100%, 99.95%), dates in Chinese with the year only where it changes (2023年1月10日, 1月13日). The
keys are listed in docs/reports.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain.campaign.events_results import OpinionPosition
from domain.campaign.queries import dated_steps, scores_table
from domain.campaign.state import CampaignState, DeductionStatus, SubmissionStatus
from domain.campaign.types import BasisDocument, DatePrecision, Indicator, WorkStep
from domain.shared.figures import (
    DataReport,
    callback_satisfaction_rate,
    connection_rate,
    format_percent,
    format_wan,
    good_rate,
)
from domain.shared.scoring import plain

Context = dict[str, Any]

GRADES = (
    ("very_satisfied", "非常满意"),
    ("satisfied", "满意"),
    ("basically_satisfied", "基本满意"),
    ("dissatisfied", "不满意"),
    ("very_dissatisfied", "非常不满意"),
)


def campaign_context(state: CampaignState) -> Context:
    """What the default template needs, as of the state given (any stage: missing parts are empty)."""
    notice = state.notice
    rows = scores_table(state)
    steps = dated_steps(state)
    first = next(iter(state.indicators), None)
    indicators = [
        _indicator(
            state, ind, [s for s in steps if s.indicator == ind.code or (s.indicator is None and i == 0)]
        )
        for i, ind in enumerate(state.indicators.values())
    ]
    return {
        "year": state.year,
        "office": state.assessing_unit,
        "responsibility": state.responsibility,
        "report_to": state.report_to,
        "notice": {
            "number": notice.number if notice else "",
            "title": notice.title if notice else "",
            "issuers": "、".join(notice.issuers) if notice else "",
            "date": date_text(notice.issued_on) if notice and notice.issued_on else None,
        },
        "basis": [_document(state, b) for b in state.basis],
        "work_steps": _steps(state, steps),
        "campaign_wide_steps_in": first,  # steps of no one indicator are told in the first one's section
        "indicators": indicators,
        "units": len(state.units),
        "undetermined": sum(1 for r in rows if r.score is None),
        "lost_points": any(_lost(r.indicator, r.score, r.vetoed) for r in rows),
        "deductions": any(d.status is DeductionStatus.CONFIRMED for d in state.deductions.values()),
    }


def _indicator(state: CampaignState, ind: Indicator, steps: list[WorkStep]) -> Context:
    rows = [r for r in scores_table(state) if r.indicator.code == ind.code]
    told = [s for s in steps if s.document_number or s.what]
    basis = [b for b in _basis_of(state, ind) if not any(_tells(s, b) for s in told)]
    leads = [ind.lead_unit, *ind.co_lead_units]
    return {
        "code": ind.code,
        "name": ind.name,
        "short_name": ind.short_name or ind.name,
        "kind": ind.kind.value,
        "points": plain(ind.points),
        "lead_units": leads,
        "lead_units_text": joined(leads),
        "clauses": [c.text for c in ind.clauses],
        "basis": [_document(state, b) for b in basis],
        "steps": _steps(state, steps),
        "data": _data(state, ind),
        "determined": sum(1 for r in rows if r.score is not None),
        "undetermined": sum(1 for r in rows if r.score is None),
        "lost_points": any(_lost(ind, r.score, r.vetoed) for r in rows),
        "deductions": [
            {
                "unit": state.units[d.unit].name,
                "clause": _clause_text(ind, d.clause),
                "facts": d.facts,
                "points": plain(d.points),
            }
            for d in state.deductions.values()
            if d.indicator == ind.code and d.status is DeductionStatus.CONFIRMED
        ],
        "consultations": [
            {
                "topics": list(c.items),
                "units": list(c.invited),
                "units_text": joined(c.invited),
                "closed": not c.is_open,
                "outcome": c.outcome or "",
                "agreed": bool(c.opinions) and all(o.position is OpinionPosition.AGREE for o in c.opinions),
                "dissent": [
                    {"unit": o.unit, "text": o.text}
                    for o in c.opinions
                    if o.position is OpinionPosition.DISAGREE
                ],
            }
            for c in state.consultations.values()
            if c.indicator == ind.code
        ],
    }


def _clause_text(ind: Indicator, code: str) -> str:
    clause = ind.clause(code)
    return clause.text if clause is not None else code


def _lost(ind: Indicator, score: Decimal | None, vetoed: bool) -> bool:
    return score is not None and (vetoed or score < ind.points)


def _basis_of(state: CampaignState, ind: Indicator) -> list[BasisDocument]:
    """The indicator's basis documents, named by number or title, in the indicator's order."""
    found = [next((b for b in state.basis if ref in (b.number, b.title)), None) for ref in ind.basis]
    return [b for b in found if b is not None]


def _tells(step: WorkStep, doc: BasisDocument) -> bool:
    """The step recounts the document (its number, or its title in the step's words)."""
    return bool(doc.number and step.document_number == doc.number) or (
        bool(doc.title) and doc.title in step.what
    )


def _document(state: CampaignState, doc: BasisDocument) -> Context:
    return {
        "number": doc.number,
        "title": doc.title,
        "issuer": doc.issuer,
        "by_us": doc.issuer == state.assessing_unit,
        "date": date_text(doc.issued_on) if doc.issued_on else None,
    }


def _steps(state: CampaignState, steps: Sequence[WorkStep]) -> list[Context]:
    texts = date_texts(steps)
    return [
        {
            "date": text,
            "on": s.on.isoformat(),
            "what": s.what,
            "issuer": s.issuer,
            "by_us": s.issuer == state.assessing_unit,
            "indicator": s.indicator,
            "document_number": s.document_number,
        }
        for s, text in zip(steps, texts, strict=True)
        if s.what
    ]


def _data(state: CampaignState, ind: Indicator) -> Context | None:
    """The accepted campaign-wide data report of the indicator (the latest accepted), formatted."""
    accepted = [
        s.latest.report
        for s in state.submissions.values()
        if s.indicator == ind.code and s.unit is None and s.status is SubmissionStatus.ACCEPTED
    ]
    return data_context(accepted[-1]) if accepted else None


def data_context(report: DataReport) -> Context:
    out: Context = {"note": report.note, "ratings": None, "hotline": None, "survey": None}
    if report.ratings is not None:
        r = report.ratings
        grades = [{"key": key, "name": name, "count": rating_count(getattr(r, key))} for key, name in GRADES]
        rate = good_rate(r)
        out["ratings"] = {
            "total": rating_count(r.total),
            "grades": grades,
            **{g["key"]: g["count"] for g in grades},
            "good_rate": format_percent(rate) if rate is not None else None,
        }
    if report.hotline is not None:
        h = report.hotline
        connected, callback = connection_rate(h), callback_satisfaction_rate(h)
        out["hotline"] = {
            "calls": str(h.calls),
            "connected": str(h.connected),
            "connection_rate": format_percent(connected) if connected is not None else None,
            "callback_satisfaction": format_percent(callback) if callback is not None else None,
        }
    if report.survey is not None:
        out["survey"] = {"count": str(report.survey.count), "channel": report.survey.channel}
    return out


def rating_count(count: int) -> str:
    """Ratings as the letter prints them: 10,000 and more in 万 (38.31万), fewer as digits (808)."""
    return format_wan(count) if count >= 10_000 else str(count)


def date_texts(steps: Iterable[WorkStep]) -> list[str]:
    """Dates of a run of steps, the year where it changes: 2023年1月10日, 1月13日; 2022年12月 by month."""
    texts, year = [], None
    for step in steps:
        prefix = "" if step.on.year == year else f"{step.on.year}年"
        year = step.on.year
        day = "" if step.precision is DatePrecision.MONTH else f"{step.on.day}日"
        texts.append(f"{prefix}{step.on.month}月{day}")
    return texts


def date_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def joined(names: Sequence[str]) -> str:
    """甲, 甲和乙, 甲、乙和丙."""
    if len(names) <= 2:
        return "和".join(names)
    return "、".join(names[:-1]) + "和" + names[-1]
