"""The demo's partner surveys: last quarter's and this quarter's Four C's survey sent to a
sample of engaged partners and referral sources, about half of them answered, some with
a comment, a few low scores (which make call tasks), and the reminder where it was due.

Like `liaison.demo.programs`, it runs the real pieces (the send, the reminder, the
answers through `crm.surveys.record_answers`) with the clock passed in; who answers,
what and when follows from the request's id, so the same database always gets the same
answers and the seeding costs a few queries per request."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns.surveys.sending import REMINDER_AFTER, send_quarter_survey, send_reminders
from crm.access import SYSTEM, Actor
from crm.db import session_scope
from crm.models import Partner, SurveyAnswer, SurveyRequest, User
from crm.segments.service import SegmentInput, add_members, create_segment
from crm.settings import Settings
from crm.surveys import QUESTIONS, record_answers
from crm.vocab import ContactRole, PartnerStatus, Role
from liaison.demo import places
from liaison.demo.outreach import pick_partners, send_the_past

SAMPLE = 60
SEGMENT = "Partner survey sample"
ROLES = [
    ContactRole.OFFICE_MANAGER.value,
    ContactRole.REFERRAL_COORDINATOR.value,
    ContactRole.PHYSICIAN.value,
    ContactRole.ATHLETIC_TRAINER.value,
]
COMMENTS = (
    "The referral updates are great: we always know when our patients were seen.",
    "Hard to get a same-week appointment lately.",
    "Your front desk is always friendly with our patients.",
    "It would help to have a direct line for our referral coordinator.",
    "Reports come back quickly now, thank you.",
    "More evening appointments would suit our athletes.",
)


@dataclass(frozen=True)
class SurveysSummary:
    survey_requests: int
    survey_answers: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def seed_surveys(engine: Engine, settings: Settings, *, now: datetime) -> SurveysSummary | None:
    """None when surveys were sent already: the demo never seeds them twice."""
    with session_scope(engine) as session:
        if session.execute(select(func.count()).select_from(SurveyRequest)).scalar_one():
            return None
        actor = _organiser(session)
        partners = pick_partners(
            session,
            Partner.status.in_([PartnerStatus.ENGAGED.value, PartnerStatus.REFERRAL_SOURCE.value]),
            SAMPLE,
        )
        segment = create_segment(
            session, actor, SegmentInput(name=SEGMENT, kind="static"), now - timedelta(days=200)
        )
        add_members(session, actor, segment.id, partners, now - timedelta(days=200))
        segment_id = segment.id
    for sent in _send_moments(now, settings):
        with session_scope(engine) as session:
            send_quarter_survey(session, settings, actor, segment_id, ROLES, sent)
        with engine.begin() as connection:
            send_the_past(connection, min(sent + timedelta(hours=2), now))
        reminded = sent + REMINDER_AFTER
        _answer(engine, settings, sent, sent, min(reminded - timedelta(hours=1), now), {0, 1, 2})
        if reminded <= now:
            with session_scope(engine) as session:
                send_reminders(session, settings, reminded)
            with engine.begin() as connection:
                send_the_past(connection, min(reminded + timedelta(hours=2), now))
            _answer(engine, settings, sent, reminded, now, {3})
    with session_scope(engine) as session:
        return SurveysSummary(
            survey_requests=session.execute(
                select(func.count()).select_from(SurveyRequest)
            ).scalar_one(),
            survey_answers=session.execute(
                select(func.count()).select_from(SurveyAnswer)
            ).scalar_one(),
        )


def _send_moments(now: datetime, settings: Settings) -> list[datetime]:
    """Mid-morning on the 10th of last quarter's first month and of this quarter's (this
    one no later than a day ago and never before the quarter began, so the demo has
    answers in both whatever today is)."""
    zone = settings.zone
    today = now.astimezone(zone).date()
    first_month = (today.month - 1) // 3 * 3 + 1
    this_start = date(today.year, first_month, 1)
    last_start = (
        date(today.year - 1, 10, 1) if first_month == 1 else date(today.year, first_month - 3, 1)
    )
    last = datetime.combine(last_start + timedelta(days=9), time(10), tzinfo=zone)
    began = datetime.combine(this_start, time(0, 5), tzinfo=zone)
    this = max(
        min(
            datetime.combine(this_start + timedelta(days=9), time(10), tzinfo=zone),
            now - timedelta(days=1),
        ),
        began,
    )
    return [last, this] if this < now else [last]


def _answer(
    engine: Engine,
    settings: Settings,
    sent: datetime,
    start: datetime,
    until: datetime,
    slots: set[int],
) -> None:
    """Requests answer by their id: three in five in the first week (slots 0-2), one
    more after the reminder (slot 3), the fifth never. The scores lean good, with a
    partner in seven unhappy about one C."""
    with session_scope(engine) as session:
        rows = session.execute(
            select(SurveyRequest.id, SurveyRequest.partner_id)
            .where(SurveyRequest.sent_at == sent)
            .order_by(SurveyRequest.id)
        ).all()
        for request_id, partner_id in rows:
            if request_id % 5 not in slots:
                continue
            at = start + timedelta(days=request_id % 3, hours=1 + request_id % 7)
            if at > until:
                continue
            scores = {q: _score(partner_id, request_id, index) for index, q in enumerate(QUESTIONS)}
            comment = COMMENTS[request_id % len(COMMENTS)] if request_id % 3 == 0 else None
            record_answers(session, request_id, scores, comment, at, settings.zone)


def _organiser(session: Session) -> Actor:
    """The first demo liaison sends the surveys, as a marketer would."""
    email = places.LIAISONS[0][1]
    user = session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    return Actor(id=user.id, role=Role.MARKETER, name=user.name) if user is not None else SYSTEM


def _score(partner_id: int, request_id: int, index: int) -> int:
    if partner_id % 7 == 0 and index == partner_id % 4:
        return 2
    return 3 + (partner_id + request_id + index) % 3
