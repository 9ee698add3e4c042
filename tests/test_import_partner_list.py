"""The partner list of issue 16, as a practice exports it from a spreadsheet (BOM, CRLF,
a quoted multi-line note, an Email column), through the real command line."""

import json

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from crm import settings
from crm.models import Contact, Partner
from liaison.cli import app

runner = CliRunner()
HEADER = (
    "PRACTICE NAME,Type,Street Address,City,State,Zip Code,Phone,Fax,Email,Tier,Territory,Notes"
)
ROWS = [
    "Elm Family Medicine,Primary Care,12 Elm St,Boston,MA,02118,(617) 555-0101,,info@elmfm.example.com,A,Boston,",
    'Oak Sports PT,Physical Therapy,9 Oak Ave,Cambridge,MA,02139,617.555.0102,617.555.0199,frontdesk@oakpt.example.com,B,Cambridge,"Ask for Dana,\r\nthen the office manager"',
    "Harbor Urgent Care,Urgent Care,1 Harbor Way,Boston,MA,02110,617-555-0103,,care@harbor.example.com,B,Boston,",
    "Back Bay Orthopaedics,Orthopedics,200 Boylston St,Boston,MA,02116,617 555 0104,617 555 0198,referrals@bbortho.example.com,A,Boston,",
    "Lincoln High School,School,100 Main St,Brookline,MA,02445,617-555-0105,,athletics@lincoln.example.org,C,Brookline,",
    "Charles River Chiropractic,Chiropractor,5 River Rd,Newton,MA,02458,617-555-0106,,hello@crchiro.example.com,C,Newton,",
    "Fenway Pediatrics,Primary Care,77 Park Dr,Boston,MA,02215,617-555-0107,,office@fenwaypeds.example.com,B,Boston,",
    "Seaport Podiatry,Other,3 Seaport Blvd,Boston,MA,02210,617-555-0108,,feet@seaport.example.com,C,Boston,",
    "Quincy Family Practice,Primary Care,40 Hancock St,Quincy,MA,02169,617-555-0109,,info@quincyfp.example.com,C,South Shore,",
    "Elm Family Medicine,Primary Care,12 Elm St,Boston,MA,02118,(617) 555-0101,,info@elmfm.example.com,A,Boston,Called twice",
    "Maple Internal Medicine,Primary Care,8 Maple St,Somerville,MA,ABCDE,617-555-0110,,info@maple.example.com,B,Somerville,",
    "Cedar Physical Therapy,Physical Therapy,14 Cedar St,Medford,MA,02155,617-555-0111,,front desk at cedar,B,Medford,",
    ",Primary Care,9 Nameless Rd,Boston,MA,02118,617-555-0112,,who@nowhere.example.com,C,Boston,",
    "Willow Wellness,Spa,3 Willow Ln,Waltham,MA,02451,617-555-0113,,spa@willow.example.com,C,Waltham,",
    "Brookline Sports Medicine,Orthopedics,60 Beacon St,Brookline,MA,02446,617-555-0114,,team@bsm.example.com,A,Brookline,",
    "Newton Athletic Club,Athletic Trainer,2 Club Rd,Newton,MA,02459,617-555-0115,,atc@nac.example.com,C,Newton,",
]
FILE = ("\ufeff" + HEADER + "\r\n" + "\r\n".join(ROWS) + "\r\n").encode("utf-8")


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("LIAISON_DATABASE_URL", database_url)
    monkeypatch.setenv("LIAISON_SECRET_KEY", "test-secret-key-for-the-cli-tests")
    settings.get.cache_clear()
    yield monkeypatch
    settings.get.cache_clear()


def partners(engine) -> dict[str, Partner]:
    with Session(engine) as session:
        return {p.name: p for p in session.exec(select(Partner))}


def main_contacts(engine) -> dict[str, list[str | None]]:
    with Session(engine) as session:
        query = select(Partner.name, Contact.email).join(Partner, Partner.id == Contact.partner_id)
        found: dict[str, list[str | None]] = {}
        for name, email in session.exec(query):
            found.setdefault(name, []).append(email)
        return found


def test_the_partner_list_imports_its_good_rows_with_their_main_contacts(cli_env, engine, tmp_path):
    (tmp_path / "partners.csv").write_bytes(FILE)
    result = runner.invoke(
        app, ["partners", "import", str(tmp_path / "partners.csv"), "--on-error", "skip"]
    )
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "partners: 16 rows: 11 new, 1 updated, 0 unchanged, 4 rejected",
        "main contacts: 11 new, 0 updated",
    ]
    assert lines[2:] == [
        "  line 13: zip: invalid ZIP code 'ABCDE'; expected 12345 or 12345-6789",
        "  line 14: contact_email: invalid email 'front desk at cedar': "
        "An email address must have an @-sign.",
        "  line 15: name: required",
        "  line 16: partner_type: unknown value 'Spa'; expected one of: Primary care, "
        "Physical therapy, Orthopedics, Urgent care, Chiropractic, School, Sports club, "
        "Athletic training, Gym/wellness, Community organization, Other",
    ]
    stored = partners(engine)
    assert len(stored) == 11
    assert "Maple Internal Medicine" not in stored and "Willow Wellness" not in stored
    elm, oak = stored["Elm Family Medicine"], stored["Oak Sports PT"]
    assert (elm.partner_type, elm.zip, elm.phone, elm.tier, elm.notes) == (
        "primary_care",
        "02118",
        "+16175550101",
        "A",
        "Called twice",
    )
    assert oak.notes.splitlines() == ["Ask for Dana,", "then the office manager"]
    assert (oak.fax, oak.territory) == ("+16175550199", "Cambridge")
    assert main_contacts(engine)["Elm Family Medicine"] == ["info@elmfm.example.com"]
    assert main_contacts(engine)["Oak Sports PT"] == ["frontdesk@oakpt.example.com"]
    assert sorted(main_contacts(engine)) == sorted(stored)


def test_importing_the_list_again_changes_nothing(cli_env, engine, tmp_path):
    (tmp_path / "partners.csv").write_bytes(FILE)
    command = ["partners", "import", str(tmp_path / "partners.csv"), "--on-error", "skip"]
    runner.invoke(app, command)
    again = runner.invoke(app, [*command, "--json"])
    report = json.loads(again.stdout)
    assert (report["inserted"], report["contacts_inserted"], report["contacts_updated"]) == (
        0,
        0,
        0,
    )
    assert len(main_contacts(engine)) == 11


def test_with_strict_columns_the_list_is_refused_as_before(cli_env, engine, tmp_path):
    (tmp_path / "partners.csv").write_bytes(FILE)
    result = runner.invoke(
        app,
        [
            "partners",
            "import",
            str(tmp_path / "partners.csv"),
            "--on-error",
            "skip",
            "--strict-columns",
        ],
    )
    assert result.exit_code == 2
    assert "unknown column 'Email'" in result.stderr
    assert partners(engine) == {}
    mapped = runner.invoke(
        app,
        [
            "partners",
            "import",
            str(tmp_path / "partners.csv"),
            "--on-error",
            "skip",
            "--strict-columns",
            "--map",
            "Email=contact_email",
        ],
    )
    assert mapped.exit_code == 1 and len(partners(engine)) == 11
