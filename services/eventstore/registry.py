"""Stored event types are contracts: a registered name, a schema version and upcasters for old payloads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]


@dataclass
class _TypeInfo:
    version: int
    upcasters: dict[int, Upcaster] = field(default_factory=dict)


class EventTypeRegistry:
    """Which event types may be stored, at which schema version, and how to read older versions."""

    def __init__(self) -> None:
        self._types: dict[str, _TypeInfo] = {}

    def register(self, type_name: str, version: int = 1) -> None:
        if version < 1:
            raise ValueError("schema versions start at 1")
        info = self._types.get(type_name)
        if info is not None and info.version != version:
            raise ValueError(f"{type_name!r} is already registered at version {info.version}")
        self._types.setdefault(type_name, _TypeInfo(version))

    def register_upcaster(self, type_name: str, from_version: int, upcaster: Upcaster) -> None:
        """``upcaster`` turns a payload of ``from_version`` into one of ``from_version + 1``."""
        info = self._types[type_name]
        if not 1 <= from_version < info.version:
            raise ValueError(f"{type_name!r}: no step from version {from_version} to {from_version + 1}")
        info.upcasters[from_version] = upcaster

    def names(self) -> list[str]:
        return sorted(self._types)

    def knows(self, type_name: str) -> bool:
        return type_name in self._types

    def is_outdated(self, type_name: str, version: int) -> bool:
        """Whether a stored payload of this version needs upcasting (unknown types never do)."""
        info = self._types.get(type_name)
        return info is not None and version < info.version

    def current_version(self, type_name: str) -> int:
        return self._types[type_name].version

    def upcast(self, type_name: str, version: int, data: Payload) -> tuple[int, Payload]:
        """The payload brought to the current version; unknown types are returned as stored."""
        info = self._types.get(type_name)
        if info is None:
            return version, data
        while version < info.version:
            try:
                step = info.upcasters[version]
            except KeyError:
                raise LookupError(f"{type_name!r}: no upcaster from version {version}") from None
            data = step(data)
            version += 1
        return version, data

    def check_complete(self) -> None:
        """Every type above version 1 has an upcaster for each older version."""
        for name, info in self._types.items():
            missing = [v for v in range(1, info.version) if v not in info.upcasters]
            if missing:
                raise LookupError(f"{name!r}: missing upcasters from versions {missing}")
