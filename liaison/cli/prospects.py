"""`crm prospects import-nppes FILE`: prospects from the public NPI registry file,
filtered while it is read. Exit status: 0 imported, 2 the command or the file is
unusable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from sqlmodel import Session, select

from crm import clock
from crm.access import SYSTEM, Actor, PermissionDenied
from crm.errors import InvalidInput, NotFound
from crm.models import User
from crm.prospects import taxonomy
from crm.prospects.nppes import NppesReport, import_nppes
from crm.prospects.origin import origin_for
from crm.prospects.reading import Area
from crm.users import actor_for
from liaison.cli.common import engine, fail


def register(app: typer.Typer) -> None:
    group = typer.Typer(no_args_is_help=True, help="Find new partners in the NPI registry.")

    @group.command("import-nppes")
    def import_nppes_command(
        file: Path = typer.Argument(..., help="The NPPES data file (npidata_pfile_*.csv)."),
        state: str = typer.Option("", "--state", help="Two-letter state of the practice address."),
        zip_prefix: list[str] = typer.Option(
            [], "--zip-prefix", help="Keep practice ZIPs starting so (repeatable)."
        ),
        near_zip: str = typer.Option("", "--near-zip", help="Measure miles from this ZIP."),
        location: str = typer.Option(
            "", "--location", help="Measure miles from this clinic of the practice (its ZIP)."
        ),
        within_miles: float | None = typer.Option(
            None,
            "--within-miles",
            help="Keep practices at most this far (with --near-zip or --location).",
        ),
        taxonomy_prefix: list[str] = typer.Option(
            [],
            "--taxonomy",
            help="Keep providers with a taxonomy code starting so (repeatable); "
            "default: the referrer specialties Liaison knows.",
        ),
        all_taxonomies: bool = typer.Option(
            False, "--all-taxonomies", help="Keep every taxonomy, not only the known referrers."
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        as_user: str = typer.Option(
            "", "--as", help="Email of the user the audit log names (default: system)."
        ),
    ) -> None:
        """Add the registry's providers in the area as prospects; update those already
        here (by NPI); archive those whose NPI the registry deactivated."""
        if within_miles is not None and not (near_zip or location):
            raise fail("--within-miles needs --near-zip or --location", 2)
        if (near_zip or location) and within_miles is None:
            raise fail("--near-zip and --location need --within-miles", 2)
        if all_taxonomies and taxonomy_prefix:
            raise fail("give --taxonomy or --all-taxonomies, not both", 2)
        try:
            size = file.stat().st_size
            raw = file.open("rb")
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror or exc}", 2) from None
        with raw, Session(engine(), expire_on_commit=False) as session:
            actor = _actor(session, as_user)
            try:
                origin = origin_for(session, near_zip=near_zip, location=location)
                prefixes: tuple[str, ...] = (
                    ("",)
                    if all_taxonomies
                    else tuple(p.strip().upper() for p in taxonomy_prefix)
                    or taxonomy.DEFAULT_PREFIXES
                )
                area = Area(
                    state=state.strip().upper(),
                    zip_prefixes=tuple(p.strip() for p in zip_prefix if p.strip()),
                    origin=origin,
                    within_miles=within_miles if origin is not None else None,
                    taxonomy_prefixes=prefixes,
                )
                report = _run(session, actor, raw, area, size, quiet=as_json)
            except (InvalidInput, NotFound, PermissionDenied) as exc:
                raise fail(f"{file.name}: {exc}", 2) from None
        typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else _describe(report))

    app.add_typer(group, name="prospects")


def _actor(session: Session, email: str) -> Actor:
    if not email:
        return SYSTEM
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise fail(f"no user with email {email}", 2)
    return actor_for(user)


def _run(
    session: Session, actor: Actor, raw: BinaryIO, area: Area, size: int, quiet: bool
) -> NppesReport:
    """The import, with a bar of bytes read on stderr when it is a terminal."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        return import_nppes(session, actor, raw, area, now=clock.now())
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("Reading the NPI registry", total=size)
        return import_nppes(
            session,
            actor,
            raw,
            area,
            now=clock.now(),
            progress=lambda _rows: bar.update(task, completed=raw.tell()),
        )


def _describe(report: NppesReport) -> str:
    return "\n".join(
        [
            f"NPI registry: {report.rows_read} rows read, {report.rows_in_area} in the area",
            f"  partners: {report.partners_new} new, {report.partners_updated} updated",
            f"  contacts: {report.contacts_new} new, {report.contacts_updated} updated",
            f"  unchanged: {report.unchanged}",
            f"  deactivated NPIs archived: {report.partners_deactivated} partners, "
            f"{report.contacts_deactivated} contacts",
            f"  rows with an invalid NPI (not imported): {report.invalid_npi}",
            f"  rows cut short, not in the registry's layout (not imported): "
            f"{report.malformed_rows}",
        ]
    )
