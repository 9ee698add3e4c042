"""The mapping step of an import: each column of the file with the field it goes to,
the first rows under those fields, and the mapping a person confirmed, remembered for
the same kind of record and set of headers so that next month's file maps itself."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import Enum
from typing import Any

from sqlmodel import Session, select

from crm.access import Actor, require_editor
from crm.models import ImportMapping
from crm.transfer.cells import restore
from crm.transfer.columns import squash, suggest
from crm.transfer.entity import Candidate
from crm.transfer.kinds import kind_of
from crm.transfer.reading import read_table

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class ColumnPlan:
    """What the mapping step shows: `mapping` is header -> field ("" left out), the one
    remembered for these headers when `remembered`, else the automatic match."""

    entity: str
    headers: list[str]
    fields: tuple[str, ...]
    required: tuple[str, ...]
    mapping: dict[str, str]
    remembered: bool
    sample: list[list[str]]
    encoding: str | None = None


def column_plan(
    session: Session, entity: str, data: bytes, filename: str, encoding: str | None = None
) -> ColumnPlan:
    """Raises ImportFileError when the file cannot be read at all. `encoding` is a CSV's
    text encoding when the person names it (None: detected); the plan's `encoding` is
    the one it was read in (None for a workbook)."""
    kind = kind_of(entity)
    table = read_table(data, filename, encoding)
    headers = [h for h in table.headers if h]
    saved = remembered_mapping(session, entity, headers)
    automatic = suggest(table.headers, kind.columns)
    mapping = {h: saved.get(h, automatic[h]) for h in headers} if saved else automatic
    sample: list[list[str]] = []
    for row in table.rows:
        if len(sample) == SAMPLE_ROWS:
            break
        if any(cell.strip() for cell in row.cells):
            cells = row.cells + [""] * (len(table.headers) - len(row.cells))
            sample.append([restore(cells[i].strip()) for i, h in enumerate(table.headers) if h])
    return ColumnPlan(
        entity=entity,
        headers=headers,
        fields=kind.columns.fields,
        required=kind.columns.required,
        mapping=mapping,
        remembered=saved is not None,
        sample=sample,
        encoding=None if table.encoding == "xlsx" else table.encoding,
    )


def headers_key(headers: list[str]) -> str:
    """The same set of headers in any order, case or punctuation is the same layout."""
    names = sorted({squash(h) for h in headers if h})
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def remembered_mapping(session: Session, entity: str, headers: list[str]) -> dict[str, str] | None:
    row = session.exec(
        select(ImportMapping).where(
            ImportMapping.entity == entity, ImportMapping.headers_key == headers_key(headers)
        )
    ).first()
    if row is None:
        return None
    by_key = {squash(h): name for h, name in json.loads(row.mapping).items()}
    return {h: by_key[squash(h)] for h in headers if squash(h) in by_key}


def remember_mapping(
    session: Session,
    actor: Actor,
    entity: str,
    mapping: dict[str, str],
    now: datetime,
) -> None:
    """Keep the mapping of an import that was written (the caller commits)."""
    require_editor(actor)
    key = headers_key(list(mapping))
    row = session.exec(
        select(ImportMapping).where(
            ImportMapping.entity == entity, ImportMapping.headers_key == key
        )
    ).first()
    if row is None:
        row = ImportMapping(entity=entity, headers_key=key, mapping="", updated_at=now)
        session.add(row)
    row.mapping = json.dumps(mapping, sort_keys=True)
    row.updated_by = actor.id
    row.updated_at = now
    session.flush()


PROBLEM = "would be refused"


def stored_sample(
    session: Session, plan: ColumnPlan, mapping: dict[str, str], zone: tzinfo
) -> list[dict[str, str]]:
    """The plan's first rows as the import would store them under `mapping` (header ->
    field, "" left out): each mapped field's value after the import's own checks (a
    phone number in its stored form, a type in its stored spelling), and under PROBLEM
    why a row would be refused. Reads only; writes nothing."""
    kind = kind_of(plan.entity)
    fields = {i: mapping[h] for i, h in enumerate(plan.headers) if mapping.get(h)}
    rows = [
        Candidate(
            line=line,
            values={},
            cells={fields[i]: cell for i, cell in enumerate(cells) if i in fields and cell},
        )
        for line, cells in enumerate(plan.sample, start=2)
    ]
    kind.load(session, rows, zone)
    existing = kind.existing(session, {row.key for row in rows if row.key is not None})
    shown = []
    for row in rows:
        stored = existing.get(row.key) if row.key is not None else None
        merged = {**kind.model_input(stored.values), **row.fields} if stored else dict(row.fields)
        data = kind.check(row, merged)
        values = {
            field: _shown(getattr(data, field, row.cells.get(field, "")))
            if data is not None and field in row.cells
            else row.cells.get(field, "")
            for field in fields.values()
        }
        values[PROBLEM] = "; ".join(row.reasons)
        shown.append(values)
    return shown


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)
