"""The bulk-email preview: who gets a step's email and who is left out and why, judged
with the dispatcher's rules (suppression, opt-out, do not contact, frequency cap)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from campaigns.mail.preview import NO_EMAIL, preview, preview_planned_step, preview_step, recipients
from crm.business_days import due_moment
from crm.models import Cadence, CadenceStep, Enrolment, Message, Suppression
from tests.conftest import NOW
from tests.factories import make_contact, make_partner

ZONE = ZoneInfo("America/New_York")
CAP = 2
_KEYS = itertools.count(1)


def _sent(session, email, days_ago):  # type: ignore[no-untyped-def]
    at = NOW - timedelta(days=days_ago)
    session.add(
        Message(
            idempotency_key=f"preview-{next(_KEYS)}",
            kind="cadence",
            to_email=email,
            template="partner_checkin",
            subject="s",
            html="h",
            text="t",
            status="sent",
            next_attempt_at=at,
            sent_at=at,
            created_at=at,
            updated_at=at,
        )
    )
    session.commit()


def _step(session, action="email", roles="physician"):  # type: ignore[no-untyped-def]
    cadence = Cadence(name=f"Nurture {next(_KEYS)}", created_at=NOW, updated_at=NOW)
    session.add(cadence)
    session.flush()
    step = CadenceStep(
        cadence_id=cadence.id,
        position=1,
        action=action,
        template="partner_checkin",
        contact_roles=roles,
        offset_days=2,
        offset_from="enrolment",
        title="Fall update",
        created_at=NOW,
        updated_at=NOW,
    )
    session.add(step)
    session.commit()
    return step


def _reasons(session, *contacts):  # type: ignore[no-untyped-def]
    result = preview(
        session, recipients(session, {c.partner_id for c in contacts}, frozenset()), NOW, CAP
    )
    return {entry.recipient.contact_id: entry.reason for entry in result.left_out}


def test_a_contact_with_an_address_and_nothing_against_it_is_included(session):
    contact = make_contact(session, make_partner(session))
    result = preview(session, recipients(session, [contact.partner_id], frozenset()), NOW, CAP)
    assert ([r.contact_id for r in result.included], result.left_out) == ([contact.id], [])


def test_a_contact_without_an_email_is_left_out(session):
    contact = make_contact(session, make_partner(session), email=None)
    assert _reasons(session, contact) == {contact.id: NO_EMAIL}


def test_a_suppressed_address_is_left_out_with_the_suppressions_reason(session):
    contact = make_contact(session, make_partner(session), email="Ana@Clinic.example.org")
    session.add(Suppression(email="ana@clinic.example.org", reason="bounce", created_at=NOW))
    session.commit()
    assert _reasons(session, contact) == {contact.id: "suppressed (bounce)"}


def test_a_contact_who_opted_out_is_left_out(session):
    contact = make_contact(session, make_partner(session), email_opt_out=True)
    assert _reasons(session, contact) == {contact.id: "opted out of email"}


def test_a_contact_at_a_do_not_contact_partner_is_left_out(session):
    contact = make_contact(session, make_partner(session, status="do_not_contact"))
    assert _reasons(session, contact) == {contact.id: "partner is marked do not contact"}


def test_a_contact_at_the_frequency_cap_is_left_out(session):
    contact = make_contact(session, make_partner(session))
    _sent(session, contact.email, days_ago=1)
    _sent(session, contact.email, days_ago=6)
    assert _reasons(session, contact) == {contact.id: f"frequency cap: {CAP} emails in 7 days"}


def test_sends_older_than_seven_days_do_not_count_toward_the_cap(session):
    contact = make_contact(session, make_partner(session))
    _sent(session, contact.email, days_ago=1)
    _sent(session, contact.email, days_ago=8)
    assert _reasons(session, contact) == {}


def test_the_reasons_are_counted(session):
    partner = make_partner(session)
    make_contact(session, partner, email=None)
    make_contact(session, partner, email=None)
    make_contact(session, partner, email_opt_out=True)
    result = preview(session, recipients(session, [partner.id], frozenset()), NOW, CAP)
    assert result.reasons() == {NO_EMAIL: 2, "opted out of email": 1}


def test_the_steps_contact_roles_pick_the_recipients(session):
    partner = make_partner(session)
    physician = make_contact(session, partner, role="physician")
    make_contact(session, partner, role="front_desk")
    result = preview_step(session, _step(session, roles="physician").id, [partner.id], NOW, CAP)
    assert [r.contact_id for r in result.included] == [physician.id]


def test_archived_contacts_are_not_recipients(session):
    partner = make_partner(session)
    make_contact(session, partner, archived_at=NOW)
    assert recipients(session, [partner.id], frozenset()) == []


def test_only_an_email_step_has_a_preview(session):
    with pytest.raises(ValueError, match="only an email step"):
        preview_step(session, _step(session, action="call").id, [], NOW, CAP)


def test_a_planned_step_is_previewed_for_the_partners_the_calendar_puts_on_its_day(session):
    enrolled, other = make_partner(session), make_partner(session)
    contact = make_contact(session, enrolled)
    make_contact(session, other)
    step = _step(session)
    session.add(
        Enrolment(
            cadence_id=step.cadence_id,
            partner_id=enrolled.id,
            enrolled_at=NOW,
            anchor_at=NOW,
            next_due_at=NOW,
            created_at=NOW,
            updated_at=NOW,
        )
    )
    session.commit()
    result = preview_planned_step(session, step.id, date(2026, 11, 27), NOW, ZONE, CAP)
    assert ([r.contact_id for r in result.included], result.at) == (
        [contact.id],
        due_moment(date(2026, 11, 27), ZONE),
    )
