"""Importing partners: validation through PartnerInput, de-duplication on name and
address, abort/skip/dry-run, audit and speed."""

import csv
import io
import time

import pytest
from sqlalchemy import func
from sqlmodel import select

from crm.access import PermissionDenied
from crm.models import AuditLog, Partner
from crm.transfer import import_file
from tests.factories import make_partner, make_user

HEADER = ["Practice Name", "Type", "Address", "City", "State", "Zip Code", "Phone Number", "Tier"]
ELM = [
    "Elm Family Medicine",
    "PCP",
    "12 Elm Street",
    "Boston",
    "Massachusetts",
    "2118",
    "(617) 555-0101",
    "a",
]
OAK = [
    "Oak Sports PT",
    "physical therapy",
    "9 Oak Ave",
    "Cambridge",
    "ma",
    "02139",
    "617.555.0102",
    "B",
]


def csv_bytes(*rows: list[str]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def run(session, actor, now, data: bytes, **options):
    return import_file(session, actor, "partners", data, "partners.csv", now=now, **options)


def partners(session) -> list[Partner]:
    return list(session.exec(select(Partner).order_by(Partner.name)))


def test_a_new_file_inserts_every_partner_with_normalised_values(session, marketer, now):
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, OAK))
    assert (report.inserted, report.updated, report.unchanged, report.rejected, report.written) == (
        2,
        0,
        0,
        [],
        True,
    )
    elm = partners(session)[0]
    assert (elm.partner_type, elm.state, elm.zip, elm.phone, elm.tier) == (
        "primary_care",
        "MA",
        "02118",
        "+16175550101",
        "A",
    )


def test_reimporting_the_same_file_changes_nothing_and_adds_no_duplicates(session, marketer, now):
    data = csv_bytes(HEADER, ELM, OAK)
    run(session, marketer, now, data)
    report = run(session, marketer, now, data)
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 2)
    assert len(partners(session)) == 2


def test_a_partner_with_the_same_name_and_address_is_updated_only_where_it_changed(
    session, marketer, now
):
    partner = make_partner(
        session,
        name="Elm Family Medicine",
        address="12 Elm St",
        city="Boston",
        state="MA",
        zip="02118",
        tier="B",
    )
    report = run(session, marketer, now, csv_bytes(HEADER, ELM))
    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 0)
    stored = session.get(Partner, partner.id)
    assert (stored.tier, stored.phone, stored.address) == ("A", "+16175550101", "12 Elm Street")


def test_a_blank_cell_keeps_the_stored_value(session, marketer, now):
    make_partner(
        session,
        name="Elm Family Medicine",
        address="12 Elm Street",
        phone="+16175550199",
        partner_type="primary_care",
    )
    report = run(
        session,
        marketer,
        now,
        csv_bytes(
            ["Name", "Address", "Type", "Phone"], ["Elm Family Medicine", "12 Elm Street", "", ""]
        ),
    )
    assert (report.updated, report.unchanged, report.rejected) == (0, 1, [])
    assert partners(session)[0].phone == "+16175550199"


def test_abort_imports_nothing_when_any_row_is_bad(session, marketer, now):
    bad = ["Broken Clinic", "spaceship", "1 Nowhere", "", "", "", "", ""]
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, bad, OAK))
    assert (report.inserted, len(report.rejected), report.written) == (2, 1, False)
    assert partners(session) == []


def test_skip_imports_exactly_the_good_rows(session, marketer, now):
    bad = ["Broken Clinic", "spaceship", "1 Nowhere", "", "", "", "", ""]
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, bad, OAK), on_error="skip")
    assert (report.inserted, len(report.rejected), report.written) == (2, 1, True)
    assert [p.name for p in partners(session)] == ["Elm Family Medicine", "Oak Sports PT"]


def test_a_rejected_row_lists_every_reason_with_its_line_and_cells(session, marketer, now):
    bad = ["", "spaceship", "1 Nowhere", "", "Atlantis", "ABCDE", "123", "Z"]
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, bad))
    [rejected] = report.rejected
    assert rejected.line == 3
    assert [reason.split(":")[0] for reason in rejected.reasons] == [
        "name",
        "partner_type",
        "state",
        "zip",
        "phone",
        "tier",
    ]
    assert rejected.values["Type"] == "spaceship"


def test_a_dry_run_reports_the_same_counts_and_writes_nothing(session, marketer, now):
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, OAK), dry_run=True)
    assert (report.inserted, report.written, report.dry_run) == (2, False, True)
    assert partners(session) == []
    assert session.exec(select(func.count()).select_from(AuditLog)).one() == 0


def test_a_later_row_for_the_same_partner_updates_the_earlier_one(session, marketer, now):
    elm_again = [*ELM[:6], "617-555-0177", "A"]
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, OAK, elm_again))
    assert (report.total_rows, report.inserted, report.updated, report.unchanged) == (3, 2, 1, 0)
    assert [p.phone for p in partners(session)] == ["+16175550177", "+16175550102"]


def test_an_identical_repeated_row_counts_as_unchanged(session, marketer, now):
    report = run(session, marketer, now, csv_bytes(HEADER, ELM, ELM, ELM))
    assert (report.inserted, report.updated, report.unchanged) == (1, 0, 2)
    assert len(partners(session)) == 1


def test_the_owner_is_the_user_with_that_email_in_any_case(session, marketer, now):
    owner = make_user(session, email="dana@practice.test")
    report = run(
        session,
        marketer,
        now,
        csv_bytes(["Org", "Type", "Owner"], ["Elm", "pcp", "Dana@Practice.TEST"]),
    )
    assert report.inserted == 1
    assert partners(session)[0].owner_id == owner.id


def test_an_unknown_owner_email_rejects_the_row(session, marketer, now):
    report = run(
        session,
        marketer,
        now,
        csv_bytes(["Org", "Type", "Owner"], ["Elm", "pcp", "nobody@practice.test"]),
    )
    assert report.rejected[0].reasons == ["owner: no user with email 'nobody@practice.test'"]


def test_a_viewer_cannot_import(session, viewer, now):
    with pytest.raises(PermissionDenied):
        run(session, viewer, now, csv_bytes(HEADER, ELM))


def test_each_created_or_changed_partner_gets_one_import_audit_entry(session, marketer, now):
    make_partner(
        session,
        name="Oak Sports PT",
        address="9 Oak Ave",
        partner_type="physical_therapy",
        city="Cambridge",
        state="MA",
        zip="02139",
        phone="+16175550102",
        tier="C",
    )
    run(session, marketer, now, csv_bytes(HEADER, ELM, OAK))
    entries = session.exec(select(AuditLog).order_by(AuditLog.id)).all()
    assert [(e.action, e.entity, e.user_id) for e in entries] == [
        ("import", "partner", marketer.id)
    ] * 2
    assert entries[1].changes == '{"tier": ["C", "B"]}'


def test_ten_thousand_partners_import_in_seconds(session, marketer, now):
    rows = [HEADER] + [
        [
            f"Clinic {n}",
            "pcp",
            f"{n} Main Street",
            "Boston",
            "MA",
            "02118",
            f"617-555-{n % 10000:04d}",
            "B",
        ]
        for n in range(10_000)
    ]
    started = time.perf_counter()
    report = run(session, marketer, now, csv_bytes(*rows))
    elapsed = time.perf_counter() - started
    assert (report.inserted, report.rejected) == (10_000, [])
    assert session.exec(select(func.count()).select_from(Partner)).one() == 10_000
    assert elapsed < 20, f"took {elapsed:.1f} s"


def test_progress_is_reported_after_each_batch_as_rows_and_bytes_read(session, marketer, now):
    rows = [HEADER] + [
        [f"Clinic {n}", "pcp", f"{n} Main Street", "", "", "", "", ""] for n in range(600)
    ]
    data = csv_bytes(*rows)
    seen = []
    import_file(
        session,
        marketer,
        "partners",
        data,
        "partners.csv",
        now=now,
        batch_rows=250,
        progress=seen.append,
    )
    assert [step.rows for step in seen] == [250, 500, 600, 600]
    assert {step.total for step in seen} == {len(data)}
    assert seen[-1].fraction == 1.0
