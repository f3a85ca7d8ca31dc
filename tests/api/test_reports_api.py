"""Reports in the background: 202 and a report id, progress, downloads with Chinese names, re-renders."""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import docx
import openpyxl
import pytest

from services.app.commands import CommandRunner
from services.infra.artifacts import ArtifactStore
from tests.api.conftest import Api
from tests.api.test_seed_through_api import run_campaign, run_letter
from tests.reports.conftest import seed_tables
from tests.workers.procs import base_env, start, stop
from workers.report_render import render_report

C = "/campaigns/zuofeng-2022"


def render_pending(api: Api, report_id: str) -> str:
    """What the worker task does (the real worker is exercised below)."""
    store = ArtifactStore(api.container.settings.data_dir / "artifacts")
    return render_report(CommandRunner(api.container.store), store, report_id)


def test_a_report_is_requested_rendered_and_downloaded(api: Api) -> None:
    run_campaign(api)
    run_letter(api)
    accepted = api.post("drafter", f"{C}/reports", {})
    assert accepted.status_code == 202 and accepted.headers["location"].startswith("/reports/")
    report_id = accepted.json()["report_id"]
    status = api.get("auditor", f"/reports/{report_id}").json()
    assert status["status"] == "queued" and status["mode"] == "final" and status["files"] == []

    assert render_pending(api, report_id) == "rendered"
    done = api.get("auditor", f"/reports/{report_id}").json()
    assert done["status"] == "done" and done["percent"] == 100
    assert {f["format"] for f in done["files"]} == {"docx", "pdf", "xlsx"}
    files = {}
    for f in done["files"]:
        r = api.client.get(f["url"], headers=api.headers("auditor"))
        assert r.status_code == 200 and hashlib.sha256(r.content).hexdigest() == f["sha256"]
        disposition = r.headers["content-disposition"]
        assert "filename*=UTF-8''" in disposition
        assert ("函" if f["format"] != "xlsx" else "赋分表") in unquote(disposition)
        files[f["format"]] = r
    assert files["pdf"].headers["content-type"] == "application/pdf"
    assert files["docx"].headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet_rows = [
        [c for c in row if c is not None]
        for ws in openpyxl.load_workbook(io.BytesIO(files["xlsx"].content)).worksheets
        for row in ws.iter_rows(values_only=True)
    ]
    for table in seed_tables():
        for row in table.rows:
            assert list(row) in [[str(c) for c in r] for r in sheet_rows], row
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(files["docx"].content)).paragraphs)
    assert "安行审函〔2023〕7号" in text

    again = api.post("drafter", f"{C}/reports", {"as_of": done["as_of_position"]}).json()["report_id"]
    render_pending(api, again)
    same = api.get("auditor", f"/reports/{again}").json()
    assert [f["sha256"] for f in same["files"]] == [f["sha256"] for f in done["files"]], "same P, same bytes"


def test_an_earlier_position_renders_a_draft_with_the_earlier_scores(api: Api) -> None:
    run_campaign(api)
    events = api.get("auditor", f"{C}/history", type="ScoreDetermined").json()["items"]
    before = events[0]["position"] - 1
    report_id = api.post("drafter", f"{C}/reports", {"as_of": before}).json()["report_id"]
    render_pending(api, report_id)
    view = api.get("auditor", f"/reports/{report_id}").json()
    assert view["mode"] == "draft" and view["status"] == "done"
    xlsx = next(f for f in view["files"] if f["format"] == "xlsx")
    book = openpyxl.load_workbook(
        io.BytesIO(api.client.get(xlsx["url"], headers=api.headers("auditor")).content)
    )
    cells = {c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert "100分" not in cells and "未认定" in cells


def test_an_impossible_report_fails_with_its_reason_and_bad_requests_are_refused(api: Api) -> None:
    run_campaign(api)
    report_id = api.post("drafter", f"{C}/reports", {"mode": "final"})
    assert report_id.status_code in (409, 422), report_id.text
    head = api.log_head()
    assert api.post("drafter", f"{C}/reports", {"as_of": head + 100}).status_code == 422
    assert api.post("drafter", f"{C}/reports", {"format": "odt"}).status_code == 422
    assert api.post("hanbin", f"{C}/reports", {}).status_code == 403
    assert api.post("auditor", f"{C}/reports", {}).status_code == 403
    assert api.get("auditor", "/reports/nope").status_code == 404
    assert api.log_head() == head


def test_a_crash_mid_render_leaves_no_half_file_and_the_next_delivery_renders(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_campaign(api)
    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    calls: list[int] = []
    real_put = ArtifactStore.put

    def crashing_put(self: ArtifactStore, data: bytes) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk went away")
        return real_put(self, data)

    monkeypatch.setattr(ArtifactStore, "put", crashing_put)
    with pytest.raises(OSError):
        render_pending(api, report_id)
    interrupted = api.get("auditor", f"/reports/{report_id}").json()
    assert interrupted["status"] == "rendering" and interrupted["files"] == []
    monkeypatch.setattr(ArtifactStore, "put", real_put)
    assert render_pending(api, report_id) == "rendered"
    assert render_pending(api, report_id) == "already rendered"
    root = api.container.settings.data_dir / "artifacts"
    assert not list(root.rglob(".tmp-*")), "no temporary file is left behind"
    assert len(api.get("auditor", f"/reports/{report_id}").json()["files"]) == 3


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_real_worker_renders_in_the_background(api: Api, tmp_path: Path) -> None:
    """The embedded default end to end: a real `kaohe worker` consumes the filesystem broker's message."""
    settings = api.container.settings
    run_campaign(api)
    env = base_env(settings.data_dir, KAOHE_DATABASE_URL=settings.database_url)
    worker = start([*_kaohe(), "worker"], env, tmp_path / "worker.log")
    try:
        report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
        deadline = time.monotonic() + 90
        view: dict[str, Any] = {}
        while time.monotonic() < deadline:
            view = api.get("auditor", f"/reports/{report_id}").json()
            if view["status"] in ("done", "failed"):
                break
            time.sleep(0.3)
        assert view.get("status") == "done", (view, (tmp_path / "worker.log").read_text()[-2000:])
    finally:
        stop(worker)


def _kaohe() -> list[str]:
    from tests.workers.procs import KAOHE

    return list(KAOHE)


def test_a_campaign_renders_with_its_own_template(api: Api) -> None:
    run_campaign(api)
    bad = api.post(
        "drafter",
        f"{C}/report-templates",
        {"report_type": "assessment_result_letter", "text": "{% if %}", "reason": "试"},
    )
    assert bad.status_code == 422 and "parse" in bad.json()["detail"]
    own = "# 总体情况\n\n{{ year }}年度考核由{{ office }}认定，结果见附件。"
    r = api.post(
        "drafter",
        f"{C}/report-templates",
        {"report_type": "assessment_result_letter", "text": own, "reason": "按要求统一文稿"},
    )
    assert r.status_code == 200, r.text
    report_id = api.post("drafter", f"{C}/reports", {}).json()["report_id"]
    render_pending(api, report_id)
    view = api.get("auditor", f"/reports/{report_id}").json()
    docx_file = next(f for f in view["files"] if f["format"] == "docx")
    content = api.client.get(docx_file["url"], headers=api.headers("auditor")).content
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert "2022年度考核由安康市行政审批服务局认定，结果见附件。" in text
