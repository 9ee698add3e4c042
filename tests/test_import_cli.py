"""`crm <kind> import|export` through the real command line: exit status 0 when all
rows import, 1 when rows were rejected, 2 when the command or the file is unusable."""

import json

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from crm import settings
from crm.models import AuditLog, Partner
from liaison.cli import app
from tests.factories import make_user

runner = CliRunner()
GOOD = b"Practice Name,Type,Zip Code\nElm,pcp,02118\nOak,pt,02139\n"
ONE_BAD = b"Practice Name,Type,Zip Code\nElm,pcp,02118\nOak,pt,nope\n"


@pytest.fixture
def cli_env(monkeypatch, database_url):
    monkeypatch.setenv("LIAISON_DATABASE_URL", database_url)
    monkeypatch.setenv("LIAISON_SECRET_KEY", "test-secret-key-for-the-cli-tests")
    settings.get.cache_clear()
    yield monkeypatch
    settings.get.cache_clear()


def partner_names(engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(Partner.name).order_by(Partner.name)))


def test_a_clean_file_imports_and_exits_0(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(GOOD)
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    assert "2 rows: 2 new, 0 updated, 0 unchanged, 0 rejected" in result.stdout
    assert partner_names(engine) == ["Elm", "Oak"]


def test_rejected_rows_exit_1_and_the_json_report_lists_them(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(ONE_BAD)
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv"), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert (report["inserted"], report["written"], report["on_error"]) == (1, False, "abort")
    assert report["rejected"] == [
        {
            "line": 3,
            "reasons": ["zip: invalid ZIP code 'nope'; expected 12345 or 12345-6789"],
            "values": {"Practice Name": "Oak", "Type": "pt", "Zip Code": "nope"},
        }
    ]
    assert partner_names(engine) == []


def test_on_error_skip_imports_the_good_rows_and_still_exits_1(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(ONE_BAD)
    result = runner.invoke(
        app, ["partners", "import", str(tmp_path / "p.csv"), "--on-error", "skip"]
    )
    assert result.exit_code == 1
    assert "line 3: zip: invalid ZIP code 'nope'" in result.stdout
    assert partner_names(engine) == ["Elm"]


def test_a_dry_run_prints_the_report_and_writes_nothing(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(GOOD)
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv"), "--dry-run"])
    assert result.exit_code == 0
    assert "dry run: nothing was written" in result.stdout
    assert partner_names(engine) == []


@pytest.mark.parametrize(
    "arguments",
    [
        ["--on-error", "ignore"],
        ["--as", "nobody@example.com"],
    ],
)
def test_bad_options_are_usage_errors(cli_env, engine, tmp_path, arguments):
    (tmp_path / "p.csv").write_bytes(GOOD)
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv"), *arguments])
    assert result.exit_code == 2
    assert partner_names(engine) == []


COLOURS = b"Name,Type,Favourite Colour,Fax Line\nElm,pcp,blue,617 555 0100\n"


def test_an_unreadable_file_or_an_unknown_column_with_strict_columns_exits_2(
    cli_env, engine, tmp_path
):
    missing = runner.invoke(app, ["contacts", "import", str(tmp_path / "missing.csv")])
    (tmp_path / "p.csv").write_bytes(COLOURS)
    unknown = runner.invoke(
        app, ["partners", "import", str(tmp_path / "p.csv"), "--strict-columns"]
    )
    assert (missing.exit_code, unknown.exit_code) == (2, 2)
    assert "unknown column 'Favourite Colour'" in unknown.stderr
    assert partner_names(engine) == []


def test_unknown_columns_are_reported_as_not_imported(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(COLOURS)
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    assert "1 rows: 1 new" in result.stdout
    assert "not imported" in result.stdout and "Favourite Colour, Fax Line" in result.stdout
    assert partner_names(engine) == ["Elm"]


def test_map_maps_one_column_and_drops_another(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(COLOURS)
    result = runner.invoke(
        app,
        [
            "partners",
            "import",
            str(tmp_path / "p.csv"),
            "--map",
            "Fax Line=fax",
            "--map",
            "Favourite Colour=",
            "--strict-columns",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["not_imported"] == ["Favourite Colour"]
    with Session(engine) as session:
        assert session.exec(select(Partner.fax)).one() == "+16175550100"


@pytest.mark.parametrize("mapping", ["Fax Line", "=fax", "Fax Line=colour"])
def test_a_map_that_cannot_apply_exits_2(cli_env, engine, tmp_path, mapping):
    (tmp_path / "p.csv").write_bytes(COLOURS)
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv"), "--map", mapping])
    assert result.exit_code == 2
    assert partner_names(engine) == []


def test_a_viewer_named_with_as_cannot_import(cli_env, engine, session, tmp_path):
    make_user(session, role="viewer", email="viewer@example.com")
    (tmp_path / "p.csv").write_bytes(GOOD)
    result = runner.invoke(
        app, ["partners", "import", str(tmp_path / "p.csv"), "--as", "viewer@example.com"]
    )
    assert result.exit_code == 2
    assert "read-only" in result.stderr


def test_the_audit_log_names_the_user_given_with_as(cli_env, engine, session, tmp_path):
    user = make_user(session, role="marketer", email="dana@example.com")
    (tmp_path / "p.csv").write_bytes(GOOD)
    runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv"), "--as", "Dana@Example.com"])
    assert {entry.user_id for entry in session.exec(select(AuditLog))} == {user.id}


def test_an_exported_file_imports_back_unchanged(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(GOOD)
    runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv")])
    export = runner.invoke(app, ["partners", "export", str(tmp_path / "out.csv")])
    assert export.exit_code == 0 and "exported 2 partners" in export.stdout
    again = runner.invoke(app, ["partners", "import", str(tmp_path / "out.csv"), "--json"])
    assert again.exit_code == 0
    assert json.loads(again.stdout)["unchanged"] == 2


MAC_ROMAN = "Practice Name,Type\r\nCafé Norte,gym\r\n".encode("mac-roman")  # é is Ž in cp1252


def test_encoding_names_the_files_encoding_over_the_guess(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(MAC_ROMAN)
    result = runner.invoke(
        app, ["partners", "import", str(tmp_path / "p.csv"), "--encoding", "mac-roman"]
    )
    assert result.exit_code == 0, result.output
    assert partner_names(engine) == ["Café Norte"]


def test_the_report_says_when_a_file_was_read_as_windows_1252(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes("Practice Name,Type\r\nCafé – Norte,gym\r\n".encode("cp1252"))
    result = runner.invoke(app, ["partners", "import", str(tmp_path / "p.csv")])
    assert result.exit_code == 0, result.output
    assert "read as Windows-1252 (Excel CSV on Windows)" in result.stdout
    assert partner_names(engine) == ["Café – Norte"]


def test_an_unknown_encoding_exits_2(cli_env, engine, tmp_path):
    (tmp_path / "p.csv").write_bytes(MAC_ROMAN)
    result = runner.invoke(
        app, ["partners", "import", str(tmp_path / "p.csv"), "--encoding", "klingon"]
    )
    assert result.exit_code == 2
    assert "unknown encoding 'klingon'" in result.stderr
    assert partner_names(engine) == []
