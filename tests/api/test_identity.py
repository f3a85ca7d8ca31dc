"""Identity as a security review checks it: no impersonation, disable/reset/logout end access at once,
every identity change recorded in its row's transaction, throttled sign-in, headers, clean metadata."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from services.identity.accounts import User
from tests.api.conftest import Api
from tests.api.test_api_rules import _open_body
from tests.api.test_pages_auth import csrf_of, sign_in

PASSWORD = "Kaohe-Test-2026!"


def user_events(api: Api, name: str) -> list[Any]:
    user = api.container.identity.find_user(name)
    assert user is not None
    return api.container.store.read_stream(user.stream_id)


def types_of(events: list[Any]) -> list[str]:
    return [e.type for e in events]


def cookie_of(client: Any) -> str:
    value = client.cookies.get("kaohe_session")
    assert value
    return str(value)


def test_an_admin_cannot_issue_a_token_for_someone_else(api: Api) -> None:
    refused = api.post("admin", "/users/director/tokens", {"days": 1})
    assert refused.status_code == 403 and "own user" in refused.text
    assert types_of(user_events(api, "director")) == ["UserRegistered", "TokenIssued"]  # nothing new
    own = api.post("admin", "/users/admin/tokens", {"days": 1})
    assert own.status_code == 201
    signed = api.client.post("/auth/tokens", json={"name": "director", "password": PASSWORD, "days": 1})
    assert signed.status_code == 201, signed.text
    me = api.client.get("/me", headers={"Authorization": f"Bearer {signed.json()['token']}"})
    assert me.json()["name"] == "director"
    issued = user_events(api, "director")[-1]
    assert issued.type == "TokenIssued" and issued.metadata["actor"] == "director"
    assert issued.metadata["role"] == "self"


def test_disabling_a_user_ends_their_tokens_and_page_sessions_at_once(api: Api) -> None:
    sign_in(api.client, "director")
    assert api.client.get("/ui/", follow_redirects=False).status_code == 200
    r = api.post("admin", "/users/director/disable")
    assert r.status_code == 200 and r.json()["disabled"] is True
    assert api.client.get("/ui/", follow_redirects=False).status_code == 303
    assert api.get("director", "/me").status_code == 401
    denied = api.client.post("/auth/tokens", json={"name": "director", "password": PASSWORD})
    assert denied.status_code == 401
    events = user_events(api, "director")
    assert types_of(events)[-2:] == ["UserDisabled", "TokenRevoked"]
    assert {e.metadata["actor"] for e in events[-2:]} == {"admin"}
    assert api.post("admin", "/users/director/enable").json()["disabled"] is False
    assert api.get("director", "/me").status_code == 401  # old tokens stay revoked
    sign_in(api.client, "director")
    assert types_of(user_events(api, "director"))[-1] == "UserEnabled"


def test_an_admin_cannot_disable_themself(api: Api) -> None:
    assert api.post("admin", "/users/admin/disable").status_code == 403


def test_a_copied_session_cookie_is_worthless_after_sign_out(api: Api) -> None:
    csrf = sign_in(api.client, "auditor")
    copied = cookie_of(api.client)
    with TestClient(api.client.app) as thief:
        thief.cookies.set("kaohe_session", copied)
        assert thief.get("/ui/", follow_redirects=False).status_code == 200  # a live session, copied
        out = api.client.post("/ui/logout", data={"_csrf": csrf}, follow_redirects=False)
        assert out.status_code == 303
        assert thief.get("/ui/", follow_redirects=False).status_code == 303  # ended on the server


def test_revoking_tokens_ends_page_sessions_too(api: Api) -> None:
    sign_in(api.client, "office")
    assert api.post("admin", "/users/office/tokens/revoke").status_code == 200
    assert api.client.get("/ui/", follow_redirects=False).status_code == 303


def test_the_session_table_keeps_only_a_hash_of_the_cookie(api: Api) -> None:
    from sqlalchemy import select

    from services.identity.sessions import session_hash, sessions_table

    sign_in(api.client, "auditor")
    cookie = cookie_of(api.client)
    with api.container.engine.connect() as conn:
        stored = [r.id_hash for r in conn.execute(select(sessions_table)).all()]
    assert session_hash(cookie) in stored and cookie not in stored


@pytest.mark.parametrize("step", ["disable", "reset", "profile", "token"])
def test_a_change_and_its_event_commit_together(api: Api, step: str, monkeypatch: Any) -> None:
    identity = api.container.identity
    user = identity.find_user("drafter")
    assert user is not None
    before = api.container.store.head().position

    def broken(*_: Any) -> Any:
        raise RuntimeError("the log refused the append")

    monkeypatch.setattr(api.container.store, "append_within", broken)
    actions = {
        "disable": lambda u: identity.disable(u, actor="admin"),
        "reset": lambda u: identity.reset_password(u, "Another-Long-Pass-7", actor="admin"),
        "profile": lambda u: identity.set_profile(u, "张三", "科长", actor="admin"),
        "token": lambda u: identity.issue_token(u, 1, actor="drafter"),
    }
    with pytest.raises(RuntimeError):
        actions[step](user)
    monkeypatch.undo()
    after: User | None = identity.find_user("drafter")
    assert after == user  # the row is as it was
    assert identity.check_password("drafter", PASSWORD) is not None
    assert api.container.store.head().position == before
    assert api.get("drafter", "/me").status_code == 200


def test_own_password_change_needs_the_current_one_and_follows_the_policy(api: Api) -> None:
    wrong = api.post(
        "hanbin", "/me/password", {"current_password": "nope", "new_password": "Brand-New-Pass-9"}
    )
    assert wrong.status_code == 422 and "current" in wrong.text
    weak = api.post("hanbin", "/me/password", {"current_password": PASSWORD, "new_password": "qwertyuiop"})
    assert weak.status_code == 422
    same_as_name = api.post(
        "hanbin", "/me/password", {"current_password": PASSWORD, "new_password": "hanbin2026!"}
    )
    assert same_as_name.status_code == 422
    ok = api.post(
        "hanbin", "/me/password", {"current_password": PASSWORD, "new_password": "Brand-New-Pass-9"}
    )
    assert ok.status_code == 200, ok.text
    old = api.client.post("/auth/tokens", json={"name": "hanbin", "password": PASSWORD})
    assert old.status_code == 401
    new = api.client.post("/auth/tokens", json={"name": "hanbin", "password": "Brand-New-Pass-9"})
    assert new.status_code == 201
    changed = [e for e in user_events(api, "hanbin") if e.type == "PasswordChanged"]
    assert changed[-1].data["reset"] is False and changed[-1].metadata["actor"] == "hanbin"


def test_an_admin_reset_and_profile_show_where_officials_look(api: Api) -> None:
    sign_in(api.client, "section-chief")
    r = api.client.patch(
        "/users/section-chief",
        json={"display_name": "王建国", "title": "科长"},
        headers=api.headers("admin"),
    )
    assert r.status_code == 200 and r.json()["display_name"] == "王建国"
    assert "王建国 科长" in api.client.get("/ui/").text
    reset = api.post("admin", "/users/section-chief/password", {"password": "Reset-By-Admin-42"})
    assert reset.status_code == 200
    assert api.client.get("/ui/", follow_redirects=False).status_code == 303  # sessions ended
    assert api.get("section-chief", "/me").status_code == 401  # tokens revoked
    events = user_events(api, "section-chief")
    assert types_of(events)[-3:-1] == [
        "UserProfileChanged",
        "PasswordChanged",
    ] or "PasswordChanged" in types_of(events)
    assert next(e for e in events if e.type == "PasswordChanged").data["reset"] is True


def test_user_names_and_passwords_are_checked_when_added(api: Api) -> None:
    body = {"name": "li\x1bsi", "role": "drafter", "password": "Kaohe-Test-2026!"}
    assert api.post("admin", "/users", body).status_code == 422
    body = {"name": "lisi", "role": "drafter", "password": "12345678"}
    r = api.post("admin", "/users", body)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"
    body = {"name": "lisi", "role": "drafter", "password": "Lisi-Drafts-2026", "display_name": "李四"}
    r = api.post("admin", "/users", body)
    assert r.status_code == 201 and r.json()["display_name"] == "李四"
    assert types_of(user_events(api, "lisi")) == ["UserRegistered", "UserProfileChanged"]


def test_repeated_failures_lock_the_account_and_then_the_address(api: Api) -> None:
    for _ in range(5):
        r = api.client.post("/auth/tokens", json={"name": "auditor", "password": "wrong-guess-000"})
        assert r.status_code == 401
    locked = api.client.post("/auth/tokens", json={"name": "auditor", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    token = csrf_of(api.client.get("/ui/login").text)
    page = api.client.post("/ui/login", data={"username": "auditor", "password": PASSWORD, "_csrf": token})
    assert page.status_code == 429 and "尝试次数过多" in page.text
    # Another account from the same address still signs in (until the address's own limit).
    assert api.client.post("/auth/tokens", json={"name": "office", "password": PASSWORD}).status_code == 201
    for n in range(20):
        api.client.post("/auth/tokens", json={"name": f"nobody{n}", "password": "wrong-guess-000"})
    assert api.client.post("/auth/tokens", json={"name": "office", "password": PASSWORD}).status_code == 429


def test_pages_carry_security_headers(api: Api) -> None:
    login = api.client.get("/ui/login")
    csp = login.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert login.headers["x-content-type-options"] == "nosniff"
    assert login.headers["referrer-policy"] == "same-origin"
    assert login.headers["cache-control"] == "no-store"
    sign_in(api.client, "auditor")
    for path in ("/ui/", "/ui/audit", "/ui/account/", "/ui/no-such-page"):
        r = api.client.get(path, follow_redirects=False)
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
        assert r.headers["cache-control"] == "no-store", path
    static = api.client.get("/ui/static/kaohe.css")
    assert static.headers["x-content-type-options"] == "nosniff" and "no-store" not in static.headers.get(
        "cache-control", ""
    )
    assert api.client.get("/health").headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("given", ["x" * 8000, "abc\x01def", "id with spaces", "a:b"])
def test_a_bad_correlation_id_never_reaches_the_log(api: Api, given: str) -> None:
    headers = {**api.headers("drafter"), "X-Correlation-ID": given, "X-Request-ID": "z" * 65}
    r = api.client.post("/campaigns", json=_open_body(), headers=headers)
    assert r.status_code == 201, r.text
    assert len(r.headers["x-request-id"]) == 32  # the too-long request id was replaced too
    event = api.container.store.read_all(0, 10_000)[-1]
    assert event.metadata["correlation_id"] == event.metadata["request_id"] == r.headers["x-request-id"]


def test_a_good_correlation_id_is_kept(api: Api) -> None:
    headers = {**api.headers("drafter"), "X-Correlation-ID": "batch-2026.03_a"}
    assert api.client.post("/campaigns", json=_open_body(), headers=headers).status_code == 201
    assert api.container.store.read_all(0, 10_000)[-1].metadata["correlation_id"] == "batch-2026.03_a"


def test_metrics_need_the_token_or_loopback(api: Api) -> None:
    assert api.client.get("/metrics").status_code == 401  # the test client is not loopback
    assert api.client.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 401


def test_my_account_lists_my_sessions_and_ends_another(api: Api) -> None:
    sign_in(api.client, "drafter")
    with TestClient(api.client.app) as laptop:
        sign_in(laptop, "drafter")
        page = api.client.get("/ui/account/")
        assert page.status_code == 200 and page.text.count("<tr>") == 3  # header + two sessions
        csrf = csrf_of(page.text)
        ended = api.client.post("/ui/account/sessions/end", data={"_csrf": csrf, "session": "others"})
        assert ended.status_code == 200 and "已结束所选会话" in ended.text
        assert laptop.get("/ui/", follow_redirects=False).status_code == 303
        assert api.client.get("/ui/", follow_redirects=False).status_code == 200


def test_changing_my_password_on_the_page_keeps_this_session_and_ends_the_others(api: Api) -> None:
    sign_in(api.client, "deputy")
    with TestClient(api.client.app) as other:
        sign_in(other, "deputy")
        csrf = csrf_of(api.client.get("/ui/account/").text)
        form = {"_csrf": csrf, "current_password": "wrong", "new_password": "Deputy-New-Pass-1"}
        bad = api.client.post("/ui/account/password", data={**form, "confirm_password": "Deputy-New-Pass-1"})
        assert bad.status_code == 400 and "当前密码不正确" in bad.text
        form["current_password"] = PASSWORD
        ok = api.client.post("/ui/account/password", data={**form, "confirm_password": "Deputy-New-Pass-1"})
        assert ok.status_code == 200 and "密码已修改" in ok.text
        assert other.get("/ui/", follow_redirects=False).status_code == 303
    assert api.client.get("/ui/", follow_redirects=False).status_code == 200


def test_histories_show_the_name_and_post_officials_know(api: Api) -> None:
    identity = api.container.identity
    drafter = identity.find_user("drafter")
    assert drafter is not None
    identity.set_profile(drafter, "张伟", "科员", actor="admin")
    assert api.client.post("/campaigns", json=_open_body(), headers=api.headers("drafter")).status_code == 201
    sign_in(api.client, "auditor")
    history = api.client.get("/ui/campaigns/another/history")
    assert history.status_code == 200 and "张伟 科员" in history.text
