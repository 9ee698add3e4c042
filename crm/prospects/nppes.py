"""Prospects from the NPI registry: organisations and practice addresses become
partners with status prospect, individual providers their contacts, each found again
by NPI when a newer file is imported, so a re-import updates and never duplicates.

Everything is written in set-based statements per batch (a few lookups, one insert and
one update per table), and each batch is committed: a ten-gigabyte registry import must
not hold the database's write lock for minutes, and re-running it after a stop is safe
because every row is matched by its NPI."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import IO, Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlmodel import Session

from crm import audit, positions, validation
from crm.access import Actor, require_editor
from crm.db import refresh_statistics
from crm.errors import InvalidInput
from crm.models import Contact, Partner
from crm.partners import match_key
from crm.prospects.reading import Area, Batch, Record, Scan, open_text, read_batches
from crm.prospects.taxonomy import kind_of
from crm.vocab import PartnerStatus

DEACTIVATED = "NPI deactivated in the registry"

# The fields the registry owns. The practice's own judgement of a partner (its type once
# set, status, tier, owner, notes) is never overwritten by a newer file.
_PARTNER_REFRESHED = ("name", "specialty", "address", "city", "state", "zip", "phone", "fax")
_CONTACT_REFRESHED = ("first_name", "last_name", "phone")


# Statements are sent in a few fixed shapes: SQLite prepares and keeps every distinct
# statement text (an IN list of 97 values is another text than one of 98), and a cache
# full of one-off shapes is memory that grows with the file.
_CHUNK = 128


def _in_chunks(values: Iterable[Any]) -> Iterator[list[Any]]:
    """The distinct values in lists of exactly _CHUNK, the last padded with a repeat."""
    distinct = list(dict.fromkeys(values))
    for start in range(0, len(distinct), _CHUNK):
        chunk = distinct[start : start + _CHUNK]
        yield chunk + [chunk[-1]] * (_CHUNK - len(chunk))


def _row_chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Rows in runs of _CHUNK, then powers of two: eight statement shapes at most."""
    start = 0
    while start < len(rows):
        left = len(rows) - start
        size = _CHUNK if left >= _CHUNK else 1 << (left.bit_length() - 1)
        yield rows[start : start + size]
        start += size


@dataclass(slots=True)
class NppesReport:
    rows_read: int = 0
    rows_in_area: int = 0
    partners_new: int = 0
    partners_updated: int = 0
    contacts_new: int = 0
    contacts_updated: int = 0
    unchanged: int = 0
    partners_deactivated: int = 0
    contacts_deactivated: int = 0
    invalid_npi: int = 0
    malformed_rows: int = 0

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def import_nppes(
    session: Session,
    actor: Actor,
    raw: IO[bytes],
    area: Area,
    *,
    now: datetime,
    progress: Callable[[int], None] | None = None,
) -> NppesReport:
    """Read the registry file in `raw` and bring the providers in `area` in as prospects;
    mark every NPI the registry deactivated that the CRM holds."""
    require_editor(actor)
    report = NppesReport()
    scan = Scan()
    stream = open_text(raw)
    try:
        for number, batch in enumerate(read_batches(stream, area, scan, progress=progress), 1):
            _write(session, actor, batch, now, report)
            refresh_statistics(session, (Partner.__table__, Contact.__table__), number)
            session.commit()
    finally:
        stream.detach()
    report.rows_read = scan.rows
    report.rows_in_area = scan.kept
    report.malformed_rows = scan.malformed
    return report


def _write(
    session: Session, actor: Actor, batch: Batch, now: datetime, report: NppesReport
) -> None:
    entries: list[dict[str, Any]] = []
    _deactivate(session, batch.deactivated, now, report, entries)
    records = _valid(batch.records, report)
    organisations = [r for r in records if r.organisation]
    people = [r for r in records if not r.organisation]
    _upsert_organisations(session, organisations, now, report, entries)
    _upsert_people(session, people, now, report, entries)
    audit.record_many(session, actor, entries, now)


def _valid(records: Iterable[Record], report: NppesReport) -> list[Record]:
    """Records with a well-formed NPI, one per NPI (the file's later row wins)."""
    by_npi: dict[str, Record] = {}
    for record in records:
        try:
            validation.npi(record.npi)
        except InvalidInput:
            report.invalid_npi += 1
            continue
        by_npi[record.npi] = record
    return list(by_npi.values())


def _deactivate(
    session: Session,
    npis: list[str],
    now: datetime,
    report: NppesReport,
    entries: list[dict[str, Any]],
) -> None:
    """Archive the partners and contacts whose NPI the registry deactivated: they stay
    on record (touches and referrals keep their history) but leave every list."""
    if not npis:
        return
    for model, entity in ((Partner, "partner"), (Contact, "contact")):
        ids = [
            id_
            for chunk in _in_chunks(npis)
            for id_ in session.execute(
                select(model.id).where(model.npi.in_(chunk), model.archived_at.is_(None))
            ).scalars()
        ]
        if not ids:
            continue
        table = model.__table__
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(archived_at=now, updated_at=now),
            [{"b_id": id_} for id_ in ids],
        )
        entries += [
            {
                "action": "archive",
                "entity": entity,
                "entity_id": id_,
                "changes": {"reason": DEACTIVATED},
            }
            for id_ in ids
        ]
        if model is Partner:
            report.partners_deactivated += len(ids)
        else:
            report.contacts_deactivated += len(ids)


def _phone(raw: str) -> str:
    if not raw:
        return ""
    try:
        return validation.phone(raw)
    except InvalidInput:
        return ""


def _partner_values(record: Record, name: str) -> dict[str, Any]:
    kind = kind_of(record.primary_taxonomy)
    return {
        "name": name[:200],
        "partner_type": str(kind.partner_type),
        "specialty": kind.specialty,
        "address": record.address[:200],
        "city": record.city[:80],
        "state": record.state[:2],
        "zip": record.zip,
        "phone": _phone(record.phone),
        "fax": _phone(record.fax),
    }


def _upsert_organisations(
    session: Session,
    records: list[Record],
    now: datetime,
    report: NppesReport,
    entries: list[dict[str, Any]],
) -> None:
    if not records:
        return
    wanted = {r.npi: _partner_values(r, r.organisation_name or f"NPI {r.npi}") for r in records}
    columns = [Partner.id, Partner.npi, Partner.match_key, *_partner_columns()]
    stored = {
        row.npi: row
        for chunk in _in_chunks(wanted)
        for row in session.execute(select(*columns).where(Partner.npi.in_(chunk)))
    }
    # A partner the practice entered itself, before it had the NPI, is the same one.
    keys = {
        npi: match_key(v["name"], v["address"]) for npi, v in wanted.items() if npi not in stored
    }
    if keys:
        by_key: dict[str, Any] = {}
        for chunk in _in_chunks(keys.values()):
            for row in session.execute(
                select(*columns).where(Partner.match_key.in_(chunk), Partner.npi.is_(None))
            ):
                by_key.setdefault(row.match_key, row)
        for npi, key in keys.items():
            row = by_key.pop(key, None)
            if row is not None:
                stored[npi] = row
    updates, inserts = [], []
    for npi, values in wanted.items():
        row = stored.get(npi)
        values = {**values, "npi": npi, "match_key": match_key(values["name"], values["address"])}
        if row is None:
            inserts.append(_new_partner(values, now))
            continue
        changes = _changes(row, values, (*_PARTNER_REFRESHED, "npi", "match_key"))
        if changes:
            moved = (
                positions.from_zip(values) if changes.keys() & set(positions.ADDRESS_FIELDS) else {}
            )
            updates.append(
                {"id": row.id, **{k: v[1] for k, v in changes.items()}, **moved, "updated_at": now}
            )
            entries.append(
                {"action": "update", "entity": "partner", "entity_id": row.id, "changes": changes}
            )
        else:
            report.unchanged += 1
    if updates:
        session.execute(update(Partner), updates)
        report.partners_updated += len(updates)
    _insert_partners(session, inserts, entries)
    report.partners_new += len(inserts)


def _partner_columns() -> list[Any]:
    return [getattr(Partner, name) for name in _PARTNER_REFRESHED]


def _changes(row: Any, values: dict[str, Any], fields: tuple[str, ...]) -> dict[str, list[Any]]:
    return {f: [getattr(row, f), values[f]] for f in fields if getattr(row, f) != values[f]}


def _new_partner(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        **values,
        **positions.from_zip(values),
        "status": str(PartnerStatus.PROSPECT),
        "tier": "C",
        "created_at": now,
        "updated_at": now,
    }


def _insert_partners(
    session: Session, rows: list[dict[str, Any]], entries: list[dict[str, Any]]
) -> dict[str, int]:
    """Insert the partners; their ids by match key."""
    if not rows:
        return {}
    ids: dict[str, int] = {}
    created = [
        pair
        for chunk in _row_chunks(rows)
        for pair in session.execute(insert(Partner).returning(Partner.id, Partner.match_key), chunk)
    ]
    for id_, key in created:
        ids[key] = id_
        entries.append(
            {
                "action": "create",
                "entity": "partner",
                "entity_id": id_,
                "changes": {"source": "NPI registry"},
            }
        )
    return ids


def _address_key(address: str, zip_code: str) -> str:
    return f"{match_key('', address)}|{zip_code[:5]}"


def _upsert_people(
    session: Session,
    records: list[Record],
    now: datetime,
    report: NppesReport,
    entries: list[dict[str, Any]],
) -> None:
    """Each provider is a contact of the partner at their practice address: the
    organisation there when the CRM has one, else a partner made from the address."""
    if not records:
        return
    stored: dict[str, Any] = {}
    for chunk in _in_chunks(r.npi for r in records):
        for row in session.execute(
            select(Contact.id, Contact.npi, Contact.first_name, Contact.last_name, Contact.phone)
            .where(Contact.npi.in_(chunk))
            .order_by(Contact.archived_at.is_not(None), Contact.id)
        ):
            stored.setdefault(row.npi, row)
    updates = []
    new_people = []
    for record in records:
        values = {
            "first_name": record.first_name[:80],
            "last_name": record.last_name[:80],
            "phone": _phone(record.phone),
        }
        row = stored.get(record.npi)
        if row is None:
            new_people.append(record)
            continue
        changes = _changes(row, values, _CONTACT_REFRESHED)
        if changes:
            updates.append({"id": row.id, **values, "updated_at": now})
            entries.append(
                {"action": "update", "entity": "contact", "entity_id": row.id, "changes": changes}
            )
        else:
            report.unchanged += 1
    if updates:
        session.execute(update(Contact), updates)
        report.contacts_updated += len(updates)
    if not new_people:
        return
    at_address = _partners_at(session, new_people)
    practices: dict[str, dict[str, Any]] = {}
    for record in new_people:
        key = _address_key(record.address, record.zip)
        if key not in at_address and key not in practices:
            values = _partner_values(record, f"Practice at {record.address or 'NPI ' + record.npi}")
            values["match_key"] = match_key(values["name"], values["address"])
            practices[key] = _new_partner(values, now)
    created = _insert_partners(session, list(practices.values()), entries)
    report.partners_new += len(created)
    for key, row in practices.items():
        at_address[key] = created[row["match_key"]]
    contacts = []
    for record in new_people:
        kind = kind_of(record.primary_taxonomy)
        contacts.append(
            {
                "partner_id": at_address[_address_key(record.address, record.zip)],
                "first_name": record.first_name[:80],
                "last_name": record.last_name[:80],
                "role": str(kind.contact_role),
                "email": None,
                "phone": _phone(record.phone),
                "npi": record.npi,
                "email_opt_out": False,
                "notes": record.credential,
                "created_at": now,
                "updated_at": now,
            }
        )
    created_ids = [
        id_
        for chunk in _row_chunks(contacts)
        for (id_,) in session.execute(insert(Contact).returning(Contact.id), chunk)
    ]
    for id_ in created_ids:
        entries.append(
            {
                "action": "create",
                "entity": "contact",
                "entity_id": id_,
                "changes": {"source": "NPI registry"},
            }
        )
    report.contacts_new += len(contacts)


def _partners_at(session: Session, records: list[Record]) -> dict[str, int]:
    """The partner at each provider's practice address: an organisation from the
    registry before a partner entered by hand, a live one before an archived one."""
    zips = {r.zip[:5] for r in records}
    rows = [
        row
        for chunk in _in_chunks(sorted(zips))
        for row in session.execute(
            select(Partner.id, Partner.address, Partner.zip, Partner.npi, Partner.archived_at)
            .where(func.substr(Partner.zip, 1, 5).in_(chunk))
            .order_by(Partner.id)
        )
    ]
    best: dict[str, tuple[tuple[bool, bool], int]] = {}
    for row in rows:
        key = _address_key(row.address, row.zip)
        rank = (row.archived_at is not None, row.npi is None)
        if key not in best or rank < best[key][0]:
            best[key] = (rank, row.id)
    return {key: id_ for key, (_, id_) in best.items()}
