import pytest

from campaigns.mail.compose import compose, enqueue_test
from campaigns.mail.outbox import enqueue
from campaigns.mail.templating import TEMPLATES
from campaigns.mail.unsubscribe import verify
from crm.access import PermissionDenied
from crm.settings import Settings

SETTINGS = Settings(
    _env_file=None,
    secret_key="test-secret-key",
    practice_name="Summit Sports Medicine",
    postal_address="12 Harbor Way, Salem, MA 01970",
    public_url="https://liaison.example.org",
)


def test_a_marketing_email_is_rendered_with_a_signed_unsubscribe_link_and_the_postal_address(
    session, now
):
    draft = compose(
        session,
        SETTINGS,
        template="partner_checkin",
        variables=dict(TEMPLATES["partner_checkin"].sample),
        idempotency_key="cadence:1:step:1:2026-11:dr@x.org",
        kind="cadence",
        to_email="Dr@X.org",
        now=now,
    )
    assert not draft.failure and not draft.transactional
    assert "12 Harbor Way, Salem, MA 01970" in draft.html and "12 Harbor Way" in draft.text
    token = draft.html.split("https://liaison.example.org/unsubscribe/")[1].split('"')[0]
    assert verify(SETTINGS.secret_key, token).email == "dr@x.org"


def test_an_event_reminder_is_transactional(session, now):
    draft = compose(
        session,
        SETTINGS,
        template="event_reminder",
        variables=dict(TEMPLATES["event_reminder"].sample),
        idempotency_key="event:1:reminder:7d:dr@x.org",
        kind="event",
        to_email="dr@x.org",
        now=now,
    )
    assert draft.transactional and not draft.failure


def test_a_missing_variable_becomes_a_failed_message_with_its_reason(session, now):
    variables = dict(TEMPLATES["partner_checkin"].sample)
    missing = sorted(variables)[0]
    del variables[missing]
    draft = compose(
        session,
        SETTINGS,
        template="partner_checkin",
        variables=variables,
        idempotency_key="cadence:9",
        kind="cadence",
        to_email="dr@x.org",
        now=now,
    )
    message = enqueue(session, draft, now)
    session.commit()
    assert message.status == "failed" and missing in message.last_error


def test_a_marketer_sends_a_test_of_a_template_to_themselves(session, marketer, now):
    message = enqueue_test(
        session, marketer, "preseason_education", "me@practice.example.org", now, settings=SETTINGS
    )
    session.commit()
    assert (message.kind, message.to_email, message.status, message.transactional) == (
        "test",
        "me@practice.example.org",
        "queued",
        True,
    )
    assert message.subject


def test_a_viewer_cannot_send_a_test(session, viewer, now):
    with pytest.raises(PermissionDenied):
        enqueue_test(
            session,
            viewer,
            "preseason_education",
            "me@practice.example.org",
            now,
            settings=SETTINGS,
        )
