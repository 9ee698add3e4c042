import pytest
from sqlmodel import func, select

from campaigns.mail.outbox import cancel_message, enqueue, enqueue_many, status_counts
from crm.access import PermissionDenied
from crm.models import Message
from tests.outbox_helpers import draft


def _count(session):
    return session.exec(select(func.count()).select_from(Message)).one()


def test_enqueueing_twice_with_one_key_creates_one_message(session, now):
    first = enqueue(session, draft(idempotency_key="cadence:1:step:2:2026-11:a@x.org"), now)
    second = enqueue(
        session, draft(idempotency_key="cadence:1:step:2:2026-11:a@x.org", subject="other"), now
    )
    session.commit()
    assert first.id == second.id and _count(session) == 1
    assert second.subject == first.subject


def test_enqueue_many_reports_only_the_new_messages(session, now):
    drafts = [draft() for _ in range(3)]
    assert enqueue_many(session, drafts, now) == 3
    assert enqueue_many(session, drafts + [draft()], now) == 1
    session.commit()
    assert _count(session) == 4


def test_a_draft_that_failed_to_render_is_kept_as_a_failed_message_with_its_reason(session, now):
    message = enqueue(
        session,
        draft(
            failure="template partner_check_in: 'event_title' is undefined",
            subject="",
            html="",
            text="",
        ),
        now,
    )
    session.commit()
    assert message.status == "failed" and "undefined" in message.last_error


def test_an_unknown_kind_is_refused(session, now):
    with pytest.raises(ValueError, match="unknown message kind"):
        enqueue(session, draft(kind="newsletter"), now)


def test_addresses_are_stored_lowercase(session, now):
    assert (
        enqueue(session, draft(to_email=" Dr.Lee@Clinic.example.org "), now).to_email
        == "dr.lee@clinic.example.org"
    )


def test_a_queued_message_can_be_cancelled_but_not_by_a_viewer(session, marketer, viewer, now):
    message = enqueue(session, draft(), now)
    session.commit()
    with pytest.raises(PermissionDenied):
        cancel_message(session, viewer, message.id, now)
    assert cancel_message(session, marketer, message.id, now).status == "cancelled"


def test_status_counts_group_by_status_and_kind(session, now):
    enqueue_many(session, [draft(kind="event"), draft(kind="event"), draft(kind="review")], now)
    session.commit()
    assert status_counts(session) == {("queued", "event"): 2, ("queued", "review"): 1}
