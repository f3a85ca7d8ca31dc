"""工作日历: every year's holidays and 调休 days with their source; an admin or the office declares a year."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from services.app.calendar import parse_days
from services.app.core import Core
from services.app.errors import REFUSED
from services.pages.actions import execute, new_form_id
from services.pages.errors import refusal_text
from services.pages.guards import signed_in
from services.pages.render import page, viewer
from services.web.guards import allow_act

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
Req = Request[Any, Any, Any]
ACT = "declareYearCalendar"


class CalendarPages(Controller):
    path = "/ui/calendar"
    guards = [signed_in]

    @get("/", sync_to_thread=True)
    def calendar(self, request: Req, core: NamedDependency[Core]) -> Template:
        chosen = request.query_params.get("year", "")
        notice = "已登记，之后计算的公示期和办理时限按此执行。" if request.query_params.get("done") else None
        return _render(request, core, chosen, notice=notice)

    @post("/", guards=[signed_in, allow_act(ACT)], sync_to_thread=True)
    def declare(self, request: Req, core: NamedDependency[Core], data: Form) -> Response[Any] | Template:
        year = data.get("year", "").strip()
        try:
            fields = {
                "year": year,
                "holidays": parse_days(data.get("holidays", ""), "holidays"),
                "workdays": parse_days(data.get("workdays", ""), "workdays"),
                "notice": data.get("notice", "").strip(),
                "reason": data.get("reason", "").strip(),
            }
            execute(request, core, ACT, {}, fields, data.get("form_id", ""))
        except REFUSED as exc:
            return _render(request, core, year, error=refusal_text(exc), typed=data, status=422)
        return Redirect(f"/ui/calendar?year={year}&done=1", status_code=303)


def _render(  # noqa: PLR0917
    request: Req,
    core: Core,
    chosen: str,
    notice: str | None = None,
    error: str | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    user = viewer(request)
    known = core.queries.calendar(user)
    year = next((y for y in known.years if str(y.year) == chosen), None)
    return page(
        request,
        "calendar.html",
        status=status,
        title="工作日历",
        years=known.years,
        first_unknown=known.first_unknown,
        year=year,
        may_declare=core.may(user, ACT),
        form_id=new_form_id(),
        typed=typed or {"year": chosen or str(known.first_unknown)},
        notice=notice,
        error=error,
    )
