"""`crm analytics`: upkeep of what the leadership pages read."""

from __future__ import annotations

import time as timer
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import typer

from crm.referral_counts import rebuild_summaries
from liaison.cli.common import engine, fail, load_settings

analytics_app = typer.Typer(no_args_is_help=True, help="The analytics pages' summaries.")


@analytics_app.command("rebuild-summaries")
def rebuild(
    start: str = typer.Option(
        None, "--from", help="First day to rebuild, YYYY-MM-DD in the practice's time zone."
    ),
    end: str = typer.Option(
        None, "--to", help="Last day to rebuild (included), YYYY-MM-DD; default: every day after."
    ),
) -> None:
    """Recompute the referral counts the funnel and overview read from the referrals
    themselves, for the days given (every day by default). Safe while the app runs."""
    settings = load_settings()
    first = _day(start, "--from") if start else None
    last = _day(end, "--to") if end else None
    if first and last and last < first:
        raise fail("--to is before --from", 2)
    began = timer.perf_counter()
    rows = rebuild_summaries(
        engine(),
        _midnight(first, settings.zone) if first else None,
        _midnight(last + timedelta(days=1), settings.zone) if last else None,
    )
    span = f"{first or 'the first referral'} to {last or 'the last'}"
    typer.echo(
        f"rebuilt the referral counts from {span}: {rows:,} rows "
        f"in {timer.perf_counter() - began:.1f} s"
    )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise fail(f"{option} {text!r} should be a date like 2026-10-01", 2) from None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def register(app: typer.Typer) -> None:
    app.add_typer(analytics_app, name="analytics")
