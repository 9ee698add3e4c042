"""The demo's four programs at work: past and upcoming events with RSVPs and
attendance, patients with review requests in every state, this year's seasonal plan,
and referral updates sent.

Like `liaison.demo.outreach`, it runs the real pieces with the clock passed in over the
last month; only what a person or a provider would have done (answering an
invitation, following a review link, delivering an email) is filled in, and the demo's
sent email is marked provider "demo" by the same helper: none of it left the machine."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns.events.attendance import check_in
from campaigns.events.sending import plan_reminders, send_follow_ups, send_invitations
from campaigns.events.service import EventInput, create_event, invite, record_rsvp
from campaigns.referral_updates import run_pass
from campaigns.reviews.clicks import follow
from campaigns.reviews.links import REQUEST, ReviewLink
from campaigns.reviews.locations import set_review_url
from campaigns.reviews.planner import REMINDED, REQUESTED, run_review_pass
from campaigns.seasonal import (
    add_defaults,
    approve_season,
    enqueue_due,
    generate_year,
    phase_days,
    seasons_of,
)
from crm.access import SYSTEM, Actor
from crm.db import session_scope
from crm.lifecycle import advance_lifecycle
from crm.models import (
    Event,
    EventInvitee,
    Location,
    Partner,
    Patient,
    ReferralUpdate,
    ReviewRequest,
    SeasonalSend,
    User,
)
from crm.settings import Settings
from crm.visits import VisitInput, record_visit
from crm.vocab import EventKind, Role
from liaison.demo import places
from liaison.demo.outreach import HISTORY_DAYS, pick_partners, send_the_past


@dataclass(frozen=True)
class ProgramsSummary:
    events: int
    invitees: int
    attendees: int
    visits: int
    review_requests: int
    seasonal_sends: int
    referral_updates: int
    emails_sent: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class _EventPlan:
    input: EventInput
    created_at: datetime
    partner_ids: list[int]


def seed_programs(engine: Engine, settings: Settings, *, now: datetime) -> ProgramsSummary | None:
    """None when the database already has events: the programs are never seeded twice."""
    with session_scope(engine) as session:
        if session.execute(select(func.count()).select_from(Event)).scalar_one():
            return None
        organiser = _organiser(session)
        plans = _event_plans(session, settings, now)
        _review_pages(session, now)
        visits = _visits(session, now)
    attendees = sum(_run_event(engine, settings, organiser, plan, now) for plan in plans)
    seasonal = _seasonal_plan(engine, settings, now)
    sent = 0
    for moment in _mornings(now - timedelta(days=HISTORY_DAYS), now, settings):
        sent += _day(engine, settings, moment)
    with session_scope(engine) as session:
        run_review_pass(session, settings, now)
        run_pass(session, settings, now)
    with engine.begin() as connection:
        sent += send_the_past(connection, now)
    with session_scope(engine) as session:
        advance_lifecycle(session, now)  # the event attendances and emails logged as touches
        return ProgramsSummary(
            events=len(plans),
            invitees=_count(session, EventInvitee),
            attendees=attendees,
            visits=visits,
            review_requests=_count(session, ReviewRequest),
            seasonal_sends=seasonal,
            referral_updates=_count(session, ReferralUpdate, ReferralUpdate.status == "sent"),
            emails_sent=sent,
        )


def _count(session: Session, table, *where) -> int:  # type: ignore[no-untyped-def]
    return session.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _organiser(session: Session) -> Actor:
    """The first demo liaison runs the events, so the follow-ups are signed by a person."""
    email = places.LIAISONS[0][1]
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    return Actor(id=user.id, role=Role.MARKETER, name=user.name) if user is not None else SYSTEM


def _clinics(session: Session) -> dict[str, int]:
    names = [clinic.name for clinic in places.CLINICS]
    return dict(
        session.execute(select(Location.name, Location.id).where(Location.name.in_(names))).all()
    )


def _at(day_offset: int, hour: int, now: datetime, settings: Settings) -> datetime:
    """`hour` o'clock, practice time, `day_offset` days from now."""
    day = (now + timedelta(days=day_offset)).astimezone(settings.zone).date()
    return datetime.combine(day, time(hour), tzinfo=settings.zone)


# --- events ---------------------------------------------------------------------------


def _event_plans(session: Session, settings: Settings, now: datetime) -> list[_EventPlan]:
    clinics = list(_clinics(session).values())
    physicians = pick_partners(
        session, _type_in("primary_care", "orthopedics") & (Partner.tier == "A"), 10
    )
    sports = pick_partners(session, _type_in("school", "sports_club", "athletic_training"), 12)
    host = pick_partners(
        session, _type_in("orthopedics", "primary_care") & (Partner.status == "referral_source"), 1
    )
    plans = []
    if clinics and physicians:
        start = _at(-21, 12, now, settings)
        plans.append(
            _EventPlan(
                EventInput(
                    title="Lunch and learn: ACL injuries in young athletes",
                    kind=EventKind.LUNCH_AND_LEARN.value,
                    topic="ACL injuries: when to refer",
                    speaker="Dr. Lena Ortiz",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    timezone=settings.timezone,
                    location_id=clinics[0],
                    capacity=30,
                    cost_per_attendee_cents=2_800,
                    description="Lunch is on us; bring your questions.",
                ),
                start - timedelta(days=14),
                physicians,
            )
        )
    if host:
        start = _at(-9, 8, now, settings)
        plans.append(
            _EventPlan(
                EventInput(
                    title="In-service: shoulder exam refresher",
                    kind=EventKind.IN_SERVICE.value,
                    topic="Shoulder exam and imaging",
                    speaker="Dr. Sam Patel",
                    starts_at=start,
                    ends_at=start + timedelta(minutes=45),
                    timezone=settings.timezone,
                    venue_partner_id=host[0],
                    venue_note="staff break room",
                    cost_per_attendee_cents=1_200,
                ),
                start - timedelta(days=12),
                host,
            )
        )
    if clinics and sports:
        start = _at(14, 18, now, settings)
        plans.append(
            _EventPlan(
                EventInput(
                    title="Injury prevention evening for coaches and trainers",
                    kind=EventKind.INJURY_PREVENTION_TALK.value,
                    topic="Winter sports injury prevention",
                    speaker="Dr. Lena Ortiz",
                    starts_at=start,
                    ends_at=start + timedelta(hours=1, minutes=30),
                    timezone=settings.timezone,
                    location_id=clinics[-1],
                    capacity=6,
                    cost_per_attendee_cents=1_500,
                ),
                now - timedelta(days=6),
                sports,
            )
        )
    return plans


def _type_in(*types: str):  # type: ignore[no-untyped-def]
    return Partner.partner_type.in_(types)


def _run_event(
    engine: Engine, settings: Settings, actor: Actor, plan: _EventPlan, now: datetime
) -> int:
    """Create, invite and send the invitations; the invitees answer over the next days;
    a past event also has its reminders, its check-ins and its follow-ups. Returns how
    many attended."""
    created = plan.created_at
    with session_scope(engine) as session:
        event_id = create_event(session, actor, plan.input, created).id
        invite(session, actor, event_id, created, partner_ids=plan.partner_ids)
        send_invitations(session, settings, actor, event_id, created)
    with session_scope(engine) as session:
        _answer(session, event_id, created, min(plan.input.starts_at, now))
    if plan.input.starts_at > now:
        return 0
    for before in (timedelta(days=7), timedelta(days=1)):
        with session_scope(engine) as session:
            plan_reminders(session, settings, plan.input.starts_at - before + timedelta(hours=1))
    ends = plan.input.ends_at
    with session_scope(engine) as session:
        came = [
            i
            for n, i in enumerate(_invitees(session, event_id, EventInvitee.rsvp == "yes"))
            if n % 5 != 4
        ]
        attended = check_in(session, actor, event_id, came, ends)
        send_follow_ups(
            session,
            settings,
            actor,
            event_id,
            f"https://www.example.com/slides/event-{event_id}",
            ends + timedelta(days=1),
        )
    return attended


def _answer(session: Session, event_id: int, sent: datetime, until: datetime) -> None:
    """Three in five say Yes, one No, one never answers; the answers arrive over the
    days after the invitation (a Yes past capacity lands on the wait list)."""
    invitees = _invitees(session, event_id)
    spread = max((until - sent) / (len(invitees) + 1), timedelta(minutes=5))
    for n, invitee_id in enumerate(invitees):
        if n % 5 == 4:
            continue
        record_rsvp(session, invitee_id, "no" if n % 5 == 3 else "yes", sent + spread * (n + 1))


def _invitees(session: Session, event_id: int, *where) -> list[int]:  # type: ignore[no-untyped-def]
    return list(
        session.execute(
            select(EventInvitee.id)
            .where(EventInvitee.event_id == event_id, *where)
            .order_by(EventInvitee.id)
        ).scalars()
    )


# --- review requests ------------------------------------------------------------------


def _review_pages(session: Session, now: datetime) -> None:
    for name, location_id in _clinics(session).items():
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        set_review_url(
            session,
            SYSTEM,
            location_id,
            f"https://www.example.com/review/{slug}",
            now - timedelta(days=HISTORY_DAYS + 1),
        )


def _visits(session: Session, now: datetime) -> int:
    """A completed visit for each consenting patient with an address, spread over the
    last month so their requests are at every step by now."""
    patients = session.execute(
        select(Patient.id, Patient.location_id)
        .where(
            Patient.consent_to_contact.is_(True),
            Patient.email.is_not(None),
            Patient.email != "",
            Patient.location_id.is_not(None),
        )
        .order_by(Patient.id)
    ).all()
    span = HISTORY_DAYS - 3
    for n, (patient_id, location_id) in enumerate(patients):
        days_ago = 2 + (n * span) // max(len(patients), 1)
        record_visit(
            session,
            SYSTEM,
            VisitInput(
                patient_id=patient_id,
                location_id=location_id,
                visit_at=now - timedelta(days=days_ago, hours=5),
            ),
            now - timedelta(days=days_ago, hours=4),
        )
    return len(patients)


def _follow_links(session: Session, moment: datetime) -> None:
    """One patient in three follows their link a day after the latest email."""
    last_email = func.coalesce(ReviewRequest.reminded_at, ReviewRequest.requested_at)
    ids = (
        session.execute(
            select(ReviewRequest.id).where(
                ReviewRequest.status.in_([REQUESTED, REMINDED]),
                ReviewRequest.clicked_at.is_(None),
                ReviewRequest.id % 3 == 0,
                last_email <= moment - timedelta(days=1),
            )
        )
        .scalars()
        .all()
    )
    for request_id in ids:
        follow(session, ReviewLink(REQUEST, request_id), moment)


# --- the month, day by day ------------------------------------------------------------


def _mornings(start: datetime, end: datetime, settings: Settings) -> list[datetime]:
    """10:00 practice time every day between start and end (the review and referral
    update jobs run every day)."""
    day, mornings = start.astimezone(settings.zone).date(), []
    while (moment := datetime.combine(day, time(10), tzinfo=settings.zone)) < end:
        if moment > start:
            mornings.append(moment)
        day += timedelta(days=1)
    return mornings


def _day(engine: Engine, settings: Settings, moment: datetime) -> int:
    """One day's jobs, then that day's clicks and deliveries; returns emails delivered."""
    with session_scope(engine) as session:
        run_review_pass(session, settings, moment)
        run_pass(session, settings, moment)
        _follow_links(session, moment)
    with engine.begin() as connection:
        return send_the_past(connection, moment)


# --- seasonal sports education --------------------------------------------------------


def _seasonal_plan(engine: Engine, settings: Settings, now: datetime) -> int:
    """This year's calendar and drafts, drawn up in early summer with the fall season
    approved; the fall sends whose day has come were enqueued on their day by the real
    job. Returns how many sends the year has."""
    year = now.astimezone(settings.zone).year
    planned = datetime.combine(date(year, 6, 15), time(10), tzinfo=settings.zone)
    with session_scope(engine) as session:
        add_defaults(session, SYSTEM, year, planned)
        generate_year(session, SYSTEM, year, planned)
        approve_season(session, SYSTEM, year, "fall", planned, zone=settings.zone)
        days = sorted(
            {
                day
                for (season, _phase), day in phase_days(seasons_of(session, year)).items()
                if season == "fall"
            }
        )
    for day in days:
        moment = datetime.combine(day, time(8), tzinfo=settings.zone)
        if moment >= now:
            break
        with session_scope(engine) as session:
            enqueue_due(session, settings, moment)
    with session_scope(engine) as session:
        return _count(session, SeasonalSend, SeasonalSend.year == year)
