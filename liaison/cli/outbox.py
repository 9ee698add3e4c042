from __future__ import annotations

import json
from datetime import datetime

import typer

from campaigns.mail.outbox import status_counts
from crm import clock
from crm.db import session_scope
from crm.vocab import MessageStatus
from liaison.cli.common import engine, fail, load_settings
from liaison.scheduler.jobs import run_all_due

outbox_app = typer.Typer(no_args_is_help=True, help="The email outbox.")


def _parse_now(value: str | None, zone) -> datetime:  # type: ignore[no-untyped-def]
    if value is None:
        return clock.now()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise fail(f"--now {value!r} is not an ISO time such as 2026-11-30T09:00", 2) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def send_due(
    now: str = typer.Option(
        None,
        "--now",
        help="Act as if it were this time (ISO 8601; practice time zone if none given).",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Run one pass of all due work: the planners, then the outbox dispatch (for cron and tests)."""
    settings = load_settings()
    moment = _parse_now(now, settings.zone)
    results = run_all_due(engine(), settings, lambda: moment)
    failed = [name for name, result in results.items() if isinstance(result, Exception)]
    if as_json:
        typer.echo(json.dumps({name: _plain(result) for name, result in results.items()}, indent=2))
    else:
        for name, result in results.items():
            typer.echo(f"{name}: {_plain(result)}")
    if failed:
        raise typer.Exit(1)


def _plain(result: object) -> object:
    if isinstance(result, Exception):
        return f"error: {result}"
    if hasattr(result, "__dataclass_fields__"):
        return {name: getattr(result, name) for name in result.__dataclass_fields__}  # type: ignore[attr-defined]
    return result if isinstance(result, (int, str, float, dict, list, type(None))) else str(result)


@outbox_app.command("status")
def status() -> None:
    """Counts of messages by status and kind."""
    with session_scope(engine()) as session:
        counts = status_counts(session)
    kinds = sorted({kind for _, kind in counts})
    if not counts:
        typer.echo("the outbox is empty")
        return
    typer.echo("status".ljust(12) + "".join(kind.rjust(16) for kind in kinds) + "total".rjust(10))
    for state in MessageStatus.choices():
        row = [counts.get((state, kind), 0) for kind in kinds]
        if any(row):
            typer.echo(
                state.ljust(12) + "".join(str(n).rjust(16) for n in row) + str(sum(row)).rjust(10)
            )


def register(app: typer.Typer) -> None:
    app.command("send-due")(send_due)
    app.add_typer(outbox_app, name="outbox")
