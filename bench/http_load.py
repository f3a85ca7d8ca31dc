"""A lean HTTP/1.1 keep-alive client for load generation: one connection per simulated client.

The load runs on the same two cores as the server and the database. httpx spends about a millisecond of
CPU per request, which the server then lacks; this client spends a few tens of microseconds, so what the
benchmark measures is the server. It speaks only what the benchmarks send: a request with an optional JSON
body, and responses with a Content-Length.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class LeanClient:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host = host
        self.port = port
        self.fixed = "".join(f"{k}: {v}\r\n" for k, v in {"Host": f"{host}:{port}", **headers}.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> LeanClient:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: Any) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()

    async def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        assert self.reader is not None and self.writer is not None
        payload = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        extra = (
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
            if body is not None
            else ""
        )
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.fixed}{extra}\r\n".encode("latin-1") + payload)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        content = await self.reader.readexactly(length) if length else b""
        return status, content
