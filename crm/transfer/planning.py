"""Deciding, row by row in file order, what each valid row does: insert a record, update
one, or change nothing. A later row with the same key as an earlier row of the same
file updates what that row produced, exactly as if the two had been imported one after
the other, so counts are per row and the database gets one record per key. Planning
sees one batch of the file at a time; an earlier batch's rows are already written, so
they come back as `existing` records and a repeat across batches is the same update."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from crm.transfer.entity import Candidate, Entity, Stored
from crm.transfer.report import ImportReport


@dataclass
class Change:
    id: int | None
    original: dict[str, Any] | None
    values: dict[str, Any]

    @property
    def is_update(self) -> bool:
        return self.id is not None and self.values != self.original


def plan(
    kind: Entity,
    rows: list[Candidate],
    existing: dict[Hashable, Stored],
    now: datetime,
    report: ImportReport,
) -> list[Change]:
    changes: dict[Hashable, Change] = {}
    for row in rows:
        key = row.key if row.key is not None else object()
        current = changes.get(key)
        if current is None and key in existing:
            stored = existing[key]
            current = Change(stored.id, stored.values, dict(stored.values))
        merged = {**kind.model_input(current.values), **row.fields} if current else dict(row.fields)
        data = kind.check(row, merged)
        if data is None or row.reasons:
            report.reject(row.line, row.reasons, row.values)
        else:
            changes[key] = _apply(report, current, kind.stored_values(data, merged, now))
    return list(changes.values())


def _apply(report: ImportReport, current: Change | None, values: dict[str, Any]) -> Change:
    if current is None:
        report.inserted += 1
        return Change(None, None, values)
    if all(current.values.get(name) == value for name, value in values.items()):
        report.unchanged += 1
    else:
        current.values = {**current.values, **values}
        report.updated += 1
    return current
