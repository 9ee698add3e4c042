"""`crm partners locate`: give every partner its position (the ZIP centre, or the
geocoded street address when LIAISON_GEOCODER_URL is set), e.g. after upgrading a
database whose partners predate positions. Safe to run again: it only changes the
partners whose address changed or who were never placed."""

from __future__ import annotations

import json

import typer

from crm.db import session_scope
from crm.geocoding import geocoder_for
from crm.positions import locate_partners
from liaison.cli.common import engine, load_settings


def register(group: typer.Typer) -> None:
    group.command("locate")(locate)


def locate(
    geocode: bool = typer.Option(
        True,
        "--geocode/--zip-only",
        help="Ask the geocoder in LIAISON_GEOCODER_URL, when set, for street addresses.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """Place partners on the map from their ZIP (and, with a geocoder, their address)."""
    settings = load_settings()
    geocoder = geocoder_for(settings.geocoder_url) if geocode else None
    with session_scope(engine()) as session:
        report = locate_partners(session, geocoder)
    if as_json:
        typer.echo(json.dumps(report.__dict__))
    else:
        typer.echo(
            f"Checked {report.checked:,} partners: {report.from_zip:,} placed at their ZIP "
            f"centre, {report.geocoded:,} at their street address, {report.not_found:,} "
            "left off the map (no ZIP Liaison knows)."
        )
        if geocoder is None and geocode:
            typer.echo("No geocoder is set (LIAISON_GEOCODER_URL): ZIP centres only.")
    if report.problem:
        typer.secho(report.problem, fg=typer.colors.YELLOW, err=True)
        raise typer.Exit(1)
