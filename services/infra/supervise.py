"""Several processes as one service: each in its own process group, restarted when it dies, stopped together.

A child that exits (whatever its code) is started again after a backoff: 1 s, doubling while it keeps dying
soon after a start, at most 30 s; a child that ran for a minute starts again from 1 s. A child that keeps
dying, ``give_up_restarts`` restarts within ``give_up_window`` seconds and dead again, makes the supervisor
stop everything and exit 1: a crash loop is a fault to fix, not to hide. Ctrl-C or SIGTERM stops every
child (SIGTERM to its group, SIGKILL after the grace period) and exits 0. A supervisor that is killed
outright takes its children with it: each is told (SIGTERM) by the kernel when its parent dies (Linux).

The supervisor keeps its children's state in a small JSON file (written whole: a temporary file, then a
rename) and tells the children where it is (``KAOHE_SERVE_STATE``), so the API child can say in /metrics
how often each child was restarted and in /ready whether the worker is running.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from services.infra.logs import get_logger

log = get_logger("kaohe.serve")
GRACE_SECONDS = 15.0
STATE_ENV = "KAOHE_SERVE_STATE"
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 1.0
    max_delay: float = 30.0
    stable_after: float = 60.0
    """A child that ran this long before dying is restarted after ``first_delay`` again."""
    give_up_restarts: int = 5
    give_up_window: float = 60.0
    """Dying again after ``give_up_restarts`` restarts within this many seconds stops the service."""


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    recent: list[float] = field(default_factory=list)
    failures: int = 0
    last_exit: int | None = None
    restart_at: float | None = None


@dataclass
class Supervisor:
    commands: Mapping[str, Sequence[str]]
    env: Mapping[str, str]
    state_file: Path | None = None
    policy: RestartPolicy = field(default_factory=RestartPolicy)
    children: dict[str, Child] = field(default_factory=dict)
    stopping: bool = False
    reason: str | None = None
    """Why the supervisor gave up (None after a clean stop)."""

    def run(self) -> int:
        """Start every command and keep them running until a signal asks us to stop. The exit code."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, argv in self.commands.items():
                self.children[name] = Child(name, list(argv))
                self._spawn(self.children[name])
            self._write_state()
            code = self._watch()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", signal=signal.Signals(signum).name)
        self.stopping = True

    def _child_env(self) -> dict[str, str]:
        env = dict(self.env)
        if self.state_file is not None:
            env[STATE_ENV] = str(self.state_file)
        return env

    def _spawn(self, child: Child) -> None:
        # A new session: the child and anything it forks form a group we can signal as one. If the
        # supervisor itself is killed (SIGKILL leaves it no time to stop anyone), the kernel sends each
        # child SIGTERM, so none is left running without it.
        # (The supervisor runs no threads of its own; the hook takes no Python lock.)
        arm = _die_with(os.getpid())
        child.process = subprocess.Popen(
            child.argv,
            env=self._child_env(),
            start_new_session=True,
            preexec_fn=arm,  # noqa: PLW1509
        )
        child.started = time.monotonic()
        child.restart_at = None
        log.info("process_started", child=child.name, pid=child.process.pid, restarts=child.restarts)

    def _watch(self) -> int:
        while not self.stopping:
            now = time.monotonic()
            for child in self.children.values():
                if child.process is not None and child.process.poll() is not None:
                    if not self._exited(child, now):
                        return 1
                    self._write_state()
                elif child.process is None and child.restart_at is not None and now >= child.restart_at:
                    child.restarts += 1
                    child.recent.append(now)
                    self._spawn(child)
                    self._write_state()
            time.sleep(POLL_SECONDS)
        return 0

    def _exited(self, child: Child, now: float) -> bool:
        """Schedule the restart of a child that exited; False when it keeps dying and we give up."""
        assert child.process is not None
        code = child.process.returncode
        _signal_group(child.process, signal.SIGKILL)  # what is left of its group (e.g. pool processes)
        child.process = None
        child.last_exit = code
        policy = self.policy
        if now - child.started >= policy.stable_after:
            child.failures = 0
        child.recent = [t for t in child.recent if now - t < policy.give_up_window]
        if len(child.recent) >= policy.give_up_restarts:
            self.reason = (
                f"the {child.name} process exited ({_describe(code)}) after {len(child.recent)} restarts "
                f"within {policy.give_up_window:g} s; stopping everything"
            )
            log.error(
                "giving_up",
                child=child.name,
                code=code,
                restarts=child.restarts,
                window_seconds=policy.give_up_window,
            )
            return False
        delay = min(policy.first_delay * 2**child.failures, policy.max_delay)
        child.failures += 1
        child.restart_at = now + delay
        log.warning(
            "process_exited",
            child=child.name,
            code=code,
            exit=_describe(code),
            restarts=child.restarts,
            restart_in=delay,
        )
        return True

    def stop(self) -> None:
        running = [c for c in self.children.values() if c.process is not None]
        for child in running:
            assert child.process is not None
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("process_killed", child=child.name, pid=child.process.pid)
            _signal_group(child.process, signal.SIGKILL)  # whatever is left of its group
            child.process.wait()
            child.process = None
        if self.state_file is not None:
            self.state_file.unlink(missing_ok=True)

    def state(self) -> dict[str, Any]:
        wall = time.time() - time.monotonic()
        return {
            "pid": os.getpid(),
            "children": {
                c.name: {
                    "pid": c.process.pid if c.process is not None else None,
                    "running": c.process is not None,
                    "restarts": c.restarts,
                    "last_exit": c.last_exit,
                    "restart_at": None if c.restart_at is None else round(wall + c.restart_at, 3),
                }
                for c in self.children.values()
            },
        }

    def _write_state(self) -> None:
        if self.state_file is None:
            return
        try:
            write_whole(self.state_file, json.dumps(self.state()))
        except OSError as exc:  # the state is for /metrics and /ready: never a reason to stop supervising
            log.warning("serve_state_not_written", path=str(self.state_file), error=str(exc))


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _describe(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"


def write_whole(path: Path, content: str) -> None:
    """A temporary file beside ``path``, then a rename: a reader sees the old content or the new."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---- what the children read ------------------------------------------------------------------------------


PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> Callable[[], None] | None:
    """Runs in the child between fork and exec (Linux): SIGTERM when the parent dies; survives exec."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def arm() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above: do as the kernel would
            os.kill(os.getpid(), signal.SIGTERM)

    return arm


def read_state(environ: Mapping[str, str] | None = None) -> dict[str, Any] | None:
    """The supervisor's state when this process runs under `kaohe serve` and the supervisor is alive."""
    path = (os.environ if environ is None else environ).get(STATE_ENV)
    if not path:
        return None
    try:
        state = json.loads(Path(path).read_text())
        pid = int(state["pid"])
        os.kill(pid, 0)  # a state file left by a supervisor that is gone tells nothing
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state if isinstance(state.get("children"), dict) else None


def restart_counts(environ: Mapping[str, str] | None = None) -> dict[str, int]:
    state = read_state(environ)
    if state is None:
        return {}
    return {name: int(child.get("restarts", 0)) for name, child in state["children"].items()}


WORKERS = {"worker": "no worker", "renderer": "no report worker"}
"""The children of `kaohe serve` that consume messages, and what their absence means."""


def worker_trouble(environ: Mapping[str, str] | None = None) -> str | None:
    """Why messages are not consumed right now, if the supervisor knows (None: running, or not known)."""
    state = read_state(environ)
    troubles = []
    for name, missing in WORKERS.items():
        child = state["children"].get(name) if state else None
        if not isinstance(child, dict) or child.get("running", True):
            continue
        code = child.get("last_exit")
        exited = (
            f"{missing}: it exited ({_describe(code)})" if isinstance(code, int) else f"{missing} running"
        )
        restart_at = child.get("restart_at")
        if isinstance(restart_at, int | float):
            exited += f"; restart in {max(0.0, restart_at - time.time()):.1f} s"
        troubles.append(exited)
    return "; ".join(troubles) or None
