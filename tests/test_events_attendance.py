"""Attendance: check-in on the page or from a sign-in sheet, a touch per attendee, and
what the event page counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from campaigns.events.attendance import check_in, import_sign_in_sheet
from campaigns.events.service import invite, record_rsvp
from campaigns.events.stats import event_stats
from crm.access import PermissionDenied
from crm.models import Touch
from crm.transfer.report import ImportFileError
from tests.event_helpers import STARTS, invitees, make_event
from tests.factories import make_contact, make_partner, make_referral


def _event_with(session, marketer, now, *contacts, **fields):
    event = make_event(session, marketer, **fields)
    invite(session, marketer, event.id, now, contact_ids=[c.id for c in contacts])
    session.commit()
    return event


def _touches(session):
    session.expire_all()
    return [
        (t.partner_id, t.contact_id, t.kind, t.occurred_at) for t in session.exec(select(Touch))
    ]


def test_checking_in_logs_an_event_attendance_touch_for_the_partner(session, marketer, now):
    partner = make_partner(session)
    contact = make_contact(session, partner)
    event = _event_with(session, marketer, now, contact)
    check_in(session, marketer, event.id, [invitees(session, event.id)[contact.id].id], now)
    assert _touches(session) == [(partner.id, contact.id, "event_attendance", STARTS)]


def test_checking_in_twice_logs_one_touch(session, marketer, now):
    contact = make_contact(session, make_partner(session))
    event = _event_with(session, marketer, now, contact)
    invitee_id = invitees(session, event.id)[contact.id].id
    check_in(session, marketer, event.id, [invitee_id], now)
    assert check_in(session, marketer, event.id, [invitee_id], now) == 0
    assert len(_touches(session)) == 1


def test_a_viewer_cannot_check_people_in(session, marketer, viewer, now):
    contact = make_contact(session, make_partner(session))
    event = _event_with(session, marketer, now, contact)
    with pytest.raises(PermissionDenied):
        check_in(session, viewer, event.id, [invitees(session, event.id)[contact.id].id], now)


def test_a_sign_in_sheet_checks_in_invitees_by_email(session, marketer, now):
    partner = make_partner(session)
    came, stayed_away = make_contact(session, partner), make_contact(session, partner)
    event = _event_with(session, marketer, now, came, stayed_away)
    sheet = f"Name,Email\nPat,{came.email.upper()}\n".encode()
    result = import_sign_in_sheet(session, marketer, event.id, sheet, "sheet.csv", now)
    assert result.checked_in == 1
    rows = invitees(session, event.id)
    assert (rows[came.id].attended, rows[stayed_away.id].attended) == (True, False)


def test_a_known_contact_who_came_uninvited_is_added_and_checked_in(session, marketer, now):
    walk_in = make_contact(session, make_partner(session))
    event = _event_with(session, marketer, now)
    import_sign_in_sheet(
        session, marketer, event.id, f"email\n{walk_in.email}\n".encode(), "sheet.csv", now
    )
    assert invitees(session, event.id)[walk_in.id].attended


def test_an_address_not_on_file_is_reported_by_its_line(session, marketer, now):
    event = _event_with(session, marketer, now)
    result = import_sign_in_sheet(
        session, marketer, event.id, b"Email\n\nstranger@x.org\n", "sheet.csv", now
    )
    assert result.unknown == ["line 3: stranger@x.org"]


def test_a_sheet_without_an_email_column_is_refused(session, marketer, now):
    event = _event_with(session, marketer, now)
    with pytest.raises(ImportFileError, match="Email column"):
        import_sign_in_sheet(session, marketer, event.id, b"Name\nPat\n", "sheet.csv", now)


def test_the_event_counts_its_answers_and_attendance(session, marketer, now):
    partner = make_partner(session)
    people = [make_contact(session, partner) for _ in range(5)]
    event = _event_with(session, marketer, now, *people, capacity=1)
    rows = invitees(session, event.id)
    for person, answer in zip(people, ["yes", "yes", "no"]):
        record_rsvp(session, rows[person.id].id, answer, now)
    check_in(session, marketer, event.id, [rows[people[0].id].id], now)
    stats = event_stats(session, event)
    assert (
        stats.invited,
        stats.yes,
        stats.no,
        stats.no_answer,
        stats.waitlist,
        stats.attended,
    ) == (5, 1, 1, 2, 1, 1)


def test_referrals_from_attending_partners_are_counted_before_and_after(session, marketer, now):
    attending, absent = make_partner(session), make_partner(session)
    came, missed = make_contact(session, attending), make_contact(session, absent)
    event = _event_with(session, marketer, now, came, missed)
    check_in(session, marketer, event.id, [invitees(session, event.id)[came.id].id], now)
    for days in (-100, -30, 5, 40, 89, 95):
        make_referral(session, attending, received_at=STARTS + timedelta(days=days))
    make_referral(session, absent, received_at=STARTS + timedelta(days=5))
    stats = event_stats(session, event)
    assert (stats.referrals_before, stats.referrals_after) == (1, 3)
