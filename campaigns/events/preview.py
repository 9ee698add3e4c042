"""What a marketer sees before sending invitations: how many people the audience
reaches, and which physicians this event would take past the year's non-monetary
compensation limit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, union
from sqlmodel import Session

from campaigns.events.compensation import PreviewFlag, preview_flags
from campaigns.events.service import audience_select
from crm.models import Event, EventInvitee


@dataclass(frozen=True)
class InvitationPreview:
    recipients: int
    flags: list[PreviewFlag]


def invitation_preview(
    session: Session,
    event: Event,
    zone: ZoneInfo,
    now: datetime,
    partner_ids: Iterable[int] = (),
    contact_ids: Iterable[int] = (),
) -> InvitationPreview:
    """The audience is everyone already invited plus whom `invite` would add."""
    picked = audience_select(session, event.audience_segment_id, partner_ids, contact_ids, now)
    invited = select(EventInvitee.contact_id.label("contact_id")).where(
        EventInvitee.event_id == event.id
    )
    everyone = union(select(picked.subquery().c.contact_id), invited)
    recipients = session.execute(select(func.count()).select_from(everyone.subquery())).scalar_one()
    return InvitationPreview(
        recipients=recipients, flags=preview_flags(session, event, everyone, zone)
    )
