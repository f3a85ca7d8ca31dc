"""The demo's own server: `kaohe serve` (API, worker and beat) as a child on a free port, stopped after."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from services.demo.client import DemoError
from services.infra.settings import Settings

START_SECONDS = 120.0
STOP_SECONDS = 40.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_argv(port: int) -> list[str]:
    return [sys.executable, "-m", "services.cli.main", "serve", "--host", "127.0.0.1", "--port", str(port)]


@contextmanager
def local_server(settings: Settings, log: Path) -> Iterator[str]:
    """`kaohe serve` on this data folder (and whatever KAOHE_DATABASE_URL / KAOHE_BROKER_URL say).

    Its output goes to ``log``. SIGTERM on the way out; `kaohe serve` stops its API, worker and beat.
    """
    port = free_port()
    env = {**os.environ, "KAOHE_DATA_DIR": str(settings.data_dir)}
    env.setdefault("KAOHE_LOG_FORMAT", "json")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        child = subprocess.Popen(
            serve_argv(port), env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, child, log)
        yield base
    finally:
        _stop(child)


def _wait_ready(base: str, child: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise DemoError(f"the server stopped while starting (exit {child.returncode}); see {log}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        time.sleep(0.25)
    raise DemoError(f"the server was not ready after {START_SECONDS:.0f} s; see {log}")


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signal.SIGTERM)
    try:
        child.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
