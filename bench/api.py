"""The API under load: the real server (uvicorn, PostgreSQL) driven over HTTP by 16 concurrent clients.

Prints the command rate and its p50/p99 latency, the query p99, and the command rate as a ratio of the raw
single-row INSERT rate (one row per transaction, psycopg) measured in the same run.

    python bench/api.py [--quick]        BENCH_API_WORKERS (default 2), BENCH_API_COMMANDS (per client)
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Settings, env_int, format_table, postgres_databases, target_line
from bench.http_load import LeanClient
from domain import campaign
from domain.shared.identity import Role
from services.api.client import request_for
from services.eventstore.store import EventStore
from services.identity.accounts import Identity
from services.infra.db import make_engine
from services.infra.migrate import migrate
from services.infra.settings import Settings as KaoheSettings
from services.seed import scenario

CLIENTS = 16
SETUP = (
    campaign.OpenCampaign,
    campaign.RegisterUnits,
    campaign.AssignIndicators,
    campaign.IssueDeployment,
    campaign.OpenCollection,
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def raw_insert_rate(url: str, n: int) -> float:
    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_events")
        conn.execute(
            "CREATE TABLE raw_events (position bigserial PRIMARY KEY, stream_id text, version int, "
            "type text, data jsonb, UNIQUE (stream_id, version))"
        )
        conn.commit()
        payload = '{"unit": "C01", "figures": "' + "x" * 250 + '"}'
        start = time.perf_counter()
        for i in range(n):
            conn.execute(
                "INSERT INTO raw_events (stream_id, version, type, data) VALUES (%s, %s, %s, %s)",
                (f"s{i % 200}", i // 200 + 1, "DataSubmitted", payload),
            )
            conn.commit()
        return n / (time.perf_counter() - start)


def prepare(url: str) -> dict[str, str]:
    engine = make_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    migrate(engine)
    from services.bootstrap import domain_registry

    identity = Identity(engine, EventStore(engine, domain_registry()))
    tokens = {}
    for name, role in (("drafter", Role.DRAFTER), ("section-chief", Role.SECTION_CHIEF)):
        tokens[name] = identity.issue_token(identity.add_user(name, role, "Kaohe-Test-2026!")).token
    engine.dispose()
    return tokens


def catch_up(url: str) -> None:
    from services.bootstrap import build

    engine_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    settings = KaoheSettings(data_dir=Path("/tmp/kaohe-bench-catch-up"), database_url=engine_url)
    container = build(settings)
    try:
        container.operations.catch_up()
    finally:
        container.close()
    # The writes of the command phase leave work for autovacuum and the checkpointer; do it now, so it
    # does not land in the middle of the query phase.
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        conn.execute("CHECKPOINT")


def start_server(url: str, port: int, workers: int, data_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KAOHE_DATABASE_URL": url,
        "KAOHE_DATA_DIR": str(data_dir),
        "KAOHE_LOG_LEVEL": "WARNING",
        "KAOHE_LOG_FORMAT": "json",
    }
    if os.environ.get("BENCH_API_SERVER") == "granian":  # the comparison in docs/performance.md
        entry = data_dir / "granian_entry"
        entry.mkdir(parents=True, exist_ok=True)
        (entry / "kaohe_app.py").write_text("from services.asgi import create_app\napp = create_app()\n")
        env["PYTHONPATH"] = os.pathsep.join([str(entry), str(Path(__file__).resolve().parent.parent)])
        command = [
            sys.executable, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-ws",
            "kaohe_app:app",
        ]  # fmt: skip
        return _ready(subprocess.Popen(command, env=env, start_new_session=True), port)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "services.asgi:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(command, env=env, start_new_session=True)
    return _ready(proc, port)


def _ready(proc: subprocess.Popen[bytes], port: int) -> subprocess.Popen[bytes]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the API server did not become ready")


def setup_campaigns(base: str, tokens: dict[str, str]) -> list[str]:
    ids = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for n in range(CLIENTS):
            key = f"bench-{n}"
            for step in scenario.steps():
                if isinstance(step.command, SETUP):
                    command = step.command
                    if isinstance(command, campaign.OpenCampaign):
                        command = replace(command, campaign_id=key)
                    path, body = request_for(command, key)
                    user = "section-chief" if command.actor == scenario.SECTION_CHIEF else "drafter"
                    r = client.post(path, json=body, headers={"Authorization": f"Bearer {tokens[user]}"})
                    r.raise_for_status()
            ids.append(key)
    return ids


def submission_body(i: int) -> dict[str, Any]:
    _, body = request_for(
        next(s.command for s in scenario.steps() if isinstance(s.command, campaign.SubmitData)), "x"
    )
    body.pop("at", None)
    body["submission_id"] = f"sub-{i}"
    return body


def measured(coroutine: Any) -> Any:
    """One phase with the load generator's garbage collector paused: its pauses are not the server's."""
    gc.collect()
    gc.disable()
    try:
        return asyncio.run(coroutine)
    finally:
        gc.enable()


async def run_clients(  # noqa: PLR0917
    base: str, token: str, ids: list[str], per_client: int, query: bool, run: int = 0
) -> tuple[float, list[float]]:
    """Each client on its own keep-alive connection (bench/http_load.py: a load that costs little CPU)."""
    host, port = base.removeprefix("http://").split(":")
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    template = submission_body(0)

    async def client(n: int, campaign_id: str) -> None:
        async with LeanClient(host, int(port), headers) as http:
            for i in range(per_client):
                body = {**template, "submission_id": f"sub-{run * 10_000_000 + n * 100_000 + i}"}
                started = time.perf_counter()
                if query:
                    status, content = await http.request("GET", f"/campaigns/{campaign_id}/scores")
                else:
                    status, content = await http.request(
                        "POST", f"/campaigns/{campaign_id}/submissions", body
                    )
                latencies.append(time.perf_counter() - started)
                if status >= 300:
                    raise SystemExit(f"unexpected {status}: {content[:300]!r}")

    start = time.perf_counter()
    await asyncio.gather(*(client(n, cid) for n, cid in enumerate(ids)))
    return len(latencies) / (time.perf_counter() - start), latencies


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def _ms(latencies: list[float]) -> list[str]:
    return [f"{pct(latencies, 0.5):.1f}", f"{pct(latencies, 0.99):.1f}"]


def main() -> None:
    quick = "--quick" in sys.argv
    settings = Settings.from_env(quick=quick)
    per_client = 20 if quick else env_int("BENCH_API_COMMANDS", 150)
    workers = env_int("BENCH_API_WORKERS", 2)
    with postgres_databases(settings.pg_url) as dbs:
        raw_url = dbs.create("raw")
        raw = statistics.median(
            raw_insert_rate(raw_url, 500 if quick else 3000) for _ in range(settings.repeats)
        )
        url = dbs.create("api")
        tokens = prepare(url)
        port = free_port()
        server = start_server(url, port, workers, Path(f"/tmp/kaohe-bench-api-{port}"))
        try:
            base = f"http://127.0.0.1:{port}"
            ids = setup_campaigns(base, tokens)
            asyncio.run(run_clients(base, tokens["drafter"], ids, 3, query=False, run=1))  # warm up
            rate, lat = measured(run_clients(base, tokens["drafter"], ids, per_client, query=False, run=2))
            catch_up(
                url
            )  # what the workers do after the commands: the 赋分表 is then read from its projection
            asyncio.run(run_clients(base, tokens["drafter"], ids, 3, query=True))  # warm up
            qrate, qlat = measured(run_clients(base, tokens["drafter"], ids, per_client, query=True))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    rows = [
        ["raw INSERT, 1 row/txn (1 connection)", f"{raw:,.0f}", "", ""],
        [f"commands, {CLIENTS} clients, {workers} API workers", f"{rate:,.0f}", *_ms(lat)],
        [f"queries (scores), {CLIENTS} clients", f"{qrate:,.0f}", *_ms(qlat)],
    ]
    print(format_table(["measurement", "per s", "p50 ms", "p99 ms"], rows))
    if os.environ.get("BENCH_API_DETAIL"):
        for name, values in (("commands", lat), ("queries", qlat)):
            marks = ", ".join(f"p{int(p * 100)} {pct(values, p):.1f}" for p in (0.5, 0.9, 0.95, 0.98, 0.99))
            print(f"{name}: {marks}, max {max(values) * 1000:.1f} ms")
    print(target_line("api_commands_vs_raw_insert", rate / raw, 0.5))
    print(target_line("api_command_p99_50ms", 50 / pct(lat, 0.99), 1.0))
    print(target_line("api_query_p99_20ms", 20 / pct(qlat, 0.99), 1.0))


if __name__ == "__main__":
    main()
