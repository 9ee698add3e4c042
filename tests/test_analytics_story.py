"""A partner's story: its referrals month by month and what was done to reach it, on
one timeline. The test clock is 25 November 2026; the story covers 18 months."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event as sa_event
from sqlmodel import Session

from crm.analytics.story import MOMENT_COLUMNS, partner_story
from tests.factories import make_contact, make_partner, make_touch, make_user
from tests.outreach_data import at, cadence, email_sent, enrol, event, invite, referred

NEW_YORK = ZoneInfo("America/New_York")


def story(session: Session, partner, now: datetime):  # type: ignore[no-untyped-def]
    return partner_story(session, partner.id, now, months=18, zone=NEW_YORK)


def test_every_month_of_the_window_is_listed_with_its_referrals_zero_filled(session, now):
    partner = make_partner(session)
    referred(session, partner, at(3, 2), at(3, 30), at(5, 12))
    referred(session, partner, at(5, 20, year=2025))  # before June 2025: outside the window
    monthly = story(session, partner, now).monthly
    assert list(monthly.columns) == ["month", "referrals"]
    assert (len(monthly), monthly["month"].iloc[0], monthly["month"].iloc[-1]) == (
        18,
        "2025-06",
        "2026-11",
    )
    counts = dict(zip(monthly["month"], monthly["referrals"]))
    assert (counts["2026-03"], counts["2026-04"], counts["2026-05"]) == (2, 0, 1)
    assert sum(counts.values()) == 3


def test_a_referral_on_the_last_evening_of_a_month_counts_in_that_month_of_the_practice(
    session, now
):
    partner = make_partner(session)
    referred(
        session, partner, datetime(2026, 11, 1, 2, 30, tzinfo=UTC)
    )  # 21:30 on 31 October in Boston
    counts = dict(story(session, partner, now).monthly.values.tolist())
    assert (counts["2026-10"], counts["2026-11"]) == (1, 0)


def test_a_partner_with_no_history_has_an_empty_timeline_and_no_referrals(session, now):
    told = story(session, make_partner(session), now)
    assert told.moments.empty and list(told.moments.columns) == MOMENT_COLUMNS
    assert told.monthly["referrals"].sum() == 0


def test_touches_programs_and_emails_share_one_timeline_oldest_first(session, now):
    partner = make_partner(session)
    liaison = make_user(session, name="Maria Lopez")
    jordan = make_contact(session, partner, first_name="Jordan", last_name="Reyes")
    make_touch(
        session,
        partner,
        at(2, 3),
        kind="visit",
        user_id=liaison.id,
        contact_id=jordan.id,
        outcome="Left flyers",
    )
    enrol(
        session, cadence(session, "New-partner introduction"), [partner], at(1, 15), status="active"
    )
    invite(session, event(session, at(4, 15), title="Ankle sprains lunch"), [partner])
    email_sent(session, partner, at(3, 10))
    email_sent(
        session, partner, at(6, 1), source="cadence step 3", kind="cadence", subject="Checking in"
    )
    moments = story(session, partner, now).moments
    assert list(moments["kind"]) == ["cadence", "visit", "seasonal", "event", "email"]
    assert list(moments["title"]) == [
        "Enrolled in New-partner introduction",
        "Visit",
        "Getting your athletes ready for spring",
        "Ankle sprains lunch",
        "Checking in",
    ]
    details = list(moments["detail"])
    assert details[0] == "Active"
    assert details[1] == "Jordan Reyes · Maria Lopez · Left flyers"
    assert details[2].endswith("· Spring 2026 pre-season")
    assert details[3].endswith("· invited · said yes · attended")
    assert moments["at"].iloc[0] == at(1, 15)


def test_an_email_shows_once_though_its_sending_was_also_logged_as_a_touch(session, now):
    partner = make_partner(session)
    message = email_sent(session, partner, at(3, 10), source="cadence step 3", kind="cadence")
    make_touch(session, partner, at(3, 10), kind="email", message_id=message.id)
    assert list(story(session, partner, now).moments["kind"]) == ["email"]


def test_only_the_partners_own_history_and_only_sent_emails_are_told(session, now):
    partner, other = make_partner(session), make_partner(session)
    make_touch(session, other, at(3, 1))
    referred(session, other, at(3, 1))
    email_sent(session, partner, None)  # still queued
    told = story(session, partner, now)
    assert told.moments.empty and told.monthly["referrals"].sum() == 0


def test_a_long_history_is_read_in_one_query_per_table(session, engine, now):
    partner = make_partner(session)
    for day in range(1, 28):
        make_touch(session, partner, at(3, day))
        referred(session, partner, at(4, day))
        email_sent(session, partner, at(5, day))
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(engine, "before_cursor_execute", listener)
    try:
        told = story(session, partner, now)
    finally:
        sa_event.remove(engine, "before_cursor_execute", listener)
    assert len(told.moments) == 54
    assert len(statements) == 5
