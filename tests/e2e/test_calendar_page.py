"""工作日历 in Chromium: everyone reads each year's source; the office declares a year and corrects it; a
mistyped date is refused with the reason; a drafter has no form and cannot post one."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import Server
from tests.e2e.test_pages import shot, sign_in

YEAR = 2032  # beyond any bundled data


def test_the_office_declares_a_year_and_everyone_sees_its_source(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "office")
    page.get_by_role("link", name="工作日历").click()
    page.wait_for_url(re.compile(r".*/ui/calendar"))
    main = page.locator("main")
    assert "2023年" in main.inner_text() and "内置" in main.inner_text()
    page.get_by_role("link", name="2023年").click()
    assert "1月23日" in main.inner_text(), "春节 2023 is a holiday in the bundled data"

    head = server.head()
    page.get_by_role("spinbutton", name="年度").fill(str(YEAR))
    page.get_by_label("依据的通知").fill(f"国务院办公厅关于{YEAR}年部分节假日安排的通知")
    page.get_by_label(re.compile("^法定节假日")).fill(f"{YEAR}-01-01，{YEAR}-02-10 至 {YEAR}-02-13")
    page.get_by_label(re.compile("^调休上班日")).fill(f"{YEAR}-13-01")
    page.get_by_role("button", name="登记").click()
    assert "不是日期" in page.get_by_role("alert").inner_text()
    assert server.head() == head, "a refused form records nothing"

    page.get_by_label(re.compile("^调休上班日")).fill(f"{YEAR}-02-08")  # a Sunday
    page.get_by_role("button", name="登记").click()
    page.wait_for_url(re.compile(rf".*/ui/calendar\?year={YEAR}&done=1"))
    text = main.inner_text()
    assert "已登记" in text and "2月11日" in text and "2月8日" in text, text
    assert server.head() == head + 1
    shot(page, "calendar-declared")
    page.context.close()

    drafter = sign_in(browser, server, "drafter")
    drafter.goto(f"/ui/calendar?year={YEAR}")
    assert f"国务院办公厅关于{YEAR}年" in drafter.locator("main").inner_text()
    assert drafter.get_by_role("button", name="登记").count() == 0
    csrf = drafter.locator("meta[name=csrf-token]").get_attribute("content")
    posted = drafter.request.post("/ui/calendar", form={"_csrf": csrf or "", "year": str(YEAR)})
    assert posted.status == 403
    drafter.context.close()
