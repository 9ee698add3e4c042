"""Marketers' edits: saved only when valid, used by every render from then on, audited,
and refused for viewers; going back to the built-in version is audited too."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from campaigns.mail.templating import (
    TEMPLATES,
    PracticeInfo,
    TemplateError,
    builtin_source,
    delete_override,
    effective_template,
    render_email,
    save_override,
)
from crm.access import PermissionDenied
from crm.models import AuditLog, TemplateOverride

CHECKIN = "partner_checkin"
PRACTICE = PracticeInfo(
    name="Harbor Sports Medicine", postal_address="12 Wharf Road, Portland, ME 04101"
)
UNSUBSCRIBE = "https://liaison.example.org/unsubscribe/tok-123"
GOOD = (
    "Hello {{ contact_first_name }}",
    "<p>Coffee next week, {{ contact_first_name }}?</p>",
    "Coffee next week, {{ contact_first_name }}?",
)


def save(session, actor, subject=GOOD[0], html=GOOD[1], text=GOOD[2], now=None):  # type: ignore[no-untyped-def]
    from tests.conftest import NOW

    row = save_override(session, actor, CHECKIN, subject, html, text, now or NOW)
    session.commit()
    return row


def render(session):  # type: ignore[no-untyped-def]
    return render_email(
        session, CHECKIN, TEMPLATES[CHECKIN].sample, practice=PRACTICE, unsubscribe_url=UNSUBSCRIBE
    )


def test_a_valid_override_is_used_by_render_email(session, marketer):
    save(session, marketer)
    email = render(session)
    assert email.subject == "Hello Jordan"
    assert "Coffee next week, Jordan?" in email.html and "Coffee next week, Jordan?" in email.text


def test_an_override_keeps_the_layout_and_footer(session, marketer):
    save(session, marketer)
    email = render(session)
    assert PRACTICE.postal_address in email.html and f'href="{UNSUBSCRIBE}"' in email.html


def test_saving_records_who_and_when(session, marketer, now):
    row = save(session, marketer)
    assert (row.updated_by, row.updated_at.replace(tzinfo=now.tzinfo)) == (marketer.id, now)
    entry = session.exec(select(AuditLog)).one()
    assert (entry.action, entry.entity, entry.entity_id, entry.user_id) == (
        "create",
        "template_override",
        row.id,
        marketer.id,
    )
    assert json.loads(entry.changes)["subject"] == GOOD[0]


def test_saving_again_updates_the_one_override_and_audits_the_change(session, marketer, admin):
    save(session, marketer)
    save(session, admin, subject="Checking in, {{ contact_first_name }}")
    row = session.exec(select(TemplateOverride)).one()
    assert (row.subject, row.updated_by) == ("Checking in, {{ contact_first_name }}", admin.id)
    update = session.exec(select(AuditLog).where(AuditLog.action == "update")).one()
    assert json.loads(update.changes) == {
        "subject": [GOOD[0], "Checking in, {{ contact_first_name }}"]
    }


@pytest.mark.parametrize(
    "html",
    [
        "<p>{% if %}</p>",
        "<p>{{ diagnosis }}</p>",
        "{{ ''.__class__.__mro__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self.__init__.__globals__ }}",
        "{% for i in range(10**9) %}{% endfor %}",
    ],
)
def test_a_refused_override_writes_nothing(session, marketer, html):
    with pytest.raises(TemplateError, match=r"^HTML, line 1: "):
        save(session, marketer, html=html)
    session.rollback()
    assert session.exec(select(TemplateOverride)).all() == []
    assert session.exec(select(AuditLog)).all() == []


def test_a_viewer_cannot_save_an_override(session, viewer):
    with pytest.raises(PermissionDenied):
        save(session, viewer)
    assert session.exec(select(TemplateOverride)).all() == []


def test_deleting_goes_back_to_the_built_in_version(session, marketer, now):
    save(session, marketer)
    delete_override(session, marketer, CHECKIN, now)
    session.commit()
    assert effective_template(session, CHECKIN) == builtin_source(CHECKIN)
    assert render(session).subject == "Checking in from Harbor Sports Medicine"


def test_deleting_keeps_the_deleted_version_in_the_audit(session, marketer, now):
    save(session, marketer)
    delete_override(session, marketer, CHECKIN, now)
    session.commit()
    entry = session.exec(select(AuditLog).where(AuditLog.action == "delete")).one()
    assert json.loads(entry.changes)["html"] == GOOD[1]


def test_deleting_when_nothing_was_edited_says_so(session, marketer, now):
    with pytest.raises(LookupError, match="Partner check-in is not edited"):
        delete_override(session, marketer, CHECKIN, now)


def test_a_viewer_cannot_delete_an_override(session, marketer, viewer, now):
    save(session, marketer)
    with pytest.raises(PermissionDenied):
        delete_override(session, viewer, CHECKIN, now)
