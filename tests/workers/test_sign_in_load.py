"""A real `kaohe api` process: 40 sign-ins at once queue for the hasher, and the server keeps answering."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.workers.procs import KAOHE, base_env, eventually, free_port, kaohe, ready, start, stop

pytestmark = pytest.mark.slow
PASSWORD = "Kaohe-Test-2026!"


async def _load(base: str) -> tuple[list[int], float, int]:
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        done = False
        slowest = 0.0
        polls = 0

        async def poll_health() -> None:
            nonlocal slowest, polls
            while not done:
                started = time.perf_counter()
                assert (await client.get("/health")).status_code == 200
                slowest = max(slowest, time.perf_counter() - started)
                polls += 1
                await asyncio.sleep(0.05)

        poller = asyncio.create_task(poll_health())
        await asyncio.sleep(0.3)
        body = {"name": "drafter", "password": PASSWORD, "days": 1}
        answers = await asyncio.gather(*(client.post("/auth/tokens", json=body) for _ in range(40)))
        done = True
        await poller
    return [a.status_code for a in answers], slowest, polls


def test_forty_sign_ins_at_once_do_not_stall_other_requests(tmp_path: Path) -> None:
    env = base_env(tmp_path, KAOHE_LOG_LEVEL="WARNING")
    kaohe(["migrate"], env)
    kaohe(["users", "add", "drafter", "--role", "drafter", "--password-stdin"], env, stdin=PASSWORD + "\n")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start([*KAOHE, "api", "--port", str(port)], env, tmp_path / "api.log")
    try:
        eventually(lambda: ready(base), 30, "/ready")
        # In a thread of its own: the browser tests' session (Playwright's sync API) keeps an event loop
        # running in this thread when the whole suite runs.
        with ThreadPoolExecutor(1) as pool:
            statuses, slowest, polls = pool.submit(asyncio.run, _load(base)).result()
        assert statuses == [201] * 40, statuses
        assert polls >= 3
        assert slowest < 1.0, f"/health took {slowest:.2f} s while 40 sign-ins ran"
        assert httpx.get(f"{base}/metrics", timeout=5).status_code == 200  # loopback, no token set
    finally:
        stop(server)
