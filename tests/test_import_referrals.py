"""Importing referrals: partner, contact, patient and clinic named in the row; matched
on the partner's own reference; stage derived from the dates."""

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select

from crm.models import Referral
from crm.transfer import import_file
from tests.factories import make_contact, make_location, make_partner, make_patient

HEADER = [
    "Partner",
    "Partner Address",
    "Reference",
    "Received",
    "Service",
    "Clinic",
    "Referring Contact",
    "Patient",
    "Scheduled",
]


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def run(session, actor, now, *rows: list[str], **options):
    return import_file(
        session, actor, "referrals", csv_bytes(HEADER, *rows), "referrals.csv", now=now, **options
    )


def referrals(session) -> list[Referral]:
    return list(session.exec(select(Referral).order_by(Referral.id)))


def test_a_referral_links_its_partner_contact_patient_and_clinic(session, marketer, now):
    elm = make_partner(session, name="Elm", address="1 Main St")
    dana = make_contact(session, elm, email="dana@elm.example.com")
    sam = make_patient(session, email="sam@mail.example.com")
    clinic = make_location(session, name="Back Bay")
    report = run(
        session,
        marketer,
        now,
        [
            "Elm",
            "1 Main St",
            "R-100",
            "2026-11-02T09:00:00-05:00",
            "Knee",
            "back bay",
            "Dana@elm.example.com",
            "sam@mail.example.com",
            "",
        ],
    )
    assert report.inserted == 1
    referral = referrals(session)[0]
    assert (
        referral.partner_id,
        referral.contact_id,
        referral.patient_id,
        referral.location_id,
    ) == (elm.id, dana.id, sam.id, clinic.id)
    assert (referral.received_at, referral.service_line, referral.status) == (
        datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
        "knee",
        "received",
    )


def test_a_new_date_on_a_known_reference_moves_the_referral_along_the_funnel(
    session, marketer, now
):
    make_partner(session, name="Elm", address="1 Main St")
    row = ["Elm", "1 Main St", "R-100", "2026-11-02T09:00:00Z", "knee", "", "", "", ""]
    run(session, marketer, now, row)
    report = run(session, marketer, now, [*row[:8], "2026-11-09T10:00:00Z"])
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    assert [r.status for r in referrals(session)] == ["scheduled"]


def test_a_referral_without_a_reference_is_matched_on_partner_received_time_and_service(
    session, marketer, now
):
    make_partner(session, name="Elm", address="1 Main St")
    rows = [
        ["Elm", "1 Main St", "", "2026-11-02T09:00:00Z", "knee", "", "", "", ""],
        ["Elm", "1 Main St", "", "2026-11-02T09:00:00Z", "shoulder", "", "", "", ""],
    ]
    run(session, marketer, now, *rows)
    report = run(session, marketer, now, *rows)
    assert (report.inserted, report.unchanged) == (0, 2)
    assert len(referrals(session)) == 2


def test_a_date_without_a_time_zone_is_in_the_practice_zone(session, marketer, now):
    make_partner(session, name="Elm", address="1 Main St")
    run(
        session,
        marketer,
        now,
        ["Elm", "1 Main St", "R-1", "11/2/2026", "", "", "", "", ""],
        zone=ZoneInfo("America/Chicago"),
    )
    assert referrals(session)[0].received_at == datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def test_unknown_clinic_contact_elsewhere_and_bad_date_are_all_reported(session, marketer, now):
    elm = make_partner(session, name="Elm", address="1 Main St")
    oak = make_partner(session, name="Oak", address="2 Oak St")
    make_contact(session, oak, email="lee@oak.example.com")
    make_location(session, name="Back Bay")
    report = run(
        session,
        marketer,
        now,
        [
            "Elm",
            "1 Main St",
            "R-1",
            "2026-11-02",
            "",
            "Fenway",
            "lee@oak.example.com",
            "",
            "next week",
        ],
    )
    assert report.rejected[0].reasons == [
        "scheduled_at: not a date or time: 'next week'; use 2026-03-01, 2026-03-01 14:30 or 3/1/2026",
        "location: no clinic named 'Fenway' (clinics: back bay)",
        "contact_email: lee@oak.example.com works at another partner, not this one",
    ]
    assert elm.id and referrals(session) == []


def test_a_visit_scheduled_before_the_referral_arrived_is_rejected(session, marketer, now):
    make_partner(session, name="Elm", address="1 Main St")
    report = run(
        session,
        marketer,
        now,
        ["Elm", "1 Main St", "R-1", "2026-11-02", "", "", "", "", "2026-10-01"],
    )
    assert report.rejected[0].reasons == ["row: scheduled before the referral was received"]
