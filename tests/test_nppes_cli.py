"""`crm prospects import-nppes` through the real command line."""

import json

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from crm import settings
from crm.models import Contact, Partner
from liaison.cli import app
from tests import nppes_files
from tests.factories import make_location
from tests.nppes_files import npi_for, row

runner = CliRunner()


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("LIAISON_DATABASE_URL", database_url)
    monkeypatch.setenv("LIAISON_SECRET_KEY", "test-secret-key-for-the-cli-tests")
    settings.get.cache_clear()
    yield monkeypatch
    settings.get.cache_clear()


@pytest.fixture
def registry_file(tmp_path):
    return nppes_files.write(
        tmp_path / "npidata_pfile.csv",
        [
            row(
                npi_for(1),
                entity="2",
                organisation="CAMBRIDGE PT",
                postal="02139",
                taxonomies=("225100000X",),
            ),
            row(npi_for(2), first="AL", last="ROY", postal="02139", taxonomies=("207X00000X",)),
            row(npi_for(3), first="BO", last="WU", postal="01060", taxonomies=("207X00000X",)),
            row(npi_for(4), first="CY", last="DEE", postal="02139", taxonomies=("122300000X",)),
        ],
    )


def test_an_import_near_a_clinic_reports_and_exits_0(cli_env, engine, session, registry_file):
    make_location(session, name="Main clinic", zip="02141")
    args = ["prospects", "import-nppes", str(registry_file), "--state", "MA"]
    result = runner.invoke(app, [*args, "--location", "Main clinic", "--within-miles", "10"])
    assert result.exit_code == 0, result.output
    # Northampton (01060) is too far; the dentist (1223) is no referrer Liaison knows.
    assert "4 rows read, 2 in the area" in result.stdout
    assert "partners: 1 new" in result.stdout and "contacts: 1 new" in result.stdout
    with Session(engine) as check:
        assert check.exec(select(Partner.name)).all() == ["CAMBRIDGE PT"]
        assert check.exec(select(Contact.last_name)).all() == ["ROY"]

    again = runner.invoke(app, [*args, "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert (report["partners_new"], report["contacts_new"], report["unchanged"]) == (1, 1, 2)


def test_a_file_in_another_layout_exits_2(cli_env, engine, tmp_path):
    other = tmp_path / "partners.csv"
    other.write_text("Practice Name,Type\nElm,pcp\n")
    result = runner.invoke(app, ["prospects", "import-nppes", str(other)])
    assert result.exit_code == 2
    assert "not the NPPES data file" in result.output


def test_miles_need_a_place_to_measure_from(cli_env, engine, registry_file):
    result = runner.invoke(
        app, ["prospects", "import-nppes", str(registry_file), "--within-miles", "5"]
    )
    assert result.exit_code == 2
    assert "--within-miles needs --near-zip or --location" in result.output
    unknown = runner.invoke(
        app,
        [
            "prospects",
            "import-nppes",
            str(registry_file),
            "--near-zip",
            "00000",
            "--within-miles",
            "5",
        ],
    )
    assert unknown.exit_code == 2
    assert "unknown ZIP code" in unknown.output


def test_taxonomy_options_choose_the_specialties(cli_env, engine, registry_file):
    args = ["prospects", "import-nppes", str(registry_file), "--json"]
    dentists = runner.invoke(app, [*args, "--taxonomy", "1223"])
    assert dentists.exit_code == 0, dentists.output
    assert json.loads(dentists.stdout)["contacts_new"] == 1
    everyone = runner.invoke(app, [*args, "--all-taxonomies"])
    report = json.loads(everyone.stdout)
    assert (report["rows_in_area"], report["unchanged"]) == (4, 1)
    both = runner.invoke(app, [*args, "--all-taxonomies", "--taxonomy", "207X"])
    assert both.exit_code == 2
