"""`kaohe demo` end to end: its own server on embedded defaults, and a running API + worker on PostgreSQL
and Redis. Its report's tables equal the seed letter's annexes cell by cell; a second run is refused."""

from __future__ import annotations

import io
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import docx
import httpx
import openpyxl
import pytest
import redis

from services.seed import scenario
from tests.conftest import machine_lock, missing_service
from tests.reports.conftest import seed_tables
from tests.workers.procs import KAOHE, base_env, eventually, free_port, kaohe, ready, start, stop, token_for

pytestmark = pytest.mark.slow
REDIS_DB = 14  # tests/workers use 3, 12 and 13
DEMO_SECONDS = 300


def run_demo(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KAOHE, "demo", *args], env=env, capture_output=True, text=True, timeout=DEMO_SECONDS, check=False
    )


def only(folder: Path, suffix: str) -> Path:
    (found,) = folder.glob(f"*.{suffix}")
    return found


def assert_tables_are_the_seed_annexes(out: Path) -> None:
    expected = seed_tables()
    book = openpyxl.load_workbook(io.BytesIO(only(out, "xlsx").read_bytes()))
    assert [ws.max_row - 2 for ws in book.worksheets] == [13, 41]
    for ws, table in zip(book.worksheets, expected, strict=True):
        rows = [tuple(str(v) for v in row) for row in ws.iter_rows(min_row=2, values_only=True)]
        assert rows[0] == table.columns
        assert tuple(rows[1:]) == table.rows
    document = docx.Document(io.BytesIO(only(out, "docx").read_bytes()))
    assert len(document.tables) == 2
    for grid, table in zip(document.tables, expected, strict=True):
        cells = [tuple(c.text for c in row.cells) for row in grid.rows]
        assert cells[0] == table.columns
        assert tuple(cells[1:]) == table.rows
    text = "\n".join(p.text for p in document.paragraphs)
    assert scenario.LETTER_NUMBER in text and "2023年3月7日" in text and "市作风办：" in text
    assert only(out, "pdf").read_bytes().startswith(b"%PDF")


def assert_printed_the_outcome(stdout: str) -> None:
    assert f"{scenario.LETTER_NUMBER} signed on 2023-03-07 and sent to {scenario.REPORT_TO}" in stdout
    assert "approval: section-chief → deputy-director → director" in stdout
    assert "附件1  县（市、区）考核赋分表（13行）" in stdout
    assert "附件2  市级部门考核赋分表（41行）" in stdout
    assert "13    瀛湖生态旅游区  100分             不扣分" in stdout
    tail = stdout[stdout.index("附件2") :]
    assert "41    市住建局" in tail and "files (" in tail.splitlines()[-5] + tail


def processes_with(data_dir: Path) -> list[int]:
    """Our own processes whose environment names this data folder (a server left behind)."""
    found = []
    marker = f"KAOHE_DATA_DIR={data_dir}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_demo_on_embedded_defaults_then_refuses_a_second_run(tmp_path: Path) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    env = base_env(data)

    done = run_demo(env, "--out", str(out))
    assert done.returncode == 0, done.stderr[-3000:] + (data / "demo-serve.log").read_text()[-3000:]
    assert_printed_the_outcome(done.stdout)
    assert_tables_are_the_seed_annexes(out)
    assert not processes_with(data), "the demo's server outlived it"

    again = run_demo(env, "--out", str(tmp_path / "out2"))
    assert again.returncode == 1
    assert "already holds the demo's campaign zuofeng-2022 (stage dispatched)" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1, again.stderr
    assert not (tmp_path / "out2").exists()

    assert "the hash chain is intact" in kaohe(["verify"], env)
    history = kaohe(["history", scenario.CAMPAIGN_ID, "--actor", scenario.DIRECTOR], env)
    assert "签发：同意" in history and "意见：同意报送。" in history
    campaigns = kaohe(["history", scenario.CAMPAIGN_ID, "--json", "--no-documents"], env)
    assert campaigns.count('"type": "NoticeRegistered"') == 1, "one campaign, never a duplicate"


def test_demo_help_has_an_example() -> None:
    done = subprocess.run([*KAOHE, "demo", "--help"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0 and "demo [OPTIONS]" in done.stdout and "Examples:" in done.stdout


def test_demo_says_when_the_server_is_unreachable(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    done = run_demo(env, "--url", f"http://127.0.0.1:{free_port()}")
    assert done.returncode == 1 and "cannot reach" in done.stderr


@pytest.fixture
def redis_url() -> Iterator[str]:
    url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    with machine_lock(f"redis-db-{REDIS_DB}"):
        try:
            client.flushdb()
        except redis.RedisError as exc:
            missing_service(f"Redis is not reachable at 127.0.0.1:6379: {exc.__class__.__name__}")
        yield url
        client.flushdb()


@pytest.mark.postgres
@pytest.mark.redis
def test_demo_against_postgres_redis_and_a_real_worker(tmp_path: Path, pg_url: str, redis_url: str) -> None:
    env = base_env(tmp_path, KAOHE_DATABASE_URL=pg_url, KAOHE_BROKER_URL=redis_url, KAOHE_SWEEP_SECONDS="2")
    admin = token_for(env, "admin", "admin")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    api = start([*KAOHE, "api", "--port", str(port)], env, tmp_path / "api.log")
    worker = start([*KAOHE, "worker"], env, tmp_path / "worker.log")
    try:
        eventually(lambda: ready(base), 60, "/ready")
        anonymous = {k: v for k, v in env.items() if k != "KAOHE_DATABASE_URL"}
        refused = run_demo(anonymous, "--url", base)
        assert refused.returncode == 1 and "give an administrator's token" in refused.stderr
        out = tmp_path / "out"
        done = run_demo({**env, "KAOHE_DEMO_ADMIN_TOKEN": admin}, "--url", base, "--out", str(out))
        assert done.returncode == 0, done.stderr[-3000:] + (tmp_path / "worker.log").read_text()[-3000:]
        assert_printed_the_outcome(done.stdout)
        assert_tables_are_the_seed_annexes(out)

        # The worker kept the read models: the timeline projection has caught up with the dispatch.
        history = kaohe(["history", scenario.CAMPAIGN_ID, "--json", "--no-documents"], env).splitlines()
        dispatched = json.loads(history[-1])
        assert dispatched["type"] == "ReportDispatched"
        head = dispatched["position"]
        headers = {"Authorization": f"Bearer {kaohe(['token', scenario.DRAFTER], env)}"}

        def caught_up() -> bool:
            got = httpx.get(f"{base}/campaigns/{scenario.CAMPAIGN_ID}/timeline", headers=headers, timeout=5)
            return bool(got.json()["projection_position"] >= head)

        eventually(caught_up, 60, "the worker's timeline projection to catch up")

        again = run_demo({**env, "KAOHE_DEMO_ADMIN_TOKEN": admin}, "--url", base, "--out", str(out))
        assert again.returncode == 1 and "already holds the demo's campaign" in again.stderr
    finally:
        stop(api)
        stop(worker)
