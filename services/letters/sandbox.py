"""A campaign's own letter template, rendered where it cannot hold a worker: a child process with a time,
memory and output limit, in Jinja2's sandbox.

A template is text an official typed. Two nested ``range(100000)`` loops kept both worker threads busy for
good, and a recursive macro or an unknown name failed without a word. Here every way a template can go
wrong ends the same way: a ``ReportModelError`` with a reason an official can read, within the limits.
"""

from __future__ import annotations

import pickle
import resource
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from services.letters.model import ReportModelError

SECONDS = 10.0
"""The longest a template may render (the seed's letter takes a few milliseconds)."""
MEMORY_BYTES = 512 * 1024 * 1024
OUTPUT_CHARACTERS = 1_000_000
"""A letter body is a few thousand characters; a million is far beyond any real one."""
RANGE_ITEMS = 10_000


def environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["range"] = _bounded_range
    return env


def render_untrusted(source: str, context: Mapping[str, Any]) -> str:
    """The template's text output, or a ReportModelError (in Chinese) when it breaks a rule or a limit.

    The child is a new interpreter (``python -m services.letters.sandbox``), not a multiprocessing child:
    a Celery prefork pool process is daemonic and may not have multiprocessing children, and a fresh
    process never inherits a thread's locks. The template and context go in, the result comes out, pickled
    over its pipes (our own code on both ends).
    """
    child = subprocess.Popen(
        [sys.executable, "-m", "services.letters.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        out, _ = child.communicate(pickle.dumps((source, dict(context))), timeout=SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(5)
        raise ReportModelError(
            f"报告模板渲染超过时限（{SECONDS:.0f}秒），已停止；请检查模板中的循环"
        ) from None
    except BaseException:  # e.g. Celery's soft time limit: the child goes with the task
        child.kill()
        child.wait(5)
        raise
    try:
        kind, value = pickle.loads(out)
    except (pickle.UnpicklingError, EOFError, ValueError):
        raise ReportModelError("报告模板渲染中止（超出内存上限或进程异常退出）") from None
    if kind != "ok":
        raise ReportModelError(value)
    return str(value)


def _child() -> None:
    """The child's whole life: read the job from stdin, render within the memory limit, answer on stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    source, context = pickle.loads(sys.stdin.buffer.read())
    try:
        answer = ("ok", _render(source, context))
    except BaseException as exc:  # every failure becomes a reason; the parent records it
        answer = ("error", reason(exc))
    sys.stdout.buffer.write(pickle.dumps(answer))
    sys.stdout.buffer.flush()


def _render(source: str, context: dict[str, Any]) -> str:
    written = 0
    parts = []
    for chunk in environment().from_string(source).generate(**context):
        written += len(chunk)
        if written > OUTPUT_CHARACTERS:
            raise _TooLong()
        parts.append(chunk)
    return "".join(parts)


class _TooLong(Exception):
    pass


def _bounded_range(*args: int) -> range:
    found = range(*args)
    if len(found) > RANGE_ITEMS:
        raise SecurityError(f"range() of {len(found)} items (at most {RANGE_ITEMS})")
    return found


def reason(exc: BaseException) -> str:
    """What went wrong, for the official who set the template."""
    if isinstance(exc, TemplateSyntaxError):
        return f"报告模板第{exc.lineno}行有语法错误：{exc.message}"
    if isinstance(exc, UndefinedError):
        return f"报告模板引用了不存在的内容：{exc.message}"
    if isinstance(exc, SecurityError):
        return f"报告模板使用了不允许的操作：{exc}"
    if isinstance(exc, RecursionError):
        return "报告模板递归过深（宏调用自身未结束）"
    if isinstance(exc, MemoryError):
        return "报告模板渲染占用内存超过上限"
    if isinstance(exc, _TooLong):
        return f"报告模板输出超过{OUTPUT_CHARACTERS}个字符"
    return f"报告模板无法渲染：{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    _child()
