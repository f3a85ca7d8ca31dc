"""Turn a domain command into the HTTP request that asks the API for it (used by the demo and tests)."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from services.api.command_routes import PATHS
from services.app.acts import ACT_LIST, SERVER_FIELDS, Act


def route_for(command: Any) -> Act:
    """The act that runs ``command`` (the first one, where two acts share a command)."""
    for act in ACT_LIST:
        if type(command) is act.command:
            return act
    raise LookupError(f"no API route for {type(command).__name__}")


def request_for(command: Any, key: str | None = None) -> tuple[str, dict[str, Any]]:
    """The path and JSON body of the request that carries ``command`` (its time included).

    ``key`` names the stream (e.g. the campaign id) when the command itself does not carry it.
    """
    act = route_for(command)
    values = {f.name: getattr(command, f.name) for f in dataclasses.fields(command)}
    if key is not None:
        values.setdefault(act.key, key)
    path = PATHS[act.name]
    for name in (act.key, *act.address):
        if not act.creates or name != act.key:
            path = path.replace("{" + name + ":str}", str(values[name]))
    skip = SERVER_FIELDS | set(act.address) | (set(act.inject) - {n for n, _, _ in act.extra})
    if not act.creates:
        skip |= {act.key}
    body = {k: v for k, v in values.items() if k not in skip}
    body["at"] = command.at
    return path, msgspec.to_builtins(body)
