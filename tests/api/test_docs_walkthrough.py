"""docs/api.md's walk-through, played request by request against a real server: the page cannot drift.

The walk-through section of docs/api.md holds
- a ```sh block whose `kaohe org add …` lines register organisations and `kaohe users add …` lines create
  the users (each then gets a token: `kaohe token`);
- ```http blocks, one exchange each: optional `# @name NAME` and `#` comment lines, the request line
  (`METHOD /path`), headers, a blank line, an optional JSON body, then the expected answer from the line
  `HTTP/1.1 <status>` on: headers that must be sent as shown, a blank line, optional JSON whose fields must
  have the values shown (objects: the keys shown; lists: exactly the elements shown).

Placeholders: `{{user}}` is that user's bearer token; `{{name.a.0.b}}` is a value from the JSON answer of
the exchange named `name` (URL-encoded in the request line, pasted as text elsewhere).

Only HTTP and the `kaohe` CLI are used: the server is `kaohe api` (uvicorn) on SQLite in a fresh data folder.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.workers.procs import KAOHE, base_env, free_port, kaohe, ready, start, stop

pytestmark = pytest.mark.slow

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## Walk-through"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)[ \t]*\n(?P<text>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)((?:\.[\w-]+)*)\s*\}\}")
REQUEST_LINE = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD) (/\S*)(?: HTTP/1\.1)?$")
STATUS_LINE = re.compile(r"^HTTP/1\.1 (\d{3})\b")
DOCUMENTED_METADATA = {"actor", "actor_name", "role", "acting_for", "request_id", "correlation_id"}


@dataclass
class Exchange:
    line: int
    """Where the block starts in docs/api.md (1-based), for failure messages."""
    name: str | None
    method: str
    target: str
    headers: list[tuple[str, str]]
    body: str
    status: int
    expected_headers: list[tuple[str, str]]
    expected_body: str


@dataclass
class User:
    name: str
    args: list[str]
    password: str


@dataclass
class Walkthrough:
    users: list[User] = field(default_factory=list)
    organisations: list[list[str]] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)


def walkthrough_section(text: str) -> tuple[str, int]:
    """The walk-through section and the line it starts on."""
    start_at = text.find("\n" + SECTION)
    assert start_at >= 0, f"docs/api.md has no section {SECTION!r}"
    start_at += 1
    end = text.find("\n## ", start_at + len(SECTION))
    end = len(text) if end < 0 else end + 1
    return text[start_at:end], text.count("\n", 0, start_at) + 1


def parse(text: str) -> Walkthrough:
    section, first_line = walkthrough_section(text)
    found = Walkthrough()
    for block in FENCE.finditer(section):
        line = first_line + section.count("\n", 0, block.start())
        lang, body = block["lang"], block["text"]
        if lang == "sh":
            found.users += _users(body)
            found.organisations += _organisations(body)
        elif lang == "http":
            found.exchanges.append(_exchange(body, line))
    assert found.users, "the walk-through adds no users (```sh: kaohe users add …)"
    assert found.exchanges, "the walk-through has no ```http exchanges"
    return found


def _users(script: str) -> list[User]:
    users = []
    for raw in script.splitlines():
        words = shlex.split(raw, comments=True)
        if "kaohe" not in words:
            continue
        args = words[words.index("kaohe") + 1 :]
        if args[:2] != ["users", "add"]:
            continue
        assert words[0] == "echo" and words[2] == "|", f"pipe the password in: {raw!r}"
        users.append(User(name=args[2], args=args, password=words[1]))
    return users


def _organisations(script: str) -> list[list[str]]:
    found = []
    for raw in script.splitlines():
        words = shlex.split(raw, comments=True)
        if "kaohe" in words and words[words.index("kaohe") + 1 :][:2] == ["org", "add"]:
            found.append(words[words.index("kaohe") + 1 :])
    return found


def _exchange(text: str, line: int) -> Exchange:
    lines = text.splitlines()
    name = None
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        comment = lines.pop(0)
        if m := re.match(r"^#\s*@name\s+(\S+)\s*$", comment):
            name = m[1]
    assert lines, f"docs/api.md:{line}: an http block without a request"
    request = REQUEST_LINE.match(lines.pop(0).strip())
    assert request, f"docs/api.md:{line}: the block must start with a request line (METHOD /path)"
    split = next((i for i, text in enumerate(lines) if STATUS_LINE.match(text)), None)
    assert split is not None, f"docs/api.md:{line}: no expected answer (a line `HTTP/1.1 <status>`)"
    headers, body = _message(lines[:split])
    status_line = lines[split]
    expected_headers, expected_body = _message(lines[split + 1 :])
    status = STATUS_LINE.match(status_line)
    assert status
    return Exchange(
        line=line,
        name=name,
        method=request[1],
        target=request[2],
        headers=headers,
        body=body,
        status=int(status[1]),
        expected_headers=expected_headers,
        expected_body=expected_body,
    )


def _message(lines: list[str]) -> tuple[list[tuple[str, str]], str]:
    """Headers up to the first blank line, then the body."""
    headers = []
    rest = list(lines)
    while rest and rest[0].strip():
        name, sep, value = rest.pop(0).partition(":")
        assert sep, f"not a header line: {name!r}"
        headers.append((name.strip(), value.strip()))
    return headers, "\n".join(rest).strip()


class Values:
    """Tokens by user name and the JSON answers of named exchanges."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = tokens
        self.answers: dict[str, Any] = {}

    def lookup(self, name: str, path: str) -> Any:
        if not path:
            assert name in self.tokens, f"{{{{{name}}}}}: no user {name!r} in the walk-through"
            return self.tokens[name]
        assert name in self.answers, f"{{{{{name}{path}}}}}: no earlier exchange named {name!r}"
        value = self.answers[name]
        for key in path.strip(".").split("."):
            value = value[int(key)] if isinstance(value, list) else value[key]
        return value

    def fill(self, text: str, *, url: bool = False) -> str:
        def one(m: re.Match[str]) -> str:
            value = self.lookup(m[1], m[2])
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            return quote(shown, safe="") if url else shown

        return PLACEHOLDER.sub(one, text)


def mismatches(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Where ``actual`` differs from what the doc shows (objects: keys shown; lists: element by element)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {actual!r}"]
        found = []
        for key, value in expected.items():
            if key not in actual:
                found.append(f"{where}.{key}: missing")
            else:
                found += mismatches(value, actual[key], f"{where}.{key}")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: expected {len(expected)} elements, got {actual!r}"]
        return [
            p
            for i, (e, a) in enumerate(zip(expected, actual, strict=True))
            for p in mismatches(e, a, f"{where}[{i}]")
        ]
    if expected != actual or type(expected) is not type(actual):
        return [f"{where}: expected {expected!r}, got {actual!r}"]
    return []


def play(client: httpx.Client, exchange: Exchange, values: Values) -> None:
    where = f"docs/api.md:{exchange.line}: {exchange.method} {exchange.target}"
    headers = {name: values.fill(value) for name, value in exchange.headers}
    content = None
    if exchange.body:
        content = values.fill(exchange.body).encode()
        json.loads(content)  # the doc shows valid JSON
        headers.setdefault("Content-Type", "application/json")
    response = client.request(
        exchange.method, values.fill(exchange.target, url=True), headers=headers, content=content
    )
    assert response.status_code == exchange.status, (
        f"{where}: the doc says {exchange.status}, the server answered {response.status_code}: "
        f"{response.text[:2000]}"
    )
    for name, value in exchange.expected_headers:
        wanted = values.fill(value)
        got = response.headers.get(name)
        if name.lower() == "content-type":
            got = (got or "").split(";")[0].strip()
        assert got == wanted, f"{where}: header {name}: the doc says {wanted!r}, the server sent {got!r}"
    answer = response.json() if response.content else None
    if exchange.expected_body:
        expected = json.loads(values.fill(exchange.expected_body))
        problems = mismatches(expected, answer)
        assert not problems, f"{where}: the answer differs from the doc:\n  " + "\n  ".join(problems)
    if exchange.name:
        values.answers[exchange.name] = answer


@pytest.fixture(scope="module")
def walkthrough() -> Walkthrough:
    return parse(DOC.read_text(encoding="utf-8"))


@pytest.fixture
def server(tmp_path: Path, walkthrough: Walkthrough) -> Iterator[tuple[str, dict[str, str], Path]]:
    """`kaohe api` on a fresh SQLite file, with the walk-through's users and a token for each."""
    env = base_env(
        tmp_path,
        KAOHE_DATABASE_URL=f"sqlite:///{tmp_path / 'kaohe.sqlite3'}",
        KAOHE_LOG_LEVEL="WARNING",
    )
    kaohe(["migrate"], env)
    for args in walkthrough.organisations:
        kaohe(args, env)
    tokens = {}
    for user in walkthrough.users:
        kaohe(user.args, env, stdin=user.password + "\n")
        tokens[user.name] = kaohe(["token", user.name], env).splitlines()[-1].strip()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "api.log"
    api = start([*KAOHE, "api", "--port", str(port)], env, log)
    try:
        _wait_until_ready(api, base, log)
        yield base, tokens, log
    finally:
        stop(api)


def _wait_until_ready(api: subprocess.Popen[bytes], base: str, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while api.poll() is None and time.monotonic() < deadline:
        try:
            if ready(base):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    state = "exited" if api.poll() is not None else f"was not ready after {timeout:.0f}s"
    raise AssertionError(f"kaohe api {state}:\n{log.read_text()[-3000:]}")


def test_the_walkthrough_parses_into_exchanges(walkthrough: Walkthrough) -> None:
    names = [e.name for e in walkthrough.exchanges if e.name]
    assert len(names) == len(set(names)), f"exchange names must be unique: {names}"
    for exchange in walkthrough.exchanges:
        if exchange.method == "POST":
            assert exchange.body, f"docs/api.md:{exchange.line}: a POST shows its JSON body"


def test_the_walkthrough_runs_against_a_real_server(
    server: tuple[str, dict[str, str], Path], walkthrough: Walkthrough
) -> None:
    base, tokens, log = server
    values = Values(tokens)
    with httpx.Client(base_url=base, timeout=30) as client:
        for exchange in walkthrough.exchanges:
            try:
                play(client, exchange, values)
            except AssertionError as failed:
                raise AssertionError(f"{failed}\n--- server log (tail):\n{log.read_text()[-3000:]}") from None
        # docs/api.md, "Identity and roles": the metadata records these keys and nothing else.
        auditor = {"Authorization": f"Bearer {tokens['auditor']}"}
        events = client.get("/events", params={"limit": 1000}, headers=auditor).json()["events"]
    written = [e for e in events if e["stream_id"].startswith(("campaign-", "document-", "register-"))]
    assert written, "the walk-through wrote events"
    for event in written:
        assert set(event["metadata"]) <= DOCUMENTED_METADATA, (event["type"], event["metadata"])
