"""`partner_link` in partner emails: allowed in any partner template, filled in from the
message's partner, and refused in a patient's email."""

from __future__ import annotations

import pytest

from campaigns.mail.compose import compose
from campaigns.mail.templating import TEMPLATES, TemplateError, TemplateSource, validate_override
from crm.partner_links import link_for, rotate
from crm.settings import Settings
from tests.factories import make_partner

SETTINGS = Settings(
    _env_file=None, secret_key="test-secret-key", public_url="https://liaison.example.org"
)
WITH_LINK = TemplateSource(
    subject="Your referrals",
    html="<p>Send a patient: {{ partner_link }}</p>",
    text="Send a patient: {{ partner_link }}",
)


def _draft(session, partner_id, now):  # type: ignore[no-untyped-def]
    return compose(
        session,
        SETTINGS,
        template="referral_acknowledgment",
        variables=dict(TEMPLATES["referral_acknowledgment"].sample),
        idempotency_key=f"test:{partner_id}",
        kind="acknowledgment",
        to_email="dr@x.org",
        partner_id=partner_id,
        now=now,
        template_source=WITH_LINK,
    )


def test_a_partner_email_carries_its_partners_current_link(session, marketer, now):
    partner = make_partner(session)
    assert link_for(SETTINGS, partner) in _draft(session, partner.id, now).text
    rotate(session, marketer, partner.id, now)
    draft = _draft(session, partner.id, now)
    assert not draft.failure and link_for(SETTINGS, partner) in draft.text


def test_an_email_to_no_partner_has_an_empty_link(session, now):
    draft = _draft(session, None, now)
    assert not draft.failure and "/p/" not in draft.text


def test_a_partner_template_may_use_it():
    validate_override("referral_acknowledgment", WITH_LINK.subject, WITH_LINK.html, WITH_LINK.text)


def test_a_patient_template_may_not():
    with pytest.raises(TemplateError):
        validate_override("review_request", WITH_LINK.subject, WITH_LINK.html, WITH_LINK.text)
