"""Domain event base class, the type registry and the JSON mapping of event payloads."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar, TypeVar, Union, get_args, get_origin

JSON = dict[str, Any]
Upcaster = Callable[[JSON], JSON]
"""Turns a stored payload of one schema version into the next (pure: a new dict, the stored one untouched)."""

_REGISTRY: dict[str, type[Event]] = {}

E = TypeVar("E", bound="Event")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Event:
    """A fact that happened. Subclasses set TYPE (stable stored name) and VERSION (payload schema).

    Every event records when it happened (``at``, business time passed in by the caller, tz-aware)
    and who did it (``actor``, a user id). Role and acting-for unit travel in the store's metadata.
    """

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 1
    UPCASTERS: ClassVar[Mapping[int, Upcaster]] = {}
    """From each older VERSION to the next: stored payloads are never rewritten, they are read through
    these (the store applies them; ``services.bootstrap.domain_registry`` registers them)."""

    at: datetime
    actor: str


def register(cls: type[E]) -> type[E]:
    """Class decorator: add an event class to the registry under its stable TYPE name."""
    if not cls.TYPE:
        raise TypeError(f"{cls.__name__} has no TYPE")
    existing = _REGISTRY.get(cls.TYPE)
    if existing is not None and existing is not cls:
        raise TypeError(f"event type {cls.TYPE!r} already registered by {existing.__name__}")
    _REGISTRY[cls.TYPE] = cls
    return cls


def event_types() -> dict[str, type[Event]]:
    """All registered event classes by stored type name."""
    return dict(_REGISTRY)


def to_data(event: Event) -> JSON:
    """The event's payload as JSON-compatible primitives (no TYPE/VERSION: the store keeps those)."""
    return {f.name: _encode(getattr(event, f.name)) for f in dataclasses.fields(event)}


def from_data(type_name: str, data: JSON) -> Event:
    """Rebuild an event of the registered type from its (current-version) payload."""
    try:
        cls = _REGISTRY[type_name]
    except KeyError:
        raise UnknownEventType(type_name) from None
    event: Event = _decode_dataclass(cls, data)
    return event


class UnknownEventType(LookupError):
    def __init__(self, type_name: str) -> None:
        super().__init__(f"unknown event type {type_name!r}")
        self.type_name = type_name


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list | frozenset | set):
        items = [_encode(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, frozenset | set) else items
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, float):
        raise TypeError("floats are not allowed in events: use Decimal")
    raise TypeError(f"cannot encode {type(value).__name__} in an event")


def _decode_dataclass(cls: type[Any], data: JSON) -> Any:
    kwargs = {name: _decode(tp, data[name]) for name, tp in _field_types(cls) if name in data}
    return cls(**kwargs)


_FIELD_TYPES: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _field_types(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """Resolved field types per class (resolving annotations is slow; classes never change)."""
    found = _FIELD_TYPES.get(cls)
    if found is None:
        hints = typing.get_type_hints(cls)
        found = _FIELD_TYPES[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return found


def _decode(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return _decode(args[0], value) if len(args) == 1 else value
    if origin is tuple:
        items = get_args(tp)
        if len(items) == 2 and items[1] is Ellipsis:
            return tuple(_decode(items[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(items, value, strict=True))
    if origin in (frozenset, set):
        return frozenset(_decode(get_args(tp)[0], v) for v in value)
    if origin is dict:
        kt, vt = get_args(tp)
        return {_decode(kt, k): _decode(vt, v) for k, v in value.items()}
    if origin is typing.Literal:
        return value
    if tp is Decimal:
        return Decimal(value)
    if tp is datetime:
        return datetime.fromisoformat(value)
    if tp is date:
        return date.fromisoformat(value)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(value)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, value)
    return value
