"""The client's address, as the sign-in throttle and /metrics must see it, behind a reverse proxy or not.

Without ``KAOHE_TRUSTED_PROXIES`` the address is the TCP peer's, and ``X-Forwarded-For`` is ignored (anyone
can send it). With it, a request whose peer is one of those proxies is attributed to the right-most address
in ``X-Forwarded-For`` that is not itself a trusted proxy: the address the last trusted proxy saw. Behind a
proxy, without this, every official would share the proxy's address (one sign-in budget for all, and
/metrics open to anyone the proxy serves from the same host).
"""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar import Request

from services.infra.settings import Network

TRUSTED_STATE = "trusted_proxies"


def client_address(request: Request[Any, Any, Any]) -> str:
    peer = request.client.host if request.client else ""
    trusted: tuple[Network, ...] = request.app.state.get(TRUSTED_STATE, ())
    if not trusted or not _within(peer, trusted):
        return peer or "unknown"
    hops = [
        hop.strip() for value in request.headers.getall("x-forwarded-for", []) for hop in value.split(",")
    ]
    for hop in reversed([h for h in hops if h]):
        if not _within(hop, trusted):
            return hop if _address(hop) is not None else "unknown"
    return peer


def _within(text: str, networks: tuple[Network, ...]) -> bool:
    address = _address(text)
    return address is not None and any(address in network for network in networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None
