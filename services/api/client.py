"""Turn a domain command into the HTTP request that asks the API for it (used by the demo and tests)."""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from services.api.generated import SERVER_FIELDS, CommandRoute
from services.api.routes import ROUTES


def route_for(command: Any) -> CommandRoute:
    for route in ROUTES:
        if isinstance(command, route.command) and type(command) is route.command and not route.operation:
            return route
    raise LookupError(f"no API route for {type(command).__name__}")


def request_for(command: Any, key: str | None = None) -> tuple[str, dict[str, Any]]:
    """The path and JSON body of the request that carries ``command`` (its time included).

    ``key`` names the stream (e.g. the campaign id) when the command itself does not carry it.
    """
    route = route_for(command)
    values = {f.name: getattr(command, f.name) for f in dataclasses.fields(command)}
    if key is not None:
        values.setdefault(route.key, key)
    path = route.path
    for name in (route.key, *route.path_fields):
        if not route.creates or name != route.key:
            path = path.replace("{" + name + ":str}", str(values[name]))
    skip = SERVER_FIELDS | set(route.path_fields) | set(route.inject)
    if not route.creates:
        skip |= {route.key}
    body = {k: v for k, v in values.items() if k not in skip}
    body["at"] = command.at
    return path, msgspec.to_builtins(body)
