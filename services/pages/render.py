"""Rendering a page: the template, plus who is signed in, their CSRF token and the navigation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from litestar import MediaType, Request
from litestar.response import Template

from domain.shared.calendar import business_date
from domain.shared.identity import ROLE_LABELS, Role
from services.app.access import INTERNAL
from services.identity.accounts import User
from services.pages.middleware import STATE_SUBJECT, page_codec

CST = timezone(timedelta(hours=8), "CST")
INSIDE = INTERNAL


def viewer(request: Request[Any, Any, Any]) -> User:
    user: User = request.scope["user"]
    return user


def csrf_token(request: Request[Any, Any, Any]) -> str:
    codec = page_codec(request.app)
    return codec.csrf_token(request.scope.get("state", {}).get(STATE_SUBJECT, ""))


def nav(user: User | None) -> list[tuple[str, str]]:
    if user is None:
        return []
    items = [("/ui/", "工作台")]
    if user.role in (Role.AUDITOR, Role.ADMIN):
        items.append(("/ui/audit", "审计"))
    items.append(("/ui/calendar", "工作日历"))
    return items


def page(request: Request[Any, Any, Any], name: str, status: int = 200, **context: Any) -> Template:
    user: User | None = request.scope.get("user")
    common = {
        "user": user,
        "role_label": ROLE_LABELS.get(user.role, "") if user else "",
        "csrf": csrf_token(request),
        "nav": nav(user),
        "path": request.url.path,
        "inside": user is not None and user.role in INSIDE,
    }
    return Template(
        template_name=name, context={**common, **context}, status_code=status, media_type=MediaType.HTML
    )


def local(moment: datetime | str | None) -> str:
    """A time as officials read it: 2023-03-07 09:30 in China Standard Time."""
    if moment is None or moment == "":
        return ""
    if isinstance(moment, str):
        try:
            parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        except ValueError:
            return moment
        moment = parsed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(CST).strftime("%Y-%m-%d %H:%M")
    except OverflowError:  # at the calendar's edge: show it as given
        return moment.isoformat(timespec="minutes")


def today() -> Any:
    return business_date(datetime.now(UTC))
