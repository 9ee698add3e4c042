"""Export as CSV with exactly the columns the import takes, so an export imports back
with every row unchanged."""

from __future__ import annotations

import csv
from typing import TextIO

from sqlmodel import Session

from crm.transfer.cells import export_text
from crm.transfer.kinds import kind_of


def export_csv(session: Session, entity: str, out: TextIO) -> int:
    """Writes the header and every record (archived ones too); returns the rows written.
    Text that a spreadsheet would run as a formula is written with a leading quote."""
    kind = kind_of(entity)
    names = kind.columns.names
    writer = csv.writer(out)
    writer.writerow(names)
    count = 0
    for row in session.execute(kind.export_query().execution_options(yield_per=1000)):
        values = row._mapping
        writer.writerow([export_text(values[name]) for name in names])
        count += 1
    return count
