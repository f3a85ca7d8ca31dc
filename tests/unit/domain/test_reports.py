"""The report stream: requested once, then rendered or failed; repeated deliveries decide nothing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from domain import reports
from domain.campaign.errors import MissingField, NaiveTimestamp
from domain.reports import (
    ArtifactMismatch,
    InvalidReportRequest,
    RecordReportFailed,
    RecordReportRendered,
    ReportAlreadyRequested,
    ReportFailed,
    ReportMode,
    ReportNotRequested,
    ReportRendered,
    ReportRequested,
    ReportStatus,
    RequestReport,
    decide,
    fold,
)
from domain.shared.events import Event, event_types, from_data, to_data

CST = timezone(timedelta(hours=8))
T0 = datetime(2023, 3, 7, 10, tzinfo=CST)
HASHES = {"docx": "a" * 64, "xlsx": "b" * 64, "pdf": "c" * 64}
SIZES = {"docx": 30_000, "xlsx": 9_000, "pdf": 250_000}


def request(**changes: object) -> RequestReport:
    fields: dict[str, object] = {
        "at": T0,
        "actor": "office",
        "report_id": "r1",
        "campaign_id": "zuofeng-2022",
        "as_of_position": 180,
        "mode": ReportMode.FINAL,
        "document_id": "letter-1",
    }
    fields.update(changes)
    return RequestReport(**fields)  # type: ignore[arg-type]


def rendered_cmd(**changes: object) -> RecordReportRendered:
    fields: dict[str, object] = {
        "at": T0,
        "actor": "worker",
        "as_of_position": 180,
        "artifacts": HASHES,
        "sizes": SIZES,
    }
    fields.update(changes)
    return RecordReportRendered(**fields)  # type: ignore[arg-type]


def history(*commands: reports.Command) -> list[Event]:
    events: list[Event] = []
    for command in commands:
        events += decide(fold(events), command)
    return events


def test_a_report_is_requested_then_rendered() -> None:
    events = history(request(), rendered_cmd())
    assert [type(e) for e in events] == [ReportRequested, ReportRendered]
    state = fold(events)
    assert state.status is ReportStatus.RENDERED
    assert (state.report_id, state.campaign_id, state.document_id) == ("r1", "zuofeng-2022", "letter-1")
    assert state.as_of_position == 180 and state.mode is ReportMode.FINAL
    assert dict(state.artifacts) == HASHES and dict(state.sizes) == SIZES
    assert reports.stream_id("r1") == "report-r1"


def test_rendering_again_after_rendered_decides_nothing() -> None:
    state = fold(history(request(), rendered_cmd()))
    assert decide(state, rendered_cmd()) == []
    assert decide(state, RecordReportFailed(at=T0, actor="worker", reason="timeout", attempt=1)) == []


def test_failures_are_kept_and_a_retry_may_succeed() -> None:
    fail = RecordReportFailed(at=T0, actor="worker", reason="typst: font missing", attempt=1)
    events = history(request(), fail)
    assert isinstance(events[-1], ReportFailed)
    state = fold(events)
    assert (state.status, state.attempts, state.last_failure) == (
        ReportStatus.FAILED,
        1,
        "typst: font missing",
    )
    assert decide(state, fail) == []  # the same attempt reported twice
    assert fold(history(request(), fail, rendered_cmd())).status is ReportStatus.RENDERED


def test_a_queued_or_failed_report_is_cancelled_and_a_late_rendering_records_nothing() -> None:
    cancel = reports.CancelReport(at=T0, actor="office", reason="模板有误，重新设置后再生成")
    events = history(request(), cancel)
    assert [type(e) for e in events] == [ReportRequested, reports.ReportCancelled]
    state = fold(events)
    assert state.status is ReportStatus.CANCELLED and state.last_failure == cancel.reason
    assert decide(state, rendered_cmd()) == []
    assert decide(state, RecordReportFailed(at=T0, actor="worker", reason="x", attempt=1)) == []
    assert decide(state, cancel) == []
    failed = history(request(), RecordReportFailed(at=T0, actor="worker", reason="超时", attempt=1), cancel)
    assert fold(failed).status is ReportStatus.CANCELLED


def test_a_rendered_report_cannot_be_cancelled_and_a_cancel_needs_a_reason() -> None:
    cancel = reports.CancelReport(at=T0, actor="office", reason="不要了")
    with pytest.raises(reports.ReportAlreadyRendered):
        decide(fold(history(request(), rendered_cmd())), cancel)
    with pytest.raises(MissingField):
        decide(fold(history(request())), reports.CancelReport(at=T0, actor="office", reason=" "))


def test_a_report_is_requested_once() -> None:
    with pytest.raises(ReportAlreadyRequested):
        history(request(), request())


def test_nothing_is_recorded_on_a_report_never_requested() -> None:
    with pytest.raises(ReportNotRequested):
        history(rendered_cmd())


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"formats": ()}, InvalidReportRequest),
        ({"formats": ("docx", "odt")}, InvalidReportRequest),
        ({"formats": ("pdf", "pdf")}, InvalidReportRequest),
        ({"as_of_position": -1}, InvalidReportRequest),
        ({"report_id": ""}, MissingField),
        ({"document_id": None}, MissingField),  # a final letter needs its document
        ({"at": T0.replace(tzinfo=None)}, NaiveTimestamp),
    ],
)
def test_bad_requests_are_refused(changes: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        history(request(**changes))


def test_a_draft_needs_no_document() -> None:
    assert history(request(mode=ReportMode.DRAFT, document_id=None, formats=("pdf",)))


@pytest.mark.parametrize(
    "changes",
    [
        {"as_of_position": 181},
        {"artifacts": {"docx": "a" * 64, "pdf": "c" * 64}},
        {"artifacts": {**HASHES, "pdf": "C" * 64}},
        {"sizes": {**SIZES, "xlsx": -1}},
    ],
)
def test_the_files_recorded_are_those_requested(changes: dict[str, object]) -> None:
    with pytest.raises(ArtifactMismatch):
        history(request(), rendered_cmd(**changes))


def test_events_round_trip_and_are_registered() -> None:
    events = history(request(), RecordReportFailed(at=T0, actor="w", reason="x", attempt=1), rendered_cmd())
    events += history(request(report_id="r2"), reports.CancelReport(at=T0, actor="office", reason="不要了"))
    for event in events:
        assert event_types()[event.TYPE] is type(event)
        assert from_data(event.TYPE, json.loads(json.dumps(to_data(event)))) == event
    assert {type(e) for e in events} == set(reports.REPORT_EVENTS)
