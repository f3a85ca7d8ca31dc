"""Letter body from a Jinja2 template: the template writes light markup, parsed here into numbered blocks.

Markup: a blank line ends a paragraph; "# text" is a level-one heading (numbered 一、), "## " level two
(（一）), "### " level three (1.), "#### " level four (（1）). Lines of one paragraph are joined without a
space, as Chinese text has none. Numbers are assigned here, so a template never numbers by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

from services.letters.model import BodyBlock, Heading, Paragraph, ReportModelError
from services.letters.sandbox import environment, render_untrusted
from services.letters.text import heading_number

DEFAULT_TEMPLATES = {"assessment_result_letter": "assessment_result_letter.md.j2"}
"""Report type → our default body template (services/letters/templates/)."""


def default_template(report_type: str) -> str:
    try:
        name = DEFAULT_TEMPLATES[report_type]
    except KeyError:
        raise ReportModelError(f"no default body template for report type {report_type!r}") from None
    return (
        resources.files("services.letters").joinpath("templates").joinpath(name).read_text(encoding="utf-8")
    )


def render_body(
    context: Mapping[str, Any], *, report_type: str = "assessment_result_letter", template: str | None = None
) -> tuple[BodyBlock, ...]:
    """Render `template` (a campaign's own) or the report type's default, then parse the markup.

    A campaign's own template is text an official typed: it renders in a child process with a time, memory
    and output limit (services/letters/sandbox.py). Ours renders here, in the same sandbox rules.
    """
    if template is not None:
        return parse_markup(render_untrusted(template, context))
    return parse_markup(environment().from_string(default_template(report_type)).render(**context))


def parse_markup(text: str) -> tuple[BodyBlock, ...]:
    blocks: list[BodyBlock] = []
    counters = [0, 0, 0, 0]
    pending: list[str] = []

    def flush() -> None:
        if pending:
            blocks.append(Paragraph("".join(pending)))
            pending.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
            continue
        marks = len(line) - len(line.lstrip("#"))
        if marks and line[marks : marks + 1] == " ":
            flush()
            if marks > 4:
                raise ReportModelError(f"heading level {marks} is deeper than 4: {line!r}")
            counters[marks - 1] += 1
            counters[marks:] = [0] * (4 - marks)
            blocks.append(
                Heading(marks, heading_number(marks, counters[marks - 1]), line[marks + 1 :].strip())
            )
            continue
        pending.append(line)
    flush()
    return tuple(blocks)
