"""The letter's rendering on the document page: request it, follow its progress, download DOCX/PDF/XLSX.

It runs the report use cases the API runs (``services.reports``) under the same roles. The section is
shown only while the app serves the report routes, so a page never offers what the server does not do.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from domain import approval
from domain import reports as report_domain
from services.api.auth import allow
from services.api.reports_api import FORMAT_NAMES, READERS, STAFF
from services.artifacts import ArtifactStore
from services.commands import Actor, CommandRunner, RequestInfo, fingerprint
from services.pages.guards import signed_in
from services.pages.render import page, viewer
from services.queries import AsOf, load_document, stream_ids
from services.reports import MEDIA_TYPES, REPORT, report_status, request_report, send_render

ROUTE_PATHS = ("/campaigns/{campaign_id}/reports", "/reports/{report_id}")
FORMATS = (("docx", "函（DOCX，可编辑）"), ("pdf", "函（PDF）"), ("xlsx", "赋分表（XLSX）"))
STATUS_LABELS = {"queued": "排队中", "rendering": "生成中", "done": "已生成", "failed": "生成失败"}
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def report_routes_exist(request: Request[Any, Any, Any]) -> bool:
    paths = {getattr(r, "path_format", "") for r in request.app.routes}
    return all(p in paths for p in ROUTE_PATHS)


def report_section(request: Request[Any, Any, Any], state: approval.DocumentState) -> dict[str, Any] | None:
    if not report_routes_exist(request) or not state.campaign_id:
        return None
    runner: CommandRunner = request.app.state.runner
    user = viewer(request)
    found = []
    for stream_id in stream_ids(runner, "report-"):
        report, _ = runner.load(REPORT, stream_id)
        if report.campaign_id == state.campaign_id:
            found.append(report.report_id)
    recent = [status_of(runner, report_id) for report_id in found[-3:]][::-1]
    return {"may_request": user.role in STAFF, "recent": recent, "final": state.number is not None}


def status_of(runner: CommandRunner, report_id: str) -> dict[str, Any]:
    view = report_status(runner, report_id)
    s = view.state
    files = [
        {
            "format": fmt,
            "label": label,
            "size": s.sizes.get(fmt, 0),
            "sha256": s.artifacts[fmt],
            "href": f"/ui/reports/{report_id}/files/{fmt}",
            "filename": filename(s, fmt),
        }
        for fmt, label in FORMATS
        if fmt in s.artifacts
    ]
    return {
        "id": report_id,
        "status": view.status,
        "label": STATUS_LABELS.get(view.status, view.status),
        "percent": view.percent,
        "reason": view.reason,
        "files": files,
        "position": s.as_of_position,
        "mode": "正式" if s.mode is report_domain.ReportMode.FINAL else "草稿",
        "busy": view.status in ("queued", "rendering"),
    }


def filename(state: report_domain.ReportState, fmt: str) -> str:
    prefix = "草稿-" if state.mode is report_domain.ReportMode.DRAFT else ""
    return f"{prefix}{FORMAT_NAMES[fmt]}-{state.campaign_id}-位置{state.as_of_position}.{fmt}"


class ReportPages(Controller):
    guards = [signed_in]

    @post("/ui/documents/{document_id:str}/reports", guards=[allow(*STAFF)], sync_to_thread=True)
    def request_rendering(
        self, request: Request[Any, Any, Any], document_id: FromPath[str], data: Form
    ) -> Redirect:
        runner: CommandRunner = request.app.state.runner
        user = viewer(request)
        doc, _ = load_document(runner, document_id, AsOf())
        form_id = data.get("form_id", "")
        info = RequestInfo(
            request_id=request.scope.get("state", {}).get("request_id"),
            idempotency_key=f"{user.id}:page:{form_id}" if form_id else None,
            fingerprint=fingerprint("PAGE", request.url.path, form_id),
        )
        actor = Actor(user.name, user.name, user.role.value, user.unit)
        result = request_report(runner, doc.campaign_id, actor, info)
        report_id = result.stream_id.removeprefix("report-")
        sender = getattr(request.app.state, "report_sender", None)
        if sender is not None and not result.replayed:
            send_render(sender, [report_id])
        return Redirect(f"/ui/documents/{document_id}?done=report#reports", status_code=303)

    @get("/ui/reports/{report_id:str}", guards=[allow(*READERS)], sync_to_thread=True)
    def progress(self, request: Request[Any, Any, Any], report_id: FromPath[str]) -> Template:
        """The progress fragment the document page polls (also readable on its own)."""
        runner: CommandRunner = request.app.state.runner
        return page(request, "_report.html", r=status_of(runner, report_id))

    @get("/ui/reports/{report_id:str}/files/{fmt:str}", guards=[allow(*READERS)], sync_to_thread=True)
    def download(
        self, request: Request[Any, Any, Any], report_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        runner: CommandRunner = request.app.state.runner
        state = report_status(runner, report_id).state
        sha = state.artifacts.get(fmt)
        if sha is None or fmt not in MEDIA_TYPES:
            raise NotFoundException(f"report {report_id} has no {fmt} file")
        store = ArtifactStore(request.app.state.container.settings.data_dir / "artifacts")
        disposition = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quote(filename(state, fmt))}"
        return Response(
            store.get(sha), media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": disposition}
        )
