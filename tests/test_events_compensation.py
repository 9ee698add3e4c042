"""Meals and gifts at events against the Stark law's non-monetary compensation limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from campaigns.events.attendance import check_in
from campaigns.events.compensation import limit_for, set_limit, year_to_date
from campaigns.events.preview import invitation_preview
from campaigns.events.service import invite
from tests.event_helpers import invitees, make_event
from tests.factories import make_contact, make_partner

ZONE = ZoneInfo("America/New_York")


def _attended(session, actor, now, starts_at, cost, *contacts):
    """An event with the given cost per attendee that the contacts attended."""
    event = make_event(session, actor, starts_at=starts_at, cost_per_attendee_cents=cost)
    invite(session, actor, event.id, now, contact_ids=[c.id for c in contacts])
    rows = invitees(session, event.id)
    check_in(session, actor, event.id, [rows[c.id].id for c in contacts], now)
    session.commit()
    return event


def test_the_2026_limit_is_535_dollars_when_none_was_entered(session):
    assert limit_for(session, 2026) == 53_500


def test_an_entered_limit_replaces_the_default(session, admin, now):
    set_limit(session, admin, 2026, 54_000, now)
    set_limit(session, admin, 2026, 54_500, now)
    assert limit_for(session, 2026) == 54_500


def test_the_year_to_date_report_matches_a_hand_count(session, marketer, now):
    partner = make_partner(session, name="Riverside Family Medicine")
    ames = make_contact(session, partner, first_name="Ana", last_name="Ames", role="physician")
    brook = make_contact(session, partner, first_name="Ben", last_name="Brook", role="physician")
    manager = make_contact(session, partner, role="office_manager")
    _attended(
        session, marketer, now, datetime(2026, 2, 10, 17, tzinfo=UTC), 12_000, ames, brook, manager
    )
    _attended(session, marketer, now, datetime(2026, 6, 3, 16, tzinfo=UTC), 8_550, ames)
    _attended(
        session, marketer, now, datetime(2026, 1, 1, 4, tzinfo=UTC), 4_000, ames
    )  # Dec 31 in Boston
    _attended(
        session, marketer, now, datetime(2026, 12, 10, 17, tzinfo=UTC), 9_900, ames
    )  # not yet
    _attended(
        session, marketer, now, datetime(2026, 9, 1, 16, tzinfo=UTC), 0, brook
    )  # nothing served
    unattended = make_event(
        session,
        marketer,
        starts_at=datetime(2026, 3, 5, 17, tzinfo=UTC),
        cost_per_attendee_cents=7_000,
    )
    invite(session, marketer, unattended.id, now, contact_ids=[brook.id])
    report = year_to_date(session, 2026, ZONE, now)
    # Ames: 120.00 + 85.50 = 205.50 over two events; Brook: 120.00 over one.
    assert [(r.name, r.events, r.total_cents) for r in report] == [
        ("Ana Ames", 2, 20_550),
        ("Ben Brook", 1, 12_000),
    ]


def test_a_physician_past_the_limit_is_marked_over(session, marketer, now):
    partner = make_partner(session)
    doctor = make_contact(session, partner, role="physician")
    _attended(session, marketer, now, datetime(2026, 3, 1, 17, tzinfo=UTC), 53_600, doctor)
    (row,) = year_to_date(session, 2026, ZONE, now)
    assert row.over


def test_the_preview_flags_a_physician_this_event_would_take_past_the_limit(session, marketer, now):
    partner = make_partner(session)
    near, far = (make_contact(session, partner, role="physician") for _ in range(2))
    _attended(session, marketer, now, datetime(2026, 3, 1, 17, tzinfo=UTC), 50_000, near)
    _attended(session, marketer, now, datetime(2026, 4, 1, 16, tzinfo=UTC), 10_000, far)
    dinner = make_event(
        session, marketer, starts_at=now + timedelta(days=8), cost_per_attendee_cents=4_000
    )
    preview = invitation_preview(session, dinner, ZONE, now, partner_ids=[partner.id])
    assert [(f.contact_id, f.so_far_cents, f.with_event_cents) for f in preview.flags] == [
        (near.id, 50_000, 54_000)
    ]
    assert preview.recipients == 2


def test_the_preview_does_not_flag_staff_who_are_not_physicians(session, marketer, now):
    partner = make_partner(session)
    trainer = make_contact(session, partner, role="athletic_trainer")
    _attended(session, marketer, now, datetime(2026, 3, 1, 17, tzinfo=UTC), 60_000, trainer)
    dinner = make_event(
        session, marketer, starts_at=now + timedelta(days=8), cost_per_attendee_cents=4_000
    )
    assert invitation_preview(session, dinner, ZONE, now, partner_ids=[partner.id]).flags == []


def test_the_preview_counts_people_already_invited(session, marketer, now):
    partner = make_partner(session)
    doctor = make_contact(session, partner, role="physician")
    _attended(session, marketer, now, datetime(2026, 3, 1, 17, tzinfo=UTC), 53_000, doctor)
    dinner = make_event(
        session, marketer, starts_at=now + timedelta(days=8), cost_per_attendee_cents=1_000
    )
    invite(session, marketer, dinner.id, now, contact_ids=[doctor.id])
    assert [f.contact_id for f in invitation_preview(session, dinner, ZONE, now).flags] == [
        doctor.id
    ]
