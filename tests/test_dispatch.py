from datetime import timedelta

import pytest
from sqlmodel import func, select

from campaigns.mail.dispatch import LEASE
from campaigns.mail.outbox import enqueue, retry_message
from campaigns.mail.transports.base import TransportError
from crm.access import PermissionDenied
from crm.models import Message, MessageAttempt, Suppression
from tests.factories import make_contact, make_partner, make_patient
from tests.outbox_helpers import ScriptedTransport, dispatcher, draft


def _queue(session, now, **fields):
    message = enqueue(session, draft(**fields), now)
    session.commit()
    return message


def _reload(session, message):
    session.expire_all()
    return session.get(Message, message.id)


def test_a_due_message_is_sent_once_and_its_outcome_recorded(engine, session, now):
    message = _queue(session, now)
    transport = ScriptedTransport()
    sender, _ = dispatcher(engine, transport, now)
    report = sender.run_pass()
    stored = _reload(session, message)
    assert (report.sent, stored.status, stored.attempts, stored.sent_at) == (1, "sent", 1, now)
    assert stored.provider_message_id == f"prov-{message.id}"
    assert sender.run_pass().sent == 0
    assert transport.delivered[message.idempotency_key] == 1


def test_a_message_queued_for_later_waits(engine, session, now):
    message = _queue(session, now, not_before=now + timedelta(hours=1))
    sender, clock = dispatcher(engine, ScriptedTransport(), now)
    assert sender.run_pass().claimed == 0
    clock.now = now + timedelta(hours=1)
    assert sender.run_pass().sent == 1
    assert _reload(session, message).status == "sent"


def test_a_suppressed_address_is_never_sent_to(engine, session, now):
    session.add(Suppression(email="gone@clinic.example.org", reason="unsubscribe", created_at=now))
    message = _queue(session, now, to_email="Gone@Clinic.example.org")
    transport = ScriptedTransport()
    dispatcher(engine, transport, now)[0].run_pass()
    stored = _reload(session, message)
    assert stored.status == "suppressed" and "unsubscribe" in stored.last_error
    assert transport.sent == []


def test_a_contact_who_opted_out_is_never_sent_to(engine, session, now):
    contact = make_contact(session, make_partner(session), email_opt_out=True)
    message = _queue(session, now, to_email=contact.email, contact_id=contact.id)
    transport = ScriptedTransport()
    dispatcher(engine, transport, now)[0].run_pass()
    assert _reload(session, message).status == "suppressed" and transport.sent == []


def test_a_do_not_contact_partner_is_never_emailed(engine, session, now):
    contact = make_contact(session, make_partner(session, status="do_not_contact"))
    message = _queue(session, now, to_email=contact.email, contact_id=contact.id)
    dispatcher(engine, ScriptedTransport(), now)[0].run_pass()
    assert _reload(session, message).last_error == "partner is marked do not contact"


def test_a_patient_without_consent_is_never_emailed(engine, session, now):
    patient = make_patient(session, consent_to_contact=False, consent_at=None)
    message = _queue(session, now, kind="review", to_email=patient.email, patient_id=patient.id)
    dispatcher(engine, ScriptedTransport(), now)[0].run_pass()
    assert _reload(session, message).status == "suppressed"


def test_the_frequency_cap_holds_a_fourth_marketing_email_within_seven_days(engine, session, now):
    address = "busy@clinic.example.org"
    sender, clock = dispatcher(engine, ScriptedTransport(), now, frequency_cap=3)
    for minute in range(3):
        clock.now = now - timedelta(minutes=3 - minute)
        _queue(session, clock.now, to_email=address)
        sender.run_pass()
    clock.now = now
    fourth = _queue(session, now, to_email=address)
    reminder = _queue(session, now, to_email=address, kind="event", transactional=True)
    sender.run_pass()
    held = _reload(session, fourth)
    assert held.status == "queued" and "frequency cap" in held.last_error
    assert held.next_attempt_at == now - timedelta(minutes=3) + timedelta(days=7)
    assert _reload(session, reminder).status == "sent"


def test_the_cap_counts_sends_of_the_batch_before_that_are_not_yet_recorded(engine, session, now):
    address = "busy@clinic.example.org"
    messages = [_queue(session, now, to_email=address) for _ in range(4)]
    sender, _ = dispatcher(engine, ScriptedTransport(), now, frequency_cap=2, batch_size=1)
    report = sender.run_pass()
    assert (report.sent, report.held) == (2, 2)
    assert [_reload(session, m).status for m in messages] == ["sent", "sent", "queued", "queued"]


def test_a_failed_send_of_the_batch_before_does_not_count_against_the_cap(engine, session, now):
    address = "busy@clinic.example.org"
    first, second = (_queue(session, now, to_email=address) for _ in range(2))
    refused = TransportError("550 mailbox unavailable", permanent=True)
    sender, _ = dispatcher(engine, ScriptedTransport([refused]), now, frequency_cap=1, batch_size=1)
    sender.run_pass()
    assert (_reload(session, first).status, _reload(session, second).status) == (
        "failed",
        "sent",
    )


def test_marketing_email_waits_for_the_recipients_business_hours(engine, session, now):
    saturday_noon_utc = now + timedelta(days=3) - timedelta(hours=3)
    message = _queue(session, saturday_noon_utc, timezone="America/Los_Angeles")
    sender, clock = dispatcher(engine, ScriptedTransport(), saturday_noon_utc)
    sender.run_pass()
    held = _reload(session, message)
    monday_8am_pacific = (now + timedelta(days=5)).replace(hour=16, minute=0)
    assert (held.status, held.next_attempt_at) == ("queued", monday_8am_pacific)
    clock.now = monday_8am_pacific
    sender.run_pass()
    assert _reload(session, message).status == "sent"


def test_a_transient_failure_is_retried_later_with_backoff(engine, session, now):
    message = _queue(session, now)
    transport = ScriptedTransport([TransportError("503 Service Unavailable", status_code=503)])
    sender, clock = dispatcher(engine, transport, now)
    sender.run_pass()
    waiting = _reload(session, message)
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert now + timedelta(seconds=15) <= waiting.next_attempt_at <= now + timedelta(seconds=30)
    clock.now = waiting.next_attempt_at
    sender.run_pass()
    assert _reload(session, message).status == "sent"
    assert transport.delivered[message.idempotency_key] == 1


def test_a_rate_limit_waits_as_long_as_the_provider_asks(engine, session, now):
    message = _queue(session, now)
    transport = ScriptedTransport(
        [TransportError("429 Too Many Requests", status_code=429, retry_after=600)]
    )
    dispatcher(engine, transport, now)[0].run_pass()
    assert _reload(session, message).next_attempt_at == now + timedelta(seconds=600)


def test_a_permanent_error_fails_at_once_with_the_providers_text(engine, session, now):
    message = _queue(session, now)
    error = TransportError(
        "400 Bad Request: The to email does not contain a valid address.",
        permanent=True,
        status_code=400,
    )
    dispatcher(engine, ScriptedTransport([error]), now)[0].run_pass()
    stored = _reload(session, message)
    assert (stored.status, stored.attempts) == ("failed", 1)
    assert "does not contain a valid address" in stored.last_error


def test_after_the_last_attempt_the_message_fails(engine, session, now):
    message = _queue(session, now)
    transport = ScriptedTransport([TransportError("500", status_code=500)] * 4)
    sender, clock = dispatcher(engine, transport, now, max_attempts=4)
    for _ in range(4):
        sender.run_pass()
        clock.now += timedelta(minutes=30)
    stored = _reload(session, message)
    assert (stored.status, stored.attempts) == ("failed", 4)
    assert "gave up after 4 attempts" in stored.last_error


def test_an_ambiguous_failure_becomes_unknown_and_is_not_resent(engine, session, now):
    message = _queue(session, now)
    transport = ScriptedTransport(
        [TransportError("connection reset after sending", ambiguous=True)]
    )
    sender, clock = dispatcher(engine, transport, now)
    sender.run_pass()
    clock.now += timedelta(days=1)
    sender.run_pass()
    assert _reload(session, message).status == "unknown"
    assert transport.delivered[message.idempotency_key] == 1


def test_one_rejected_recipient_does_not_resend_the_others(engine, session, now):
    messages = [_queue(session, now) for _ in range(5)]
    bad = messages[2].idempotency_key
    transport = ScriptedTransport(
        per_key=lambda e: (
            TransportError("invalid", permanent=True) if e.idempotency_key == bad else None
        )
    )
    sender, clock = dispatcher(engine, transport, now)
    sender.run_pass()
    clock.now += timedelta(hours=3)
    sender.run_pass()
    assert [_reload(session, m).status for m in messages] == [
        "sent",
        "sent",
        "failed",
        "sent",
        "sent",
    ]
    assert all(
        transport.delivered[m.idempotency_key] == 1 for m in messages if m.idempotency_key != bad
    )


def test_a_message_left_sending_by_a_crash_becomes_unknown_after_its_lease(engine, session, now):
    message = _queue(session, now)
    session.execute(
        Message.__table__.update().values(status="sending", next_attempt_at=now + LEASE)
    )
    session.commit()
    transport = ScriptedTransport()
    sender, clock = dispatcher(engine, transport, now)
    assert sender.run_pass().expired_leases == 0
    clock.now = now + LEASE
    assert sender.run_pass().expired_leases == 1
    assert _reload(session, message).status == "unknown" and transport.sent == []


def test_a_person_can_requeue_an_unknown_message(engine, session, marketer, viewer, now):
    message = _queue(session, now)
    transport = ScriptedTransport([TransportError("reset", ambiguous=True)])
    sender, _ = dispatcher(engine, transport, now)
    sender.run_pass()
    with pytest.raises(PermissionDenied):
        retry_message(session, viewer, message.id, now)
    retry_message(session, marketer, message.id, now)
    session.commit()
    sender.run_pass()
    assert _reload(session, message).status == "sent"


def test_every_attempt_is_kept_in_the_log(engine, session, now):
    message = _queue(session, now)
    sender, clock = dispatcher(
        engine, ScriptedTransport([TransportError("500", status_code=500)]), now
    )
    sender.run_pass()
    clock.now += timedelta(hours=1)
    sender.run_pass()
    outcomes = session.exec(
        select(MessageAttempt.outcome)
        .where(MessageAttempt.message_id == message.id)
        .order_by(MessageAttempt.id)
    ).all()
    assert outcomes == ["retry", "sent"]


def test_a_batch_claims_no_more_than_the_batch_size(engine, session, now):
    for _ in range(25):
        _queue(session, now)
    sender, _ = dispatcher(engine, ScriptedTransport(), now, batch_size=10)
    assert sender.run_pass(max_batches=1).claimed == 10
    session.expire_all()
    assert (
        session.exec(
            select(func.count()).select_from(Message).where(Message.status == "queued")
        ).one()
        == 15
    )


def test_an_email_sent_to_a_partners_contact_shows_as_an_email_touch(engine, session, now):
    from crm.models import Touch
    from crm.partners import partner_detail

    partner = make_partner(session)
    contact = make_contact(session, partner)
    message = _queue(
        session,
        now,
        to_email=contact.email,
        contact_id=contact.id,
        partner_id=partner.id,
        subject="Spring sports physicals",
    )
    _queue(session, now)
    dispatcher(engine, ScriptedTransport(), now)[0].run_pass()
    touch = session.exec(select(Touch)).one()
    assert (touch.kind, touch.message_id, touch.contact_id, touch.occurred_at) == (
        "email",
        message.id,
        contact.id,
        now,
    )
    timeline = partner_detail(session, partner.id).timeline
    assert timeline[0].title == "Email" and "Spring sports physicals" in timeline[0].detail
