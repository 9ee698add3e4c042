"""Requests sent, reminded, opened, clicked and QR scans, by location and month."""

from __future__ import annotations

from datetime import timedelta

from campaigns.reviews.clicks import follow
from campaigns.reviews.links import LOCATION, REQUEST, ReviewLink
from campaigns.reviews.planner import run_review_pass
from campaigns.reviews.stats import MonthRow, monthly_stats
from tests.review_helpers import clinic, mark_sent, requests, settings, visited

SETTINGS = settings()


def ask(session, when):  # type: ignore[no-untyped-def]
    run_review_pass(session, SETTINGS, when)
    session.commit()


def test_sent_and_clicked_are_counted_by_location_and_month(session, now):
    main, elm = clinic(session, name="Main Street"), clinic(session, name="Elm Street")
    visited(session, location=main)
    visited(session, location=main)
    visited(session, location=elm)
    ask(session, now)
    mark_sent(session, now)
    follow(session, ReviewLink(REQUEST, requests(session)[0].id), now + timedelta(hours=2))
    session.commit()
    assert monthly_stats(session) == [
        MonthRow("Elm Street", "2026-11", 1, 0, 0, 0, 0),
        MonthRow("Main Street", "2026-11", 2, 0, 0, 1, 0),
    ]


def test_a_request_not_yet_sent_is_not_counted_as_sent(session, now):
    visited(session, location=clinic(session, name="Main Street"))
    ask(session, now)
    assert monthly_stats(session)[0].sent == 0


def test_reminders_sent_are_counted(session, now):
    visited(session, location=clinic(session, name="Main Street"))
    ask(session, now)
    mark_sent(session, now)
    ask(session, now + timedelta(days=6))
    mark_sent(session, now + timedelta(days=6))
    assert monthly_stats(session)[0].reminders_sent == 1


def test_months_are_separate_rows_newest_first(session, now):
    location = clinic(session, name="Main Street")
    visited(session, location=location, days_ago=40)
    ask(session, now - timedelta(days=38))
    visited(session, location=location)
    ask(session, now)
    assert [row.month for row in monthly_stats(session)] == ["2026-11", "2026-10"]


def test_front_desk_scans_are_counted_without_a_request(session, now):
    location = clinic(session, name="Main Street")
    follow(session, ReviewLink(LOCATION, location.id), now)
    follow(session, ReviewLink(LOCATION, location.id), now)
    session.commit()
    assert monthly_stats(session) == [MonthRow("Main Street", "2026-11", 0, 0, 0, 0, 2)]
