"""What an import did (or, on a dry run or an aborted file, would have done)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from crm.errors import InvalidInput

CELLS_KEPT = 1_000


class ImportFileError(InvalidInput):
    """The file itself is unusable (encoding, format, headers): no row was looked at."""


@dataclass(frozen=True)
class ImportProgress:
    """How far an import has got: rows read so far, and `done` of `total` in bytes for a
    CSV or in rows for a workbook (`total` None when the size is not known)."""

    rows: int
    done: int
    total: int | None

    @property
    def fraction(self) -> float | None:
        return min(self.done / self.total, 1.0) if self.total else None


@dataclass
class RejectedRow:
    """A row that was not imported: its line in the file (header = line 1; the sheet row
    for a workbook), every reason as "column: message", and its cells as written."""

    line: int
    reasons: list[str]
    values: dict[str, str]


@dataclass
class ImportReport:
    """Counts classify every non-blank row: inserted + updated + unchanged + rejected ==
    total_rows. They are the same whether or not the rows were written; `written` says
    whether they were (not on a dry run, nor when --on-error abort met a bad row).
    `not_imported` names the file's columns that went to no field; the contacts counts
    are the main contacts a partner file's contact columns add or change. `encoding` is
    the text encoding a CSV was read in (detected or named), "" for a workbook."""

    entity: str
    total_rows: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    on_error: str = "abort"
    not_imported: list[str] = field(default_factory=list)
    contacts_inserted: int = 0
    contacts_updated: int = 0
    cells_not_kept: int = 0
    encoding: str = ""

    def reject(self, line: int, reasons: list[str], values: dict[str, str]) -> None:
        """Every rejected row is listed with its line and reasons; its cells only for the
        first CELLS_KEPT, so a file of bad rows does not fill memory with copies of
        itself (`cells_not_kept` counts the rest)."""
        if len(self.rejected) >= CELLS_KEPT:
            self.cells_not_kept += 1
            values = {}
        self.rejected.append(RejectedRow(line=line, reasons=reasons, values=values))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
