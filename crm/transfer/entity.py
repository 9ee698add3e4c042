"""The import and export flow is the same for every kind of record; each kind supplies
only its hooks (its columns, how a row finds its existing record and its references,
and the stored values a valid row becomes), as `Entity` subclasses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError
from sqlalchemy import Select, Table
from sqlmodel import Session

from crm.access import Actor
from crm.transfer.cells import parse_when
from crm.transfer.columns import Columns
from crm.transfer.report import ImportReport


@dataclass
class Candidate:
    """One data row on its way in. `cells` holds its non-blank cells by column (a blank
    cell never overwrites a stored value); `fields` is what the row gives the input model,
    with names of users, partners and clinics resolved to ids; `related` holds what the
    row gives a record of another kind (a partner row's main contact)."""

    line: int
    values: dict[str, str]
    cells: dict[str, str]
    reasons: list[str] = field(default_factory=list)
    flagged: set[str] = field(default_factory=set)
    fields: dict[str, Any] = field(default_factory=dict)
    key: Hashable | None = None
    related: dict[str, Any] = field(default_factory=dict)
    unreadable: bool = False

    def reject(self, column: str, message: str) -> None:
        self.reasons.append(f"{column}: {message}")
        self.flagged.add(column)


@dataclass
class Stored:
    """A record as the database (or an earlier row of the same file) has it."""

    id: int | None
    values: dict[str, Any]


class Written(Protocol):
    """A record the import wrote or left as it was (planning's Change)."""

    id: int | None
    values: dict[str, Any]


class Entity(ABC):
    name: ClassVar[str]
    audit_name: ClassVar[str]
    table: ClassVar[Table]
    related_tables: ClassVar[tuple[Table, ...]] = ()
    model: ClassVar[type[BaseModel]]
    columns: ClassVar[Columns]
    stored_columns: ClassVar[tuple[str, ...]]
    date_columns: ClassVar[tuple[str, ...]] = ()
    column_of: ClassVar[dict[str, str]] = {}

    def load(self, session: Session, rows: list[Candidate], zone: tzinfo) -> None:
        """Fill each row's `fields` and `key`, resolving its references for the whole
        file at once; an unknown reference is a reason on the row."""
        for row in rows:
            row.fields = dict(row.cells)
            for column in self.date_columns:
                if column in row.fields:
                    try:
                        row.fields[column] = parse_when(row.fields[column], zone)
                    except ValueError as exc:
                        del row.fields[column]
                        row.reject(column, str(exc))

    @abstractmethod
    def existing(self, session: Session, keys: set[Hashable]) -> dict[Hashable, Stored]:
        """The stored records for the file's keys, in one query per chunk of keys."""

    def model_input(self, stored: dict[str, Any]) -> dict[str, Any]:
        return dict(stored)

    @abstractmethod
    def stored_values(
        self, data: BaseModel, merged: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        """The row's columns as they are written, from its validated input."""

    def write_related(
        self,
        session: Session,
        actor: Actor,
        rows: list[Candidate],
        changes: Sequence[Written],
        now: datetime,
        report: ImportReport,
    ) -> None:
        """Records of another kind the file's accepted rows carry, written after the
        rows' own records (whose ids are then known) in the same transaction."""
        return None

    @abstractmethod
    def export_query(self) -> Select:
        """Every record in the import's columns, for an export that re-imports unchanged."""

    def check(self, row: Candidate, merged: dict[str, Any]) -> BaseModel | None:
        """Validate with the same input model the app's forms use, keeping every reason;
        a column already rejected (say, an unknown owner) is not reported twice."""
        try:
            return self.model.model_validate(merged)
        except ValidationError as exc:
            for error in exc.errors():
                column = (
                    self.column_of.get(str(error["loc"][0]), str(error["loc"][0]))
                    if error["loc"]
                    else "row"
                )
                if column not in row.flagged:
                    row.reject(column, error_message(error))
            return None

    def stored_of(self, row: Any) -> Stored:
        mapping = row._mapping
        return Stored(
            id=mapping["id"], values={name: mapping[name] for name in self.stored_columns}
        )


_PLAIN = {
    "bool_parsing": "{input!r} is not yes or no; write yes or no (or true, false, 1, 0)",
    "bool_type": "{input!r} is not yes or no; write yes or no (or true, false, 1, 0)",
    "int_parsing": "{input!r} is not a whole number",
    "int_type": "{input!r} is not a whole number",
    "int_from_float": "{input!r} is not a whole number",
    "float_parsing": "{input!r} is not a number",
    "float_type": "{input!r} is not a number",
    "datetime_parsing": "{input!r} is not a date or time; use 2026-03-01, 2026-03-01 14:30 "
    "or 3/1/2026",
    "datetime_from_date_parsing": "{input!r} is not a date or time; use 2026-03-01, "
    "2026-03-01 14:30 or 3/1/2026",
    "datetime_type": "{input!r} is not a date or time; use 2026-03-01, 2026-03-01 14:30 "
    "or 3/1/2026",
    "date_parsing": "{input!r} is not a date; use 2026-03-01 or 3/1/2026",
    "date_from_datetime_parsing": "{input!r} is not a date; use 2026-03-01 or 3/1/2026",
    "date_type": "{input!r} is not a date; use 2026-03-01 or 3/1/2026",
    "string_type": "is not text",
    "string_pattern_mismatch": "{input!r} is not in the expected form",
    "enum": "{input!r} is not one of the allowed values",
    "literal_error": "{input!r} is not one of the allowed values",
    "greater_than": "must be more than {gt}",
    "greater_than_equal": "must be at least {ge}",
    "less_than": "must be less than {lt}",
    "less_than_equal": "must be at most {le}",
}


def error_message(error: Any) -> str:
    """A validation error in a marketer's words, never pydantic's: what is wrong with
    the value and, where it helps, what to write instead."""
    kind = error["type"]
    context = error.get("ctx") or {}
    blank = kind == "string_too_short" and context.get("min_length") == 1
    if kind == "missing" or blank:
        return "required"
    if kind in ("string_too_long", "too_long"):
        limit = context.get("max_length")
        value = error.get("input")
        has = f" (it has {len(value):,})" if isinstance(value, (str, list, tuple)) else ""
        return f"longer than {limit:,} characters{has}" if limit else "too long"
    if kind == "string_too_short":
        return f"shorter than {context.get('min_length')} characters"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _PLAIN.get(kind)
    if template is not None:
        value = error.get("input")
        shown = value if isinstance(value, str) and len(value) <= 60 else str(value)[:60]
        try:
            return template.format(input=shown, **context)
        except (KeyError, IndexError, ValueError):
            pass
    return f"{str(error.get('input', ''))[:60]!r} is not a valid value here"


def chunks(values: Iterable[Any], size: int = 900) -> Iterator[list[Any]]:
    """IN lists in pieces: SQLite caps the number of bound parameters in one statement."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def first_by(rows: Sequence[Stored], key: Any) -> dict[Hashable, Stored]:
    """Rows by key, the oldest record winning when the database already holds duplicates."""
    found: dict[Hashable, Stored] = {}
    for row in sorted(rows, key=lambda r: r.id or 0):
        found.setdefault(key(row), row)
    return found
