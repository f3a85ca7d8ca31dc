"""GET /metrics in the Prometheus text format."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST

from services.infra.metrics import Metrics


class MetricsController(Controller):
    tags = ["system"]

    @get("/metrics", sync_to_thread=True, include_in_schema=False)
    def metrics(self, metrics: NamedDependency[Metrics]) -> Response[bytes]:
        """Projection lag, worker tasks run and failed, appends."""
        return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)
