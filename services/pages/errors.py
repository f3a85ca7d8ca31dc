"""Refusals in Chinese: the pages' error screens, and the domain's refusal codes as officials read them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Template
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from domain.shared.errors import DomainError, NotFound
from services.app.errors import AccessDenied, InvalidInput
from services.infra.logs import get_logger
from services.pages.render import page

log = get_logger("kaohe.pages")

REFUSALS: Mapping[str, str] = {
    "self_approval": "不能审批本人起草或已处理过的稿件",
    "self_review": "不能审核本人报送的数据",
    "not_task_holder": "该待办不在您名下",
    "task_not_found": "该待办已办结或不存在（可能已被他人处理），请刷新页面",
    "wrong_step_action": "当前环节不能执行此操作",
    "withdraw_not_allowed": "下一环节已处理，不能撤回",
    "invalid_return_target": "只能退回到当前环节之前的环节",
    "ineligible_assignee": "所选人员不能办理该环节",
    "unknown_assignee": "所选人员不存在或已停用，不能转办、委托或加签",
    "assignee_lacks_role": "所选人员不具有该环节要求的角色，不能转办、委托或加签",
    "unknown_unit": "本考核任务没有该单位",
    "invalid_organisation": "机构信息不符合要求（名称、类型或统一社会信用代码）",
    "delegation_pending": "委托尚未办结",
    "not_delegated": "该待办未委托",
    "document_frozen": "公文已签发，不能再修改",
    "not_with_drafter": "稿件不在拟稿人处",
    "register_not_found": "发文登记簿不存在，请先开设登记簿",
    "invalid_signing_date": "成文日期不正确",
    "already_dispatched": "公文已报送",
    "document_exists": "该公文已存在",
    "wrong_stage": "考核任务当前阶段不能执行此操作",
    "illegal_transition": "当前状态不能执行此操作",
    "missing_field": "请填写必填项",
    "invalid_command": "填写的内容不符合要求",
    "concurrent_change": "他人刚刚修改了同一事项，请刷新后重试",
    "calendar_not_declared": "所需年度的节假日安排尚未登记，请管理员或办公室先在“工作日历”中登记",
    "invalid_calendar_declaration": "节假日安排填写有误",
    "calendar_conflict": "同一日期不能既是节假日又是调休上班日",
    "invalid_input": "填写的内容不符合要求",
}


class LoginRequired(Exception):
    """No valid session: the browser goes to the sign-in page and comes back afterwards."""


class CsrfRefused(PermissionDeniedException):
    """A form post without this browser's CSRF token (or from another site)."""


def refusal_text(exc: Exception) -> str:
    code = getattr(exc, "code", "")
    base = REFUSALS.get(code, "操作未被受理")
    detail = getattr(exc, "message", "") or str(exc)
    return f"{base}（{code}：{detail}）" if code else base


def error_page(request: Request[Any, Any, Any], status: int, title: str, message: str) -> Template:
    return page(request, "error.html", status=status, title=title, message=message)


def _login(request: Request[Any, Any, Any], _: LoginRequired) -> Response[Any]:
    target = request.url.path if request.method == "GET" else "/ui/"
    if request.url.query:
        target += "?" + request.url.query
    return Redirect(f"/ui/login?next={quote(target, safe='')}", status_code=303)


def _csrf(request: Request[Any, Any, Any], exc: CsrfRefused) -> Template:
    return error_page(
        request, 403, "请求未被接受", "页面已过期或请求来源无法验证。请返回上一页，刷新后再提交。"
    )


def _forbidden(request: Request[Any, Any, Any], exc: Exception) -> Template:
    return error_page(request, 403, "无权操作", "您的角色或所属单位无权查看或办理此事项。")


def _not_found(request: Request[Any, Any, Any], exc: Exception) -> Template:
    return error_page(request, 404, "未找到", "没有找到该页面或事项。")


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Template:
    return error_page(request, exc.status_code, "请求有误", str(exc.detail or ""))


def _domain(request: Request[Any, Any, Any], exc: DomainError) -> Template:
    if isinstance(exc, NotFound):
        return _not_found(request, exc)
    return error_page(request, 409, "操作未被受理", refusal_text(exc))


def _unavailable(request: Request[Any, Any, Any], exc: Exception) -> Template:
    log.warning("database_unavailable", path=request.url.path, error=exc.__class__.__name__)
    page = error_page(
        request, 503, "暂时无法办理", "数据库暂时无法连接，本次操作没有记录。请稍候几秒后刷新重试。"
    )
    page.headers["Retry-After"] = "5"
    return page


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Template:
    log.exception("page_failed", path=request.url.path, error=exc.__class__.__name__)
    return error_page(
        request, 500, "系统错误", "处理时出现错误，请稍后重试；如仍有问题，请联系管理员并提供时间。"
    )


def _invalid(request: Request[Any, Any, Any], exc: InvalidInput) -> Template:
    return error_page(request, 422, "填写的内容不符合要求", refusal_text(exc))


PAGE_EXCEPTION_HANDLERS: dict[Any, Any] = {
    LoginRequired: _login,
    CsrfRefused: _csrf,
    PermissionDeniedException: _forbidden,
    AccessDenied: _forbidden,
    InvalidInput: _invalid,
    NotFoundException: _not_found,
    HTTPException: _http,
    DomainError: _domain,
    OperationalError: _unavailable,
    PoolTimeout: _unavailable,
    Exception: _unexpected,
}
