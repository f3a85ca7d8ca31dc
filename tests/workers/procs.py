"""Helpers for tests that run real processes: free ports, polling, process trees, clean stops."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")
KAOHE = [sys.executable, "-m", "services.cli.main"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def eventually(check: Callable[[], T | None], timeout: float, what: str, every: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        try:
            found = check()
        except Exception:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def start(argv: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A child in its own process group, its output in ``log``."""
    out = log.open("ab")
    return subprocess.Popen(
        list(argv), env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop(child: subprocess.Popen[bytes], sig: signal.Signals = signal.SIGTERM, timeout: float = 20) -> None:
    try:
        os.killpg(child.pid, sig)
        child.wait(timeout=timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def ready(base: str) -> bool:
    return httpx.get(f"{base}/ready", timeout=2).status_code == 200


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAOHE_")}
    env.update({"KAOHE_DATA_DIR": str(data_dir), "KAOHE_LOG_FORMAT": "json", "KAOHE_LOG_LEVEL": "INFO"})
    env.update(extra)
    return env


def kaohe(args: Sequence[str], env: Mapping[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        [*KAOHE, *args], env=dict(env), input=stdin, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def token_for(env: Mapping[str, str], name: str, role: str, unit: str | None = None) -> str:
    """A user (a unit account with its organisation, registered first if need be) and a token."""
    if unit and unit not in {line.split("\t")[0] for line in kaohe(["org", "list"], env).splitlines()}:
        kind = "co_lead_body" if role == "co_lead_unit" else "county"
        kaohe(["org", "add", unit, "--kind", kind], env)
    args = ["users", "add", name, "--role", role, "--password-stdin", *(["--org", unit] if unit else [])]
    kaohe(args, env, stdin="Kaohe-Test-2026!\n")
    return kaohe(["token", name], env)
