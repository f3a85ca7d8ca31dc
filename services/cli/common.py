"""What every `kaohe` command shares: settings from the environment, logging, failing with a message."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from services.infra.logs import configure_logging
from services.infra.settings import Settings, SettingsError


def fail(message: str) -> NoReturn:
    click.echo(f"kaohe: {message}", err=True)
    sys.exit(1)


def load_settings() -> Settings:
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
    configure_logging(settings.log_format, settings.log_level)
    return settings
