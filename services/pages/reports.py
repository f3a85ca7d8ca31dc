"""The letter's rendering on the document page: request it, follow its progress, download DOCX/PDF/XLSX."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from domain import approval
from domain import reports as report_domain
from services.app.access import REPORT_READERS, STAFF
from services.app.core import Call, Core
from services.app.queries import Queries, report_filename
from services.app.reports import ReportStatusView
from services.pages.guards import signed_in
from services.pages.render import page, viewer
from services.web.files import file_response
from services.web.guards import allow

FORMATS = (("docx", "函（DOCX，可编辑）"), ("pdf", "函（PDF）"), ("xlsx", "赋分表（XLSX）"))
STATUS_LABELS = {
    "queued": "排队中",
    "rendering": "生成中",
    "done": "已生成",
    "failed": "生成失败",
    "cancelled": "已取消",
}
Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def report_section(
    request: Request[Any, Any, Any], queries: NamedDependency[Queries], state: approval.DocumentState
) -> dict[str, Any] | None:
    user = viewer(request)
    if not state.campaign_id or user.role not in REPORT_READERS:
        return None
    recent = [status_of(view) for view in queries.campaign_reports(user, state.campaign_id)]
    return {"may_request": user.role in STAFF, "recent": recent, "final": state.number is not None}


def status_of(view: ReportStatusView) -> dict[str, Any]:
    s = view.state
    files = [
        {
            "format": fmt,
            "label": label,
            "size": s.sizes.get(fmt, 0),
            "sha256": s.artifacts[fmt],
            "href": f"/ui/reports/{s.report_id}/files/{fmt}",
            "filename": report_filename(s, fmt),
        }
        for fmt, label in FORMATS
        if fmt in s.artifacts
    ]
    return {
        "id": s.report_id,
        "status": view.status,
        "label": STATUS_LABELS.get(view.status, view.status),
        "percent": view.percent,
        "reason": view.reason,
        "files": files,
        "position": s.as_of_position,
        "mode": "正式" if s.mode is report_domain.ReportMode.FINAL else "草稿",
        "busy": view.status in ("queued", "rendering"),
        "cancellable": view.status in ("queued", "rendering", "failed"),
        "document_id": s.document_id or "",
    }


class ReportPages(Controller):
    guards = [signed_in]

    @post("/ui/documents/{document_id:str}/reports", guards=[allow(*STAFF)], sync_to_thread=True)
    def request_rendering(
        self,
        request: Request[Any, Any, Any],
        core: NamedDependency[Core],
        document_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        user = viewer(request)
        doc = core.queries.document(user, document_id)
        form_id = data.get("form_id", "")
        call = Call(
            request_id=request.scope.get("state", {}).get("request_id"),
            idempotency_key=f"page:{form_id}" if form_id else None,
        )
        core.request_report(user, doc.campaign_id, call=call)
        return Redirect(f"/ui/documents/{document_id}?done=report#reports", status_code=303)

    @post("/ui/reports/{report_id:str}/cancel", guards=[allow(*STAFF)], sync_to_thread=True)
    def cancel(
        self,
        request: Request[Any, Any, Any],
        core: NamedDependency[Core],
        report_id: FromPath[str],
        data: Form,
    ) -> Redirect:
        back = data.get("document_id", "")
        reason = data.get("reason", "").strip() or "经办人取消"
        core.cancel_report(viewer(request), report_id, reason)
        target = f"/ui/documents/{back}?done=cancel#reports" if back else "/ui/"
        return Redirect(target, status_code=303)

    @get("/ui/reports/{report_id:str}", guards=[allow(*REPORT_READERS)], sync_to_thread=True)
    def progress(
        self, request: Request[Any, Any, Any], queries: NamedDependency[Queries], report_id: FromPath[str]
    ) -> Template:
        """The progress fragment the document page polls (also readable on its own)."""
        return page(request, "_report.html", r=status_of(queries.report_status(viewer(request), report_id)))

    @get("/ui/reports/{report_id:str}/files/{fmt:str}", guards=[allow(*REPORT_READERS)], sync_to_thread=True)
    def download(
        self,
        request: Request[Any, Any, Any],
        queries: NamedDependency[Queries],
        report_id: FromPath[str],
        fmt: FromPath[str],
    ) -> Response[bytes]:
        return file_response(queries.report_file(viewer(request), report_id, fmt), f"report.{fmt}")
