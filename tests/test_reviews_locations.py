"""A location's review page setting, its front-desk QR code, and visits entered in the app."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlmodel import select

from campaigns.reviews.links import LOCATION, location_url, verify
from campaigns.reviews.locations import printable_page, qr_svg, set_review_url
from crm.access import PermissionDenied
from crm.models import AuditLog, Location
from crm.visits import VisitInput, record_visit
from tests.factories import make_patient
from tests.review_helpers import KEY, clinic, settings


def test_an_editor_sets_a_location_review_page(session, marketer, now):
    location = clinic(session, review_url="")
    set_review_url(session, marketer, location.id, " https://g.page/r/back-bay/review ", now)
    session.commit()
    assert session.get(Location, location.id).review_url == "https://g.page/r/back-bay/review"


def test_the_change_is_audited(session, marketer, now):
    location = clinic(session, review_url="")
    set_review_url(session, marketer, location.id, "https://g.page/r/back-bay/review", now)
    session.commit()
    entry = session.exec(select(AuditLog).where(AuditLog.entity == "location")).one()
    assert (entry.action, entry.user_id, "back-bay" in entry.changes) == (
        "update",
        marketer.id,
        True,
    )


def test_a_viewer_cannot_set_it(session, viewer, now):
    with pytest.raises(PermissionDenied):
        set_review_url(session, viewer, clinic(session).id, "https://g.page/r/x/review", now)


def test_a_review_page_must_be_https(session, marketer, now):
    with pytest.raises(ValidationError, match="https://"):
        set_review_url(session, marketer, clinic(session).id, "javascript:alert(1)", now)


def test_the_qr_code_is_an_svg_of_the_location_link():
    svg = qr_svg(location_url(settings(), 7))
    assert ET.fromstring(svg).tag == "{http://www.w3.org/2000/svg}svg"


def test_the_qr_code_changes_with_the_link():
    assert qr_svg(location_url(settings(), 7)) != qr_svg(location_url(settings(), 8))


def test_the_front_desk_link_names_its_location():
    link = verify(KEY, location_url(settings(), 7).rsplit("/", 1)[1])
    assert (link.kind, link.id) == (LOCATION, 7)


def test_a_visit_entered_in_the_app_is_stored(session, marketer, now):
    patient, location = make_patient(session), clinic(session)
    visit = record_visit(
        session,
        marketer,
        VisitInput(
            patient_id=patient.id, location_id=location.id, visit_at=now - timedelta(days=1)
        ),
        now,
    )
    session.commit()
    assert (visit.patient_id, visit.location_id, visit.completed) == (patient.id, location.id, True)


def test_a_visit_needs_a_time_zone(session, marketer, now):
    with pytest.raises(ValidationError, match="time zone"):
        VisitInput(patient_id=1, location_id=1, visit_at=now.replace(tzinfo=None))


def test_a_viewer_cannot_record_a_visit(session, viewer, now):
    with pytest.raises(PermissionDenied):
        record_visit(session, viewer, VisitInput(patient_id=1, location_id=1, visit_at=now), now)


def test_the_printable_page_shows_the_clinic_the_code_and_the_link():
    link = location_url(settings(), 7)
    page = printable_page("Summit <Sports>", "Back Bay", link)
    assert (
        "<h2>Back Bay</h2>" in page
        and "<svg" in page
        and link in page
        and "Summit &lt;Sports&gt;" in page
    )
