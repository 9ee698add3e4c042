"""The kinds of record that can be imported and exported, by the name users type."""

from __future__ import annotations

from crm.errors import InvalidInput
from crm.transfer.contacts import Contacts
from crm.transfer.entity import Entity
from crm.transfer.partners import Partners
from crm.transfer.patients import Patients
from crm.transfer.referrals import Referrals
from crm.transfer.visits import Visits

ENTITIES = ("partners", "contacts", "referrals", "patients", "visits")
_KINDS: dict[str, Entity] = {
    kind.name: kind for kind in (Partners(), Contacts(), Referrals(), Patients(), Visits())
}


def kind_of(entity: str) -> Entity:
    try:
        return _KINDS[entity]
    except KeyError:
        raise InvalidInput(
            f"unknown kind of record {entity!r}; use one of: {', '.join(ENTITIES)}"
        ) from None
