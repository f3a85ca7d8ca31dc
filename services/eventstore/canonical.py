"""Canonical JSON bytes and the hash chain: what an auditor recomputes to trust the log."""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64


class PreEncoded(str):
    """A JSON document already in canonical form; the engine stores it without re-encoding."""

    __slots__ = ()


class NotCanonical(ValueError):
    """The value cannot be stored as canonical JSON (float, NUL character, non-string key, ...)."""


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, no floats: the same value always gives the same text."""
    _check(value, "$")
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise NotCanonical("text is not valid Unicode (a lone surrogate)") from None
    return text


_SCALARS = (type(None), bool, int)


def _check(value: Any, path: str) -> None:
    kind = type(value)
    if kind is str:
        if "\x00" in value:
            raise NotCanonical(f"{path}: text may not contain a NUL character")
    elif kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                raise NotCanonical(f"{path}: object keys must be strings, not {type(key).__name__}")
            if type(item) is not str or "\x00" in item or "\x00" in key:
                _check(key, path)
                _check(item, f"{path}.{key}")
    elif kind is list or kind is tuple:
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
    elif kind not in _SCALARS:
        _refuse(value, path)


def _refuse(value: Any, path: str) -> None:
    """Anything but the exact JSON types: subclasses are checked as their base, the rest refused."""
    bases: tuple[type[Any], ...] = (str, dict, list, tuple)
    for base in bases:
        if isinstance(value, base):
            _check(base(value), path)
            return
    if isinstance(value, bool | int):
        return
    if isinstance(value, float):
        what = "a non-finite number" if not math.isfinite(value) else "a float"
        raise NotCanonical(f"{path}: {what} cannot be stored exactly; use a decimal string")
    raise NotCanonical(f"{path}: {type(value).__name__} is not JSON-serialisable")


def format_time(moment: datetime) -> str:
    """UTC, microseconds always shown, so the text (and the hash) does not depend on the database."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(
    *,
    prev_hash: str,
    position: int,
    stream_id: str,
    version: int,
    event_id: str,
    type: str,
    schema_version: int,
    data_json: str,
    metadata_json: str,
    recorded_at: str,
) -> str:
    """sha256 over the previous hash and the event's canonical bytes, fields in a fixed order."""
    header = json.dumps(
        [prev_hash, position, stream_id, version, event_id, type, schema_version, recorded_at],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256()
    for part in (header, data_json, metadata_json):
        encoded = part.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return digest.hexdigest()
