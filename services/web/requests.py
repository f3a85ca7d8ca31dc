"""Requests whose JSON numbers with a fraction or an exponent arrive as exact decimals, never as floats.

A score of ``1E-999999`` read as a float is ``0.0``: a valid score the domain could not tell from a real 0,
and ``1E+999999`` would not be a float at all. Read as decimals, the domain sees what was sent and refuses
it by name (domain/shared/values.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import SerializationException
from litestar.types import Empty

_DECODER = msgspec.json.Decoder(float_hook=Decimal)


class ExactRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        if self._json is Empty:
            if (known := self._connection_state.json) is not Empty:
                self._json = known
            else:
                body = await self.body()
                try:
                    decoded = _DECODER.decode(body or b"null")
                except msgspec.DecodeError as exc:
                    raise SerializationException(str(exc)) from exc
                self._json = self._connection_state.json = decoded
        return self._json
