"""The Litestar application: routes, auth, errors, OpenAPI, and the core handed to handlers by ``Provide``.

The parts come from the composition root (``services.bootstrap.build``); this module only wires them into
Litestar. Handlers name what they need as parameters (``core``, ``queries``, ``identity``, ...).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from typing import Any

from litestar import Litestar, Router
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from services.api.auth import PUBLIC_PATHS, BearerTokenMiddleware
from services.api.calendar_routes import CalendarReads
from services.api.command_routes import command_handlers
from services.api.metrics import MetricsController
from services.api.middleware import RequestContextMiddleware
from services.api.problems import EXCEPTION_HANDLERS
from services.api.read_routes import CampaignReads, DocumentReads, LogReads, WorkReads
from services.api.report_routes import ReportRoutes
from services.api.signin import SignInController
from services.api.system import SystemController
from services.api.users import MyAccount, OrganisationAdmin, UserAdmin
from services.bootstrap import Container, build, celery_waker
from services.identity.token_cache import TokenCache
from services.infra.broker import check_broker
from services.infra.dispatch import NoWaker, Waker
from services.infra.logs import configure_logging
from services.infra.metrics import Metrics
from services.infra.settings import Settings
from services.pages import PagesPlugin
from services.web.addresses import TRUSTED_STATE
from services.web.headers import SecurityHeaders
from services.web.requests import ExactRequest

MAX_BODY_BYTES = 1024 * 1024
BrokerCheck = Callable[[], tuple[bool, str]]


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    broker_check: BrokerCheck | None = None,
    waker: Waker | None = None,
) -> Litestar:
    """The API and the pages. Committed commands wake the workers through ``waker`` (default: Celery)."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    # Handlers are threads that mostly wait on the database. An append holds the log lock across a few
    # round trips; with the default 5 ms GIL switch interval the holder waits that long for the GIL after
    # each one, and every other append waits behind it (docs/performance.md). 0.5 ms keeps the lock short.
    sys.setswitchinterval(0.0005)
    container = container or build(settings)
    if waker is not None:
        container.waker = waker
    elif isinstance(container.waker, NoWaker):
        container.waker = celery_waker(settings)
    metrics = Metrics(container.engine)
    container.listeners.append(metrics.appended)
    check = broker_check or (lambda: check_broker(settings))
    tokens = TokenCache(settings.token_cache_seconds)
    container.identity.on_revoke.append(tokens.forget)
    app = Litestar(
        route_handlers=[api_router()],
        dependencies=dependencies(container, metrics, check),
        middleware=[
            DefineMiddleware(
                BearerTokenMiddleware, identity=container.identity, cache=tokens, exclude=PUBLIC_PATHS
            )
        ],
        logging_config=None,  # services.infra.logs owns logging
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=MAX_BODY_BYTES,
        request_class=ExactRequest,  # JSON numbers as exact decimals (services/web/requests.py)
        openapi_config=OpenAPIConfig(
            title="Kaohe (考核) API",
            version="0.2.0",
            description="Commands and queries of a performance assessment, from notice to submission.",
            path="/schema",
            render_plugins=[SwaggerRenderPlugin(), JsonRenderPlugin()],
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer")}
            ),
            security=[{"BearerToken": []}],
        ),
        on_startup=[_settle_memory],
        on_shutdown=[container.close],
        debug=False,
        plugins=[PagesPlugin(container)],  # the officials' pages under /ui (services/pages)
    )
    app.state[TRUSTED_STATE] = settings.trusted_proxies
    # Outside Litestar's own error handling, so 401s and 404s get a request id and an access line too.
    app.asgi_handler = SecurityHeaders(RequestContextMiddleware(app.asgi_handler))
    return app


def _settle_memory() -> None:
    """Move everything loaded at start (modules, the app, the schema) out of the collector's sight: a full
    collection would otherwise walk it all and pause every request for tens of milliseconds
    (docs/performance.md)."""
    gc.collect()
    gc.freeze()
    # Requests allocate many short-lived objects: collect the young generation less often (the default
    # 700 runs a collection every few requests).
    gc.set_threshold(20_000, 20, 20)


def api_router() -> Router:
    """Every API route in one router: a path with both a query and a command (GET and POST /campaigns)
    must be registered at once, or Litestar wraps the first handler twice and its OPTIONS clash."""
    return Router(
        path="/",
        route_handlers=[
            SystemController,
            CalendarReads,
            CampaignReads,
            DocumentReads,
            WorkReads,
            LogReads,
            MetricsController,
            UserAdmin,
            OrganisationAdmin,
            MyAccount,
            SignInController,
            ReportRoutes,
            *command_handlers(),
        ],
    )


def dependencies(container: Container, metrics: Metrics, broker_check: BrokerCheck) -> dict[str, Provide]:
    """What handlers may ask for by parameter name: the one set of parts this process runs on."""

    def value(thing: Any) -> Provide:
        return Provide(lambda: thing, use_cache=True, sync_to_thread=False)

    return {
        "container": value(container),
        "core": value(container.core),
        "queries": value(container.queries),
        "identity": value(container.identity),
        "metrics": value(metrics),
        "broker_check": value(broker_check),
    }
