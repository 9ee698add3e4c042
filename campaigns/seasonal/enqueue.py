"""The scheduler's side of seasonal sends: approved sends whose day has come go into
the outbox, one email per address per season and phase, naming every due sport of that
phase the recipient's partners serve. A draft is never enqueued.

Each email is keyed f"seasonal:{year}:{season}:{phase}:{email}", so a pass run twice,
or a sport of the same phase approved later, never sends an address a second email for
that phase: a later approval reaches only the addresses not yet reached. The emails are
due at 09:00 on the send's day, practice time."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns import post
from campaigns.post import Draft, TemplateSource
from campaigns.seasonal.recipients import SeasonalRecipient, joined, seasonal_recipients
from campaigns.seasonal.sends import APPROVED, PHASE_TEMPLATES, SENT
from crm.business_days import due_moment
from crm.clock import Clock
from crm.db import session_scope
from crm.models import SeasonalSend, User
from crm.settings import Settings

CHUNK = 1000  # emails rendered and inserted at a time


@dataclass(frozen=True)
class EnqueueReport:
    sends: int  # seasonal sends enqueued
    emails: int  # new messages in the outbox


def guide_url(settings: Settings, phase: str) -> str:
    """The practice's own guide page when LIAISON_SEASONAL_GUIDE_URL names one (with
    `{phase}` for pre, mid or post), else Liaison's built-in guide page."""
    if settings.seasonal_guide_url:
        return settings.seasonal_guide_url.replace("{phase}", phase)
    return f"{settings.public_url.rstrip('/')}/guides/{phase}-season"


def enqueue_due(session: Session, settings: Settings, now: datetime) -> EnqueueReport:
    zone = ZoneInfo(settings.timezone)
    today = now.astimezone(zone).date()
    due = (
        session.execute(
            select(SeasonalSend)
            .where(
                SeasonalSend.status == APPROVED,
                SeasonalSend.enqueued_at.is_(None),
                SeasonalSend.send_on <= today,
            )
            .order_by(SeasonalSend.id)
        )
        .scalars()
        .all()
    )
    groups: dict[tuple[int, str, str], list[SeasonalSend]] = defaultdict(list)
    for send in due:
        groups[(send.year, send.season, send.phase)].append(send)
    sends = emails = 0
    for members in groups.values():
        _claim(session, members, now)
        phase = read_phase(session, settings, members, zone)
        emails += _render_and_enqueue(session, settings, phase, now)
        sends += len(members)
    return EnqueueReport(sends, emails)


class ClaimLost(RuntimeError):
    """Another scheduler enqueued some of these sends meanwhile; the pass is rolled back
    and runs again next time (the emails' keys keep anything from going twice)."""


def _claim(session: Session, members: list[SeasonalSend], now: datetime) -> None:
    ids = [m.id for m in members]
    result = session.execute(
        update(SeasonalSend)
        .where(
            SeasonalSend.id.in_(ids),
            SeasonalSend.status == APPROVED,
            SeasonalSend.enqueued_at.is_(None),
        )
        .values(status=SENT, enqueued_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != len(ids):
        raise ClaimLost(f"seasonal sends {ids} were taken by another pass")


@dataclass(frozen=True)
class Phase:
    """Everything one season and phase's emails are composed from, read once."""

    send: SeasonalSend  # any of the phase's sends: they share year, season and phase
    template: str
    source: TemplateSource
    owners: dict[int, str]
    not_before: datetime
    people: list[SeasonalRecipient]  # those with an address


def read_phase(
    session: Session, settings: Settings, members: list[SeasonalSend], zone: ZoneInfo
) -> Phase:
    """The emails of one season and phase: one per address, for the sports of `members`."""
    sports = sorted({m.sport for m in members})
    people = [p for p in seasonal_recipients(session, sports) if p.email]
    template = PHASE_TEMPLATES[members[0].phase]
    return Phase(
        members[0],
        template,
        post.office().effective_template(session, template),
        owner_names(session, {p.owner_id for p in people if p.owner_id is not None}),
        due_moment(max(m.send_on for m in members), zone),
        people,
    )


def _render_and_enqueue(session: Session, settings: Settings, phase: Phase, now: datetime) -> int:
    """Renders the next chunk in a worker thread while this one writes the last chunk:
    rendering is Python's work, inserting mostly the database's, so they overlap. The
    worker reads nothing from the session (compose is given the template source)."""
    chunks = [phase.people[i : i + CHUNK] for i in range(0, len(phase.people), CHUNK)]

    def render(people: list[SeasonalRecipient]) -> list[Draft]:
        return [seasonal_email(session, settings, phase, person, now) for person in people]

    emails = 0
    with ThreadPoolExecutor(max_workers=1) as renderer:
        pending = renderer.submit(render, chunks[0]) if chunks else None
        for following in [*chunks[1:], None]:
            drafts = pending.result() if pending else []
            pending = renderer.submit(render, following) if following else None
            emails += post.office().enqueue_many(session, drafts, now)
    return emails


def seasonal_email(
    session: Session, settings: Settings, phase: Phase, person: SeasonalRecipient, now: datetime
) -> Draft:
    send = phase.send
    return post.office().compose(
        session,
        settings,
        template=phase.template,
        variables=recipient_variables(settings, send.phase, person, phase.owners),
        idempotency_key=f"seasonal:{send.year}:{send.season}:{send.phase}:{person.email}",
        kind="seasonal",
        to_email=person.email,
        to_name=person.name,
        now=now,
        contact_id=person.contact_id,
        partner_id=person.partner_id,
        source=f"seasonal {send.year} {send.season} {send.phase}-season",
        timezone=settings.timezone,
        not_before=phase.not_before,
        template_source=phase.source,
    )


def recipient_variables(
    settings: Settings, phase: str, person: SeasonalRecipient, owners: dict[int, str]
) -> dict[str, Any]:
    return {
        "contact_first_name": person.first_name,
        "partner_name": person.partner_name,
        "sender_name": owners.get(person.owner_id or 0) or settings.practice_name,
        "sport_names": joined(person.sports),
        "resource_url": guide_url(settings, phase),
    }


def owner_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        uid: name or ""
        for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    }


def seasonal_job(engine: Engine, settings: Settings, clock: Clock) -> Any:
    with session_scope(engine) as session:
        report = enqueue_due(session, settings, clock())
    return f"seasonal sends: {report.sends}, emails: {report.emails}"
