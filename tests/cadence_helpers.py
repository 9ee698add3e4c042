"""Cadences for tests: a welcome sequence (email, call, visit) and a monthly touch plan."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from campaigns.cadences.enrolment import CadenceDraft, create_cadence
from campaigns.cadences.steps import StepDraft
from crm.access import Actor
from crm.models import Cadence
from crm.settings import Settings

SETTINGS = Settings(
    _env_file=None,
    secret_key="test-secret-key",
    practice_name="Summit Sports Medicine",
    postal_address="12 Harbor Way, Salem, MA 01970",
    public_url="https://liaison.example.org",
    timezone="America/New_York",
)


def checkin(offset: int = 0, roles: str = "physician", **fields: object) -> StepDraft:
    return StepDraft(
        action="email",
        template="partner_checkin",
        contact_roles=roles,
        offset_days=offset,
        **fields,
    )


def task(action: str = "call", offset: int = 1, **fields: object) -> StepDraft:
    return StepDraft(action=action, offset_days=offset, title=f"{action} them", **fields)


def welcome(
    session: Session,
    actor: Actor,
    now: datetime,
    steps: list[StepDraft] | None = None,
    **fields: object,
) -> Cadence:
    draft = CadenceDraft(
        name=fields.pop("name", "Welcome"),
        purpose="prospecting",
        steps=steps or [checkin(0), task("call", 1), task("visit", 2)],
        **fields,
    )
    cadence = create_cadence(session, actor, draft, now)
    session.commit()
    return cadence
