"""Who a seasonal email goes to, found with one query per season and phase.

A contact is a recipient when its partner serves one of the sports and either the
partner is a school, sports club or athletic-training provider (all its contacts), or
the contact is a coach or athletic trainer (at any partner serving the sport, such as a
physical-therapy clinic with a team's trainer on file). Archived contacts and partners
are not. The suppression list, opt-outs and "do not contact" are the dispatcher's to
judge (and the preview's, with the dispatcher's rules), not this query's.

One address gets one email per phase: contacts sharing an address (one coach listed at
two clubs) are merged, with the sports of both."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Row, literal, or_, select
from sqlmodel import Session

from crm.models import Contact, Partner

SPORTS_PARTNER_TYPES = ("school", "sports_club", "athletic_training")
SPORTS_ROLES = ("coach", "athletic_trainer")


@dataclass(frozen=True)
class SeasonalRecipient:
    contact_id: int
    partner_id: int
    partner_name: str
    first_name: str
    last_name: str
    role: str
    email: str  # lowercased; "" when there is none
    owner_id: int | None
    sports: tuple[str, ...]  # the phase's sports this recipient's partners serve, in calendar order

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def serves_any(sports: list[str]) -> ColumnElement[bool]:
    """Partner.sports is a sorted comma-separated list, so ",x," finds sport x exactly
    ("hockey" does not match "ice hockey")."""
    padded = literal(",") + Partner.sports + literal(",")
    return or_(*(padded.like(f"%,{sport},%") for sport in sports))


def seasonal_recipients(session: Session, sports: list[str]) -> list[SeasonalRecipient]:
    """Everyone these sports' emails reach, one per address (those without an address
    one per contact, for the preview to list as left out)."""
    if not sports:
        return []
    rows = session.execute(
        select(
            Contact.id,
            Contact.partner_id,
            Partner.name,
            Contact.first_name,
            Contact.last_name,
            Contact.role,
            Contact.email,
            Partner.owner_id,
            Partner.sports,
        )
        .join(Partner, Contact.partner_id == Partner.id)
        .where(
            Contact.archived_at.is_(None),
            Partner.archived_at.is_(None),
            serves_any(sports),
            or_(Partner.partner_type.in_(SPORTS_PARTNER_TYPES), Contact.role.in_(SPORTS_ROLES)),
        )
        .order_by(Contact.id)
    ).all()
    return _merged(rows, sports)


def _merged(rows: list[Row], sports: list[str]) -> list[SeasonalRecipient]:
    by_address: dict[str, SeasonalRecipient] = {}
    served: dict[str, set[str]] = {}
    for cid, pid, partner, first, last, role, email, owner, partner_sports in rows:
        address = (email or "").strip().lower()
        theirs = set(partner_sports.split(",")) & set(sports)
        key = address or f"contact:{cid}"
        if key not in by_address:
            by_address[key] = SeasonalRecipient(
                cid, pid, partner, first, last, role, address, owner, ()
            )
            served[key] = set()
        served[key] |= theirs
    return [
        replace(person, sports=tuple(s for s in sports if s in served[key]))
        for key, person in by_address.items()
    ]


def joined(words: tuple[str, ...] | list[str]) -> str:
    """ "football", "football and soccer", "football, soccer and volleyball"."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
