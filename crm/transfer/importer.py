"""Import a CSV or workbook of partners, contacts, referrals or patients.

Every row goes through the app's own input models. With on_error "abort" a file with
any bad row imports nothing; with "skip" exactly the good rows are imported; a dry run
does all the work and rolls it back. Either way every bad row is reported with all its
reasons.

The file is streamed: rows are read, resolved, checked and written `BATCH_ROWS` at a
time, each batch in a handful of set-based statements, so memory holds one batch
whatever the file's length. All batches are written in one transaction, committed at the
end, or rolled back when the import must not stand (a dry run, or "abort" with a bad
row). Abort does not stop at the first bad row: the rest of the file is still checked
and written inside the doomed transaction, so the report lists every rejected row and
its counts are exactly those the import would have had. Because earlier batches are in
the database by the time a later one is read, a row repeating an earlier row's key
(say, the same partner twice, batches apart) finds that row's record and updates it,
exactly as within one batch: no row is kept in memory to detect it."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, tzinfo
from itertools import islice
from typing import IO

from sqlmodel import Session

from crm.access import Actor, require_editor
from crm.db import refresh_statistics
from crm.transfer.cells import restore
from crm.transfer.columns import map_columns
from crm.transfer.entity import Candidate, Entity
from crm.transfer.kinds import kind_of
from crm.transfer.planning import plan
from crm.transfer.reading import Table, read_table, unreadable_reason
from crm.transfer.report import ImportProgress, ImportReport
from crm.transfer.writing import write

ON_ERROR = ("abort", "skip")
BATCH_ROWS = 5_000


def import_file(
    session: Session,
    actor: Actor,
    entity: str,
    data: bytes | IO[bytes],
    filename: str,
    *,
    on_error: str = "abort",
    dry_run: bool = False,
    now: datetime,
    progress: Callable[[ImportProgress], None] | None = None,
    zone: tzinfo = UTC,
    columns: Mapping[str, str] | None = None,
    strict_columns: bool = False,
    encoding: str | None = None,
    batch_rows: int = BATCH_ROWS,
) -> ImportReport:
    """Commits when the rows were written (not a dry run, and either "skip" or no bad
    row); otherwise rolls the session back. `data` is the file's bytes or a binary file
    open for reading, read as the import goes. `zone` is the time zone of dates and times
    written without an offset (pass the practice's). Raises ImportFileError when the
    file itself is unusable and PermissionDenied for a read-only user. `columns` maps
    headers to fields ("" leaves the column out) over the automatic match; a column that
    maps to nothing is named in the report's `not_imported`, or with `strict_columns`
    refuses the file. `encoding` is a CSV's text encoding when the person names it
    (None: detected). `progress` is called after each batch."""
    require_editor(actor)
    if on_error not in ON_ERROR:
        raise ValueError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    kind = kind_of(entity)
    table = read_table(data, filename, encoding)
    header_map = map_columns(table.headers, kind.columns, columns, strict=strict_columns)
    report = ImportReport(
        entity=entity,
        dry_run=dry_run,
        on_error=on_error,
        not_imported=header_map.not_imported,
        encoding="" if table.encoding == "xlsx" else table.encoding,
    )
    try:
        with _collector.paused():
            batches = batched(candidates(table, header_map.positions), batch_rows)
            for number, batch in enumerate(batches, start=1):
                _import_batch(session, actor, kind, batch, now, zone, report)
                gc.collect(1)
                refresh_statistics(session, (kind.table, *kind.related_tables), number)
                if progress is not None:
                    done, total = table.position()
                    progress(ImportProgress(report.total_rows, done, total))
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
        done, total = table.position()
        progress(ImportProgress(report.total_rows, total or done, total or done))
    return report


def _import_batch(
    session: Session,
    actor: Actor,
    kind: Entity,
    batch: list[Candidate],
    now: datetime,
    zone: tzinfo,
    report: ImportReport,
) -> None:
    """One batch, start to finish: its references and existing records in set-based
    queries, its plan, its writes. A row that could not be read as text is rejected for
    that alone (its other cells would be judged on mangled text)."""
    report.total_rows += len(batch)
    rows = [row for row in batch if not row.unreadable]
    first = len(report.rejected)
    for row in batch:
        if row.unreadable:
            report.reject(row.line, row.reasons, row.values)
    if rows:
        kind.load(session, rows, zone)
        existing = kind.existing(session, {row.key for row in rows if row.key is not None})
        changes = plan(kind, rows, existing, now, report)
        write(session, actor, kind, changes, now)
        kind.write_related(session, actor, rows, changes, now, report)
    if len(rows) != len(batch):
        report.rejected[first:] = sorted(report.rejected[first:], key=lambda r: r.line)


class _Collector:
    """Python's automatic collector, left on, scans every live object again and again
    while a batch allocates its hundreds of thousands of short-lived ones: it more than
    doubled a large import's time. It is paused for the import and each batch's cycles
    are collected after the batch, so memory stays bounded; with imports running side
    by side (the app's threads) the last one to end turns it back on, if it was on."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._depth = 0
        self._restore = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        with self._lock:
            if self._depth == 0:
                self._restore = gc.isenabled()
                gc.disable()
            self._depth += 1
        try:
            yield
        finally:
            with self._lock:
                self._depth -= 1
                if self._depth == 0 and self._restore:
                    gc.enable()


_collector = _Collector()


def batched(rows: Iterable[Candidate], size: int) -> Iterator[list[Candidate]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, max(size, 1))):
        yield batch


def candidates(table: Table, positions: dict[int, str]) -> Iterator[Candidate]:
    """The file's non-blank rows, in the mapped columns, one at a time as the file is
    read. A cell's formula guard (see cells.neutralise) is removed so that an export
    imports back exactly."""
    width = len(table.headers)
    for source in table.rows:
        cells = source.cells + [""] * (width - len(source.cells))
        values = {table.headers[i]: cells[i] for i in positions}
        if source.unreadable:
            row = Candidate(line=source.line, values=values, cells={}, unreadable=True)
            row.reject("row", unreadable_reason(source.line, table.encoding))
            yield row
            continue
        row = Candidate(
            line=source.line,
            values=values,
            cells={
                name: restore(cells[i].strip()) for i, name in positions.items() if cells[i].strip()
            },
        )
        extra = [cell for cell in cells[width:] if cell.strip()]
        if extra:
            row.reject("row", f"{width + len(extra)} cells but only {width} columns")
        yield row
