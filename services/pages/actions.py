"""Run an act from a page: the core's ``execute`` with the form's one-time id as the idempotency key."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from litestar import Request

from services.app.core import Call, Core, Outcome
from services.pages.render import viewer


def execute(  # noqa: PLR0917
    request: Request[Any, Any, Any],
    core: Core,
    act: str,
    target: Mapping[str, str],
    fields: Mapping[str, Any],
    form_id: str = "",
) -> Outcome:
    """``form_id`` is the rendered form's one-time id: a form sent twice (a double click, a reload) replays
    the first result instead of acting twice."""
    call = Call(
        request_id=request.scope.get("state", {}).get("request_id"),
        idempotency_key=f"page:{form_id}" if form_id else None,
    )
    return core.execute(viewer(request), act, target, fields, call)


def filled(data: Mapping[str, str], *names: str) -> dict[str, str]:
    """The form's fields that were filled in (an empty field means "not given", as the API's absent key)."""
    return {name: data[name].strip() for name in names if data.get(name, "").strip()}


def new_form_id() -> str:
    return uuid.uuid4().hex
