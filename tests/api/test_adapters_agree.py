"""The API, the pages and the command line are adapters over one core: the same act, the same answer.

Three identical records (one per adapter) get the same act, the same refused act and the same read; what
is recorded, what is refused (and why) and what is shown must agree, cell for cell.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from services.asgi import create_app
from services.bootstrap import build
from services.demo import scenario
from services.infra.dispatch import NoWaker
from services.infra.migrate import migrate
from services.infra.settings import Settings
from tests.api.conftest import USERS, Api
from tests.api.test_pages_auth import csrf_of, sign_in
from tests.api.test_seed_through_api import run_campaign

DOC = "letter-1"
CHECK = f"/documents/{DOC}/tasks/check-1-1"


@contextmanager
def record(tmp: Path) -> Iterator[Api]:
    """A fresh SQLite record with the seed campaign run and its letter submitted for 核稿."""
    settings = Settings(
        data_dir=tmp, database_url=f"sqlite:///{tmp}/kaohe.db", log_format="json", log_level="WARNING"
    )
    container = build(settings)
    migrate(container.engine)
    tokens = {}
    for name, (role, unit) in USERS.items():
        user = container.identity.add_user(name, role, "Kaohe-Test-2026!", unit)
        tokens[name] = container.identity.issue_token(user).token
    with TestClient(create_app(settings, container, waker=NoWaker())) as client:
        api = Api(client, tokens, container)
        run_campaign(api)
        body = {
            "document_id": DOC,
            "campaign_id": scenario.CAMPAIGN_ID,
            "doc_type": "letter",
            "title": scenario.LETTER_TITLE,
            "content_hash": "0" * 64,
        }
        assert api.post("drafter", "/documents", body).status_code == 201
        assert api.post("drafter", f"/documents/{DOC}/submit", {}).status_code == 200
        yield api


@pytest.fixture
def records(tmp_path: Path) -> Iterator[dict[str, Api]]:
    with ExitStack() as stack:
        yield {name: stack.enter_context(record(tmp_path / name)) for name in ("api", "pages", "cli")}


def kaohe(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    settings = api.container.settings
    env = {
        **os.environ,
        "KAOHE_DATA_DIR": str(settings.data_dir),
        "KAOHE_DATABASE_URL": settings.database_url,
        "KAOHE_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "services.cli.main", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


def decided(api: Api) -> list[tuple[str, dict[str, Any]]]:
    """The document's events, without the times and ids that differ from one record to another."""
    found = api.container.store.read_stream(f"document-{DOC}")
    return [(e.type, {k: v for k, v in e.data.items() if k not in ("at", "since")}) for e in found]


def head(api: Api) -> int:
    return api.container.store.head().position


def test_one_act_through_the_api_the_pages_and_the_command_line(records: dict[str, Api]) -> None:
    by_api = records["api"].post("section-chief", f"{CHECK}/approve", {"opinion": "同意"})
    assert by_api.status_code == 200, by_api.text

    pages = records["pages"]
    token = sign_in(pages.client, "section-chief")
    form = {"opinion": "同意", "_csrf": token, "form_id": "f-1"}
    by_page = pages.client.post(f"/ui{CHECK}/approve", data=form, follow_redirects=False)
    assert by_page.status_code == 303, by_page.text

    target = ["--target", f"document_id={DOC}", "--target", "task_id=check-1-1"]
    by_cli = kaohe(
        records["cli"],
        "act",
        "approveTask",
        "--as",
        "section-chief",
        *target,
        "--data",
        '{"opinion": "同意"}',
    )
    assert by_cli.returncode == 0, by_cli.stderr
    answer = json.loads(by_cli.stdout)

    assert decided(records["api"]) == decided(records["pages"]) == decided(records["cli"])
    assert by_api.json()["position"] == answer["position"] == head(records["pages"])
    assert by_api.json()["stream_version"] == answer["stream_version"]
    last = records["pages"].container.store.read_stream(f"document-{DOC}")[-1]
    assert last.metadata["actor"] == "section-chief" and last.metadata["role"] == "section_chief"


def test_one_refusal_through_the_api_the_pages_and_the_command_line(records: dict[str, Api]) -> None:
    """The deputy director may approve, but the 核稿 task is not theirs: refused, and nothing written."""
    before = {name: head(api) for name, api in records.items()}

    by_api = records["api"].post("deputy", f"{CHECK}/approve", {"opinion": "同意"})
    assert by_api.status_code == 403
    code = by_api.json()["code"]

    pages = records["pages"]
    token = sign_in(pages.client, "deputy")
    by_page = pages.client.post(f"/ui{CHECK}/approve", data={"_csrf": token, "form_id": "f-2"})
    assert by_page.status_code == 409 and code in by_page.text

    target = ["--target", f"document_id={DOC}", "--target", "task_id=check-1-1"]
    by_cli = kaohe(records["cli"], "act", "approveTask", "--as", "deputy", *target)
    assert by_cli.returncode == 1 and f"refused ({code})" in by_cli.stderr

    assert {name: head(api) for name, api in records.items()} == before


def test_one_read_through_the_api_the_pages_and_the_command_line(records: dict[str, Api]) -> None:
    """The 赋分表 now, served by the scores projection in all three."""
    api = records["api"]
    api.container.operations.catch_up()
    response = api.get("auditor", f"/campaigns/{scenario.CAMPAIGN_ID}/scores")
    assert response.headers["x-read-source"] == "projection"
    table = response.json()
    by_api = {row["unit_name"]: [c["display"] for c in row["cells"]] for row in table["rows"]}
    assert len(by_api) == 54

    sign_in(api.client, "auditor")
    html = api.client.get(f"/ui/campaigns/{scenario.CAMPAIGN_ID}/scores").text
    by_page = {}
    for name, cells in re.findall(r'<th scope="row"><a [^>]*>([^<]+)</a></th>(.*?)</tr>', html, re.S):
        by_page[unescape(name)] = [unescape(c) for c in re.findall(r'的经过">([^<]+)</a></td>', cells)]

    printed = kaohe(api, "scores", scenario.CAMPAIGN_ID)
    assert printed.returncode == 0, printed.stderr
    assert "from the scores read model" in printed.stdout
    by_cli = {}
    for line in printed.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0].isdigit():
            by_cli[parts[1]] = parts[2:]
    assert by_api == by_page == by_cli
    assert csrf_of(html)
