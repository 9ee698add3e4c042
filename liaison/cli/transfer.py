"""`crm partners|contacts|referrals|patients import|export`: thin commands over
crm.transfer. Exit status: 0 imported, 1 rows were rejected, 2 the command or the file
is unusable."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from sqlmodel import Session, select

from crm import clock
from crm.access import SYSTEM, Actor, PermissionDenied
from crm.models import User
from crm.transfer import (
    ENTITIES,
    ImportFileError,
    ImportProgress,
    ImportReport,
    encoding_label,
    export_csv,
    import_file,
)
from crm.transfer.columns import parse_overrides
from crm.users import actor_for
from liaison.cli.common import engine, fail, load_settings


class OnError(StrEnum):
    abort = "abort"
    skip = "skip"


def register(app: typer.Typer, **more: Callable[[typer.Typer], None]) -> None:
    """One group per kind of record; `more` adds commands of its own to a kind's group
    (`crm partners locate`)."""
    for entity in ENTITIES:
        group = _commands(entity)
        if entity in more:
            more[entity](group)
        app.add_typer(group, name=entity)


def _commands(entity: str) -> typer.Typer:
    group = typer.Typer(no_args_is_help=True, help=f"Import and export {entity} as CSV.")

    @group.command("import")
    def import_(
        file: Path = typer.Argument(
            ..., help="A .csv file or an .xlsx workbook (its first sheet)."
        ),
        dry_run: bool = typer.Option(False, "--dry-run", help="Check and report; write nothing."),
        on_error: OnError = typer.Option(
            OnError.abort,
            "--on-error",
            case_sensitive=False,
            help="abort: any bad row imports nothing. skip: import the good rows.",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
        as_user: str = typer.Option(
            "", "--as", help="Email of the user the audit log names (default: system)."
        ),
        maps: list[str] = typer.Option(
            [],
            "--map",
            help='Map one column: "Header=field"; "Header=" leaves it out. Repeatable.',
        ),
        strict_columns: bool = typer.Option(
            False,
            "--strict-columns",
            help="Refuse the file when a column maps to no field (default: report it).",
        ),
        encoding: str = typer.Option(
            "",
            "--encoding",
            help="The CSV's text encoding, such as utf-8, cp1252 (Windows) or utf-16 "
            "(default: detected from the file).",
        ),
    ) -> None:
        """Add new records and update the ones already present; report every bad row."""
        try:
            data = file.open("rb")
        except OSError as exc:
            raise fail(f"cannot read {file}: {exc.strerror or exc}", 2) from None
        zone = load_settings().zone
        try:
            columns = parse_overrides(maps)
        except ImportFileError as exc:
            raise fail(str(exc), 2) from None
        with data, Session(engine(), expire_on_commit=False) as session:
            actor = _actor(session, as_user)
            try:
                with _progress_bar(f"Importing {entity}", quiet=as_json) as progress:
                    report = import_file(
                        session,
                        actor,
                        entity,
                        data,
                        file.name,
                        on_error=on_error.value,
                        dry_run=dry_run,
                        now=clock.now(),
                        progress=progress,
                        zone=zone,
                        columns=columns,
                        strict_columns=strict_columns,
                        encoding=encoding or None,
                    )
            except (ImportFileError, PermissionDenied) as exc:
                raise fail(f"{file.name}: {exc}", 2) from None
            except OSError as exc:
                raise fail(f"cannot read {file}: {exc.strerror or exc}", 2) from None
        typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else _describe(report))
        raise typer.Exit(1 if report.rejected else 0)

    @group.command("export")
    def export(file: Path = typer.Argument(..., help="The CSV file to write.")) -> None:
        """Write every record as CSV, in the columns the import takes."""
        try:
            with (
                file.open("w", newline="", encoding="utf-8-sig") as out,
                Session(engine()) as session,
            ):
                count = export_csv(session, entity, out)
        except OSError as exc:
            raise fail(f"cannot write {file}: {exc.strerror or exc}", 2) from None
        typer.echo(f"exported {count} {entity} to {file}")

    return group


def _actor(session: Session, email: str) -> Actor:
    if not email:
        return SYSTEM
    user = session.exec(select(User).where(User.email == email.strip().lower())).first()
    if user is None:
        raise fail(f"no user with email {email}", 2)
    return actor_for(user)


@contextmanager
def _progress_bar(label: str, quiet: bool) -> Iterator[Callable[[ImportProgress], None] | None]:
    """A bar on stderr, and only on a terminal: logs and --json output stay clean. It
    fills with the bytes (or workbook rows) read and counts the rows."""
    console = Console(stderr=True)
    if quiet or not console.is_terminal:
        yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(label, total=None, rows=0)

        def show(step: ImportProgress) -> None:
            bar.update(task, completed=step.done, total=step.total, rows=step.rows)

        yield show


def _describe(report: ImportReport) -> str:
    lines = [
        f"{report.entity}: {report.total_rows} rows: {report.inserted} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
    ]
    if report.contacts_inserted or report.contacts_updated:
        lines.append(
            f"main contacts: {report.contacts_inserted} new, {report.contacts_updated} updated"
        )
    if report.encoding not in ("", "utf-8-sig"):
        lines.append(f"read as {encoding_label(report.encoding)} (name another with --encoding)")
    if report.not_imported:
        lines.append(
            'not imported (no field; map one with --map "Header=field"): '
            + ", ".join(report.not_imported)
        )
    for row in report.rejected:
        lines.append(f"  line {row.line}: " + "; ".join(row.reasons))
    if report.dry_run:
        lines.append("dry run: nothing was written")
    elif not report.written:
        lines.append(
            "nothing was imported because of the rejected rows "
            "(fix them, or use --on-error skip to import the good rows)"
        )
    return "\n".join(lines)
