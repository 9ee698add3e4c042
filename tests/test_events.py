"""Events and RSVPs: the audience, the wait list and its promotion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from campaigns.events.service import EventInput, cancel_event, invite, record_rsvp, update_event
from crm.access import PermissionDenied
from crm.models import AuditLog
from crm.segments.service import SegmentInput, add_members, create_segment
from tests.event_helpers import STARTS, invitees, make_event
from tests.factories import make_contact, make_partner


def _invited(session, marketer, now, count, capacity=None):
    event = make_event(session, marketer, capacity=capacity)
    partner = make_partner(session)
    contacts = [make_contact(session, partner) for _ in range(count)]
    invite(session, marketer, event.id, now, contact_ids=[c.id for c in contacts])
    session.commit()
    by_contact = invitees(session, event.id)
    return event, [by_contact[c.id] for c in contacts]


def test_an_event_must_end_after_it_starts():
    with pytest.raises(ValueError, match="end after it starts"):
        EventInput(
            title="Talk", kind="cme_evening", starts_at=STARTS, ends_at=STARTS, location_id=1
        )


def test_a_viewer_cannot_create_an_event(session, viewer):
    with pytest.raises(PermissionDenied):
        make_event(session, viewer)


def test_inviting_a_segment_reaches_its_partners_emailable_contacts(session, marketer, now):
    member, outsider = make_partner(session), make_partner(session)
    reachable = make_contact(session, member)
    make_contact(session, member, email_opt_out=True)
    make_contact(session, member, email=None)
    make_contact(session, outsider)
    segment = create_segment(session, marketer, SegmentInput(name="Event list", kind="static"), now)
    add_members(session, marketer, segment.id, [member.id], now)
    event = make_event(session, marketer, audience_segment_id=segment.id)
    assert invite(session, marketer, event.id, now) == 1
    assert set(invitees(session, event.id)) == {reachable.id}


def test_inviting_twice_adds_only_the_new_people(session, marketer, now):
    event, _ = _invited(session, marketer, now, 2)
    partner = make_partner(session)
    make_contact(session, partner)
    assert invite(session, marketer, event.id, now, partner_ids=[partner.id]) == 1


def test_a_yes_within_capacity_takes_a_seat(session, marketer, now):
    _, (first,) = _invited(session, marketer, now, 1, capacity=1)
    assert record_rsvp(session, first.id, "yes", now).rsvp == "yes"


def test_yes_answers_past_capacity_fill_the_wait_list_in_order(session, marketer, now):
    _, people = _invited(session, marketer, now, 4, capacity=2)
    answers = [
        record_rsvp(session, p.id, "yes", now + timedelta(minutes=i)).rsvp
        for i, p in enumerate(people)
    ]
    assert answers == ["yes", "yes", "waitlist", "waitlist"]


def test_a_cancelled_yes_promotes_the_longest_waiting(session, marketer, now):
    event, people = _invited(session, marketer, now, 4, capacity=2)
    for i, person in enumerate(people):
        record_rsvp(session, person.id, "yes", now + timedelta(minutes=i))
    outcome = record_rsvp(session, people[0].id, "no", now + timedelta(hours=1))
    assert outcome.promoted_id == people[2].id
    rows = invitees(session, event.id)
    assert [rows[p.contact_id].rsvp for p in people] == ["no", "yes", "yes", "waitlist"]


def test_a_no_from_the_wait_list_promotes_nobody(session, marketer, now):
    _, people = _invited(session, marketer, now, 3, capacity=1)
    for person in people:
        record_rsvp(session, person.id, "yes", now)
    assert record_rsvp(session, people[1].id, "no", now).promoted_id is None


def test_answering_yes_twice_keeps_ones_place(session, marketer, now):
    _, people = _invited(session, marketer, now, 2, capacity=1)
    record_rsvp(session, people[0].id, "yes", now)
    assert record_rsvp(session, people[0].id, "yes", now).rsvp == "yes"


def test_an_update_raises_the_sequence_and_is_audited(session, marketer, now):
    event = make_event(session, marketer)
    data = EventInput(
        title=event.title,
        kind=event.kind,
        starts_at=event.starts_at + timedelta(hours=2),
        ends_at=event.ends_at + timedelta(hours=2),
        location_id=event.location_id,
    )
    assert update_event(session, marketer, event.id, data, now).sequence == 1
    assert (
        len(
            session.exec(
                select(AuditLog).where(AuditLog.entity == "event", AuditLog.action == "update")
            ).all()
        )
        == 1
    )


def test_a_cancelled_event_refuses_rsvps(session, marketer, now):
    event, (person,) = _invited(session, marketer, now, 1)
    cancel_event(session, marketer, event.id, now)
    with pytest.raises(ValueError, match="cancelled"):
        record_rsvp(session, person.id, "yes", now)


def test_simultaneous_yes_answers_never_overfill_the_event(engine, session, marketer, now):
    """Each answer in its own connection, all at once: the event row's lock lets one take the seat."""
    import threading

    from crm.db import session_scope

    _, people = _invited(session, marketer, now, 6, capacity=2)
    session.commit()
    start = threading.Barrier(len(people))

    def answer(invitee_id):
        start.wait()
        with session_scope(engine) as own:
            record_rsvp(own, invitee_id, "yes", now)

    threads = [threading.Thread(target=answer, args=(p.id,)) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers = sorted(row.rsvp for row in invitees(session, people[0].event_id).values())
    assert answers == ["waitlist"] * 4 + ["yes"] * 2
