"""Soak: `kaohe serve` on the embedded defaults under a bounded mixed load; its workers killed.

The load: command clients (data submissions, each on its own campaign), a report requester, a reader of the
API and the pages, and a health probe every half second. Twice during the run a worker is killed with
SIGKILL (first the projections worker, then the report worker); `kaohe serve` must start each again. At the
end every command the API acknowledged must be in the log, the service must never have been down, and every
report requested must have reached an end (rendered, failed or cancelled).

    python bench/soak.py                 SOAK_MINUTES (default 10), SOAK_CLIENTS (default 4)
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import env_int, target_line
from domain import campaign
from services.api.client import request_for
from services.seed import scenario

SETUP = (
    campaign.OpenCampaign,
    campaign.RegisterUnits,
    campaign.AssignIndicators,
    campaign.IssueDeployment,
    campaign.OpenCollection,
)
PASSWORD = "Soak-run-Kaohe-2026!"
USERS = {"drafter": "drafter", "section-chief": "section_chief", "auditor": "auditor"}


@dataclass
class Tally:
    sent: int = 0
    acknowledged: int = 0
    refused: int = 0
    errors: int = 0
    reports: int = 0
    reads: int = 0
    read_errors: int = 0
    down_seconds: float = 0.0
    longest_down: float = 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kaohe(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    command = [sys.executable, "-m", "services.cli.main", *args]
    done = subprocess.run(
        command, env=env, input=stdin, capture_output=True, text=True, timeout=120, check=True
    )
    return done.stdout.strip()


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def worker_pid(serve: int, queues: str) -> int | None:
    """The pid of serve's `kaohe worker --queues <queues>` child (projections: worker; reports: renderer)."""
    for pid in children(serve):
        try:
            argv = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if any(arg.startswith(f"kaohe-{queues}@".encode()) for arg in argv):  # celery's --hostname
            return pid
    return None


def setup(client: httpx.Client, tokens: dict[str, str], count: int) -> list[str]:
    ids = []
    for n in range(count):
        key = f"soak-{n}"
        for step in scenario.steps():
            if isinstance(step.command, SETUP):
                command = step.command
                if isinstance(command, campaign.OpenCampaign):
                    command = replace(command, campaign_id=key)
                path, body = request_for(command, key)
                user = "section-chief" if command.actor == scenario.SECTION_CHIEF else "drafter"
                client.post(path, json=body, headers=bearer(tokens[user])).raise_for_status()
        ids.append(key)
    return ids


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def main() -> None:
    minutes = float(os.environ.get("SOAK_MINUTES", "10"))
    clients = env_int("SOAK_CLIENTS", 4)
    data = Path(tempfile.mkdtemp(prefix="kaohe-soak-"))
    env = {
        **os.environ,
        "KAOHE_DATA_DIR": str(data),
        "KAOHE_LOG_LEVEL": "WARNING",
        "KAOHE_LOG_FORMAT": "json",
    }
    env.pop("KAOHE_DATABASE_URL", None)
    env.pop("KAOHE_BROKER_URL", None)
    kaohe(env, "migrate")
    tokens = {}
    for name, role in USERS.items():
        kaohe(env, "users", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        tokens[name] = kaohe(env, "token", name)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (data / "serve.log").open("wb")
    serve = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    tally = Tally()
    stop = threading.Event()
    lock = threading.Lock()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        with httpx.Client(base_url=base, timeout=30) as client:
            ids = setup(client, tokens, clients)
        submit = next(s.command for s in scenario.steps() if isinstance(s.command, campaign.SubmitData))
        template = request_for(submit, "x")[1]
        template.pop("at", None)

        def commands(n: int, campaign_id: str) -> None:
            with httpx.Client(base_url=base, timeout=30, headers=bearer(tokens["drafter"])) as http:
                i = 0
                while not stop.is_set():
                    body = {**template, "submission_id": f"soak-{n}-{i}"}
                    i += 1
                    with lock:
                        tally.sent += 1
                    try:
                        r = http.post(f"/campaigns/{campaign_id}/submissions", json=body)
                    except httpx.HTTPError:
                        with lock:
                            tally.errors += 1
                        time.sleep(0.5)
                        continue
                    with lock:
                        if r.status_code in (200, 201):
                            tally.acknowledged += 1
                        elif r.status_code < 500:
                            tally.refused += 1
                        else:
                            tally.errors += 1
                    time.sleep(0.2)  # bounded: about five commands a second per client

        def reports() -> None:
            with httpx.Client(base_url=base, timeout=30, headers=bearer(tokens["drafter"])) as http:
                while not stop.wait(20):
                    try:
                        if http.post(f"/campaigns/{ids[0]}/reports", json={}).status_code == 202:
                            with lock:
                                tally.reports += 1
                    except httpx.HTTPError:
                        pass

        def reader() -> None:
            with httpx.Client(base_url=base, timeout=30) as http:
                while not stop.wait(0.5):
                    for path in (f"/campaigns/{ids[0]}/scores", "/overview", "/ui/login"):
                        try:
                            ok = http.get(path, headers=bearer(tokens["auditor"])).status_code < 500
                        except httpx.HTTPError:
                            ok = False
                        with lock:
                            tally.reads += 1
                            tally.read_errors += 0 if ok else 1

        def probe() -> None:
            down_since: float | None = None
            while not stop.wait(0.5):
                try:
                    up = httpx.get(f"{base}/health", timeout=2).status_code == 200
                except httpx.HTTPError:
                    up = False
                now = time.monotonic()
                if not up and down_since is None:
                    down_since = now
                if up and down_since is not None:
                    with lock:
                        tally.down_seconds += now - down_since
                        tally.longest_down = max(tally.longest_down, now - down_since)
                    down_since = None

        threads = [threading.Thread(target=commands, args=(n, c), daemon=True) for n, c in enumerate(ids)]
        threads += [threading.Thread(target=f, daemon=True) for f in (reports, reader, probe)]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        kills = 0
        for fraction, queues in ((1 / 3, "projections"), (2 / 3, "reports")):
            time.sleep(max(0.0, started + minutes * 60 * fraction - time.monotonic()))
            pid = worker_pid(serve.pid, queues)
            if pid is not None:
                os.kill(pid, signal.SIGKILL)
                kills += 1
                print(
                    f"soak: killed the {queues} worker (pid {pid}) at {time.monotonic() - started:.0f} s",
                    flush=True,
                )
        time.sleep(max(0.0, started + minutes * 60 - time.monotonic()))
        stop.set()
        for thread in threads:
            thread.join(timeout=40)
        ended = wait_for_reports(data, 300)
        alive = serve.poll() is None
        restarts = worker_restarts(base)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGTERM)
            serve.wait(timeout=60)
        log.close()
    stored = count(data, "SELECT count(*) FROM events WHERE type = 'DataSubmitted'")
    requested = count(data, "SELECT count(*) FROM events WHERE type = 'ReportRequested'")
    print(f"minutes: {minutes:g}; clients: {clients}; data: {data}")
    print(f"commands sent {tally.sent}, acknowledged {tally.acknowledged}, stored {stored}, "
          f"refused {tally.refused}, errors {tally.errors}")  # fmt: skip
    print(
        f"reads {tally.reads}, read errors {tally.read_errors}; reports requested {requested}, ended {ended}"
    )
    print(f"worker killed {kills} times; restarted {restarts}; service alive at the end: {alive}; "
          f"down {tally.down_seconds:.1f} s (longest {tally.longest_down:.1f} s)")  # fmt: skip
    crashes = (0 if alive else 1) + (1 if tally.longest_down > 5 else 0)
    lost = tally.acknowledged - stored
    print(f"crashes of the service {crashes}; acknowledged commands not stored {lost}; reports stuck "
          f"{requested - ended}")  # fmt: skip
    print(target_line("soak_no_downtime", 1.0 if crashes == 0 and lost == 0 else 0.0, 1.0))
    print(target_line("soak_no_stuck_reports", ended / requested if requested else 1.0, 1.0))


def worker_restarts(base: str) -> int:
    """The supervisor's own count, as /metrics reports it."""
    try:
        text = httpx.get(f"{base}/metrics", timeout=5).text
    except httpx.HTTPError:
        return -1
    found = re.findall(r'kaohe_serve_child_restarts_total\{child="(?:worker|renderer)"\} ([0-9.]+)', text)
    return sum(int(float(n)) for n in found)


def count(data: Path, sql: str) -> int:
    with sqlite3.connect(data / "kaohe.sqlite3") as conn:
        return int(conn.execute(sql).fetchone()[0])


def wait_for_reports(data: Path, seconds: float) -> int:
    """How many requested reports reached an end (rendered, failed, cancelled) within the grace period."""
    deadline = time.monotonic() + seconds
    ended = 0
    while time.monotonic() < deadline:
        requested = count(data, "SELECT count(*) FROM events WHERE type = 'ReportRequested'")
        ended = count(
            data,
            "SELECT count(DISTINCT stream_id) FROM events WHERE type IN "
            "('ReportRendered', 'ReportCancelled') OR (type = 'ReportFailed')",
        )
        if ended >= requested:
            return ended
        time.sleep(2)
    return ended


if __name__ == "__main__":
    main()
