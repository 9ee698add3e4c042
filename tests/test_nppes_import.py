"""Prospects from the NPI registry: a file in NPPES's published layout, filtered while
it is read, becomes prospect partners and contacts found again by NPI next time."""

import csv
import inspect
from pathlib import Path

import pytest
from sqlmodel import Session, select

from crm.access import PermissionDenied
from crm.models import AuditLog, Contact, Partner
from crm.prospects import geo, layout
from crm.prospects.nppes import import_nppes
from crm.prospects.reading import Area, NppesFileError, Scan, open_text, read_batches
from tests import nppes_files
from tests.factories import make_partner
from tests.nppes_files import npi_for, row

ORG = npi_for(1)
PT = npi_for(2)
SOLO = npi_for(3)
CHIRO = npi_for(4)


def read_npis(path: Path, area: Area) -> list[str]:
    with path.open("rb") as raw:
        stream = open_text(raw)
        return [r.npi for batch in read_batches(stream, area, Scan()) for r in batch.records]


def run(session: Session, actor, path: Path, now, area: Area | None = None):
    with path.open("rb") as raw:
        return import_nppes(session, actor, raw, area or Area(state="MA"), now=now)


def first_file(tmp_path: Path) -> Path:
    return nppes_files.write(
        tmp_path / "npidata_pfile_1.csv",
        [
            row(
                ORG,
                entity="2",
                organisation="BACK BAY URGENT CARE LLC",
                address="100 Boylston St",
                postal="021161000",
                taxonomies=("261QU0200X",),
            ),
            row(
                PT,
                first="ANA",
                last="SOUZA",
                credential="DPT",
                address="100 Boylston St.",
                postal="02116",
                taxonomies=("225100000X",),
            ),
            row(
                SOLO,
                first="JO",
                last="KIM",
                credential="MD",
                address="5 Elm St",
                postal="02139",
                taxonomies=("207Q00000X", "207QS0010X"),
                primary=2,
            ),
            row(
                CHIRO,
                first="LEE",
                last="PARK",
                state="NH",
                postal="03101",
                taxonomies=("111N00000X",),
            ),
        ],
    )


def test_the_header_is_the_registrys_330_columns_and_another_file_is_refused(tmp_path):
    assert len(layout.HEADER) == 330
    assert layout.HEADER[:3] == ("NPI", "Entity Type Code", "Replacement NPI")
    assert layout.HEADER[-1] == "Certification Date"
    other = tmp_path / "partners.csv"
    other.write_text("NPI,Name\n1234567893,Elm\n")
    with pytest.raises(NppesFileError, match="not the NPPES data file"):
        read_npis(other, Area())


def test_rows_are_filtered_by_state_zip_prefix_taxonomy_and_distance(tmp_path):
    path = first_file(tmp_path)
    assert read_npis(path, Area(state="MA")) == [ORG, PT, SOLO]
    assert read_npis(path, Area(zip_prefixes=("0213",))) == [SOLO]
    assert read_npis(path, Area(taxonomy_prefixes=("111N",))) == [CHIRO]
    # Sports medicine as a secondary code still matches a taxonomy filter.
    assert read_npis(path, Area(taxonomy_prefixes=("207QS",))) == [SOLO]
    near_cambridge = Area(origin=geo.centroid("02139"), within_miles=1.0)
    assert read_npis(path, near_cambridge) == [SOLO]
    # Manchester NH is about 50 miles from Boston.
    assert CHIRO in read_npis(path, Area(origin=geo.centroid("02116"), within_miles=60))
    assert CHIRO not in read_npis(path, Area(origin=geo.centroid("02116"), within_miles=25))


def test_the_reader_is_a_stream_of_bounded_batches(tmp_path):
    rows = [row(npi_for(100 + n), first="A", last=f"P{n}") for n in range(60)]
    path = nppes_files.write(tmp_path / "big.csv", rows)
    with path.open("rb") as raw:
        stream = open_text(raw)
        batches = read_batches(stream, Area(), Scan(), batch_rows=7)
        assert inspect.isgenerator(batches)
        first = next(batches)
        # The first batch is handed on before the rest of the file is read.
        assert raw.tell() < path.stat().st_size
        sizes = [len(first.records)] + [len(b.records) for b in batches]
    assert max(sizes) == 7 and sum(sizes) == 60


def test_organisations_and_addresses_become_prospects_and_providers_contacts(
    session, marketer, now, tmp_path
):
    report = run(session, marketer, first_file(tmp_path), now)
    assert (report.rows_read, report.rows_in_area) == (4, 3)
    assert (report.partners_new, report.contacts_new) == (2, 2)

    org = session.exec(select(Partner).where(Partner.npi == ORG)).one()
    assert (org.name, org.partner_type, org.status) == (
        "BACK BAY URGENT CARE LLC",
        "urgent_care",
        "prospect",
    )
    assert (org.zip, org.phone, org.specialty) == (
        "02116-1000",
        "+16175550100",
        "Urgent care clinic",
    )

    therapist = session.exec(select(Contact).where(Contact.npi == PT)).one()
    assert therapist.partner_id == org.id  # same practice address, written another way
    assert (therapist.first_name, therapist.role) == ("ANA", "physical_therapist")

    doctor = session.exec(select(Contact).where(Contact.npi == SOLO)).one()
    practice = session.get(Partner, doctor.partner_id)
    assert practice.name == "Practice at 5 Elm St"
    assert (practice.partner_type, practice.specialty) == ("primary_care", "Sports medicine")
    assert practice.status == "prospect" and practice.npi is None
    created = session.exec(select(AuditLog).where(AuditLog.action == "create")).all()
    assert len(created) == 4


def test_prospects_from_the_registry_are_placed_at_their_zip_centres(
    session, marketer, now, tmp_path
):
    run(session, marketer, first_file(tmp_path), now)
    org = session.exec(select(Partner).where(Partner.npi == ORG)).one()
    practice = session.exec(select(Partner).where(Partner.name == "Practice at 5 Elm St")).one()
    assert (org.latitude, org.longitude, org.position_source) == (*geo.centroid("02116"), "zip")
    assert (practice.latitude, practice.longitude) == geo.centroid("02139")


def test_a_newer_file_that_moves_a_practice_moves_it_on_the_map(session, marketer, now, tmp_path):
    run(session, marketer, first_file(tmp_path), now)
    moved = nppes_files.write(
        tmp_path / "npidata_pfile_2.csv",
        [
            row(
                ORG,
                entity="2",
                organisation="BACK BAY URGENT CARE LLC",
                address="9 Main St",
                postal="01608",
                taxonomies=("261QU0200X",),
            )
        ],
    )
    run(session, marketer, moved, now)
    session.expire_all()
    org = session.exec(select(Partner).where(Partner.npi == ORG)).one()
    assert (org.latitude, org.longitude, org.position_source) == (*geo.centroid("01608"), "zip")


def test_a_partner_entered_by_hand_at_the_address_gets_the_providers(
    session, marketer, now, tmp_path
):
    clinic = make_partner(session, name="Elm Family Medicine", address="5 Elm Street", zip="02139")
    run(session, marketer, first_file(tmp_path), now)
    assert session.exec(select(Contact.partner_id).where(Contact.npi == SOLO)).one() == clinic.id


def test_a_newer_file_updates_by_npi_and_never_duplicates(session, marketer, now, tmp_path):
    run(session, marketer, first_file(tmp_path), now)
    org = session.exec(select(Partner).where(Partner.npi == ORG)).one()
    org.status, org.tier = "engaged", "A"
    session.add(org)
    session.commit()

    newer = nppes_files.write(
        tmp_path / "npidata_pfile_2.csv",
        [
            row(
                ORG,
                entity="2",
                organisation="BACK BAY URGENT CARE LLC",
                address="200 Boylston St",
                postal="02116",
                phone="6175550199",
                taxonomies=("261QU0200X",),
            ),
            row(
                PT,
                first="ANA",
                last="SOUZA-LIMA",
                address="100 Boylston St",
                postal="02116",
                taxonomies=("225100000X",),
            ),
            row(
                SOLO,
                first="JO",
                last="KIM",
                address="5 Elm St",
                postal="02139",
                taxonomies=("207Q00000X", "207QS0010X"),
                primary=2,
            ),
        ],
    )
    report = run(session, marketer, newer, now)
    assert (report.partners_new, report.contacts_new) == (0, 0)
    assert (report.partners_updated, report.contacts_updated, report.unchanged) == (1, 1, 1)
    session.expire_all()
    assert len(session.exec(select(Partner)).all()) == 2
    assert len(session.exec(select(Contact)).all()) == 2
    org = session.get(Partner, org.id)
    assert (org.address, org.phone) == ("200 Boylston St", "+16175550199")
    assert (org.status, org.tier) == ("engaged", "A")  # the practice's judgement is kept
    assert session.exec(select(Contact.last_name).where(Contact.npi == PT)).one() == "SOUZA-LIMA"


def test_deactivated_npis_are_archived_and_reactivated_ones_are_not(
    session, marketer, now, tmp_path
):
    run(session, marketer, first_file(tmp_path), now)
    deactivations = nppes_files.write(
        tmp_path / "npidata_pfile_3.csv",
        [
            row(ORG, deactivated="05/01/2026"),
            row(PT, deactivated="05/01/2026"),
            row(SOLO, deactivated="01/02/2025", reactivated="03/04/2025"),
        ],
    )
    report = run(session, marketer, deactivations, now)
    assert (report.partners_deactivated, report.contacts_deactivated) == (1, 1)
    session.expire_all()
    assert session.exec(select(Partner.archived_at).where(Partner.npi == ORG)).one() is not None
    assert session.exec(select(Contact.archived_at).where(Contact.npi == PT)).one() is not None
    assert session.exec(select(Contact.archived_at).where(Contact.npi == SOLO)).one() is None
    archived = session.exec(select(AuditLog).where(AuditLog.action == "archive")).all()
    assert {a.entity for a in archived} == {"partner", "contact"}
    assert all("deactivated" in a.changes for a in archived)


def test_a_row_with_an_invalid_npi_is_counted_not_imported(session, marketer, now, tmp_path):
    path = nppes_files.write(tmp_path / "bad.csv", [row("1234567890", first="X", last="Y")])
    report = run(session, marketer, path, now)
    assert (report.invalid_npi, report.contacts_new) == (1, 0)


def test_a_viewer_may_not_import(session, viewer, now, tmp_path):
    with pytest.raises(PermissionDenied):
        run(session, viewer, first_file(tmp_path), now)


def test_hundreds_of_providers_reimport_without_duplicates(session, marketer, now, tmp_path):
    rows = [
        row(npi_for(500 + n), first="A", last=f"P{n}", address=f"{n % 37} Main St")
        for n in range(300)
    ]
    path = nppes_files.write(tmp_path / "many.csv", rows)
    first = run(session, marketer, path, now)
    assert (first.contacts_new, first.partners_new) == (300, 37)
    again = run(session, marketer, path, now)
    assert (again.contacts_new, again.partners_new, again.unchanged) == (0, 0, 300)
    assert len(session.exec(select(Contact)).all()) == 300


def test_an_organisation_entered_by_hand_gets_its_npi_instead_of_a_twin(
    session, marketer, now, tmp_path
):
    clinic = make_partner(
        session,
        name="Back Bay Urgent Care, LLC",
        address="100 Boylston St",
        zip="02116",
        partner_type="urgent_care",
        status="engaged",
    )
    report = run(session, marketer, first_file(tmp_path), now)
    assert report.partners_updated == 1
    session.expire_all()
    assert session.exec(select(Partner.id).where(Partner.npi == ORG)).one() == clinic.id
    assert session.get(Partner, clinic.id).status == "engaged"
    assert session.exec(select(Contact.partner_id).where(Contact.npi == PT)).one() == clinic.id


def test_a_row_cut_short_is_counted_not_imported(session, marketer, now, tmp_path):
    path = nppes_files.write(tmp_path / "short.csv", [row(npi_for(9), first="A", last="B")])
    with path.open("a") as out:
        out.write(f'"{npi_for(10)}","1"\n')
    report = run(session, marketer, path, now, Area())
    assert (report.rows_read, report.malformed_rows, report.contacts_new) == (2, 1, 1)


def test_a_quoted_line_break_and_a_file_quoted_another_way_read_alike(tmp_path):
    rows = [
        row(npi_for(20), entity="2", organisation="ELM\nCLINIC", state="MA"),
        row(npi_for(21), first="A", last="B", state="NY", postal="10001"),
        row(npi_for(22), first="C", last="D", state="MA"),
        row(npi_for(23), deactivated="01/02/2026"),
    ]
    quoted = nppes_files.write(tmp_path / "quoted.csv", rows)
    minimal = tmp_path / "minimal.csv"
    with minimal.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(layout.HEADER)
        writer.writerows(rows)
    for path in (quoted, minimal):
        with path.open("rb") as raw:
            scan = Scan()
            batches = list(read_batches(open_text(raw), Area(state="MA"), scan))
        records = [r for b in batches for r in b.records]
        assert [r.organisation_name for r in records] == ["ELM\nCLINIC", ""]
        assert [npi for b in batches for npi in b.deactivated] == [npi_for(23)]
        assert scan.rows == 4


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(NppesFileError, match="empty"):
        read_npis(empty, Area())
