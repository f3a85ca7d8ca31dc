"""GET /metrics (Prometheus text): with KAOHE_METRICS_TOKEN as a bearer token, or from loopback only."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from prometheus_client import CONTENT_TYPE_LATEST

from services.bootstrap import Container
from services.infra.metrics import Metrics
from services.web.addresses import client_address

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def may_read(request: Request[Any, Any, Any], token: str | None) -> bool:
    if token is None:
        host = client_address(request)
        return host in LOOPBACK or host.startswith("127.")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


class MetricsController(Controller):
    tags = ["system"]

    @get("/metrics", sync_to_thread=True, include_in_schema=False)
    def metrics(
        self,
        request: Request[Any, Any, Any],
        metrics: NamedDependency[Metrics],
        container: NamedDependency[Container],
    ) -> Response[bytes]:
        """Projection lag, worker tasks run and failed, appends."""
        if not may_read(request, container.settings.metrics_token):
            raise NotAuthorizedException(
                "send Authorization: Bearer <KAOHE_METRICS_TOKEN>, or read /metrics from the same machine"
            )
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
