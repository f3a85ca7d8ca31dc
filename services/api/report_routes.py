"""Report routes: request a rendering (202), follow its progress, download the files with Chinese names."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, HeaderParameter, JSONBody

from services.api.auth import allow
from services.api.command_routes import call_of
from services.api.problems import READ_ERRORS, WRITE_ERRORS
from services.app.access import REPORT_READERS, STAFF
from services.app.core import Accepted, Core
from services.app.queries import Queries
from services.app.views import ReportView
from services.identity.accounts import User
from services.web.files import file_response


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True):
    as_of: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None
    """A log position; default: now."""
    mode: Literal["draft", "final"] | None = None
    """Default: final when the letter has its 文号 at that position, else a draft."""


class ReportCancel(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    """Why the report is given up (recorded)."""


class ReportAccepted(msgspec.Struct):
    report_id: str
    stream_id: str
    position: int
    status_url: str


class ReportRoutes(Controller):
    tags = ["报告"]

    @post(
        "/campaigns/{campaign_id:str}/reports",
        guards=[allow(*STAFF)],
        sync_to_thread=True,
        status_code=202,
        responses=WRITE_ERRORS,
        operation_id="requestReport",
        summary="生成函件及赋分表（后台）",
    )
    def request_report(
        self,
        request: Request[User, Any, Any],
        core: NamedDependency[Core],
        campaign_id: FromPath[str],
        data: JSONBody[ReportCreate],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Response[ReportAccepted]:
        """Ask for the letter and its scoring tables as of a position; a worker renders them."""
        call = call_of(request, idempotency_key)
        outcome = core.request_report(request.user, campaign_id, data.as_of, data.mode, call)
        report_id = outcome.accepted.id or ""
        url = f"/reports/{report_id}"
        body = ReportAccepted(report_id, outcome.accepted.stream_id, outcome.accepted.position, url)
        return Response(body, status_code=202, headers={"Location": url})

    @post(
        "/reports/{report_id:str}/cancel",
        guards=[allow(*STAFF)],
        sync_to_thread=True,
        status_code=200,
        responses=WRITE_ERRORS,
        operation_id="cancelReport",
        summary="取消生成（排队中、生成中或失败的）",
    )
    def cancel(
        self,
        request: Request[User, Any, Any],
        core: NamedDependency[Core],
        report_id: FromPath[str],
        data: JSONBody[ReportCancel],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Accepted:
        """Give up a queued, rendering or failed report; a rendering that ends later records nothing."""
        outcome = core.cancel_report(request.user, report_id, data.reason, call_of(request, idempotency_key))
        return outcome.accepted

    @get(
        "/reports/{report_id:str}",
        guards=[allow(*REPORT_READERS)],
        sync_to_thread=True,
        responses=READ_ERRORS,
        operation_id="getReport",
        summary="生成进度与文件",
    )
    def report(
        self, request: Request[User, Any, Any], queries: NamedDependency[Queries], report_id: FromPath[str]
    ) -> ReportView:
        """Queued, rendering (with percent), done (with the files) or failed (with the reason)."""
        return queries.report(request.user, report_id)

    @get(
        "/reports/{report_id:str}/files/{fmt:str}",
        guards=[allow(*REPORT_READERS)],
        sync_to_thread=True,
        responses=READ_ERRORS,
        media_type="application/octet-stream",
        operation_id="downloadReportFile",
        summary="下载生成的文件",
    )
    def download(
        self,
        request: Request[User, Any, Any],
        queries: NamedDependency[Queries],
        report_id: FromPath[str],
        fmt: FromPath[str],
    ) -> Response[bytes]:
        """One rendered file, byte for byte as recorded (its sha256 is in the log)."""
        return file_response(queries.report_file(request.user, report_id, fmt), f"report.{fmt}")
