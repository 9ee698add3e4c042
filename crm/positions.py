"""Where each partner is: the centre of its ZIP (offline, from `crm.prospects.geo`), or
its street address found by a geocoder when one is configured (`crm.geocoding`).

A position remembers the address it was found for (`position_address`), so a partner
whose address changed is found again and one whose address did not keeps what it has
(a geocoded point is never replaced by a coarser ZIP centre for nothing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from crm.geocoding import Geocoder, GeocoderUnavailable
from crm.models import Partner
from crm.prospects.geo import centroid

ZIP = "zip"
GEOCODER = "geocoder"
COLUMNS = ("latitude", "longitude", "position_source", "position_address")
ADDRESS_FIELDS = ("address", "city", "state", "zip")


def address_line(values: Mapping[str, Any]) -> str:
    """The one-line address a geocoder reads: "12 Elm St, Worcester, MA 01608"."""
    state_zip = " ".join(x for x in (values.get("state") or "", values.get("zip") or "") if x)
    parts = (values.get("address") or "", values.get("city") or "", state_zip)
    return ", ".join(p.strip() for p in parts if p and p.strip())


def address_key(values: Mapping[str, Any]) -> str:
    return " ".join(address_line(values).lower().split())[:400]


def from_zip(values: Mapping[str, Any], key: str | None = None) -> dict[str, Any]:
    """The position at the centre of the address's ZIP; none for a ZIP the data lacks.
    `key` is the address's `address_key` when the caller has it already."""
    point = centroid(values.get("zip") or "")
    return {
        "latitude": point[0] if point else None,
        "longitude": point[1] if point else None,
        "position_source": ZIP if point else "",
        "position_address": address_key(values) if key is None else key,
    }


def is_current(stored: Mapping[str, Any] | None, values: Mapping[str, Any]) -> bool:
    return stored is not None and stored.get("position_address") == address_key(values)


def position_values(
    values: Mapping[str, Any], stored: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The position columns for a partner with these address fields: what is stored if
    it was found for this same address, else the ZIP centre."""
    key = address_key(values)
    if stored is not None and stored.get("position_address") == key:
        return {name: stored.get(name) for name in COLUMNS}
    return from_zip(values, key)


def place(partner: Partner) -> None:
    """Set the partner's position from its own address (after a create or an edit)."""
    stored = {name: getattr(partner, name) for name in COLUMNS + ADDRESS_FIELDS}
    for name, value in position_values(stored, stored).items():
        setattr(partner, name, value)


@dataclass
class LocateReport:
    checked: int = 0
    from_zip: int = 0
    geocoded: int = 0
    not_found: int = 0
    problem: str = ""


_READ = (Partner.id, *(getattr(Partner, n) for n in COLUMNS + ADDRESS_FIELDS))


def locate_partners(
    session: Session, geocoder: Geocoder | None = None, batch_size: int = 1000
) -> LocateReport:
    """Give every partner whose address changed (or was never placed) its ZIP centre,
    and, with a geocoder, every address not geocoded yet its geocoded point. Partners
    are read in batches by id and each batch's positions written in one executemany."""
    report = LocateReport()
    after = 0
    while True:
        rows = session.execute(
            select(*_READ).where(Partner.id > after).order_by(Partner.id).limit(batch_size)
        ).all()
        if not rows:
            return report
        after = rows[-1].id
        report.checked += len(rows)
        changed = [_relocated(dict(row._mapping), geocoder, report) for row in rows]
        _write(session, [values for values in changed if values is not None])


def _relocated(
    stored: dict[str, Any], geocoder: Geocoder | None, report: LocateReport
) -> dict[str, Any] | None:
    values = stored if is_current(stored, stored) else {**stored, **from_zip(stored)}
    if geocoder is not None and not report.problem and _wants_geocoding(values):
        values = _geocoded(values, geocoder, report)
    if all(values[name] == stored[name] for name in COLUMNS):
        return None
    if values["position_source"] == ZIP:
        report.from_zip += 1
    elif values["position_source"] == "":
        report.not_found += 1
    return {"_id": stored["id"], **{name: values[name] for name in COLUMNS}}


def _wants_geocoding(values: dict[str, Any]) -> bool:
    return values["position_source"] != GEOCODER and bool((values["address"] or "").strip())


def _geocoded(values: dict[str, Any], geocoder: Geocoder, report: LocateReport) -> dict[str, Any]:
    try:
        point = geocoder.locate(address_line(values))
    except GeocoderUnavailable as exc:
        report.problem = str(exc)
        return values
    if point is None:
        return values
    report.geocoded += 1
    return {
        **values,
        "latitude": point[0],
        "longitude": point[1],
        "position_source": GEOCODER,
        "position_address": address_key(values),
    }


def _write(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    table = Partner.__table__
    session.execute(update(table).where(table.c.id == bindparam("_id")), rows)
