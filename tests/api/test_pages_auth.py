"""The pages' sign-in, session cookie and CSRF rules through Litestar's TestClient; the JSON API unchanged."""

from __future__ import annotations

import re
from typing import Any

from litestar.testing import TestClient

from services.pages.config import PageSettings
from services.pages.sessions import SessionCodec
from tests.api.conftest import Api


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def sign_in(client: Any, user: str) -> str:
    token = csrf_of(client.get("/ui/login").text)
    response = client.post(
        "/ui/login",
        data={"username": user, "password": "Kaohe-Test-2026!", "_csrf": token, "next": "/ui/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client.get("/ui/").text)


def test_pages_need_a_session_and_send_you_back_after_sign_in(api: Api) -> None:
    client = api.client
    response = client.get("/ui/audit", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/ui/login?next=%2Fui%2Faudit"
    token = csrf_of(client.get("/ui/login").text)
    wrong = client.post("/ui/login", data={"username": "auditor", "password": "nope", "_csrf": token})
    assert wrong.status_code == 401 and "用户名或密码不正确" in wrong.text
    ok = client.post(
        "/ui/login",
        data={"username": "auditor", "password": "Kaohe-Test-2026!", "_csrf": token, "next": "/ui/audit"},
        follow_redirects=False,
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/ui/audit"
    cookie = next(c for c in ok.headers.get_list("set-cookie") if c.startswith("kaohe_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    assert client.get("/ui/audit").status_code == 200


def test_sign_in_never_redirects_to_another_site(api: Api) -> None:
    token = csrf_of(api.client.get("/ui/login").text)
    body = {
        "username": "drafter",
        "password": "Kaohe-Test-2026!",
        "_csrf": token,
        "next": "//evil.example/ui/",
    }
    response = api.client.post("/ui/login", data=body, follow_redirects=False)
    assert response.headers["location"] == "/ui/"


def test_the_secure_flag_follows_the_setting(api: Api) -> None:
    app = api.client.app
    app.state.page_codec = SessionCodec(PageSettings(secret=b"s" * 32, cookie_secure=True))
    client = TestClient(app, base_url="https://testserver.local")  # Secure cookies travel over HTTPS only
    token = csrf_of(client.get("/ui/login").text)
    body = {"username": "drafter", "password": "Kaohe-Test-2026!", "_csrf": token}
    response = client.post("/ui/login", data=body, follow_redirects=False)
    assert "Secure" in next(c for c in response.headers.get_list("set-cookie") if "kaohe_session=" in c)


def test_forms_without_the_token_or_from_elsewhere_are_refused(api: Api) -> None:
    client = api.client
    head = api.log_head()
    assert (
        client.post("/ui/login", data={"username": "drafter", "password": "Kaohe-Test-2026!"}).status_code
        == 403
    )
    token = sign_in(client, "drafter")
    path = "/ui/campaigns/zuofeng-2022/letter"
    assert client.post(path, data={"title": "x"}).status_code == 403
    assert client.post(path, data={"title": "x", "_csrf": token + "x"}).status_code == 403
    cross = client.post(path, data={"title": "x", "_csrf": token}, headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and "请求未被接受" in cross.text
    assert api.log_head() == head


def test_the_bearer_api_needs_no_csrf_and_pages_ignore_bearer_tokens(api: Api) -> None:
    assert api.post("drafter", "/registers", {"code": "X", "year": 2023}).status_code == 403  # role, not CSRF
    assert api.post("office", "/registers", {"code": "X", "year": 2023}).status_code == 201
    page = api.client.get("/ui/", headers=api.headers("office"), follow_redirects=False)
    assert page.status_code == 303  # a bearer token is no session


def test_a_page_action_keeps_its_api_route_roles(api: Api) -> None:
    token = sign_in(api.client, "drafter")
    path = "/ui/documents/any/tasks/numbering-1-1/number"  # 登记编号: office only
    response = api.client.post(path, data={"_csrf": token, "register": "安行审函:2023"})
    assert response.status_code == 403 and "无权操作" in response.text


def test_an_assessed_unit_cannot_open_documents_or_the_audit(api: Api) -> None:
    sign_in(api.client, "hanbin")
    assert api.client.get("/ui/documents/any").status_code == 403
    assert api.client.get("/ui/audit").status_code == 403


def test_sign_out_clears_the_session_cookie(api: Api) -> None:
    token = sign_in(api.client, "drafter")
    response = api.client.post("/ui/logout", data={"_csrf": token}, follow_redirects=False)
    assert response.status_code == 303
    cleared = next(c for c in response.headers.get_list("set-cookie") if c.startswith("kaohe_session="))
    assert "Max-Age=0" in cleared
    assert api.client.get("/ui/", follow_redirects=False).status_code == 303
