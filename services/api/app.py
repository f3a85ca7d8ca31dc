"""The Litestar application factory: the one place that wires routes, auth, errors and OpenAPI."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from services.api.auth import PUBLIC_PATHS, BearerTokenMiddleware
from services.api.middleware import RequestContextMiddleware
from services.api.problems import EXCEPTION_HANDLERS
from services.api.reads import CampaignReads, DocumentReads, InboxReads, LogReads
from services.api.routes import command_handlers
from services.api.system import SystemController
from services.api.users import UserAdmin
from services.bootstrap import Container, build
from services.commands import CommandRunner
from services.logs import configure_logging
from services.settings import Settings
from services.usecases import UseCases

MAX_BODY_BYTES = 1024 * 1024
BrokerCheck = Callable[[], tuple[bool, str]]


def create_app(
    settings: Settings | None = None,
    container: Container | None = None,
    broker_check: BrokerCheck | None = None,
) -> Litestar:
    settings = settings or Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    container = container or build(settings)
    runner = CommandRunner(container.store)
    use_cases = UseCases(runner)
    app = Litestar(
        route_handlers=[
            SystemController,
            CampaignReads,
            DocumentReads,
            InboxReads,
            LogReads,
            UserAdmin,
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
        on_shutdown=[container.close],
        debug=False,
    )
    # Outside Litestar's own error handling, so 401s and 404s get a request id and an access line too.
    app.asgi_handler = RequestContextMiddleware(app.asgi_handler)
    app.state.container = container
    app.state.identity = container.identity
    app.state.runner = runner
    app.state.broker_check = broker_check
    return app
