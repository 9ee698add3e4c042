"""Before approving a seasonal send: its recipients, who is left out and why (by the
dispatcher's rules), and the email as it will go."""

from __future__ import annotations

from campaigns.mail.preview import NO_EMAIL
from campaigns.seasonal import preview_send
from tests.conftest import NOW
from tests.factories import make_contact, make_partner
from tests.seasonal_helpers import SETTINGS, fall_calendar, send_of


def _school(session, sports="football,soccer"):  # type: ignore[no-untyped-def]
    return make_partner(session, partner_type="school", sports=sports)


def test_the_preview_lists_the_sends_recipients(session, marketer):
    contact = make_contact(session, _school(session))
    fall_calendar(session, marketer)
    result = preview_send(session, SETTINGS, send_of(session, "football", "pre").id, NOW)
    assert [p.email for p in result.judged.included] == [contact.email]


def test_an_opted_out_contact_is_left_out_with_the_reason(session, marketer):
    make_contact(session, _school(session), email_opt_out=True)
    fall_calendar(session, marketer)
    result = preview_send(session, SETTINGS, send_of(session, "football", "pre").id, NOW)
    assert result.judged.reasons() == {"opted out of email": 1}


def test_a_contact_without_an_address_is_left_out(session, marketer):
    make_contact(session, _school(session), email=None)
    fall_calendar(session, marketer)
    result = preview_send(session, SETTINGS, send_of(session, "football", "pre").id, NOW)
    assert result.judged.reasons() == {NO_EMAIL: 1}


def test_a_contact_not_serving_the_sends_sport_is_not_in_its_preview(session, marketer):
    make_contact(session, _school(session, sports="soccer"))
    fall_calendar(session, marketer)
    result = preview_send(session, SETTINGS, send_of(session, "football", "pre").id, NOW)
    assert (result.judged.included, result.judged.left_out) == ([], [])


def test_the_sample_is_the_first_recipients_email_naming_all_their_sports(session, marketer):
    make_contact(session, _school(session), first_name="Dana")
    fall_calendar(session, marketer)
    sample = preview_send(session, SETTINGS, send_of(session, "football", "pre").id, NOW).sample
    assert (sample.subject, "Hi Dana," in sample.text) == (
        "Getting football and soccer athletes ready for the season",
        True,
    )
