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
    header_line = stream.readline()
    _check_header(next(csv.reader([header_line]), None) if header_line.strip() else None)
    reader = csv.reader(_candidate_lines(stream, area.state, scan))
    records: list[Record] = []
    deactivated: list[str] = []
    width = len(layout.HEADER)
    next_progress = PROGRESS_EVERY
    for row in reader:
        scan.rows += 1
        if progress is not None and scan.rows >= next_progress:
            progress(scan.rows)
            next_progress = scan.rows + PROGRESS_EVERY
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


def _candidate_lines(stream: IO[str], state: str, scan: Scan) -> Iterator[str]:
    """The file's records as text, less those that cannot be wanted, which are counted
    and never parsed: splitting 330 fields is most of the cost of reading the file.

    A record is passed whole (a quoted field may hold a line break: a record ends where
    the quotes balance). With a state to keep, a record written as CMS writes them,
    every field quoted (states in capitals, or in small letters), is skipped when no
    field is that state and its entity type is
    given (a deactivated NPI's record has none, and is always passed on)."""
    upper, lower = f'"{state}"', f'"{state.lower()}"'
    pending: list[str] = []
    quotes = 0
    for line in stream:
        quotes += line.count('"')
        if quotes % 2:
            pending.append(line)
            continue
        if pending:
            pending.append(line)
            line = "".join(pending)
            pending = []
        quotes = 0
        if state and upper not in line and lower not in line and _entity_given(line):
            scan.rows += 1
            continue
        yield line
    if pending:
        yield "".join(pending)


def _entity_given(line: str) -> bool:
    """Whether a fully quoted record's second field (Entity Type Code) is 1 or 2."""
    if not line.startswith('"'):
        return False
    end = line.find('","')
    return end > 0 and line.startswith(('"1"', '"2"'), end + 2)


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
