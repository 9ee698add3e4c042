"""`crm report`: the monthly leadership report on demand, to send again, to someone
new, or to look at before it goes out."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import typer

from campaigns.mail.outbox import enqueue_many
from campaigns.reports.job import send_month
from campaigns.reports.mail import report_draft, report_email
from crm import clock
from crm.analytics.filters import Period
from crm.db import session_scope
from crm.errors import LiaisonError
from crm.validation import email as valid_email
from liaison.cli.common import engine, fail, load_settings

report_app = typer.Typer(no_args_is_help=True, help="The monthly leadership report.")


@report_app.command("send-monthly")
def send_monthly(
    month: str = typer.Option(
        None, "--month", help="The month to report on, as YYYY-MM (default: last month)."
    ),
    to: list[str] = typer.Option(
        [],
        "--to",
        help="Send it to this address (repeatable). Without --to it goes to "
        "every user who opted in and has not had this month's report.",
    ),
    preview: Path = typer.Option(
        None,
        "--preview",
        help="Write the email (HTML and text) and the workbook to this folder instead of sending.",
    ),
) -> None:
    """Queue a month's report (the scheduler or `crm send-due` sends it), or preview it."""
    settings = load_settings()
    now = clock.now()
    period = _month(month) if month else Period.month(*_today(now, settings)).previous()
    try:
        addresses = [valid_email(a) for a in to]
    except LiaisonError as exc:
        raise fail(str(exc), 2) from None
    with session_scope(engine()) as session:
        if preview is not None:
            _write_preview(report_email(session, settings, period, now), preview)
            return
        if not addresses:
            count = send_month(session, settings, period, now)
            typer.echo(f"queued {count} report(s) for {period.label} to the users who opted in")
            return
        email = report_email(session, settings, period, now)
        drafts = [
            report_draft(email, settings, to_email=a, key=_on_demand_key(period, a, now))
            for a in addresses
        ]
        count = enqueue_many(session, drafts, now)
    typer.echo(
        f"queued the report for {period.label} to {', '.join(addresses)}"
        if count
        else "nothing queued"
    )


def _on_demand_key(period, address: str, now) -> str:  # type: ignore[no-untyped-def]
    """A new key each time, so asking again sends again; the address hashed to fit the column."""
    digest = hashlib.sha256(address.encode()).hexdigest()[:16]
    return f"leadership-report:{period.start:%Y-%m}:to:{digest}:{now.isoformat()}"


def _month(text: str):  # type: ignore[no-untyped-def]
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise fail(f"--month {text!r} should look like 2026-10", 2)
    return Period.month(int(match.group(1)), int(match.group(2)))


def _today(now, settings) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    local = now.astimezone(settings.zone)
    return local.year, local.month


def _write_preview(email, folder: Path) -> None:  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.html").write_text(email.html, encoding="utf-8")
    (folder / "report.txt").write_text(email.text, encoding="utf-8")
    (folder / email.workbook.filename).write_bytes(email.workbook.content)
    typer.echo(
        f"wrote report.html, report.txt and {email.workbook.filename} to {folder} (subject: {email.subject})"
    )


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
