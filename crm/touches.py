"""Touches: every interaction with a partner, the raw material of outreach analytics."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from crm import audit
from crm.access import Actor, require_editor
from crm.errors import InvalidInput
from crm.fields import text, vocab
from crm.models import Contact, Touch
from crm.partners import get_partner
from crm.vocab import TouchKind


class TouchInput(BaseModel):
    kind: vocab(TouchKind)
    occurred_at: datetime
    contact_id: int | None = None
    outcome: text(200) = ""
    notes: text(10_000) = ""


def log_touch(
    session: Session, actor: Actor, partner_id: int, data: TouchInput, now: datetime
) -> Touch:
    require_editor(actor)
    get_partner(session, partner_id)
    if data.contact_id is not None:
        contact = session.get(Contact, data.contact_id)
        if contact is None or contact.partner_id != partner_id:
            raise InvalidInput("that contact does not work at this partner")
    if data.occurred_at.tzinfo is None:
        raise ValueError("a touch time needs a time zone")
    touch = Touch(partner_id=partner_id, user_id=actor.id, created_at=now, **data.model_dump())
    session.add(touch)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "touch",
        touch.id,
        {"partner_id": partner_id, "kind": touch.kind},
        now,
    )
    return touch
