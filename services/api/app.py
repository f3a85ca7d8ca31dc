"""The Litestar application factory: the one place that wires routes, auth, errors and OpenAPI."""

from __future__ import annotations

import sys
from collections.abc import Callable

from litestar import Litestar
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from services.api.auth import PUBLIC_PATHS, BearerTokenMiddleware
from services.api.metrics import MetricsController
from services.api.middleware import RequestContextMiddleware
from services.api.problems import EXCEPTION_HANDLERS
from services.api.projected import ProjectedReads
from services.api.reads import CampaignReads, DocumentReads, LogReads
from services.api.reports_api import ReportRoutes
from services.api.routes import command_handlers
from services.api.system import SystemController
from services.api.users import UserAdmin
from services.bootstrap import Container, build
from services.broker import check_broker
from services.commands import CommandResult, CommandRunner, RequestInfo
from services.dispatch import BackgroundWaker, Waker, install_signals, producer
from services.logs import configure_logging
from services.metrics import Metrics
from services.pages import PagesPlugin
from services.projections.reads import ProjectionReader
from services.projections.registry import PROJECTIONS
from services.settings import Settings
from services.usecases import UseCases

MAX_BODY_BYTES = 1024 * 1024
BrokerCheck = Callable[[], tuple[bool, str]]


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    broker_check: BrokerCheck | None = None,
    waker: Waker | None = None,
) -> Litestar:
    """The API. Committed commands wake the workers through ``waker`` (by default, Celery messages)."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    # Handlers are threads that mostly wait on the database. An append holds the log lock across a few
    # round trips; with the default 5 ms GIL switch interval the holder waits that long for the GIL after
    # each one, and every other append waits behind it (docs/performance.md). 0.5 ms keeps the lock short.
    sys.setswitchinterval(0.0005)
    container = container or build(settings)
    if waker is None:
        install_signals()
        waker = BackgroundWaker(producer(settings), PROJECTIONS)
    metrics = Metrics(container.engine)
    runner = CommandRunner(container.store, after_append=_after_append(waker, metrics))
    use_cases = UseCases(runner)
    app = Litestar(
        route_handlers=[
            SystemController,
            CampaignReads,
            DocumentReads,
            ProjectedReads,
            LogReads,
            MetricsController,
            UserAdmin,
            ReportRoutes,
            *command_handlers(use_cases),
        ],
        middleware=[DefineMiddleware(BearerTokenMiddleware, exclude=PUBLIC_PATHS)],
        logging_config=None,  # services.logs owns logging
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY_BYTES,
        openapi_config=OpenAPIConfig(
            title="Kaohe (考核) API",
            version="0.1.0",
            description="Commands and queries of a performance assessment, from notice to submission.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), JsonRenderPlugin()],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        on_shutdown=[waker.close, container.close],
        debug=False,
        plugins=[PagesPlugin()],  # the officials' pages under /ui (services/pages)
    )
    # Outside Litestar's own error handling, so 401s and 404s get a request id and an access line too.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    app.state.container = container
    app.state.identity = container.identity
    app.state.runner = runner
    app.state.broker_check = broker_check or (lambda: check_broker(settings))
    app.state.reader = ProjectionReader(container.engine, container.store, settings.read_wait_seconds)
    app.state.metrics = metrics
    # Render requests go to the workers through the same producer as the wake-ups (none: tests, tools).
    app.state.report_sender = getattr(waker, "app", None)
    return app


def _after_append(waker: Waker, metrics: Metrics) -> Callable[[CommandResult, RequestInfo], None]:
    def after_append(result: CommandResult, request: RequestInfo) -> None:
        metrics.appended(len(result.events))
        waker.wake(request.request_id)

    return after_append
