"""References a row makes by name (a user's email, a partner's name and address, a
clinic's name, a contact's or patient's email), resolved for a whole file in a few
set-based queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlmodel import Session

from crm.locations import location_by_name
from crm.models import Contact, Partner, Patient, User
from crm.partners import match_key
from crm.transfer.entity import Candidate, chunks


def user_ids(session: Session, emails: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in chunks(sorted({e.lower() for e in emails})):
        query = select(func.lower(User.email), User.id).where(func.lower(User.email).in_(batch))
        found.update(dict(session.execute(query).all()))
    return found


def location_ids(session: Session) -> dict[str, int]:
    return location_by_name(session)


def resolve_location(row: Candidate, locations: dict[str, int]) -> None:
    name = row.fields.pop("location", None)
    if name is None:
        return
    if name.lower() in locations:
        row.fields["location_id"] = locations[name.lower()]
    else:
        known = ", ".join(sorted(locations)) or "none yet"
        row.reject("location", f"no clinic named {name!r} (clinics: {known})")


@dataclass
class _PartnerRow:
    id: int
    name: str
    match_key: str
    archived: bool


class PartnerFinder:
    """Finds the partner a contact or referral row names: by name and address (the same
    key partners are de-duplicated on), or by name alone when the row gives no address
    and exactly one partner has that name."""

    def __init__(self, session: Session, rows: list[Candidate]) -> None:
        wanted = {
            match_key(r.cells.get("partner_name", ""), r.cells.get("partner_address", ""))
            for r in rows
        }
        names = {r.cells["partner_name"].lower() for r in rows if "partner_name" in r.cells}
        found: dict[int, _PartnerRow] = {}
        for batch in chunks(sorted(wanted)):
            self._collect(session, Partner.match_key.in_(batch), found)
        for batch in chunks(sorted(names)):
            self._collect(session, func.lower(Partner.name).in_(batch), found)
        self.by_key: dict[str, list[_PartnerRow]] = defaultdict(list)
        self.by_name: dict[str, list[_PartnerRow]] = defaultdict(list)
        for partner in sorted(found.values(), key=lambda p: (p.archived, p.id)):
            self.by_key[partner.match_key].append(partner)
            self.by_name[partner.match_key.split("|", 1)[0]].append(partner)

    @staticmethod
    def _collect(session: Session, condition, found: dict[int, _PartnerRow]) -> None:  # type: ignore[no-untyped-def]
        query = select(
            Partner.id, Partner.name, Partner.match_key, Partner.archived_at.is_not(None)
        ).where(condition)
        for id_, name, key, archived in session.execute(query):
            found[id_] = _PartnerRow(id_, name, key, archived)

    def resolve(self, row: Candidate) -> None:
        name = row.fields.pop("partner_name", None)
        address = row.fields.pop("partner_address", None)
        if name is None:
            row.reject("partner_name", "required, to find the partner")
            return
        key = match_key(name, address or "")
        matches = self.by_key.get(key) or (
            [] if address else self.by_name.get(key.split("|", 1)[0], [])
        )
        if len(matches) == 1 or (matches and key in self.by_key):
            row.fields["partner_id"] = matches[0].id
        elif matches:
            row.reject(
                "partner_name",
                f"{len(matches)} partners are named {name!r}: add the partner_address column",
            )
        else:
            where = f" at {address!r}" if address else ""
            row.reject(
                "partner_name", f"no partner named {name!r}{where}; import the partner first"
            )


def contacts_by_email(session: Session, emails: set[str]) -> dict[str, list[tuple[int, int]]]:
    """Email -> [(contact id, partner id)], oldest first."""
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for batch in chunks(sorted({e.lower() for e in emails})):
        query = (
            select(func.lower(Contact.email), Contact.id, Contact.partner_id)
            .where(func.lower(Contact.email).in_(batch))
            .order_by(Contact.id)
        )
        for email, id_, partner_id in session.execute(query):
            found[email].append((id_, partner_id))
    return found


def patient_ids(session: Session, emails: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in chunks(sorted({e.lower() for e in emails})):
        query = (
            select(func.lower(Patient.email), Patient.id)
            .where(func.lower(Patient.email).in_(batch))
            .order_by(Patient.id.desc())
        )
        found.update(dict(session.execute(query).all()))
    return found
