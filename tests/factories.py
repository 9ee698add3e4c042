"""Rows for tests, with believable defaults and any field overridable."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from sqlmodel import Session

from crm import positions
from crm.access import Actor
from crm.models import Contact, Location, Partner, Patient, Referral, Touch, User
from crm.partners import match_key
from crm.users import actor_for, hash_password
from tests.conftest import NOW

_seq = itertools.count(1)
PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)


def make_user(session: Session, role: str = "marketer", **fields: Any) -> Actor:
    n = next(_seq)
    user = User(
        **{
            "email": f"user{n}@practice.example.org",
            "name": f"User {n}",
            "role": role,
            "password_hash": _HASH,
            "created_at": NOW,
            **fields,
        }
    )
    session.add(user)
    session.commit()
    return actor_for(user)


def make_location(session: Session, **fields: Any) -> Location:
    n = next(_seq)
    location = Location(
        **{
            "name": f"Clinic {n}",
            "city": "Boston",
            "state": "MA",
            "timezone": "America/New_York",
            "created_at": NOW,
            **fields,
        }
    )
    session.add(location)
    session.commit()
    return location


def make_partner(session: Session, placed: bool = True, **fields: Any) -> Partner:
    """Placed at its ZIP centre as the app places a partner it saves, unless
    `placed=False` (a partner from before positions) or a position is given."""
    n = next(_seq)
    values = {
        "name": f"Partner {n}",
        "partner_type": "primary_care",
        "address": f"{n} Main St",
        "city": "Boston",
        "state": "MA",
        "zip": "02118",
        "tier": "B",
        "status": "prospect",
        "created_at": NOW,
        "updated_at": NOW,
        **fields,
    }
    if placed and "latitude" not in fields:
        values = {**positions.from_zip(values), **values}
    partner = Partner(**values, match_key=match_key(values["name"], values["address"]))
    session.add(partner)
    session.commit()
    return partner


def make_contact(session: Session, partner: Partner, **fields: Any) -> Contact:
    n = next(_seq)
    contact = Contact(
        **{
            "partner_id": partner.id,
            "first_name": f"Pat{n}",
            "last_name": "Lee",
            "role": "physician",
            "email": f"contact{n}@partner.example.org",
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )
    session.add(contact)
    session.commit()
    return contact


def make_touch(
    session: Session, partner: Partner, occurred_at: datetime = NOW, **fields: Any
) -> Touch:
    touch = Touch(
        **{
            "partner_id": partner.id,
            "kind": "call",
            "occurred_at": occurred_at,
            "created_at": NOW,
            **fields,
        }
    )
    session.add(touch)
    session.commit()
    return touch


def make_referral(
    session: Session, partner: Partner, received_at: datetime = NOW, **fields: Any
) -> Referral:
    referral = Referral(
        **{
            "partner_id": partner.id,
            "received_at": received_at,
            "service_line": "knee",
            "status": "received",
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )
    session.add(referral)
    session.commit()
    return referral


def make_patient(session: Session, **fields: Any) -> Patient:
    n = next(_seq)
    patient = Patient(
        **{
            "first_name": f"Sam{n}",
            "last_name": "Rivera",
            "email": f"patient{n}@mail.example.org",
            "consent_to_contact": True,
            "consent_at": NOW,
            "consent_source": "intake form",
            "created_at": NOW,
            "updated_at": NOW,
            **fields,
        }
    )
    session.add(patient)
    session.commit()
    return patient
