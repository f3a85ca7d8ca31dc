"""The letter's model built from the record as of a log position P, rendered, compared with the seed.

The log here is the seed scenario's campaign events and the letter's document events (decided through its
approval chain: draft → check → review → sign-off on 2023-03-07 → 安行审函〔2023〕7号 → dispatch), merged in
the order they happened. "As of P" folds each stream from the first P entries, as the worker will.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest

from domain import approval, campaign
from domain.approval import DocumentState
from domain.campaign.events import ScoreDetermined
from domain.campaign.state import CampaignState
from domain.numbering import parse_number
from domain.reports import RecordReportRendered, ReportMode, ReportRendered, RequestReport
from domain.reports import decide as decide_report
from domain.reports import fold as fold_report
from domain.shared.events import Event
from services.letters.build import UNDETERMINED, ReportNotReady, build_model, report_context
from services.seed import scenario
from tests.reports.conftest import require_tool, run, seed_tables
from workers.reports import Artifact, ReportModel, render_all

CST = timezone(timedelta(hours=8))
DEPUTY = "deputy-director"
CHAIN = approval.DEFAULT_LETTER_CHAIN.without("countersign")
ROLES = {
    scenario.DRAFTER: "drafter",
    scenario.SECTION_CHIEF: "section_chief",
    DEPUTY: "deputy_director",
    scenario.DIRECTOR: "director",
    scenario.OFFICE: "office",
}


@dataclass(frozen=True)
class Entry:
    stream: str  # "campaign" or "document"
    event: Event


def at(month: int, day: int, hour: int) -> datetime:
    return datetime(2023, month, day, hour, tzinfo=CST)


def campaign_events() -> list[Event]:
    state, events = campaign.INITIAL_STATE, []
    for command in scenario.commands():
        state, new = campaign.execute(state, command)
        events += new
    return events


def letter_events() -> list[Event]:
    doc, events = approval.INITIAL_STATE, []

    def do(command_type: type[approval.Command], when: datetime, actor: str, **fields: object) -> None:
        nonlocal doc
        command = command_type(at=when, actor=actor, role=ROLES[actor], **fields)  # type: ignore[arg-type]
        new = approval.decide(doc, command)
        doc = approval.fold(new, doc)
        events.extend(new)

    def task(step: str) -> str:
        return next(t.task_id for t in approval.open_tasks(doc) if t.step == step)

    code, year, serial = parse_number(scenario.LETTER_NUMBER)
    do(approval.DraftDocument, at(3, 2, 15), scenario.DRAFTER, document_id=scenario.DOCUMENT_ID,
       campaign_id=scenario.CAMPAIGN_ID, doc_type="letter", title=scenario.LETTER_TITLE,
       content_hash="0" * 64, chain=CHAIN)  # fmt: skip
    do(approval.SubmitDraft, at(3, 3, 9), scenario.DRAFTER)
    do(approval.ApproveTask, at(3, 3, 10), scenario.SECTION_CHIEF, task_id=task("check"))
    do(approval.ApproveTask, at(3, 6, 10), DEPUTY, task_id=task("review"))
    do(
        approval.ApproveTask,
        at(3, 7, 10),
        scenario.DIRECTOR,
        task_id=task("sign_off"),
        signing_date=date(2023, 3, 7),
    )
    do(approval.AssignNumber, at(3, 7, 11), scenario.OFFICE, task_id=task("numbering"), code=code, year=year,
       serial=serial)  # fmt: skip
    do(approval.DispatchDocument, at(3, 7, 16), scenario.OFFICE, task_id=task("dispatch"),
       recipient=scenario.REPORT_TO, channel="电子公文交换")  # fmt: skip
    return events


def merged_log() -> list[Entry]:
    entries = [Entry("campaign", e) for e in campaign_events()] + [
        Entry("document", e) for e in letter_events()
    ]
    return sorted(entries, key=lambda entry: entry.event.at)  # stable: each stream keeps its order


LOG = merged_log()
FINAL = len(LOG)


def record(log: list[Entry], position: int) -> tuple[CampaignState, DocumentState | None]:
    """Both streams folded from the first ``position`` entries of the log."""
    head = log[:position]
    docs = [e.event for e in head if e.stream == "document"]
    state = campaign.fold(e.event for e in head if e.stream == "campaign")
    return state, approval.fold(docs) if docs else None


def model_at(position: int, mode: ReportMode, log: list[Entry] = LOG) -> ReportModel:
    state, doc = record(log, position)
    return build_model(state, doc, position, mode, on=log[position - 1].event.at.date())


def position_after(predicate: type[Event], log: list[Entry] = LOG) -> int:
    """The position just after the first event of this type (1-based count of entries read)."""
    return next(i for i, entry in enumerate(log, start=1) if isinstance(entry.event, predicate))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


BODY_FACTS = (
    "38.31万", "38.15万", "808条", "813条", "不满意0条", "好评率100%", "290921", "290775", "99.95%", "99.97%",
    "1000个", "秦务员", "2023年1月10日", "1月13日", "1月16日", "2022年12月", "市委编办",
    "安作风办字〔2023〕1号", "安办字〔2022〕56号", "安行审发〔2022〕22号", "满分10分", "无单位减分",
)  # fmt: skip


@pytest.fixture(scope="module")
def final_model() -> ReportModel:
    return model_at(FINAL, ReportMode.FINAL)


@pytest.fixture(scope="module")
def final_files(final_model: ReportModel) -> dict[str, Artifact]:
    return render_all(final_model)


def test_the_final_model_carries_the_record(final_model: ReportModel) -> None:
    assert final_model.issuing_office == "安康市行政审批服务局"
    assert final_model.doc_number == "安行审函〔2023〕7号"
    assert final_model.title_text == squeeze(scenario.LETTER_TITLE)
    assert final_model.addressee == "市作风办"
    assert final_model.issued_on == date(2023, 3, 7)
    assert final_model.as_of_position == FINAL
    assert [a.title for a in final_model.annexes] == list(scenario.ANNEX_TITLES)
    body = "".join(b.text for b in final_model.body)
    for fact in BODY_FACTS:
        assert fact in body, fact


def test_xlsx_and_docx_tables_equal_the_seed_annexes(final_files: dict[str, Artifact]) -> None:
    expected = seed_tables()
    wb = openpyxl.load_workbook(io.BytesIO(final_files["xlsx"].data))
    for ws, table in zip(wb.worksheets, expected, strict=True):
        rows = [tuple(str(v) for v in row) for row in ws.iter_rows(min_row=2, values_only=True)]
        assert rows[0] == table.columns
        assert tuple(rows[1:]) == table.rows
    document = docx.Document(io.BytesIO(final_files["docx"].data))
    for t, table in zip(document.tables, expected, strict=True):
        cells = [tuple(c.text for c in row.cells) for row in t.rows]
        assert cells[0] == table.columns
        assert tuple(cells[1:]) == table.rows
    assert [len(t.rows) - 1 for t in document.tables] == [13, 41]


def test_pdf_text_holds_number_title_units_and_figures(
    final_files: dict[str, Artifact], tmp_path: Path
) -> None:
    require_tool("pdftotext")
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(final_files["pdf"].data)
    text = squeeze(run("pdftotext", "-enc", "UTF-8", str(pdf), "-"))
    assert "安行审函〔2023〕7号" in text
    assert squeeze(scenario.LETTER_TITLE) in text
    for unit in scenario.UNITS:
        assert unit.name in text, unit.name
    for figure in ("38.31万", "99.95%", "99.97%"):
        assert figure in text


def test_the_same_position_gives_the_same_bytes(final_files: dict[str, Artifact]) -> None:
    again = render_all(model_at(FINAL, ReportMode.FINAL))
    assert {k: v.sha256 for k, v in again.items()} == {k: v.sha256 for k, v in final_files.items()}


def test_the_rendering_is_recorded_once(final_files: dict[str, Artifact]) -> None:
    request = RequestReport(
        at=at(3, 7, 17),
        actor=scenario.OFFICE,
        report_id="r1",
        campaign_id=scenario.CAMPAIGN_ID,
        as_of_position=FINAL,
        mode=ReportMode.FINAL,
        document_id=scenario.DOCUMENT_ID,
    )
    requested = decide_report(fold_report([]), request)
    done = RecordReportRendered(
        at=at(3, 7, 17),
        actor="worker",
        as_of_position=FINAL,
        artifacts={k: v.sha256 for k, v in final_files.items()},
        sizes={k: len(v.data) for k, v in final_files.items()},
    )
    rendered = decide_report(fold_report(requested), done)
    assert isinstance(rendered[0], ReportRendered)
    assert decide_report(fold_report(requested + rendered), done) == []


def test_before_the_determinations_every_cell_is_undetermined() -> None:
    before = position_after(ScoreDetermined) - 1
    model = model_at(before, ReportMode.DRAFT)
    assert model.is_draft and model.doc_number is None
    assert model.issued_on == LOG[before - 1].event.at.date()
    assert [len(a.table.rows) for a in model.annexes] == [13, 41]
    assert {cell for a in model.annexes for row in a.table.rows for cell in row[2:]} == {UNDETERMINED}
    assert "未认定" in "".join(b.text for b in model.body)


def test_a_later_adjustment_changes_exactly_that_cell() -> None:
    state = record(LOG, FINAL)[0]
    reopen = campaign.ReopenScores(at=at(3, 9, 9), actor=scenario.SECTION_CHIEF, reason="市作风办要求更正",
                                   approver=scenario.DIRECTOR, basis="市作风办来函")  # fmt: skip
    adjust = campaign.AdjustScore(at=at(3, 9, 10), actor=scenario.DRAFTER, unit="C02",
                                  indicator=scenario.HAOCHAPING.code, after=Decimal(9), reason="数据更正",
                                  basis="省对市考核数据更正", approver=scenario.DIRECTOR)  # fmt: skip
    later: list[Entry] = []
    for command in (reopen, adjust):
        new = campaign.decide(state, command)
        state = campaign.fold(new, state)
        later += [Entry("campaign", e) for e in new]
    log = LOG + later
    earlier, after = model_at(FINAL, ReportMode.FINAL, log), model_at(len(log), ReportMode.FINAL, log)
    changed = [
        (a.number, r, c, old, new)
        for a, b in zip(earlier.annexes, after.annexes, strict=True)
        for r, (row_a, row_b) in enumerate(zip(a.table.rows, b.table.rows, strict=True), start=1)
        for c, (old, new) in enumerate(zip(row_a, row_b, strict=True))
        if old != new
    ]
    assert changed == [(1, 2, 2, "100分", "90分")]  # 汉阴县, 政务服务“好差评”
    assert earlier == model_at(FINAL, ReportMode.FINAL)  # the later events leave position P as it was
    assert "部分单位存在失分" in "".join(b.text for b in after.body)


def test_a_draft_before_the_number_has_no_number_and_a_final_is_refused() -> None:
    signed = position_after(approval.DocumentSigned)
    draft = model_at(signed, ReportMode.DRAFT)
    assert draft.is_draft and draft.issued_on == date(2023, 3, 7)  # the 成文日期 is the signing date
    with pytest.raises(ReportNotReady):
        model_at(signed, ReportMode.FINAL)
    numbered = position_after(approval.DocumentNumberAssigned)
    assert model_at(numbered, ReportMode.FINAL).doc_number == "安行审函〔2023〕7号"
    assert model_at(numbered, ReportMode.DRAFT).doc_number is None


def test_an_unsigned_draft_is_dated_by_the_caller() -> None:
    state, doc = record(LOG, position_after(approval.DocumentDrafted))
    assert doc is not None and doc.signature is None
    with pytest.raises(ReportNotReady):
        build_model(state, doc, 1, ReportMode.DRAFT)
    assert build_model(state, doc, 1, ReportMode.DRAFT, on=date(2023, 3, 2)).issued_on == date(2023, 3, 2)


def test_the_context_lists_the_work_steps_by_date() -> None:
    context = report_context(*record(LOG, FINAL))
    assert [(s["date"], s["by_us"]) for s in context["work_steps"]] == [
        ("2022年12月", True),
        ("2023年1月10日", False),
        ("1月13日", True),
        ("1月16日", True),
    ]
    assert context["lost_points"] is False and context["deductions"] is False
    assert context["document"]["number"] == "安行审函〔2023〕7号"
    [haochaping, yingshang] = context["indicators"]
    assert haochaping["data"]["ratings"]["total"] == "38.31万"
    assert haochaping["data"]["hotline"]["callback_satisfaction"] == "99.97%"
    assert haochaping["data"]["survey"] == {"count": "1000", "channel": "“秦务员”微信公众号"}
    assert yingshang["consultations"][0]["units"] == ["市委编办"] and yingshang["consultations"][0]["agreed"]
