"""Import a CSV or workbook of partners, contacts, referrals or patients.

Every row goes through the app's own input models. With on_error "abort" a file with
any bad row imports nothing; with "skip" exactly the good rows are imported; a dry run
does all the work and rolls it back. Either way every bad row is reported with all its
reasons. The file is read, matched and written in a handful of set-based statements,
whatever its length."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo

from sqlmodel import Session

from crm.access import Actor, require_editor
from crm.transfer.cells import restore
from crm.transfer.columns import map_columns
from crm.transfer.entity import Candidate
from crm.transfer.kinds import kind_of
from crm.transfer.planning import plan
from crm.transfer.reading import Table, read_table
from crm.transfer.report import ImportReport
from crm.transfer.writing import write

ON_ERROR = ("abort", "skip")


def import_file(
    session: Session,
    actor: Actor,
    entity: str,
    data: bytes,
    filename: str,
    *,
    on_error: str = "abort",
    dry_run: bool = False,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    zone: tzinfo = UTC,
    columns: Mapping[str, str] | None = None,
    strict_columns: bool = False,
) -> ImportReport:
    """Commits when the rows were written (not a dry run, and either "skip" or no bad
    row); otherwise rolls the session back. `zone` is the time zone of dates and times
    written without an offset (pass the practice's). Raises ImportFileError when the
    file itself is unusable and PermissionDenied for a read-only user. `columns` maps
    headers to fields ("" leaves the column out) over the automatic match; a column that
    maps to nothing is named in the report's `not_imported`, or with `strict_columns`
    refuses the file."""
    require_editor(actor)
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    kind = kind_of(entity)
    table = read_table(data, filename)
    header_map = map_columns(table.headers, kind.columns, columns, strict=strict_columns)
    rows = candidates(table, header_map.positions)
    report = ImportReport(
        entity=entity,
        total_rows=len(rows),
        dry_run=dry_run,
        on_error=on_error,
        not_imported=header_map.not_imported,
    )
    try:
        kind.load(session, rows, zone)
        existing = kind.existing(session, {row.key for row in rows if row.key is not None})
        changes = plan(kind, rows, existing, now, report, progress)
        write(session, actor, kind, changes, now)
        kind.write_related(session, actor, rows, changes, now, report)
        report.written = not dry_run and (on_error == "skip" or not report.rejected)
        if report.written:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.expire_all()
    if progress is not None:
        progress(len(rows), len(rows))
    return report


def candidates(table: Table, positions: dict[int, str]) -> list[Candidate]:
    """The file's non-blank rows, in the mapped columns. A cell's formula guard (see
    cells.neutralise) is removed so that an export imports back exactly."""
    rows: list[Candidate] = []
    for source in table.rows:
        cells = source.cells + [""] * (len(table.headers) - len(source.cells))
        if not any(cell.strip() for cell in cells):
            continue
        row = Candidate(
            line=source.line,
            values={table.headers[i]: cells[i] for i in positions},
            cells={
                name: restore(cells[i].strip()) for i, name in positions.items() if cells[i].strip()
            },
        )
        extra = [cell for cell in cells[len(table.headers) :] if cell.strip()]
        if extra:
            row.reject(
                "row",
                f"{len(table.headers) + len(extra)} cells but only {len(table.headers)} columns",
            )
        rows.append(row)
    return rows
