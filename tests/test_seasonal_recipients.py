"""Who seasonal emails reach: sports partners' contacts and coaches and athletic
trainers anywhere, when their partner serves the sport."""

from __future__ import annotations

from campaigns.seasonal import seasonal_recipients
from tests.factories import make_contact, make_partner


def _emails(session, sports):  # type: ignore[no-untyped-def]
    return {p.email for p in seasonal_recipients(session, sports)}


def test_every_contact_of_a_school_serving_the_sport_is_reached(session):
    school = make_partner(session, partner_type="school", sports="football,soccer")
    contact = make_contact(session, school, role="office_manager")
    assert _emails(session, ["football"]) == {contact.email}


def test_a_coach_at_a_clinic_serving_the_sport_is_reached(session):
    clinic = make_partner(session, partner_type="physical_therapy", sports="football")
    coach = make_contact(session, clinic, role="coach")
    make_contact(session, clinic, role="physician")
    assert _emails(session, ["football"]) == {coach.email}


def test_a_partner_not_serving_the_sport_is_not_reached(session):
    club = make_partner(session, partner_type="sports_club", sports="basketball")
    make_contact(session, club, role="coach")
    assert _emails(session, ["football"]) == set()


def test_a_sport_matches_whole_names_only(session):
    club = make_partner(session, partner_type="sports_club", sports="field hockey,ice hockey")
    make_contact(session, club, role="coach")
    assert _emails(session, ["hockey"]) == set()


def test_an_archived_contact_is_not_reached(session, now):
    school = make_partner(session, partner_type="school", sports="football")
    make_contact(session, school, archived_at=now)
    assert _emails(session, ["football"]) == set()


def test_an_address_listed_at_two_partners_is_one_recipient_with_both_sports(session):
    football = make_partner(session, partner_type="sports_club", sports="football")
    soccer = make_partner(session, partner_type="sports_club", sports="soccer")
    make_contact(session, football, role="coach", email="sam@clubs.example.org")
    make_contact(session, soccer, role="coach", email="Sam@Clubs.example.org")
    assert [(p.email, p.sports) for p in seasonal_recipients(session, ["football", "soccer"])] == [
        ("sam@clubs.example.org", ("football", "soccer"))
    ]
