"""Settings from `LIAISON_*` environment variables and an optional `.env`, checked once
at start so that a typo stops the program with a clear message instead of surfacing
later as a wrong email or a lost connection."""

from __future__ import annotations

import secrets
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AwareDatetime,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from crm import clock, validation
from crm.setting_values import SendWindow, SmtpConfig

DATA_DIR = Path("data")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LIAISON_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    database_url: str = "sqlite:///data/liaison.db"
    # Where the leadership pages and the monthly report read (a PostgreSQL replica of
    # the main database); unset, they read the main database like everything else.
    analytics_database_url: str = ""
    secret_key: str = Field(default="", repr=False)
    practice_name: str = "Liaison Demo Practice"
    postal_address: str = "100 Main Street, Springfield, MA 01103"
    sender_email: str = "outreach@example.com"
    timezone: str = "America/New_York"
    # Where `crm start` (and `make run`) serves the app; the public URL follows it
    # unless LIAISON_PUBLIC_URL is given.
    port: int = Field(default=8501, ge=1, le=65535)
    public_url: str = "http://localhost:8501"
    admin_email: str = ""
    admin_password: str = Field(default="", repr=False)
    referral_milestones: str = "10,25,50,100"

    email_transport: Literal["file", "sendgrid", "smtp"] = "file"
    outbox_dir: Path = DATA_DIR / "outbox"
    sendgrid_api_key: str = Field(default="", repr=False)
    sendgrid_host: str = "https://api.sendgrid.com"
    sendgrid_unsubscribe_group: int | None = None
    smtp_url: str = Field(default="", repr=False)
    seasonal_guide_url: str = ""
    # An OSRM server's address: the day's route then uses its road miles; unset, the
    # miles are estimated offline from ZIP codes.
    route_service_url: str = ""
    # A geocoder that finds a partner's street address (crm.geocoding); off when unset,
    # and positions then come from ZIP centres alone.
    geocoder_url: str = ""
    frequency_cap: int = Field(default=3, ge=1, le=50)
    send_window: str = "Mon-Fri 08:00-18:00"
    max_attempts: int = Field(default=8, ge=1, le=30)
    review_delay_hours: int = Field(default=24, ge=0, le=24 * 30)
    review_period_days: int = Field(default=180, ge=1, le=3650)
    review_reminder_days: int = Field(default=5, ge=1, le=60)

    # Referral handling targets, in business days from receipt (the funnel page lists
    # every referral that missed one).
    target_contact_business_days: int = Field(default=1, ge=0, le=60)
    target_schedule_business_days: int = Field(default=3, ge=0, le=60)
    target_first_visit_business_days: int = Field(default=10, ge=0, le=120)
    # Where partners send clinical documents: the partner-link form takes none and says
    # to use these instead (either or both; the form names what is set).
    referral_fax: str = ""
    referral_secure_email: str = ""
    # Dormancy alerts: a partner is at risk when referrals in the recent window are
    # improbably few given its own rate over the baseline before it (a one-sided
    # Poisson test at this significance).
    dormancy_window_days: int = Field(default=90, ge=14, le=365)
    dormancy_baseline_days: int = Field(default=365, ge=60, le=1825)
    dormancy_significance: float = Field(default=0.05, gt=0, lt=0.5)
    # SendGrid's Event Webhook: the verification key from Mail Settings (base64, as
    # SendGrid shows it) and how old a signed post may be.
    sendgrid_webhook_public_key: str = ""
    sendgrid_webhook_max_age_seconds: int = Field(default=600, ge=30, le=86400)
    # Run the practice's clock from this instant (ISO 8601 with its offset) instead of
    # the machine's: for a demo or training copy, and tests that start the app or the
    # scheduler as a process of its own. The anchor is the machine's time the start
    # stands for (default: when the process starts), so that processes agree. Unset in
    # production.
    clock_start: AwareDatetime | None = None
    # A signed-in browser left alone this long is signed out (on top of the 12-hour limit).
    session_idle_minutes: int = Field(default=120, ge=5, le=12 * 60)
    clock_anchor: AwareDatetime | None = None

    @field_validator("database_url", "analytics_database_url")
    @classmethod
    def _known_database(cls, value: str, info: ValidationInfo) -> str:
        if not value and info.field_name == "analytics_database_url":
            return value
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("not a database URL; use sqlite:///path or postgresql://...") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:// and postgresql:// databases are supported")
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            value = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            validation.time_zone(value)
        except ValueError as exc:
            raise ValueError(f"{exc}; use an IANA name such as America/Chicago") from None
        return value

    @field_validator("public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("geocoder_url")
    @classmethod
    def _geocoder_template(cls, value: str) -> str:
        if not value.strip():
            return ""
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        if "{address}" not in value:
            raise ValueError("must contain {address}, where the partner's address goes")
        return value.strip()

    @field_validator("sender_email", "admin_email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not value:
            return value
        return validation.email(value)

    @field_validator("referral_fax")
    @classmethod
    def _fax(cls, value: str) -> str:
        return validation.phone(value) if value.strip() else ""

    @field_validator("referral_secure_email")
    @classmethod
    def _secure_email(cls, value: str) -> str:
        return validation.email(value) if value.strip() else ""

    @field_validator("admin_password")
    @classmethod
    def _strong_enough(cls, value: str) -> str:
        if value and len(value) < 10:
            raise ValueError("must be at least 10 characters")
        return value

    @field_validator("seasonal_guide_url")
    @classmethod
    def _guide_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("route_service_url")
    @classmethod
    def _service_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("sendgrid_host")
    @classmethod
    def _host_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("send_window")
    @classmethod
    def _window(cls, value: str) -> str:
        SendWindow.parse(value)
        return value

    @field_validator("referral_milestones")
    @classmethod
    def _milestones(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() and int(p) > 1 for p in parts):
            raise ValueError("must be referral counts above 1, separated by commas, e.g. 10,25,50")
        return ",".join(parts)

    @property
    def milestones(self) -> tuple[int, ...]:
        return tuple(sorted({int(p) for p in self.referral_milestones.split(",") if p}))

    @field_validator("sendgrid_webhook_public_key")
    @classmethod
    def _webhook_key(cls, value: str) -> str:
        value = "".join(value.split())
        if value:
            from sendgrid.helpers.eventwebhook import EventWebhook

            try:
                EventWebhook(value)
            except (ValueError, TypeError):
                raise ValueError(
                    "not a SendGrid verification key; paste the base64 key from "
                    "Settings > Mail Settings > Signed Event Webhook"
                ) from None
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp(cls, value: str) -> str:
        if value:
            SmtpConfig.parse(value)
        return value

    @model_validator(mode="after")
    def _public_url_follows_the_port(self) -> Settings:
        if "public_url" not in self.model_fields_set:
            self.public_url = f"http://localhost:{self.port}"
        return self

    @model_validator(mode="after")
    def _transport_is_configured(self) -> Settings:
        if self.email_transport == "sendgrid" and not self.sendgrid_api_key:
            raise ValueError("LIAISON_EMAIL_TRANSPORT=sendgrid needs LIAISON_SENDGRID_API_KEY")
        if self.email_transport == "smtp" and not self.smtp_url:
            raise ValueError("LIAISON_EMAIL_TRANSPORT=smtp needs LIAISON_SMTP_URL")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def analytics_url(self) -> str:
        """The database the leadership figures are read from."""
        return self.analytics_database_url or self.database_url


def load() -> Settings:
    """Read and validate; fill in a secret key kept under data/ when none is given."""
    try:
        settings = Settings()
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "LIAISON_" + str(error["loc"][0]).upper() if error["loc"] else "settings"
            lines.append(f"{name}: {error['msg'].removeprefix('Value error, ')}")
        raise SettingsError("invalid settings:\n  " + "\n  ".join(lines)) from None
    if not settings.secret_key:
        settings.secret_key = _stored_secret_key()
    return settings


def _stored_secret_key() -> str:
    path = DATA_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key


@lru_cache(maxsize=1)
def get() -> Settings:
    """The settings, read once; every edge (the app, the command line, the scheduler)
    starts here, so the process's clock is set here too."""
    settings = load()
    clock.start_at(settings.clock_start, settings.clock_anchor)
    return settings
