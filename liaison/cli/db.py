from __future__ import annotations

import typer

from crm import migrate
from liaison.cli.common import load_settings

db_app = typer.Typer(no_args_is_help=True, help="The database schema.")


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply pending migrations (safe to run every start)."""
    settings = load_settings()
    migrate.upgrade(settings.database_url, revision)
    typer.echo("database is up to date")


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
