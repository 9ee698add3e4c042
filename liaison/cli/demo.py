"""`crm demo seed`: fill a database with the demo practice. `make run` calls it with
`--if-empty` on every start, so the demo appears on the first run and never twice."""

from __future__ import annotations

import os
from datetime import datetime

import typer
from sqlalchemy.engine import Engine

from crm import clock, migrate
from crm.settings import Settings
from crm.users import UserError
from liaison.cli.common import engine, fail, load_settings
from liaison.demo import (
    DEFAULT_PASSWORD,
    PASSWORD_ENV,
    demo_users,
    has_partners,
    seed_demo,
    web_form_sample,
)
from liaison.demo.engagement import seed_engagement
from liaison.demo.generate import WEB_FORM_DAYS
from liaison.demo.outreach import seed_outreach
from liaison.demo.programs import seed_programs
from liaison.demo.surveys import seed_surveys

demo_app = typer.Typer(no_args_is_help=True, help="Demo data to explore Liaison with.")


@demo_app.command("seed")
def seed(
    partners: int = typer.Option(400, "--partners", min=1, help="How many referring partners."),
    years: int = typer.Option(3, "--years", min=1, help="Years of history, ending now."),
    seed_: int = typer.Option(1, "--seed", help="Same seed, same data."),
    referrals: int = typer.Option(
        None,
        "--referrals",
        min=0,
        help="Exact number of referrals (default: partners × years × 8).",
    ),
    if_empty: bool = typer.Option(
        False, "--if-empty", help="Do nothing when partners already exist."
    ),
    plan: bool = typer.Option(
        True,
        "--plan/--no-plan",
        help="Also a month of outreach (segments, cadences, tasks) and of the programs "
        "(events, review requests, seasonal sends, referral updates).",
    ),
) -> None:
    """Add a demo sports-medicine practice: clinics, liaisons, a leadership viewer,
    partners, contacts, touches, referrals and a few patients. The demo users share the
    password in LIAISON_DEMO_PASSWORD (default liaison-demo-2026)."""
    password = os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD
    settings = load_settings()
    if migrate.pending(settings.database_url):
        raise fail("the database schema is not up to date: run `crm db upgrade` first")
    target = engine()
    if if_empty and has_partners(target):
        typer.echo("partners already exist: demo data not added")
        return
    try:
        now = clock.now()
        summary = seed_demo(
            target,
            partners=partners,
            years=years,
            seed=seed_,
            now=now,
            referrals=referrals,
            password=password,
            progress=typer.echo,
        )
    except UserError as exc:
        raise fail(f"{PASSWORD_ENV}: {exc}") from None
    counts = ", ".join(f"{count:,} {name}" for name, count in summary.as_dict().items())
    typer.echo(f"added {counts}")
    _print_partner_links(target, settings, now)
    if plan:
        typer.echo("planning a month of outreach: segments, cadences, enrolments, emails and tasks")
        outreach = seed_outreach(target, settings, now=now)
        if outreach is not None:
            _print_added(outreach.as_dict())
        typer.echo(
            "running the programs: events, review requests, seasonal sends and referral updates"
        )
        programs = seed_programs(target, settings, now=now)
        if programs is not None:
            _print_added(programs.as_dict())
        typer.echo("asking a sample of partners last and this quarter's partner survey")
        surveys = seed_surveys(target, settings, now=now)
        if surveys is not None:
            _print_added(surveys.as_dict())
        _print_added({"email_events": seed_engagement(target, now=now, seed=seed_)})
    _print_sign_in(password)


def _print_added(counts: dict[str, int]) -> None:
    typer.echo(
        "added "
        + ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in counts.items())
    )


def _print_partner_links(target: Engine, settings: Settings, now: datetime) -> None:
    """Every partner has a link (its page in the app shows it); one to open right away."""
    sample = web_form_sample(target, settings, now)
    if sample is None:
        typer.echo("every partner has its partner link: see the Partner link tab of its page")
        return
    typer.echo(
        f"every partner has its partner link (the Partner link tab of its page); "
        f"{sample.referrals:,} referrals of the last {WEB_FORM_DAYS} days came through one, "
        f"the latest from {sample.partner}, whose link is:\n  {sample.link}"
    )


def _print_sign_in(password: str) -> None:
    shown = password if password == DEFAULT_PASSWORD else f"the password in {PASSWORD_ENV}"
    typer.secho(f"Demo users sign in with {shown}:", fg=typer.colors.GREEN)
    for name, email, role in demo_users():
        typer.echo(f"  {email:<28} {role:<9} {name}")


def register(app: typer.Typer) -> None:
    app.add_typer(demo_app, name="demo")
