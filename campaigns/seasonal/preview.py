"""What a marketer sees before approving a seasonal send: who it reaches, who is left
out and why (judged by `campaigns.mail.preview` with the dispatcher's own rules, at the
moment the send is due), and the email as the first recipient would get it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from campaigns import post
from campaigns.post import Draft, Recipient, StepPreview
from campaigns.seasonal.enqueue import Phase, owner_names, seasonal_email
from campaigns.seasonal.recipients import SeasonalRecipient, seasonal_recipients
from campaigns.seasonal.sends import PHASE_TEMPLATES, SendError
from crm.business_days import due_moment
from crm.models import SeasonalSend
from crm.settings import Settings


@dataclass(frozen=True)
class SendPreview:
    send: SeasonalSend
    sports: list[str]  # the phase's sports an email may name
    judged: StepPreview
    sample: Draft | None  # the first recipient's email, rendered; None when nobody is reached


def preview_send(session: Session, settings: Settings, send_id: int, now: datetime) -> SendPreview:
    """The recipients are the contacts serving this send's sport; their emails name every
    sport of the same season and phase they serve (the sends of one phase go together)."""
    send = session.get(SeasonalSend, send_id)
    if send is None:
        raise SendError(f"no seasonal send with id {send_id}")
    phase = list(
        session.execute(
            select(SeasonalSend).where(
                SeasonalSend.year == send.year,
                SeasonalSend.season == send.season,
                SeasonalSend.phase == send.phase,
            )
        ).scalars()
    )
    sports = sorted({s.sport for s in phase})
    people = [p for p in seasonal_recipients(session, sports) if send.sport in p.sports]
    zone = ZoneInfo(settings.timezone)
    at = max(due_moment(send.send_on, zone), now)
    judged = post.office().preview(
        session, [_as_recipient(p) for p in people], at, settings.frequency_cap
    )
    return SendPreview(
        send, sports, judged, _sample(session, settings, send, people, judged, now, zone)
    )


def _as_recipient(person: SeasonalRecipient) -> Recipient:
    return Recipient(
        person.contact_id,
        person.partner_id,
        person.partner_name,
        person.name,
        person.role,
        person.email,
    )


def _sample(
    session: Session,
    settings: Settings,
    send: SeasonalSend,
    people: list[SeasonalRecipient],
    judged: StepPreview,
    now: datetime,
    zone: ZoneInfo,
) -> Draft | None:
    if not judged.included:
        return None
    first = next(p for p in people if p.contact_id == judged.included[0].contact_id)
    template = PHASE_TEMPLATES[send.phase]
    phase = Phase(
        send,
        template,
        post.office().effective_template(session, template),
        owner_names(session, {first.owner_id} if first.owner_id else set()),
        due_moment(send.send_on, zone),
        [first],
    )
    return seasonal_email(session, settings, phase, first, now)  # as the job composes it
