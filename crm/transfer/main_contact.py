"""A partner row's main contact. Partner lists carry the office's email or the person a
liaison talks to on the same row as the practice; those cells become (or update) a
contact of that partner, checked by the contact form's own model, so a bad email or role
rejects the row like any other bad value. The contact is the partner's contact with the
same email, else with the same name, else a new one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from crm.access import Actor
from crm.contacts import ContactInput
from crm.models import Contact
from crm.transfer.contacts import Contacts
from crm.transfer.entity import Candidate, Written, chunks, error_message
from crm.transfer.planning import Change
from crm.transfer.report import ImportReport
from crm.transfer.writing import write

COLUMNS = (
    "contact_name",
    "contact_first_name",
    "contact_last_name",
    "contact_email",
    "contact_phone",
    "contact_role",
)
ALIASES: dict[str, tuple[str, ...]] = {
    "contact_name": ("Contact", "Contact Name", "Main Contact", "Primary Contact"),
    "contact_first_name": ("Contact First Name",),
    "contact_last_name": ("Contact Last Name",),
    "contact_email": ("Contact Email", "Contact E-mail", "Contact Email Address"),
    "contact_phone": ("Contact Phone", "Contact Phone Number", "Direct Phone"),
    "contact_role": ("Title", "Role", "Job Title", "Contact Title", "Contact Role"),
}
# The office's email is the main contact's only when the row names no contact email.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "contact_email": ("Email", "E-mail", "Email Address", "E-mail Address", "Office Email"),
}
_FIELD = {
    "contact_first_name": "first_name",
    "contact_last_name": "last_name",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_role": "role",
}
_KEY = "main_contact"
_CONTACTS = Contacts()


def take(row: Candidate) -> None:
    """Move the row's contact cells out of the partner's fields and check them; the
    checked values wait in `row.related` until the partner has its id."""
    given = {name: row.fields.pop(name) for name in COLUMNS if name in row.fields}
    if not given:
        return
    values = {_FIELD[name]: value for name, value in given.items() if name in _FIELD}
    column_of = {field: name for name, field in _FIELD.items()}
    if "contact_name" in given:
        first, last = split_name(given["contact_name"])
        values = {"first_name": first, "last_name": last, **values}
        column_of.update(first_name="contact_name", last_name="contact_name")
    named = bool(values.get("first_name") or values.get("last_name"))
    if not values.get("first_name"):
        # An office email or phone without a person: the contact is the practice itself.
        values["first_name"] = row.cells.get("name", "")[:80].strip() or "Office"
    try:
        data = ContactInput.model_validate(values)
    except ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "row"
            row.reject(column_of.get(field, "contact_name"), error_message(error))
        return
    checked = data.model_dump()
    row.related[_KEY] = {
        "all": checked,
        "given": {k: checked[k] for k in values if named or k not in ("first_name",)},
        "named": named,
    }


def split_name(text: str) -> tuple[str, str]:
    """ "Jane Smith", "Mary Ann Lee" or "Smith, Jane" as first and last name."""
    text = " ".join(text.split())
    if "," in text:
        last, _, first = text.partition(",")
        return first.strip(), last.strip()
    first, _, last = text.rpartition(" ")
    return (first, last) if first else (last, "")


def write_contacts(
    session: Session,
    actor: Actor,
    rows: list[Candidate],
    partners: Sequence[Written],
    now: datetime,
    report: ImportReport,
) -> None:
    wanted = [r for r in rows if _KEY in r.related and not r.reasons]
    if not wanted:
        return
    partner_of = {p.values["match_key"]: p.id for p in partners}
    people = _existing(session, {partner_of[r.key] for r in wanted if r.key in partner_of})
    changes: list[Change] = []
    for row in wanted:
        partner_id = partner_of.get(row.key)
        if partner_id is None:
            continue
        contact = row.related[_KEY]
        found = _match(people[partner_id], contact)
        if found is None:
            found = Change(None, None, {**contact["all"], "partner_id": partner_id})
            people[partner_id].append(found)
            changes.append(found)
        else:
            found.values = {**found.values, **contact["given"]}
            if not any(change is found for change in changes):
                changes.append(found)
    report.contacts_inserted += sum(1 for c in changes if c.id is None)
    report.contacts_updated += sum(1 for c in changes if c.is_update)
    write(session, actor, _CONTACTS, changes, now)


def _existing(session: Session, partner_ids: set[int | None]) -> dict[int, list[Change]]:
    table = Contact.__table__
    columns = (table.c.id, *(table.c[n] for n in _CONTACTS.stored_columns))
    found: dict[int, list[Change]] = defaultdict(list)
    for batch in chunks(sorted(i for i in partner_ids if i is not None)):
        query = select(*columns).where(table.c.partner_id.in_(batch)).order_by(table.c.id)
        for row in session.execute(query):
            stored = _CONTACTS.stored_of(row)
            found[stored.values["partner_id"]].append(
                Change(stored.id, stored.values, dict(stored.values))
            )
    return found


def _match(people: list[Change], contact: dict[str, Any]) -> Change | None:
    email = (contact["all"]["email"] or "").lower()
    if email:
        for person in people:
            if (person.values["email"] or "").lower() == email:
                return person
    name = _name(contact["all"])
    for person in people:
        if _name(person.values) == name:
            return person
    return None


def _name(values: dict[str, Any]) -> tuple[str, str]:
    return values["first_name"].lower(), values["last_name"].lower()
