"""The built-in templates: each renders its sample data inside the practice's layout,
marketing emails carry the CAN-SPAM footer, the CSS is inlined, values are escaped,
and no template can be given (or asks for) more than it declares."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaigns.mail.templating import (
    TEMPLATES,
    PracticeInfo,
    TemplateError,
    TemplateSource,
    builtin_source,
    render_email,
    render_source,
    validate_override,
)
from campaigns.mail.templating.catalog import clinical_variables
from crm import settings

PRACTICE = PracticeInfo(
    name="Harbor Sports Medicine", postal_address="12 Wharf Road, Portland, ME 04101"
)
UNSUBSCRIBE = "https://liaison.example.org/unsubscribe/tok-123"
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
MARKETING = [name for name, spec in TEMPLATES.items() if spec.kind == "marketing"]


def sample(session, name, unsubscribe_url=UNSUBSCRIBE, **changes):  # type: ignore[no-untyped-def]
    return render_email(
        session,
        name,
        {**TEMPLATES[name].sample, **changes},
        practice=PRACTICE,
        unsubscribe_url=unsubscribe_url,
        now=NOW,
    )


def test_the_catalog_has_the_eleven_templates_the_practice_sends():
    assert set(TEMPLATES) == {
        "partner_checkin",
        "partner_education_update",
        "event_invitation",
        "event_reminder",
        "event_follow_up",
        "review_request",
        "review_reminder",
        "preseason_education",
        "midseason_education",
        "postseason_education",
        "referral_acknowledgment",
        "referral_status_update",
        "referral_digest",
        "first_referral_thanks",
        "referral_milestone",
        "event_update",
        "event_cancelled",
        "event_seat_open",
        "event_follow_up_missed",
        "dormancy_digest",
        "partner_survey",
    }


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_renders_its_sample_data(session, name):
    email = sample(session, name)
    assert email.subject.strip() and email.html.strip() and email.text.strip()
    assert "{{" not in email.html + email.text


@pytest.mark.parametrize("name", MARKETING)
def test_marketing_emails_show_the_postal_address_and_unsubscribe_link(session, name):
    email = sample(session, name)
    assert PRACTICE.postal_address in email.html and PRACTICE.postal_address in email.text
    assert f'href="{UNSUBSCRIBE}"' in email.html and UNSUBSCRIBE in email.text


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_css_is_inlined_into_the_elements(session, name):
    html = sample(session, name).html
    assert "<style" not in html
    assert '<div class="header" style="background-color: #0b6e8a' in html


def test_the_practice_name_heads_the_email(session):
    email = sample(session, "partner_checkin")
    assert f'font-weight: bold;">{PRACTICE.name}</div>' in email.html
    assert email.text.startswith(PRACTICE.name)


def test_the_practice_defaults_to_the_settings(session, monkeypatch):
    monkeypatch.setenv("LIAISON_PRACTICE_NAME", "Lakeside Orthopedics")
    settings.get.cache_clear()
    try:
        email = render_email(
            session,
            "partner_checkin",
            TEMPLATES["partner_checkin"].sample,
            unsubscribe_url=UNSUBSCRIBE,
            now=NOW,
        )
    finally:
        settings.get.cache_clear()
    assert "Lakeside Orthopedics" in email.subject


def test_the_footer_shows_the_current_year(session):
    assert "© 2026 Harbor Sports Medicine" in sample(session, "partner_checkin").html


def test_a_marketing_email_without_an_unsubscribe_link_is_refused(session):
    with pytest.raises(TemplateError, match="marketing email, so it needs an unsubscribe link"):
        sample(session, "event_invitation", unsubscribe_url=None)


def test_a_transactional_email_needs_no_unsubscribe_link_but_keeps_the_address(session):
    email = sample(session, "referral_acknowledgment", unsubscribe_url=None)
    assert "unsubscribe" not in email.html.lower()
    assert PRACTICE.postal_address in email.html


def test_a_script_in_a_value_is_escaped_in_the_html(session):
    email = sample(session, "partner_checkin", partner_name="<script>alert(1)</script>")
    assert "<script>" not in email.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html


def test_a_missing_variable_is_refused_by_name(session):
    values = dict(TEMPLATES["event_reminder"].sample)
    del values["event_starts_at"]
    with pytest.raises(TemplateError, match="Event reminder needs a value for event_starts_at"):
        render_email(
            session,
            "event_reminder",
            values,
            practice=PRACTICE,
            unsubscribe_url=UNSUBSCRIBE,
            now=NOW,
        )


def test_a_variable_the_template_does_not_declare_is_refused(session):
    with pytest.raises(TemplateError, match="does not declare visit_reason"):
        sample(session, "review_request", visit_reason="knee pain")


def test_a_database_row_cannot_be_passed_as_a_value(session):
    with pytest.raises(TemplateError, match="the value of partner_name is a PracticeInfo"):
        sample(session, "partner_checkin", partner_name=PRACTICE)


def test_an_oversized_value_is_refused(session):
    with pytest.raises(TemplateError, match="partner_name is over 2,000 characters"):
        sample(session, "partner_checkin", partner_name="x" * 2001)


def test_an_unknown_template_is_refused(session):
    with pytest.raises(TemplateError, match="no email template named 'newsletter'"):
        render_email(
            session, "newsletter", {}, practice=PRACTICE, unsubscribe_url=UNSUBSCRIBE, now=NOW
        )


def test_a_subject_is_always_one_line():
    spec = TEMPLATES["partner_checkin"]
    source = TemplateSource(
        subject="Hello\r\nBcc: everyone@example.org {{ contact_first_name }}\n",
        html="<p>Hi</p>",
        text="Hi",
    )
    email = render_source(
        spec, source, spec.sample, practice=PRACTICE, unsubscribe_url=UNSUBSCRIBE, now=NOW
    )
    assert email.subject == "Hello Bcc: everyone@example.org Jordan"


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_builtin_template_passes_the_checks_an_edit_must_pass(name):
    source = builtin_source(name)
    validate_override(name, source.subject, source.html, source.text)


@pytest.mark.parametrize("name", [n for n, s in TEMPLATES.items() if s.audience == "patient"])
def test_no_patient_email_declares_clinical_detail(name):
    assert clinical_variables(TEMPLATES[name]) == []


def test_a_patient_template_cannot_declare_a_diagnosis():
    from campaigns.mail.templating.catalog import TemplateSpec

    with pytest.raises(ValueError, match="cannot carry"):
        TemplateSpec(
            "x", "X", "marketing", "patient", "", {"diagnosis": "d"}, {"diagnosis": "sprain"}
        )


def test_the_referral_acknowledgment_names_no_patient():
    spec = TEMPLATES["referral_acknowledgment"]
    assert set(spec.variables) == {
        "contact_first_name",
        "partner_name",
        "referral_received_on",
        "partner_reference",
    }
