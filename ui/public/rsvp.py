"""RSVP links from event invitations, served by st.App without sign-in.

GET (and HEAD) /rsvp/{token} change nothing: mail security scanners (Safe Links,
Proofpoint, Mimecast) fetch every link in a message, so the link opens a page with the
answer the token stands for (Yes or No) chosen and one button. POST /rsvp/{token}, the
button, records it and says what happened: a seat, a place on the wait list, or the No.
A No that frees a seat tells the person promoted from the wait list by email. A token that
was not made by us as it is gets a 400 with a generic message; so does one for an
invitee that no longer exists, so the page cannot be used to probe the invitee list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape

from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from campaigns.events.sending import starts_text, tell_promoted, venue_text
from campaigns.events.service import CANCELLED, EventNotFound, get_event, record_rsvp
from campaigns.events.tokens import RsvpRequest, verify
from crm import clock
from crm.db import engine_for, session_scope
from crm.errors import Conflict
from crm.models import Event, EventInvitee
from crm.settings import Settings
from ui.public.frame import invalid, page, with_token

ADVICE = (
    "This reply link is not valid. Please use the link from your invitation, or reply to "
    "the invitation email."
)

_SAID = {
    "yes": "Thank you: your seat is saved. You will get a reminder before the event.",
    "waitlist": "The event is full, so you are on the wait list. We will email you if a seat opens up.",
    "no": "Thank you for letting us know. We hope to see you at a future event.",
}


@dataclass(frozen=True)
class Answered:
    rsvp: str
    title: str
    when: str
    where: str
    cancelled: bool = False


_ASK = {
    "yes": ("Yes, save me a seat", "Will you come to"),
    "no": ("No, I can't come", "Reply no to"),
}


async def confirm_page(request: Request) -> Response:
    return await _reply(request, lambda settings, wanted: _describe(settings, wanted), _ask)


async def answer(request: Request) -> Response:
    return await _reply(
        request, lambda settings, wanted: _record(settings, wanted, clock.now()), _thanks
    )


async def _reply(
    request: Request,
    read_or_record: Callable[[Settings, RsvpRequest], Answered | None],
    answer: Callable[[Settings, RsvpRequest, Answered], Response],
) -> Response:
    """What both answers share inside the public frame: the event (read or recorded) or
    400, a cancelled event said so, else `answer`."""

    async def reply(settings: Settings, wanted: RsvpRequest) -> Response:
        event = await run_in_threadpool(read_or_record, settings, wanted)
        if event is None:
            return invalid(settings, ADVICE)
        if event.cancelled:
            return page(
                settings, "Event cancelled", f"<p>{escape(event.title)} has been cancelled.</p>"
            )
        return answer(settings, wanted, event)

    return await with_token(request, verify, ADVICE, reply)


def _ask(settings: Settings, wanted: RsvpRequest, event: Answered) -> Response:
    button, question = _ASK[wanted.answer]
    return page(
        settings,
        "Your reply",
        f"<p>{question} <strong>{escape(event.title)}</strong>?<br>{escape(event.when)}<br>"
        f'{escape(event.where)}</p><form method="post"><button type="submit">{button}</button></form>',
    )


def _thanks(settings: Settings, wanted: RsvpRequest, answered: Answered) -> Response:
    details = (
        f"<p><strong>{escape(answered.title)}</strong><br>{escape(answered.when)}<br>"
        f"{escape(answered.where)}</p>"
    )
    return page(settings, "Thank you", f"<p>{_SAID[answered.rsvp]}</p>{details}")


def routes() -> list[BaseRoute]:
    return [
        Route("/rsvp/{token}", confirm_page, methods=["GET"]),
        Route("/rsvp/{token}", answer, methods=["POST"]),
    ]


def _describe(settings: Settings, wanted: RsvpRequest) -> Answered | None:
    """The event the link is about, read only."""
    with Session(engine_for(settings.database_url)) as session:
        invitee = session.get(EventInvitee, wanted.invitee_id)
        if invitee is None:
            return None
        event = session.get(Event, invitee.event_id)
        if event is None:
            return None
        return Answered(
            invitee.rsvp,
            event.title,
            starts_text(event),
            venue_text(session, event),
            cancelled=event.status == CANCELLED,
        )


def _record(settings: Settings, wanted: RsvpRequest, now: datetime) -> Answered | None:
    with session_scope(engine_for(settings.database_url)) as session:
        try:
            outcome = record_rsvp(session, wanted.invitee_id, wanted.answer, now)
        except EventNotFound:
            return None
        except Conflict:  # the event was cancelled: nothing was recorded
            event = _event_of(session, wanted.invitee_id)
            return Answered("no", event.title, "", "", cancelled=True)
        if outcome.promoted_id is not None:
            tell_promoted(session, settings, outcome.promoted_id, now)
        event = _event_of(session, wanted.invitee_id)
        return Answered(outcome.rsvp, event.title, starts_text(event), venue_text(session, event))


def _event_of(session: Session, invitee_id: int) -> Event:
    return get_event(session, session.get(EventInvitee, invitee_id).event_id)
