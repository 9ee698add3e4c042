"""Per-referral updates: who gets the email, what it says, and when no one does."""

from __future__ import annotations

from datetime import timedelta

from tests.factories import make_contact, make_referral
from tests.referral_update_helpers import email_partner, messages, run, updates


def test_a_new_referral_acknowledges_the_referring_contact(session, now):
    partner = email_partner(session)
    make_contact(session, partner, role="referral_coordinator", email="coord@partner.example.org")
    referring = make_contact(session, partner, email="Dr.Lee@Partner.example.org")
    referral = make_referral(
        session, partner, received_at=now - timedelta(minutes=5), contact_id=referring.id
    )
    run(session, now)
    [message] = messages(session)
    assert (message.idempotency_key, message.template) == (
        f"referral:{referral.id}:received:dr.lee@partner.example.org",
        "referral_acknowledgment",
    )


def test_an_acknowledgment_is_a_transactional_acknowledgment(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    run(session, now)
    [message] = messages(session)
    assert (message.kind, message.transactional, message.status) == (
        "acknowledgment",
        True,
        "queued",
    )


def test_without_a_referring_contact_the_coordinator_is_preferred_to_the_physician(session, now):
    partner = email_partner(session)
    make_contact(session, partner, role="physician")
    coordinator = make_contact(session, partner, role="referral_coordinator")
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    run(session, now)
    assert [m.contact_id for m in messages(session)] == [coordinator.id]


def test_an_archived_contact_is_not_the_main_contact(session, now):
    partner = email_partner(session)
    make_contact(session, partner, role="referral_coordinator", archived_at=now - timedelta(days=9))
    physician = make_contact(session, partner, role="physician")
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    run(session, now)
    assert [m.contact_id for m in messages(session)] == [physician.id]


def test_an_opted_out_referring_contact_gets_nothing_and_the_update_is_skipped(session, now):
    partner = email_partner(session)
    make_contact(session, partner, role="referral_coordinator")
    referring = make_contact(session, partner, email_opt_out=True)
    make_referral(session, partner, received_at=now - timedelta(minutes=5), contact_id=referring.id)
    report = run(session, now)
    assert (messages(session), [u.status for u in updates(session)], report.skipped) == (
        [],
        ["skipped"],
        {"opted_out": 1},
    )


def test_a_partner_that_wants_no_updates_is_skipped(session, now):
    partner = email_partner(session, update_preference="none")
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    report = run(session, now)
    assert (messages(session), report.skipped) == ([], {"preference_none": 1})


def test_a_partner_that_refers_by_fax_is_not_emailed(session, now):
    partner = email_partner(session, referral_channel="fax")
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    report = run(session, now)
    assert (messages(session), report.skipped) == ([], {"not_email_channel": 1})


def test_a_partner_with_no_one_to_email_is_skipped(session, now):
    partner = email_partner(session)
    make_contact(session, partner, email=None)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    report = run(session, now)
    assert (messages(session), [u.status for u in updates(session)], report.skipped) == (
        [],
        ["skipped"],
        {"no_recipient": 1},
    )


def test_a_scheduled_referral_gets_a_status_update_with_the_date(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    referral = make_referral(
        session,
        partner,
        received_at=now - timedelta(days=2),
        partner_reference="RFM-88",
        scheduled_at=now + timedelta(days=6),
    )
    run(session, now)
    update = next(m for m in messages(session) if m.template == "referral_status_update")
    assert (
        update.idempotency_key.startswith(f"referral:{referral.id}:scheduled:"),
        update.subject,
        "Scheduled on December 1, 2026" in update.text,
    ) == (True, "Referral RFM-88: Scheduled", True)


def test_without_a_partner_reference_our_referral_number_is_shown(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    referral = make_referral(session, partner, received_at=now - timedelta(minutes=5))
    run(session, now)
    [message] = messages(session)
    assert f"(reference No. {referral.id})" in message.text


def test_each_update_is_marked_sent_with_its_message(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    run(session, now)
    [update], [message] = updates(session), messages(session)
    assert (update.status, update.message_id) == ("sent", message.id)


def test_a_second_pass_sends_nothing_more(session, now):
    partner = email_partner(session)
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    run(session, now)
    report = run(session, now + timedelta(minutes=2))
    assert (report.notices, len(messages(session))) == (0, 1)


def test_a_referring_contact_without_an_email_gives_way_to_the_main_contact(session, now):
    partner = email_partner(session)
    main = make_contact(session, partner, role="office_manager")
    referring = make_contact(session, partner, email=None)
    make_referral(session, partner, received_at=now - timedelta(minutes=5), contact_id=referring.id)
    run(session, now)
    assert [m.contact_id for m in messages(session)] == [main.id]


def test_an_archived_partner_is_not_emailed(session, now):
    partner = email_partner(session, archived_at=now - timedelta(days=1))
    make_contact(session, partner)
    make_referral(session, partner, received_at=now - timedelta(minutes=5))
    report = run(session, now)
    assert (messages(session), report.skipped) == ([], {"partner_archived": 1})
