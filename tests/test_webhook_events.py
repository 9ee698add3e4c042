"""Applying SendGrid's Event Webhook events to messages, suppressions and review requests."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from campaigns.mail.webhook.events import apply_events
from crm.models import EmailEvent, Message, ReviewRequest, Suppression
from tests.review_helpers import visited
from tests.webhook_helpers import event, sent_message

MINUTE = timedelta(minutes=1)


def apply(session, now, *events):  # type: ignore[no-untyped-def]
    report = apply_events(session, list(events), now)
    session.commit()
    session.expire_all()
    return report


def suppressions(session) -> dict[str, str]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {row.email: row.reason for row in session.exec(select(Suppression))}


def test_a_delivered_event_records_when_the_message_was_delivered(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "delivered", now + MINUTE))
    assert session.get(Message, message.id).delivered_at == now + MINUTE


def test_a_persons_open_records_the_open(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "open", now + MINUTE))
    row = session.get(Message, message.id)
    assert (row.opened_at, row.machine_opened_at) == (now + MINUTE, None)


def test_an_apple_mail_privacy_open_is_kept_apart_and_is_not_a_persons_open(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "open", now + MINUTE, sg_machine_open=True))
    row = session.get(Message, message.id)
    assert (row.opened_at, row.machine_opened_at) == (None, now + MINUTE)


def test_a_click_records_the_click(session, now):
    message = sent_message(session, now)
    apply(
        session,
        now,
        event(message, "click", now + MINUTE, url="https://practice.example.org/refer"),
    )
    assert session.get(Message, message.id).clicked_at == now + MINUTE
    assert session.exec(select(EmailEvent.url)).one() == "https://practice.example.org/refer"


def test_the_first_time_wins_whatever_order_events_arrive_in(session, now):
    message = sent_message(session, now)
    apply(
        session,
        now,
        event(message, "open", now + 5 * MINUTE),
        event(message, "open", now + 3 * MINUTE),
    )
    apply(session, now, event(message, "open", now + 9 * MINUTE))
    assert session.get(Message, message.id).opened_at == now + 3 * MINUTE


def test_an_earlier_event_arriving_in_a_later_post_still_wins(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "delivered", now + 5 * MINUTE))
    apply(session, now, event(message, "delivered", now + 2 * MINUTE))
    assert session.get(Message, message.id).delivered_at == now + 2 * MINUTE


def test_a_batch_sendgrid_retries_is_applied_once(session, now):
    message = sent_message(session, now)
    batch = [event(message, "delivered", now + MINUTE), event(message, "bounce", now + 2 * MINUTE)]
    first = apply(session, now, *batch)
    again = apply(session, now + MINUTE, *batch)
    assert (first.stored, again.stored, again.duplicates, again.suppressed) == (2, 0, 2, 0)
    assert len(session.exec(select(EmailEvent)).all()) == 2


def test_an_event_for_a_message_we_do_not_know_is_stored_without_one(session, now):
    report = apply(
        session, now, event(None, "delivered", now, message_id="987654", message_key="elsewhere:1")
    )
    stored = session.exec(select(EmailEvent)).one()
    assert (report.stored, report.matched, stored.message_id, stored.event) == (
        1,
        0,
        None,
        "delivered",
    )


def test_without_custom_args_an_event_is_matched_by_sendgrids_message_id(session, now):
    message = sent_message(session, now, provider_message_id="LRzXl_NHStOGhQ4kofSm_A")
    hook = event(message, "delivered", now + MINUTE)
    del hook["message_id"], hook["message_key"]
    apply(session, now, hook)
    assert session.get(Message, message.id).delivered_at == now + MINUTE
    assert session.exec(select(EmailEvent.message_id)).one() == message.id


def test_a_bounce_records_the_bounce_and_suppresses_the_address(session, now):
    message = sent_message(session, now)
    apply(
        session,
        now,
        event(message, "bounce", now + MINUTE, type="bounce", reason="550 5.1.1 no such user"),
    )
    assert session.get(Message, message.id).bounced_at == now + MINUTE
    assert suppressions(session) == {message.to_email: "bounce"}


def test_a_blocked_bounce_suppresses_the_address_as_a_block(session, now):
    message = sent_message(session, now)
    apply(
        session, now, event(message, "bounce", now + MINUTE, type="blocked", reason="554 blocked")
    )
    assert suppressions(session) == {message.to_email: "block"}


def test_a_drop_for_an_address_already_bounced_suppresses_it_as_bounced(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "dropped", now + MINUTE, reason="Bounced Address"))
    assert session.get(Message, message.id).bounced_at == now + MINUTE
    assert suppressions(session) == {message.to_email: "bounce"}


def test_a_drop_for_reasons_of_the_address_suppresses_it_with_the_matching_reason(session, now):
    messages = [sent_message(session, now) for _ in range(3)]
    apply(
        session,
        now,
        event(messages[0], "dropped", now, reason="Unsubscribed Address"),
        event(messages[1], "dropped", now, reason="Spam Reporting Address"),
        event(messages[2], "dropped", now, reason="Invalid"),
    )
    assert suppressions(session) == {
        messages[0].to_email: "unsubscribe",
        messages[1].to_email: "spam_report",
        messages[2].to_email: "invalid",
    }


def test_a_drop_for_a_reason_that_says_nothing_of_the_address_suppresses_nothing(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "dropped", now, reason="Invalid SMTPAPI header"))
    assert suppressions(session) == {}


def test_a_spam_report_suppresses_the_address_as_a_complaint(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "spamreport", now))
    assert suppressions(session) == {message.to_email: "spam_report"}


def test_an_unsubscribe_and_a_group_unsubscribe_suppress_the_address(session, now):
    one, two = sent_message(session, now), sent_message(session, now)
    apply(
        session,
        now,
        event(one, "unsubscribe", now),
        event(two, "group_unsubscribe", now, asm_group_id=7),
    )
    assert suppressions(session) == {one.to_email: "unsubscribe", two.to_email: "unsubscribe"}


def test_an_address_already_suppressed_keeps_its_one_entry_and_first_reason(session, now):
    message = sent_message(session, now)
    session.add(Suppression(email=message.to_email, reason="manual", created_at=now))
    session.commit()
    report = apply(session, now, event(message, "spamreport", now + MINUTE))
    assert (report.suppressed, suppressions(session)) == (0, {message.to_email: "manual"})


def test_a_group_resubscribe_does_not_lift_a_suppression(session, now):
    message = sent_message(session, now)
    apply(session, now, event(message, "group_unsubscribe", now))
    apply(session, now, event(message, "group_resubscribe", now + MINUTE))
    assert suppressions(session) == {message.to_email: "unsubscribe"}
    assert session.exec(select(EmailEvent.event).order_by(EmailEvent.at)).all() == [
        "group_unsubscribe",
        "group_resubscribe",
    ]


def test_processed_and_deferred_events_are_stored_and_change_nothing(session, now):
    message = sent_message(session, now)
    report = apply(
        session, now, event(message, "processed", now), event(message, "deferred", now + MINUTE)
    )
    row = session.get(Message, message.id)
    assert (report.stored, report.matched) == (2, 2)
    assert (row.delivered_at, row.opened_at, row.bounced_at, suppressions(session)) == (
        None,
        None,
        None,
        {},
    )


def test_items_that_are_not_events_are_skipped(session, now):
    message = sent_message(session, now)
    report = apply(session, now, "delivered", {"no": "event"}, event(message, "delivered", now))
    assert (report.received, report.stored) == (2, 1)


def _review_request(session, now):  # type: ignore[no-untyped-def]
    visit = visited(session)
    request_message, reminder = (
        sent_message(session, now, kind="review"),
        sent_message(session, now, kind="review"),
    )
    request = ReviewRequest(
        patient_id=visit.patient_id,
        visit_id=visit.id,
        location_id=visit.location_id,
        requested_at=now,
        message_id=request_message.id,
        reminder_message_id=reminder.id,
    )
    session.add(request)
    session.commit()
    return request, request_message, reminder


def test_a_persons_open_of_a_review_request_opens_the_request(session, now):
    request, message, _ = _review_request(session, now)
    apply(session, now, event(message, "open", now + MINUTE))
    assert session.get(ReviewRequest, request.id).opened_at == now + MINUTE


def test_a_persons_open_of_the_reminder_opens_the_request_too(session, now):
    request, _, reminder = _review_request(session, now)
    apply(session, now, event(reminder, "open", now + 5 * MINUTE))
    assert session.get(ReviewRequest, request.id).opened_at == now + 5 * MINUTE


def test_the_first_open_of_either_email_is_when_the_request_was_opened(session, now):
    request, message, reminder = _review_request(session, now)
    apply(
        session,
        now,
        event(reminder, "open", now + 5 * MINUTE),
        event(message, "open", now + 2 * MINUTE),
    )
    apply(session, now, event(message, "open", now + 9 * MINUTE))
    assert session.get(ReviewRequest, request.id).opened_at == now + 2 * MINUTE


def test_a_machine_open_of_a_review_request_does_not_open_it(session, now):
    request, message, _ = _review_request(session, now)
    apply(session, now, event(message, "open", now + MINUTE, sg_machine_open=True))
    assert session.get(ReviewRequest, request.id).opened_at is None
