"""The referral report of an EHR or practice-management system: each row names the
referring provider by NPI, the referral and appointment dates and a status in the
system's own words. The NPI finds the provider's contact (and so the partner, when the
report names no practice); the status says whether the patient was seen (the first visit
is the appointment) or the referral was lost. Nothing clinical is read."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select
from sqlmodel import Session

from crm import validation
from crm.errors import InvalidInput
from crm.models import Contact
from crm.transfer.columns import squash
from crm.transfer.entity import Candidate, chunks

COLUMNS = ("referring_npi", "status")
ALIASES: dict[str, tuple[str, ...]] = {
    "referring_npi": (
        "Referring Provider NPI",
        "Referring NPI",
        "Referring Physician NPI",
        "Referring Doctor NPI",
        "NPI",
        "Provider NPI",
    ),
    "status": ("Referral Status", "Appointment Status", "Status"),
}
_SEEN = {"seen", "completed", "complete", "arrived", "checkedout", "checkedin", "attended"}
_LOST = {"cancelled", "canceled", "declined", "noshow", "lost", "denied", "closed"}
_OPEN = {"open", "pending", "new", "received", "scheduled", "booked", "contacted", "waitlist"}


def resolve(session: Session, rows: list[Candidate]) -> None:
    """The contact (and partner) of each row's NPI, and what its status says; run before
    the partner is looked up by name, which a row found by NPI no longer needs."""
    wanted: set[str] = set()
    for row in rows:
        raw = row.fields.pop("referring_npi", None)
        if raw is None:
            continue
        try:
            row.fields["_npi"] = validation.npi(raw)
            wanted.add(row.fields["_npi"])
        except InvalidInput as exc:
            row.reject("referring_npi", str(exc))
    found = _contacts_by_npi(session, wanted)
    for row in rows:
        npi = row.fields.pop("_npi", None)
        if npi is not None:
            _provider(row, npi, found.get(npi, []))
        _status(row)


def _contacts_by_npi(session: Session, npis: set[str]) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for batch in chunks(sorted(npis)):
        query = (
            select(Contact.npi, Contact.id, Contact.partner_id)
            .where(Contact.npi.in_(batch))
            .order_by(Contact.archived_at.is_not(None), Contact.id)
        )
        for npi, id_, partner_id in session.execute(query):
            found[npi].append((id_, partner_id))
    return found


def _provider(row: Candidate, npi: str, contacts: list[tuple[int, int]]) -> None:
    if not contacts:
        row.reject(
            "referring_npi", f"no contact with NPI {npi}; import the referring provider first"
        )
        return
    contact_id, partner_id = contacts[0]
    row.related["npi_partner_id"] = partner_id
    row.fields["contact_id"] = contact_id


def check_partner(row: Candidate) -> None:
    """After the partner lookup: a report naming a practice and a provider who works
    elsewhere is a mistake worth stopping for."""
    partner_id = row.related.get("npi_partner_id")
    if partner_id is None:
        return
    if "partner_id" not in row.fields:
        row.fields["partner_id"] = partner_id
    elif row.fields["partner_id"] != partner_id:
        row.reject("referring_npi", "this provider works at another partner, not this one")


def _status(row: Candidate) -> None:
    raw = row.fields.pop("status", None)
    if raw is None:
        return
    key = squash(raw)
    if key in _SEEN:
        if "scheduled_at" in row.fields and "first_visit_at" not in row.fields:
            row.fields["first_visit_at"] = row.fields["scheduled_at"]
    elif key in _LOST:
        row.fields["lost"] = "true"
        row.fields.setdefault("lost_reason", raw)
    elif key not in _OPEN:
        row.reject(
            "status",
            f"unknown status {raw!r}; expected a status such as Scheduled, Seen, "
            "Completed, Cancelled or No show",
        )
