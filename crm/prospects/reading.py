"""Reading the NPPES file as a stream: one row at a time through `csv`, filtered as it
is read, handed on in batches. The full file is about 10 GB and eight million rows; what
is kept at any moment is one batch of the rows that passed the filter, so memory does
not grow with the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from crm.errors import InvalidInput
from crm.prospects import geo, layout, taxonomy

BATCH_ROWS = 5000
PROGRESS_EVERY = 20000


class NppesFileError(InvalidInput):
    """The file is not an NPPES data file in the published layout."""


@dataclass(frozen=True, slots=True)
class Area:
    """Which registry rows a practice wants: all conditions given must hold."""

    state: str = ""
    zip_prefixes: tuple[str, ...] = ()
    origin: tuple[float, float] | None = None
    within_miles: float | None = None
    taxonomy_prefixes: tuple[str, ...] = taxonomy.DEFAULT_PREFIXES

    def __post_init__(self) -> None:
        if (self.origin is None) != (self.within_miles is None):
            raise InvalidInput("a distance needs both a starting ZIP or clinic and the miles")


@dataclass(frozen=True, slots=True)
class Record:
    """The fields of one registry row that become a partner or a contact."""

    npi: str
    organisation: bool
    organisation_name: str
    first_name: str
    last_name: str
    credential: str
    address: str
    city: str
    state: str
    zip: str
    phone: str
    fax: str
    primary_taxonomy: str
    miles: float | None


@dataclass(slots=True)
class Scan:
    """What the reader saw, for the report: rows read, rows kept, and rows too short
    to be the registry's (skipped, and counted so none is lost silently)."""

    rows: int = 0
    kept: int = 0
    malformed: int = 0


@dataclass(frozen=True, slots=True)
class Batch:
    records: list[Record]
    deactivated: list[str]


def read_batches(
    stream: IO[str],
    area: Area,
    scan: Scan,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Batch]:
    """Batches of the rows in `area`, and of every deactivated NPI wherever it was.

    A deactivated NPI's row in the published file is blank but for the NPI and the
    dates, so it cannot be placed in an area; every one is passed on, and the importer
    marks those it already holds."""
    reader = csv.reader(stream)
    header = next(reader, None)
    _check_header(header)
    records: list[Record] = []
    deactivated: list[str] = []
    width = len(layout.HEADER)
    for row in reader:
        scan.rows += 1
        if progress is not None and scan.rows % PROGRESS_EVERY == 0:
            progress(scan.rows)
        if len(row) < width:
            scan.malformed += 1
            continue
        if _deactivated(row):
            deactivated.append(row[layout.NPI].strip())
        else:
            record = _record(row, area)
            if record is None:
                continue
            records.append(record)
        if len(records) + len(deactivated) >= batch_rows:
            scan.kept += len(records)
            yield Batch(records, deactivated)
            records, deactivated = [], []
    if records or deactivated:
        scan.kept += len(records)
        yield Batch(records, deactivated)
    if progress is not None:
        progress(scan.rows)


def open_text(raw: IO[bytes]) -> IO[str]:
    """The registry's file as text: UTF-8 (with a BOM or not); a stray byte becomes a
    replacement character rather than stopping a ten-gigabyte read."""
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def _check_header(header: list[str] | None) -> None:
    if header is None:
        raise NppesFileError("the file is empty")
    got = tuple(name.strip() for name in header)
    if got == layout.HEADER:
        return
    missing = [name for name in layout.HEADER if name not in got]
    if missing:
        shown = ", ".join(repr(name) for name in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise NppesFileError(f"this is not the NPPES data file: it lacks the columns {shown}{more}")
    raise NppesFileError("this is not the NPPES data file: its columns are in another order")


def _deactivated(row: list[str]) -> bool:
    deactivated = row[layout.DEACTIVATION_DATE].strip()
    if not deactivated:
        return False
    reactivated = row[layout.REACTIVATION_DATE].strip()
    return not reactivated or _ymd(reactivated) < _ymd(deactivated)


def _ymd(us_date: str) -> str:
    """MM/DD/YYYY as YYYYMMDD, so dates compare as strings."""
    month, _, rest = us_date.partition("/")
    day, _, year = rest.partition("/")
    return f"{year}{month.zfill(2)}{day.zfill(2)}"


def _record(row: list[str], area: Area) -> Record | None:
    state = row[layout.STATE].strip().upper()
    if area.state and state != area.state:
        return None
    postal = row[layout.POSTAL_CODE].strip()
    if area.zip_prefixes and not postal.startswith(area.zip_prefixes):
        return None
    codes = [row[i].strip().upper() for i in layout.TAXONOMY_CODES]
    if not taxonomy.matches(codes, area.taxonomy_prefixes):
        return None
    miles = None
    if area.origin is not None:
        miles = geo.zip_miles(area.origin, postal)
        if miles is None or area.within_miles is None or miles > area.within_miles:
            return None
    entity = row[layout.ENTITY_TYPE].strip()
    if entity not in ("1", "2"):
        return None
    return Record(
        npi=row[layout.NPI].strip(),
        organisation=entity == "2",
        organisation_name=row[layout.ORGANIZATION_NAME].strip(),
        first_name=row[layout.FIRST_NAME].strip(),
        last_name=row[layout.LAST_NAME].strip(),
        credential=row[layout.CREDENTIAL].strip(),
        address=" ".join(
            part for part in (row[layout.ADDRESS_1].strip(), row[layout.ADDRESS_2].strip()) if part
        ),
        city=row[layout.CITY].strip(),
        state=state,
        zip=_zip(postal),
        phone=row[layout.PHONE].strip(),
        fax=row[layout.FAX].strip(),
        primary_taxonomy=_primary(row, codes),
        miles=miles,
    )


def _primary(row: list[str], codes: list[str]) -> str:
    """The code marked primary; the first given when none is (older records)."""
    for code, switch in zip(codes, layout.PRIMARY_SWITCHES, strict=True):
        if code and row[switch].strip().upper() == "Y":
            return code
    return next((code for code in codes if code), "")


def _zip(postal: str) -> str:
    digits = "".join(ch for ch in postal if ch.isdigit())
    if len(digits) == 9:
        return f"{digits[:5]}-{digits[5:]}"
    return digits[:5]
