"""The partner map's points: the directory's partners (filtered as the directory is,
and by segment) where they are, with their referrals in the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from crm.models import Partner, Referral, User
from crm.partners import PartnerQuery, partner_conditions
from crm.segments.service import member_ids_select


@dataclass
class MapPoint:
    id: int
    name: str
    latitude: float
    longitude: float
    position_source: str
    partner_type: str
    tier: str
    status: str
    territory: str
    city: str
    owner: str
    referrals: int


@dataclass
class PartnerMap:
    points: list[MapPoint]
    unplaced: int  # partners that match but have no position (an unknown or missing ZIP)


def partner_map(
    session: Session,
    query: PartnerQuery,
    since: datetime,
    until: datetime,
    now: datetime,
    segment_id: int | None = None,
) -> PartnerMap:
    """Every matching partner in one query, its referrals received in [since, until)
    counted by a grouped subquery joined to it."""
    referred = (
        select(Referral.partner_id, func.count().label("n"))
        .where(Referral.received_at >= since, Referral.received_at < until)
        .group_by(Referral.partner_id)
        .subquery()
    )
    conditions = partner_conditions(query)
    if segment_id is not None:
        conditions.append(Partner.id.in_(member_ids_select(session, segment_id, now)))
    rows = session.execute(
        select(
            Partner.id,
            Partner.name,
            Partner.latitude,
            Partner.longitude,
            Partner.position_source,
            Partner.partner_type,
            Partner.tier,
            Partner.status,
            Partner.territory,
            Partner.city,
            func.coalesce(func.nullif(User.name, ""), User.email, "").label("owner"),
            func.coalesce(referred.c.n, 0).label("referrals"),
        )
        .outerjoin(User, Partner.owner_id == User.id)
        .outerjoin(referred, referred.c.partner_id == Partner.id)
        .where(*conditions)
        .order_by(Partner.id)
    ).all()
    points = [MapPoint(**row._mapping) for row in rows if row.latitude is not None]
    return PartnerMap(points=points, unplaced=len(rows) - len(points))
