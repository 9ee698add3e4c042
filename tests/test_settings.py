import pytest

from crm import settings
from crm.settings import SettingsError


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith("LIAISON_") and not name.startswith("LIAISON_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "DATA_DIR", tmp_path / "data")
    return monkeypatch


def test_defaults_use_a_sqlite_file_under_data(clean_env):
    loaded = settings.load()
    assert loaded.database_url == "sqlite:///data/liaison.db"
    assert loaded.timezone == "America/New_York"


def test_a_secret_key_is_generated_once_into_data_and_reused(clean_env, tmp_path):
    first = settings.load().secret_key
    assert len(first) >= 32
    assert (tmp_path / "data" / "secret_key").read_text().strip() == first
    assert settings.load().secret_key == first


def test_a_secret_key_from_the_environment_wins(clean_env, tmp_path):
    clean_env.setenv("LIAISON_SECRET_KEY", "from-the-environment-0123456789")
    assert settings.load().secret_key == "from-the-environment-0123456789"
    assert not (tmp_path / "data" / "secret_key").exists()


def test_a_dotenv_file_is_read(clean_env, tmp_path):
    (tmp_path / ".env").write_text("LIAISON_PRACTICE_NAME=Summit Sports Medicine\n")
    assert settings.load().practice_name == "Summit Sports Medicine"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LIAISON_TIMEZONE", "Mars/Olympus", "LIAISON_TIMEZONE: unknown time zone"),
        (
            "LIAISON_DATABASE_URL",
            "mysql://x@y/z",
            "LIAISON_DATABASE_URL: only sqlite:// and postgresql://",
        ),
        ("LIAISON_DATABASE_URL", "not a url", "LIAISON_DATABASE_URL: not a database URL"),
        (
            "LIAISON_ANALYTICS_DATABASE_URL",
            "mysql://x@y/z",
            "LIAISON_ANALYTICS_DATABASE_URL: only sqlite:// and postgresql://",
        ),
        ("LIAISON_PUBLIC_URL", "example.com", "LIAISON_PUBLIC_URL: must start with http"),
        ("LIAISON_SENDER_EMAIL", "outreach@", "LIAISON_SENDER_EMAIL: invalid email"),
        ("LIAISON_ADMIN_PASSWORD", "short", "LIAISON_ADMIN_PASSWORD: must be at least 10"),
        ("LIAISON_REFERRAL_FAX", "12", "LIAISON_REFERRAL_FAX: invalid phone number"),
        ("LIAISON_REFERRAL_SECURE_EMAIL", "x@", "LIAISON_REFERRAL_SECURE_EMAIL: invalid email"),
        ("LIAISON_GEOCODER_URL", "geo.example.org/?q={address}", "LIAISON_GEOCODER_URL: must"),
        (
            "LIAISON_GEOCODER_URL",
            "https://geo.example.org/search?q=",
            "LIAISON_GEOCODER_URL: must contain {address}",
        ),
    ],
)
def test_a_bad_setting_is_refused_with_its_name(clean_env, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        settings.load()
    assert message in str(caught.value)


def test_a_plain_postgresql_url_gets_the_psycopg_driver(clean_env):
    clean_env.setenv("LIAISON_DATABASE_URL", "postgresql://crm@db.internal:5432/liaison")
    assert settings.load().database_url == "postgresql+psycopg://crm@db.internal:5432/liaison"


def test_without_a_replica_the_leadership_figures_read_the_main_database(clean_env):
    clean_env.setenv("LIAISON_DATABASE_URL", "postgresql://crm@db.internal:5432/liaison")
    assert settings.load().analytics_url == "postgresql+psycopg://crm@db.internal:5432/liaison"


def test_a_replica_url_is_where_the_leadership_figures_are_read(clean_env):
    clean_env.setenv("LIAISON_ANALYTICS_DATABASE_URL", "postgresql://ro@replica.internal/liaison")
    loaded = settings.load()
    assert loaded.analytics_url == "postgresql+psycopg://ro@replica.internal/liaison"
    assert loaded.database_url == "sqlite:///data/liaison.db"


def test_the_public_url_follows_the_port_unless_given(clean_env):
    clean_env.setenv("LIAISON_PORT", "8600")
    assert settings.load().public_url == "http://localhost:8600"
    clean_env.setenv("LIAISON_PUBLIC_URL", "https://crm.example.org")
    assert settings.load().public_url == "https://crm.example.org"


def test_a_clock_start_without_its_offset_is_refused(clean_env):
    clean_env.setenv("LIAISON_CLOCK_START", "2027-03-14 06:59")
    with pytest.raises(SettingsError, match="LIAISON_CLOCK_START"):
        settings.load()


def test_no_geocoder_is_set_by_default(clean_env):
    assert settings.load().geocoder_url == ""
