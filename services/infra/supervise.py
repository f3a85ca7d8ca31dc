"""Several processes as one service: each in its own process group, stopped together, none orphaned."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

from services.infra.logs import get_logger

log = get_logger("kaohe.serve")
GRACE_SECONDS = 15.0


@dataclass
class Supervisor:
    commands: Mapping[str, Sequence[str]]
    env: Mapping[str, str]
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    stopping: bool = False

    def run(self) -> int:
        """Start every command; when one exits or a signal asks us to stop, stop them all. The exit code."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, argv in self.commands.items():
                # A new session: the child and anything it forks form a group we can signal as one.
                self.children[name] = subprocess.Popen(list(argv), env=dict(self.env), start_new_session=True)
                log.info("process_started", process=name, pid=self.children[name].pid)
            code = self._watch()
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return code

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("stopping", signal=signal.Signals(signum).name)
        self.stopping = True

    def _watch(self) -> int:
        while not self.stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    log.error("process_exited", process=name, code=child.returncode)
                    return 1
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        for child in self.children.values():
            _signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for name, child in self.children.items():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("process_killed", process=name, pid=child.pid)
            _signal_group(child, signal.SIGKILL)  # whatever is left of its group (e.g. pool children)
            child.wait()
        self.children.clear()


def _signal_group(child: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, sig)
