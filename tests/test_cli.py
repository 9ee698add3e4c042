"""The `crm` command's own sub-commands: schema, users and settings errors."""

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from crm import settings
from crm.models import User
from liaison.cli import app

runner = CliRunner()


@pytest.fixture
def cli_env(app_env):
    return app_env


def test_db_upgrade_reports_an_up_to_date_database(cli_env, engine):
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_users_add_creates_a_user_who_can_sign_in(cli_env, engine):
    cli_env.setenv("LIAISON_NEW_USER_PASSWORD", "a long passphrase")
    result = runner.invoke(
        app, ["users", "add", "Lee@Example.com", "--role", "viewer", "--name", "Lee"]
    )
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        user = session.exec(select(User)).one()
    assert (user.email, user.role, user.name) == ("lee@example.com", "viewer", "Lee")


def test_users_add_with_an_unknown_role_is_a_usage_error(cli_env, engine):
    result = runner.invoke(app, ["users", "add", "lee@example.com", "--role", "boss"], input="x\n")
    assert result.exit_code == 2
    assert "unknown value 'boss'" in result.output


def test_ensure_admin_prints_a_one_time_password_on_an_empty_database(cli_env, engine):
    cli_env.delenv("LIAISON_ADMIN_PASSWORD", raising=False)
    cli_env.setenv("LIAISON_ADMIN_EMAIL", "boss@example.com")
    first = runner.invoke(app, ["users", "ensure-admin"])
    assert (
        first.exit_code == 0
        and "sign in as boss@example.com with the one-time password" in first.output
    )
    second = runner.invoke(app, ["users", "ensure-admin"])
    assert second.exit_code == 0 and second.output == ""


def test_a_bad_setting_stops_the_command_with_its_name(cli_env):
    cli_env.setenv("LIAISON_TIMEZONE", "Mars/Olympus")
    settings.get.cache_clear()
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 2
    assert "LIAISON_TIMEZONE" in result.output
