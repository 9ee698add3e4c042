"""Prospects ranked for a marketer deciding whom to court first: nearest to the clinic
first (patients go where it is easy to get to), then by kind of partner."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import func, select
from sqlmodel import Session

from crm.models import Contact, Partner
from crm.prospects import geo
from crm.vocab import PartnerStatus, PartnerType

_TYPE_ORDER = {kind.value: i for i, kind in enumerate(PartnerType)}


@dataclass(frozen=True, slots=True)
class Prospect:
    partner_id: int
    name: str
    partner_type: str
    specialty: str
    city: str
    zip: str
    miles: float | None
    providers: int
    from_registry: bool


def rank_prospects(
    session: Session,
    origin: tuple[float, float] | None,
    *,
    partner_types: tuple[str, ...] = (),
    within_miles: float | None = None,
    limit: int = 200,
) -> list[Prospect]:
    """Live partners with status prospect, nearest first (those with no known ZIP last),
    then by type and name; at most `limit`. Two queries whatever their number."""
    query = select(
        Partner.id,
        Partner.name,
        Partner.partner_type,
        Partner.specialty,
        Partner.city,
        Partner.zip,
        Partner.npi,
    ).where(Partner.status == PartnerStatus.PROSPECT, Partner.archived_at.is_(None))
    if partner_types:
        query = query.where(Partner.partner_type.in_(partner_types))
    ranked: list[Prospect] = []
    for row in session.execute(query):
        miles = geo.zip_miles(origin, row.zip) if origin is not None and row.zip else None
        if within_miles is not None and (miles is None or miles > within_miles):
            continue
        ranked.append(
            Prospect(
                row.id,
                row.name,
                row.partner_type,
                row.specialty,
                row.city,
                row.zip,
                miles,
                0,
                row.npi is not None,
            )
        )
    ranked.sort(
        key=lambda p: (
            p.miles is None,
            round(p.miles, 1) if p.miles is not None else 0.0,
            _TYPE_ORDER.get(p.partner_type, len(_TYPE_ORDER)),
            p.name.lower(),
        )
    )
    shown = ranked[:limit]
    counts = dict(
        session.execute(
            select(Contact.partner_id, func.count())
            .where(
                Contact.partner_id.in_([p.partner_id for p in shown]),
                Contact.archived_at.is_(None),
            )
            .group_by(Contact.partner_id)
        ).all()
    )
    return [replace(p, providers=counts.get(p.partner_id, 0)) for p in shown]
