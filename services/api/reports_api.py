"""Report routes: request a rendering (202), follow its progress, download the files with Chinese names."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, HeaderParameter, JSONBody

from domain.identity import Role
from services.api.auth import allow
from services.api.problems import READ_ERRORS, WRITE_ERRORS
from services.artifacts import ArtifactStore
from services.commands import Actor, CommandRunner, RequestInfo, fingerprint
from services.identity import User
from services.reports import MEDIA_TYPES, report_status, request_report, send_render

STAFF = (Role.DRAFTER, Role.SECTION_CHIEF, Role.DEPUTY_DIRECTOR, Role.DIRECTOR, Role.OFFICE)
READERS = tuple(r for r in Role if r not in (Role.ASSESSED_UNIT, Role.ADMIN))
FORMAT_NAMES = {"docx": "函（可编辑）", "pdf": "函", "xlsx": "赋分表"}


class ReportCreate(msgspec.Struct, forbid_unknown_fields=True):
    as_of: Annotated[int, msgspec.Meta(ge=0)] | None = None
    """A log position; default: now."""
    mode: Literal["draft", "final"] | None = None
    """Default: final when the letter has its 文号 at that position, else a draft."""


class ReportAccepted(msgspec.Struct):
    report_id: str
    stream_id: str
    position: int
    status_url: str


class ReportFile(msgspec.Struct):
    format: str
    sha256: str
    size: int
    url: str
    filename: str


class ReportView(msgspec.Struct):
    report_id: str
    campaign_id: str
    document_id: str | None
    as_of_position: int
    mode: str
    status: str
    percent: int
    reason: str
    files: list[ReportFile]


def _runner(request: Request[Any, Any, Any]) -> CommandRunner:
    runner: CommandRunner = request.app.state.runner
    return runner


class ReportRoutes(Controller):
    tags = ["报告"]

    @post(
        "/campaigns/{campaign_id:str}/reports",
        guards=[allow(*STAFF)],
        sync_to_thread=True,
        status_code=202,
        responses=WRITE_ERRORS,
    )
    def request(
        self,
        request: Request[User, Any, Any],
        campaign_id: FromPath[str],
        data: JSONBody[ReportCreate],
        idempotency_key: Annotated[str | None, HeaderParameter(name="Idempotency-Key")] = None,
    ) -> Response[ReportAccepted]:
        """Ask for the letter and its scoring tables as of a position; a worker renders them."""
        user = request.user
        key = f"{user.id}:{idempotency_key}" if idempotency_key else None
        info = RequestInfo(
            request_id=request.scope.get("state", {}).get("request_id"),
            idempotency_key=key,
            fingerprint=fingerprint("POST", request.url.path, msgspec.json.encode(data)),
        )
        actor = Actor(user.name, user.name, user.role.value, user.unit)
        result = request_report(_runner(request), campaign_id, actor, info, as_of=data.as_of, mode=data.mode)
        report_id = result.stream_id.removeprefix("report-")
        sender = request.app.state.report_sender
        if sender is not None and not result.replayed:
            send_render(sender, [report_id])
        body = ReportAccepted(report_id, result.stream_id, result.position, f"/reports/{report_id}")
        return Response(body, status_code=202, headers={"Location": f"/reports/{report_id}"})

    @get("/reports/{report_id:str}", guards=[allow(*READERS)], sync_to_thread=True, responses=READ_ERRORS)
    def status(self, request: Request[User, Any, Any], report_id: FromPath[str]) -> ReportView:
        """Queued, rendering (with percent), done (with the files) or failed (with the reason)."""
        view = report_status(_runner(request), report_id)
        state = view.state
        files = [
            ReportFile(
                fmt, sha, state.sizes.get(fmt, 0), f"/reports/{report_id}/files/{fmt}", _filename(state, fmt)
            )
            for fmt, sha in sorted(state.artifacts.items())
        ]
        return ReportView(
            report_id, state.campaign_id, state.document_id, state.as_of_position, state.mode.value,
            view.status, view.percent, view.reason, files,
        )  # fmt: skip

    @get(
        "/reports/{report_id:str}/files/{fmt:str}",
        guards=[allow(*READERS)],
        sync_to_thread=True,
        responses=READ_ERRORS,
        media_type="application/octet-stream",
    )
    def download(
        self, request: Request[User, Any, Any], report_id: FromPath[str], fmt: FromPath[str]
    ) -> Response[bytes]:
        """One rendered file, byte for byte as recorded (its sha256 is in the log)."""
        state = report_status(_runner(request), report_id).state
        sha = state.artifacts.get(fmt)
        if sha is None:
            raise NotFoundException(f"report {report_id} has no {fmt} file (yet)")
        store = ArtifactStore(request.app.state.container.settings.data_dir / "artifacts")
        name = _filename(state, fmt)
        disposition = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quote(name)}"
        return Response(
            store.get(sha),
            media_type=MEDIA_TYPES[fmt],
            headers={"Content-Disposition": disposition, "ETag": f'"{sha}"'},
        )


def _filename(state: Any, fmt: str) -> str:
    """RFC 6266/5987: an ASCII fallback in filename, the Chinese name in filename*."""
    prefix = "草稿-" if state.mode.value == "draft" else ""
    return f"{prefix}{FORMAT_NAMES[fmt]}-{state.campaign_id}-位置{state.as_of_position}.{fmt}"
