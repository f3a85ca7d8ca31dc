"""Officials use the pages in Chromium: the letter from submission to 文号, time travel, roles and CSRF."""

from __future__ import annotations

import re
import time
from typing import Any

from services.seed import scenario
from tests.e2e.conftest import ARTIFACTS, PASSWORD, Server

CAMPAIGN = f"/ui/campaigns/{scenario.CAMPAIGN_ID}"


def sign_in(browser: Any, server: Server, user: str, width: int = 1280) -> Any:
    context = browser.new_context(
        base_url=server.url, viewport={"width": width, "height": 900}, locale="zh-CN"
    )
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(15_000)
    page.goto("/ui/")
    assert "/ui/login?next=" in page.url, page.url
    page.get_by_label("用户名").fill(user)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r".*/ui/?$"))
    return page


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def open_document(page: Any) -> str:
    page.goto("/ui/")
    page.get_by_role("link", name=scenario.LETTER_TITLE).first.click()
    page.wait_for_url(re.compile(r".*/ui/documents/[^/?#]+"))
    return str(re.search(r"/ui/documents/([^/?#]+)", page.url).group(1))  # type: ignore[union-attr]


def approve(browser: Any, server: Server, user: str, opinion: str, name: str) -> None:
    page = sign_in(browser, server, user)
    open_document(page)
    page.get_by_role("textbox", name=re.compile("意见$")).first.fill(opinion)
    page.get_by_role("button", name="同意", exact=True).click()
    page.wait_for_url(re.compile(r".*done=approve"))
    shot(page, name)
    page.context.close()


def test_the_letter_from_submission_to_its_number(browser: Any, server: Server) -> None:
    started = time.monotonic()
    # 1. The drafter drafts the letter from the campaign page and submits it.
    drafter = sign_in(browser, server, "drafter")
    drafter.goto(CAMPAIGN)
    assert drafter.locator("ol.stepper li[aria-current=step]").inner_text().strip().endswith("申诉结束")
    shot(drafter, "campaign")
    drafter.get_by_label("函的标题").fill(scenario.LETTER_TITLE)
    drafter.get_by_role("button", name="起草报送函").click()
    drafter.wait_for_url(re.compile(r".*done=draft"))
    doc = re.search(r"/ui/documents/([^/?#]+)", drafter.url).group(1)  # type: ignore[union-attr]
    drafter.get_by_label("送审说明").fill("请审核")
    drafter.get_by_role("button", name="送审").click()
    drafter.wait_for_url(re.compile(r".*done=submit"))

    # 2. The section chief finds it on the 工作台 and returns it with an opinion.
    chief = sign_in(browser, server, "section-chief")
    assert chief.get_by_role("cell", name="核稿").count() == 1
    shot(chief, "workbench")
    open_document(chief)
    before_return = server.head()
    chief.get_by_text("退回", exact=True).first.click()  # the <summary>
    chief.get_by_label("退回理由").fill("请补充各县区得分说明后再送")
    chief.get_by_role("button", name="退回").click()
    chief.wait_for_url(re.compile(r".*done=return"))
    shot(chief, "document-returned")

    # 3. The drafter sees it back on the 工作台, with the reason, and submits again.
    drafter.goto("/ui/")
    assert drafter.get_by_role("cell", name="拟稿").count() == 1
    drafter.get_by_role("link", name=scenario.LETTER_TITLE).first.click()
    assert "请补充各县区得分说明后再送" in drafter.locator("ol.timeline").inner_text()
    drafter.set_viewport_size({"width": 390, "height": 800})
    drafter.goto("/ui/")
    shot(drafter, "workbench-phone")
    drafter.set_viewport_size({"width": 1280, "height": 900})
    drafter.go_back()
    drafter.get_by_label("送审说明").fill("已按核稿意见修改")
    drafter.get_by_role("button", name="送审").click()
    drafter.wait_for_url(re.compile(r".*done=submit"))

    # 4. 核稿, 审核, 签发, each by the person the chain names.
    chief.goto(f"/ui/documents/{doc}")
    chief.get_by_role("textbox", name="核稿意见").fill("同意，呈审")
    chief.get_by_role("button", name="同意", exact=True).click()
    chief.wait_for_url(re.compile(r".*done=approve"))
    approve(browser, server, "deputy", "同意，呈签发", "document-review")
    approve(browser, server, "director", "同意", "document-signed")

    # 5. The office opens the register, assigns the 文号 and submits the letter.
    office = sign_in(browser, server, "office")
    open_document(office)
    office.get_by_text("开设发文登记簿").click()
    office.get_by_label("机关代字").fill("安行审函")
    office.get_by_label("年度").fill("2023")
    office.get_by_label("起始序号").fill("7")
    office.get_by_role("button", name="开设").click()
    office.wait_for_url(re.compile(r".*done=register"))
    office.get_by_role("button", name="登记编号").click()
    office.wait_for_url(re.compile(r".*done=number"))
    assert "安行审函〔2023〕7号" in office.locator("p.meta").first.inner_text()
    office.get_by_role("button", name="报送").click()
    office.wait_for_url(re.compile(r".*done=dispatch"))
    shot(office, "document")

    # 6. The letter renders in the background; its DOCX downloads.
    if office.get_by_role("button", name="生成函件").count():
        office.get_by_role("button", name="生成函件").click()
        office.wait_for_url(re.compile(r".*done=report"))
        link = office.locator("a[data-format=docx]")
        link.wait_for(timeout=60_000)
        shot(office, "document-report")
        with office.expect_download() as download:
            link.click()
        path = download.value.path()
        assert path is not None and path.read_bytes()[:2] == b"PK"
        assert download.value.suggested_filename.endswith(".docx")

    # 7. Time travel: just before the return, the letter was with 核稿 and nobody had returned it.
    drafter.goto(f"/ui/documents/{doc}?as_of={before_return}")
    assert "您正在查看历史状态" in drafter.content()
    assert "办理中" in drafter.locator("ol.chain li[aria-current=step]").inner_text()
    assert "核稿" in drafter.locator("ol.chain li[aria-current=step]").inner_text()
    assert "请补充各县区得分说明后再送" not in drafter.locator("ol.timeline").inner_text()
    shot(drafter, "document-time-travel")
    drafter.goto(f"{CAMPAIGN}/scores?as_of=3")
    assert "此时尚无单位" in drafter.content()
    drafter.goto(f"{CAMPAIGN}/scores")
    assert drafter.locator("table.scores tbody td.cell").count() == 54 * 2
    shot(drafter, "scores")
    drafter.goto(f"{CAMPAIGN}/history?unit=C01&indicator=haochaping")
    shot(drafter, "history")

    # 8. A form posted without this browser's token is refused, and nothing is recorded.
    head = server.head()
    refused = drafter.request.post(f"/ui/documents/{doc}/withdraw", form={"reason": "x"})
    assert refused.status == 403 and "请求未被接受" in refused.text()
    assert server.head() == head
    for context in {p.context for p in (drafter, chief, office)}:
        context.close()
    assert time.monotonic() - started < 110


def test_an_assessed_unit_sees_only_its_own_row(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "hanbin", width=390)
    page.goto(f"{CAMPAIGN}/scores")
    rows = page.locator("table.scores tbody th[scope=row]")
    assert rows.count() == 1 and rows.first.inner_text() == "汉滨区"
    shot(page, "scores-assessed-unit-phone")
    assert page.goto("/ui/audit").status == 403  # type: ignore[union-attr]
    page.context.close()


def test_the_auditor_verifies_the_chain_and_exports_the_log(browser: Any, server: Server) -> None:
    page = sign_in(browser, server, "auditor")
    page.goto("/ui/audit")
    assert "校验通过" in page.locator("main").inner_text()
    shot(page, "audit")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载日志导出文件").click()
    path = download.value.path()
    assert path is not None
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == server.head() and '"hash"' in lines[0]
    page.context.close()


def test_my_account_shows_my_name_ends_my_other_sessions_and_changes_my_password(
    browser: Any, server: Server
) -> None:
    body = {
        "name": "zhou-wei",
        "role": "auditor",
        "password": PASSWORD,
        "display_name": "周伟",
        "title": "审计科长",
    }
    assert server.api("admin", "POST", "/users", body).status_code == 201
    blocked: list[str] = []
    page = sign_in(browser, server, "zhou-wei")
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    other = sign_in(browser, server, "zhou-wei", width=390)
    for path in ("/ui/", CAMPAIGN, f"{CAMPAIGN}/scores", "/ui/audit"):
        page.goto(path)
    page.get_by_role("link", name=re.compile("周伟 审计科长")).click()
    page.wait_for_url(re.compile(r".*/ui/account/$"))
    assert page.locator("#sessions tbody tr").count() == 2
    shot(page, "account")
    page.get_by_role("button", name="结束其他全部会话").click()
    page.wait_for_url(re.compile(r".*done=ended"))
    assert page.locator("#sessions tbody tr").count() == 1
    other.goto("/ui/")
    assert "/ui/login" in other.url  # the phone's session ended on the server
    page.get_by_label("当前密码").fill(PASSWORD)
    page.get_by_label("新密码", exact=True).fill("Zhou-Wei-Audits-2026")
    page.get_by_label("再次输入新密码").fill("Zhou-Wei-Audits-2026")
    page.get_by_role("button", name="修改密码").click()
    page.wait_for_url(re.compile(r".*done=password"))
    assert "密码已修改" in page.locator("main").inner_text()
    other.get_by_label("用户名").fill("zhou-wei")
    other.get_by_label("密码").fill(PASSWORD)
    other.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in other.locator("main").inner_text()
    assert not blocked, blocked  # the strict CSP blocks nothing the pages use
    page.context.close()
    other.context.close()
