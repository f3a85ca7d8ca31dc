"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from prometheus_client import CONTENT_TYPE_LATEST

from services.metrics import Metrics


class MetricsController(Controller):
    tags = ["system"]

    @get("/metrics", sync_to_thread=True, include_in_schema=False)
    def metrics(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Projection lag, worker tasks run and failed, appends."""
        metrics: Metrics = request.app.state.metrics
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
