"""A small HTTP client for the demo: one bearer token per official, safe retries, one-line errors."""

from __future__ import annotations

import time
from typing import Any

import httpx

from services.api.client import request_for

RETRIES = 4
RETRY_STATUSES = frozenset({502, 503, 504})


class DemoError(Exception):
    """Something the person running the demo must know, in one line."""


class Client:
    """Requests as a named user. Every write carries an Idempotency-Key, so a retry records nothing twice."""

    def __init__(self, base_url: str, run_id: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self.tokens: dict[str, str] = {}
        self.run_id = run_id
        self.sent = 0

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        user: str | None,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        expect: tuple[int, ...] = (200, 201),
        token: str | None = None,
    ) -> httpx.Response:
        self.sent += 1
        request_id = f"demo-{self.run_id}-{self.sent}"
        headers = {"X-Request-ID": request_id}
        bearer = token or (self.tokens[user] if user else None)
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        if method == "POST":
            headers["Idempotency-Key"] = request_id
        response = self._send(method, path, headers, body, params)
        if response.status_code not in expect:
            who = user or ("an administrator" if token else "nobody")
            raise DemoError(f"{method} {path} as {who}: {problem(response)}")
        return response

    def _send(
        self, method: str, path: str, headers: dict[str, str], body: Any, params: dict[str, Any] | None
    ) -> httpx.Response:
        for attempt in range(RETRIES):
            last = attempt == RETRIES - 1
            try:
                response = self.http.request(method, path, json=body, params=params, headers=headers)
            except httpx.TransportError as exc:
                if last:
                    raise DemoError(f"{method} {path}: cannot reach {self.base_url}: {exc}") from None
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code in RETRY_STATUSES and not last:
                time.sleep(0.5 * 2**attempt)
                continue
            return response
        raise AssertionError("unreachable")

    def post(self, user: str, path: str, body: Any = None, expect: tuple[int, ...] = (200, 201)) -> Any:
        return self.request("POST", path, user, body if body is not None else {}, expect=expect).json()

    def get(self, user: str, path: str, **params: Any) -> Any:
        return self.request("GET", path, user, params=params or None).json()

    def command(self, user: str, command: Any, key: str | None = None) -> Any:
        path, body = request_for(command, key)
        return self.post(user, path, body)


def problem(response: httpx.Response) -> str:
    """The server's own words for a refusal (RFC 9457 detail and code), else the status line."""
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code} {response.reason_phrase}"
    if isinstance(body, dict):
        detail = body.get("detail") or body.get("title") or ""
        code = body.get("code")
        errors = body.get("errors")
        extra = f" ({'; '.join(str(e) for e in errors)})" if isinstance(errors, list) and errors else ""
        return f"HTTP {response.status_code} {code or ''} {detail}{extra}".replace("  ", " ").strip()
    return f"HTTP {response.status_code}"
