"""The officials' pages: server-rendered Chinese HTML, each handler parse → core → render.

Wire them with ``Litestar(plugins=[PagesPlugin(container)])``. Everything lives under ``/ui``; ``/`` leads
there. Handlers get the core's queries and acts from the app's dependencies (``core``, ``queries``).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from litestar import Router, get
from litestar.config.app import AppConfig
from litestar.middleware import DefineMiddleware
from litestar.plugins import InitPluginProtocol
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from services.bootstrap import Container
from services.identity.accounts import Identity
from services.identity.sessions import PageSessions
from services.pages.config import PageSettings
from services.pages.errors import PAGE_EXCEPTION_HANDLERS
from services.pages.guards import csrf_protected
from services.pages.login import LoginController
from services.pages.middleware import (
    CODEC_STATE,
    SESSIONS_STATE,
    THROTTLE_STATE,
    SessionMiddleware,
    load_session,
)
from services.pages.render import local
from services.pages.sessions import SessionCodec

HERE = Path(__file__).parent
# The JSON API's bearer middleware leaves these alone; the pages authenticate by session cookie.
NO_BEARER = {"exclude_from_auth": True}


def _controllers() -> list[Any]:
    from services.pages.account import AccountPages
    from services.pages.audit import AuditPages
    from services.pages.calendar import CalendarPages
    from services.pages.campaigns import CampaignPages
    from services.pages.document_actions import DocumentActions
    from services.pages.documents import DocumentPages
    from services.pages.reports import ReportPages
    from services.pages.workbench import Workbench

    return [
        LoginController,
        AccountPages,
        Workbench,
        CampaignPages,
        DocumentPages,
        DocumentActions,
        ReportPages,
        AuditPages,
        CalendarPages,
    ]


@get("/", include_in_schema=False, opt=NO_BEARER, sync_to_thread=False)
def home() -> Redirect:
    return Redirect("/ui/", status_code=303)


def pages_router(identity: Identity, sessions: PageSessions) -> Router:
    def load(session_id: str) -> Any:
        return load_session(identity, sessions, session_id)

    return Router(
        path="/",
        route_handlers=[*_controllers(), home],
        # A function, not the identity itself: Litestar deep-copies routers, and an engine cannot be copied.
        middleware=[DefineMiddleware(SessionMiddleware, load=load)],
        guards=[csrf_protected],
        exception_handlers=PAGE_EXCEPTION_HANDLERS,
        opt=NO_BEARER,
        include_in_schema=False,
    )


def static_router() -> Router:
    return create_static_files_router(
        path="/ui/static", directories=[HERE / "static"], opt=NO_BEARER, include_in_schema=False
    )


def _engine(engine: JinjaTemplateEngine) -> None:
    engine.engine.filters["local"] = local


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine, engine_callback=_engine)


class PagesPlugin(InitPluginProtocol):
    """Adds the pages, their static files, their templates and their session codec to an app."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        settings = PageSettings.from_env(self.container.settings.data_dir)
        sessions = PageSessions(
            self.container.engine,
            idle=timedelta(minutes=settings.idle_minutes),
            lifetime=timedelta(hours=settings.session_hours),
        )
        app_config.route_handlers.extend([pages_router(self.container.identity, sessions), static_router()])
        app_config.template_config = template_config()
        app_config.state[CODEC_STATE] = SessionCodec(settings)
        app_config.state[SESSIONS_STATE] = sessions
        app_config.state[THROTTLE_STATE] = self.container.throttle
        return app_config


__all__ = ["PagesPlugin", "pages_router", "static_router", "template_config"]
