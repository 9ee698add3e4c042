"""Partners: the referring organizations a practice courts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, select

from crm import audit, positions
from crm.access import Actor, require_editor
from crm.errors import InvalidInput, NotFound
from crm.fields import Phone, State, Website, WordList, Zip, text, vocab
from crm.lifecycle.manual import record_manual_change
from crm.models import Contact, Partner, Referral, Touch, User
from crm.vocab import (
    PartnerStatus,
    PartnerType,
    ReferralChannel,
    ReferralStatus,
    ServiceLine,
    Tier,
    TouchKind,
    UpdatePreference,
)


class PartnerInput(BaseModel):
    """What a person (or a CSV row) may set on a partner."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: text(200, required=True)
    partner_type: vocab(PartnerType)
    specialty: text(120) = ""
    address: text(200) = ""
    city: text(80) = ""
    state: State = ""
    zip: Zip = ""
    phone: Phone = ""
    fax: Phone = ""
    website: Website = ""
    territory: text(80) = ""
    tier: vocab(Tier) = Tier.C.value
    owner_id: int | None = None
    referral_channel: vocab(ReferralChannel, optional=True) = ""
    update_preference: vocab(UpdatePreference) = UpdatePreference.PER_REFERRAL.value
    status: vocab(PartnerStatus) = PartnerStatus.PROSPECT.value
    sports: WordList = ""
    tags: WordList = ""
    notes: text(10_000) = ""


_ADDRESS_WORDS = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "suite": "ste",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "parkway": "pkwy",
    "highway": "hwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "floor": "fl",
}


_WORD = re.compile(r"[a-z0-9]+")


def match_key(name: str, address: str) -> str:
    """Two rows are the same partner when name and street address agree after
    normalising case, punctuation and common street abbreviations."""

    def words(value: str) -> str:
        tokens = _WORD.findall(value.lower())
        return " ".join(_ADDRESS_WORDS.get(token, token) for token in tokens)

    return f"{words(name)}|{words(address)}"


def get_partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFound(f"no partner with id {partner_id}")
    return partner


def create_partner(session: Session, actor: Actor, data: PartnerInput, now: datetime) -> Partner:
    require_editor(actor)
    _check_owner(session, data.owner_id)
    values = data.model_dump()
    partner = Partner(
        **values,
        **positions.from_zip(values),
        match_key=match_key(data.name, data.address),
        created_at=now,
        updated_at=now,
    )
    session.add(partner)
    session.flush()
    audit.record(session, actor, "create", "partner", partner.id, values, now)
    return partner


def update_partner(
    session: Session, actor: Actor, partner_id: int, data: PartnerInput, now: datetime
) -> Partner:
    require_editor(actor)
    partner = get_partner(session, partner_id)
    _check_owner(session, data.owner_id)
    values = {**data.model_dump(), "match_key": match_key(data.name, data.address)}
    changes = audit.apply_changes(session, actor, "partner", partner, values, now)
    positions.place(partner)
    if "status" in changes:
        record_manual_change(session, actor, partner_id, *changes["status"], now)
    return partner


def archive_partner(session: Session, actor: Actor, partner_id: int, now: datetime) -> Partner:
    """Archived, never deleted: the history of touches and referrals stays intact."""
    require_editor(actor)
    partner = get_partner(session, partner_id)
    audit.set_archived(session, actor, "partner", partner, True, now)
    return partner


def restore_partner(session: Session, actor: Actor, partner_id: int, now: datetime) -> Partner:
    require_editor(actor)
    partner = get_partner(session, partner_id)
    audit.set_archived(session, actor, "partner", partner, False, now)
    return partner


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(User, owner_id) is None:
        raise InvalidInput(f"no user with id {owner_id} to own this partner")


@dataclass
class PartnerQuery:
    """The directory's filters; empty means no filter."""

    text: str = ""
    types: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    territories: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    owner_ids: list[int] = field(default_factory=list)
    include_archived: bool = False
    limit: int = 200
    offset: int = 0


@dataclass
class PartnerRow:
    id: int
    name: str
    partner_type: str
    tier: str
    territory: str
    status: str
    city: str
    state: str
    phone: str
    owner: str
    referrals_12m: int
    last_touch_at: datetime | None
    archived: bool


def partner_conditions(query: PartnerQuery) -> list[Any]:
    """The directory's filters as conditions on Partner, for any list of partners that
    is filtered like the directory (the partner map)."""
    conditions: list[Any] = []
    if not query.include_archived:
        conditions.append(Partner.archived_at.is_(None))
    if query.text.strip():
        pattern = f"%{query.text.strip().lower()}%"
        conditions.append(
            or_(
                func.lower(Partner.name).like(pattern),
                func.lower(Partner.city).like(pattern),
                func.lower(Partner.specialty).like(pattern),
                Partner.zip.like(pattern),
                func.lower(Partner.tags).like(pattern),
            )
        )
    for column, values in (
        (Partner.partner_type, query.types),
        (Partner.tier, query.tiers),
        (Partner.territory, query.territories),
        (Partner.status, query.statuses),
        (Partner.owner_id, query.owner_ids),
    ):
        if values:
            conditions.append(column.in_(values))
    return conditions


def search_partners(
    session: Session, query: PartnerQuery, now: datetime
) -> tuple[list[PartnerRow], int]:
    """One filtered page of the directory and the total count; the page's referral
    counts and last touches come from two set-based queries over just its ids."""
    conditions = partner_conditions(query)
    total = session.exec(select(func.count()).select_from(Partner).where(*conditions)).one()
    page = session.exec(
        select(Partner, User.name, User.email)
        .join(User, Partner.owner_id == User.id, isouter=True)
        .where(*conditions)
        .order_by(func.lower(Partner.name), Partner.id)
        .limit(query.limit)
        .offset(query.offset)
    ).all()
    ids = [partner.id for partner, _, _ in page]
    referrals = referral_counts(session, ids, now - timedelta(days=365))
    touches = latest_touch_times(session, ids)
    rows = [
        PartnerRow(
            id=p.id,
            name=p.name,
            partner_type=p.partner_type,
            tier=p.tier,
            territory=p.territory,
            status=p.status,
            city=p.city,
            state=p.state,
            phone=p.phone,
            owner=owner_name or owner_email or "",
            referrals_12m=referrals.get(p.id, 0),
            last_touch_at=touches.get(p.id),
            archived=p.archived_at is not None,
        )
        for p, owner_name, owner_email in page
    ]
    return rows, total


def referral_counts(session: Session, ids: list[int], since: datetime) -> dict[int, int]:
    if not ids:
        return {}
    result = session.execute(
        sa_select(Referral.partner_id, func.count())
        .where(Referral.partner_id.in_(ids), Referral.received_at >= since)
        .group_by(Referral.partner_id)
    )
    return dict(result.all())


def latest_touch_times(session: Session, ids: list[int]) -> dict[int, datetime]:
    if not ids:
        return {}
    result = session.execute(
        sa_select(Touch.partner_id, func.max(Touch.occurred_at))
        .where(Touch.partner_id.in_(ids))
        .group_by(Touch.partner_id)
    )
    return dict(result.all())


def filter_options(session: Session) -> dict[str, list[Any]]:
    """Values present in the data, for the directory's filter widgets."""
    territories = session.exec(
        select(Partner.territory)
        .where(Partner.territory != "")
        .distinct()
        .order_by(Partner.territory)
    ).all()
    owners = session.exec(select(User).where(User.active).order_by(User.name, User.email)).all()
    return {"territories": list(territories), "owners": [(u.id, u.name or u.email) for u in owners]}


@dataclass
class TimelineEntry:
    at: datetime
    kind: str
    title: str
    detail: str


@dataclass
class PartnerDetail:
    partner: Partner
    owner: str
    contacts: list[Contact]
    timeline: list[TimelineEntry]


def partner_detail(session: Session, partner_id: int, timeline_limit: int = 100) -> PartnerDetail:
    """The partner, its contacts and its touches and referrals newest first."""
    partner = get_partner(session, partner_id)
    owner = session.get(User, partner.owner_id) if partner.owner_id else None
    contacts = list(
        session.exec(
            select(Contact)
            .where(Contact.partner_id == partner_id)
            .order_by(Contact.archived_at.is_not(None), Contact.last_name, Contact.first_name)
        )
    )
    names = {c.id: f"{c.first_name} {c.last_name}".strip() for c in contacts}
    touches = session.exec(
        select(Touch, User.name)
        .join(User, Touch.user_id == User.id, isouter=True)
        .where(Touch.partner_id == partner_id)
        .order_by(Touch.occurred_at.desc())
        .limit(timeline_limit)
    ).all()
    referrals = session.exec(
        select(Referral)
        .where(Referral.partner_id == partner_id)
        .order_by(Referral.received_at.desc())
        .limit(timeline_limit)
    ).all()
    entries = [
        TimelineEntry(
            at=t.occurred_at,
            kind="touch",
            title=TouchKind(t.kind).label,
            detail=" · ".join(
                x for x in (names.get(t.contact_id, ""), by or "", t.outcome, t.notes) if x
            ),
        )
        for t, by in touches
    ] + [
        TimelineEntry(
            at=r.received_at,
            kind="referral",
            title=f"Referral ({ServiceLine(r.service_line).label})",
            detail=" · ".join(
                x
                for x in (
                    ReferralStatus(r.status).label,
                    names.get(r.contact_id, ""),
                    r.partner_reference or "",
                )
                if x
            ),
        )
        for r in referrals
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    return PartnerDetail(
        partner=partner,
        owner=owner.name or owner.email if owner else "",
        contacts=contacts,
        timeline=entries[:timeline_limit],
    )
