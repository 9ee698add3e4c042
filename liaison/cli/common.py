"""What every command needs: validated settings, a migrated engine, a clear exit."""

from __future__ import annotations

import typer
from sqlalchemy.engine import Engine

from crm import settings as settings_module
from crm.db import engine_for
from crm.settings import Settings, SettingsError


def load_settings() -> Settings:
    try:
        return settings_module.get()
    except SettingsError as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None


def engine() -> Engine:
    return engine_for(load_settings().database_url)


def fail(message: str, code: int = 1) -> typer.Exit:
    typer.secho(message, fg=typer.colors.RED, err=True)
    return typer.Exit(code)
