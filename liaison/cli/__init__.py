"""The `crm` command: one sub-command group per area, each in its own module."""

from __future__ import annotations

import typer

from liaison import wiring
from liaison.cli import (
    analytics,
    db,
    demo,
    locate,
    outbox,
    prospects,
    report,
    serve,
    transfer,
    users,
)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Liaison: partner outreach CRM.")
db.register(app)
users.register(app)
demo.register(app)
transfer.register(app, partners=locate.register)
serve.register(app)
outbox.register(app)
report.register(app)
prospects.register(app)
analytics.register(app)


def main() -> None:
    wiring.connect()
    app()
