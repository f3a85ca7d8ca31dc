"""History lines and tables as text for a terminal: who, in which role, what, why, on what basis."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import click

from domain.campaign.state import CampaignState
from services.app.views import RecordedEvent
from services.app.wording import REASON_KEYS, describe

REASON_LABELS = {
    "opinion": "意见",
    "text": "意见",
    "reason": "理由",
    "reasons": "理由",
    "decision_reasons": "理由",
    "outcome": "结论",
}


HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp"})


def clean(text: str) -> str:
    """Control and format characters (ESC, CR, bidi overrides, ...) shown as escapes, so a recorded value
    cannot start a line of its own, move the cursor or recolour the terminal of whoever reads the history."""
    if text.isprintable():
        return text
    return "".join(_escape(ch) if unicodedata.category(ch) in HIDDEN else ch for ch in text)


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def echo(text: str = "", err: bool = False) -> None:
    click.echo(clean(text), err=err)


def names_of(state: CampaignState) -> dict[str, dict[str, str]]:
    units = {u.code: u.name for u in state.units.values()}
    indicators = {i.code: i.short_name or i.name for i in state.indicators.values()}
    return {"units": units, "indicators": indicators}


def readable(event: RecordedEvent, names: dict[str, dict[str, str]]) -> RecordedEvent:
    """The event with unit and indicator codes spelled out by name, for the action's wording."""
    data = dict(event.data)
    if isinstance(data.get("unit"), str) and data["unit"] in names["units"]:
        data["unit"] = f"{data['unit']} {names['units'][data['unit']]}"
    if isinstance(data.get("indicator"), str) and data["indicator"] in names["indicators"]:
        data["indicator"] = names["indicators"][data["indicator"]]
    return event._replace(data=data)


def reason_of(data: dict[str, Any]) -> tuple[str, str] | None:
    for key in REASON_KEYS:
        value = data.get(key)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            value = "；".join(value)
        if isinstance(value, str) and value:
            return REASON_LABELS.get(key, "理由"), value
    return None


def when_of(event: RecordedEvent) -> str:
    at = event.data.get("at")
    if isinstance(at, str):
        try:
            return datetime.fromisoformat(at).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            return at
    return event.recorded_at.strftime("%Y-%m-%d %H:%M UTC")


def record_of(event: RecordedEvent, names: dict[str, dict[str, str]]) -> dict[str, Any]:
    line = describe(readable(event, names))
    reason = reason_of(event.data)
    return {
        "position": event.position,
        "stream_id": event.stream_id,
        "type": event.type,
        "at": event.data.get("at"),
        "recorded_at": event.recorded_at.isoformat(),
        "actor": line.actor,
        "role": event.metadata.get("role"),
        "role_label": line.role,
        "acting_for": event.metadata.get("acting_for"),
        "action": line.action,
        "reason": reason[1] if reason else None,
        "basis": line.basis,
    }


def runs(events: list[RecordedEvent], fold: bool) -> Iterator[list[RecordedEvent]]:
    """Consecutive events that differ only in their unit (one decision for many units) go together."""
    run: list[RecordedEvent] = []
    for event in events:
        if run and fold and _same_decision(run[-1], event):
            run.append(event)
            continue
        if run:
            yield run
        run = [event]
    if run:
        yield run


def _same_decision(a: RecordedEvent, b: RecordedEvent) -> bool:
    if b.position != a.position + 1 or (a.stream_id, a.type) != (b.stream_id, b.type):
        return False
    if not (isinstance(a.data.get("unit"), str) and isinstance(b.data.get("unit"), str)):
        return False
    rest_a = {k: v for k, v in a.data.items() if k != "unit"}
    rest_b = {k: v for k, v in b.data.items() if k != "unit"}
    return rest_a == rest_b and a.metadata.get("actor") == b.metadata.get("actor")


def print_run(run: list[RecordedEvent], names: dict[str, dict[str, str]]) -> None:
    event = run[0]
    if len(run) == 1:
        line = describe(readable(event, names))
        position = f"{event.position:>11}"
    else:
        first = names["units"].get(event.data["unit"], event.data["unit"])
        data = {**event.data, "unit": f"{first}等{len(run)}个单位"}
        line = describe(readable(event._replace(data=data), names))
        position = f"{f'{event.position}–{run[-1].position}':>11}"
    actor = who(line.actor, line.role, event.metadata.get("acting_for"))
    echo(f"{position}  {when_of(event)}  {pad(actor, 30)}  {line.action}")
    indent = " " * 31
    reason = reason_of(event.data)
    if reason is not None:
        echo(f"{indent}{reason[0]}：{reason[1]}")
    if line.basis:
        echo(f"{indent}依据：{line.basis}")


def who(actor: str | None, role: str | None, unit: Any) -> str:
    """drafter（经办人）, or bianban-liaison（会商单位·市委编办） for someone acting for an outside unit."""
    label = "·".join(str(p) for p in (role, unit) if p)
    return f"{actor or '-'}（{label}）" if label else (actor or "-")


def width(text: str) -> int:
    """Columns on a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def print_table(header: list[str], rows: list[list[str]]) -> None:
    widths = [max(width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        echo("  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
