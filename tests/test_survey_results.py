"""The survey's results: per partner type and per partner, each question's average by
quarter with how many were asked and answered, and the comments."""

from __future__ import annotations

from datetime import timedelta

from crm.surveys import record_answers as answer
from crm.surveys import (
    results_by_partner,
    results_by_partner_type,
    survey_comments,
)
from tests.factories import make_contact, make_partner
from tests.survey_helpers import requests, send, settings, static_segment

ZONE = settings().zone
LAST, THIS = "2026-Q3", "2026-Q4"


def _two_quarters(session, marketer, now):  # type: ignore[no-untyped-def]
    clinic = make_partner(session, name="Riverside FM", partner_type="primary_care")
    other = make_partner(session, name="Harbor FM", partner_type="primary_care")
    gym = make_partner(session, name="Iron Gym", partner_type="gym_wellness")
    people = {p.name: make_contact(session, p, role="physician") for p in (clinic, other, gym)}
    segment = static_segment(session, marketer, [clinic, other, gym])
    earlier = now - timedelta(days=70)
    send(session, marketer, segment, now=earlier)
    send(session, marketer, segment, now=now)
    ids = {(r.contact_id, r.quarter): r.id for r in requests(session)}

    def scores(name, quarter, values, comment=None):  # type: ignore[no-untyped-def]
        answer(session, ids[(people[name].id, quarter)], values, comment, now, ZONE)

    scores("Riverside FM", LAST, {"communication": 2, "capacity": 3})
    scores("Riverside FM", THIS, {"communication": 4, "capacity": 5}, "Much quicker now")
    scores("Harbor FM", THIS, {"communication": 5})
    scores("Iron Gym", THIS, {"recommend": 3}, "More sports slots")
    session.commit()
    return clinic, gym


def test_per_partner_type_the_averages_by_quarter_with_counts(session, marketer, now):
    _two_quarters(session, marketer, now)
    rows = {(r.group, r.quarter): r for r in results_by_partner_type(session, [LAST, THIS])}
    assert set(rows) == {
        ("primary_care", LAST),
        ("primary_care", THIS),
        ("gym_wellness", LAST),
        ("gym_wellness", THIS),
    }
    q4 = rows[("primary_care", THIS)]
    assert (q4.sent, q4.responses) == (2, 2)
    assert q4.averages == {
        "communication": 4.5,
        "credibility": None,
        "capacity": 5.0,
        "consistency": None,
        "recommend": None,
    }
    q3 = rows[("primary_care", LAST)]
    assert (q3.sent, q3.responses, q3.averages["communication"]) == (2, 1, 2.0)
    assert (rows[("gym_wellness", LAST)].responses, rows[("gym_wellness", THIS)].responses) == (
        0,
        1,
    )


def test_per_partner_the_trend_and_the_comments(session, marketer, now):
    clinic, gym = _two_quarters(session, marketer, now)
    trend = results_by_partner(session, [LAST, THIS], partner_id=clinic.id)
    assert [(r.quarter, r.averages["communication"]) for r in trend] == [(LAST, 2.0), (THIS, 4.0)]
    assert {r.group for r in results_by_partner(session, [THIS])} == {
        "Riverside FM",
        "Harbor FM",
        "Iron Gym",
    }
    assert [c.comment for c in survey_comments(session, [THIS], partner_id=gym.id)] == [
        "More sports slots"
    ]
    assert sorted(c.partner_name for c in survey_comments(session, [LAST, THIS])) == [
        "Iron Gym",
        "Riverside FM",
    ]


def test_quarters_outside_the_range_are_not_counted(session, marketer, now):
    _two_quarters(session, marketer, now)
    assert results_by_partner_type(session, ["2025-Q1"]) == []
    assert results_by_partner_type(session, []) == []
