"""The tables. Times are aware datetimes stored as UTC (SQLModel's UTCDateTime; on
SQLite, which has no zones, as UTC text); the app converts to the practice's or the
location's zone for display.

Controlled values (types, roles, statuses) are plain strings checked by the domain
layer against `crm.vocab`. The schema holds no clinical data: a referral carries a
coarse service line, never a diagnosis.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crm.vocab import MessageStatus


class Location(SQLModel, table=True):
    __tablename__ = "location"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    address: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=2)
    zip: str = Field(default="", max_length=10)
    phone: str = Field(default="", max_length=20)
    fax: str = Field(default="", max_length=20)
    timezone: str = Field(default="America/New_York", max_length=64)
    review_url: str = Field(default="", max_length=500)
    created_at: datetime


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=120)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = True
    monthly_report: bool = False
    failed_logins: int = 0
    locked_until: datetime | None = None
    last_login_at: datetime | None = None
    # Raised to rotate the user's calendar feed link: the old link stops resolving.
    calendar_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime


class UserSession(SQLModel, table=True):
    """A browser signed in: what its cookie stands for, so that sign-out, a password
    change, deactivation or "sign out everywhere" ends it at once on the server."""

    __tablename__ = "user_session"
    __table_args__ = (Index("ix_user_session_user", "user_id", "ended_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="users.id")
    created_at: datetime
    last_seen_at: datetime
    ended_at: datetime | None = None


class Partner(SQLModel, table=True):
    __tablename__ = "partner"
    __table_args__ = (
        Index("ix_partner_match_key", "match_key"),
        Index("ix_partner_type_tier", "partner_type", "tier"),
        Index("ix_partner_status", "status"),
        Index("ix_partner_owner", "owner_id"),
        Index("ix_partner_territory", "territory"),
        Index("ix_partner_name", "name"),
        Index("ix_partner_npi", "npi", unique=True),
        Index("ix_partner_position", "latitude", "longitude"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    partner_type: str = Field(max_length=32)
    specialty: str = Field(default="", max_length=120)
    address: str = Field(default="", max_length=200)
    city: str = Field(default="", max_length=80)
    state: str = Field(default="", max_length=2)
    zip: str = Field(default="", max_length=10)
    phone: str = Field(default="", max_length=20)
    fax: str = Field(default="", max_length=20)
    website: str = Field(default="", max_length=300)
    # The organisation's NPI when the partner came from the NPI registry: a newer
    # registry file updates the partner it names instead of adding another.
    npi: str | None = Field(default=None, max_length=10)
    territory: str = Field(default="", max_length=80)
    tier: str = Field(default="C", max_length=1)
    owner_id: int | None = Field(default=None, foreign_key="users.id")
    referral_channel: str = Field(default="", max_length=16)
    update_preference: str = Field(default="per_referral", max_length=12)
    status: str = Field(default="prospect", max_length=20)
    sports: str = Field(default="", max_length=500)
    tags: str = Field(default="", max_length=500)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    match_key: str = Field(max_length=420)
    # Signed into the partner link (crm.partner_links): raising it is what rotates the
    # link, so every earlier link stops opening the partner's pages.
    link_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    # Where the partner is on the map (crm.positions): a ZIP centre or a geocoded
    # address, and the address it was found for, so a changed address is found again.
    latitude: float | None = None
    longitude: float | None = None
    position_source: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    position_address: str = Field(
        default="", max_length=400, sa_column_kwargs={"server_default": ""}
    )
    archived_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class PartnerOpeningHours(SQLModel, table=True):
    """When a partner's office is open on one weekday (0 is Monday), in minutes after
    midnight, local time. A partner with no rows has hours nobody entered; one with rows
    is closed on the weekdays it has none."""

    __tablename__ = "partner_opening_hours"
    __table_args__ = (UniqueConstraint("partner_id", "weekday"),)

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id")
    weekday: int
    opens: int
    closes: int


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_partner", "partner_id"),
        Index("ix_contact_email", "email"),
        Index("ix_contact_npi", "npi"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id")
    first_name: str = Field(max_length=80)
    last_name: str = Field(default="", max_length=80)
    role: str = Field(default="other", max_length=32)
    email: str | None = Field(default=None, max_length=254)
    phone: str = Field(default="", max_length=20)
    npi: str | None = Field(default=None, max_length=10)
    email_opt_out: bool = False
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    archived_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Touch(SQLModel, table=True):
    __tablename__ = "touch"
    __table_args__ = (
        Index("ix_touch_partner_when", "partner_id", "occurred_at"),
        Index("ix_touch_when", "occurred_at"),
        Index("ix_touch_user_when", "user_id", "occurred_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    user_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(max_length=24)
    occurred_at: datetime
    message_id: int | None = Field(default=None, foreign_key="message.id")
    task_id: int | None = Field(default=None, foreign_key="task.id")
    outcome: str = Field(default="", max_length=200)
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime


class Patient(SQLModel, table=True):
    """The minimum needed to follow up a referral and ask for a review: no clinical data."""

    __tablename__ = "patient"
    __table_args__ = (
        Index("ix_patient_email", "email"),
        Index("ix_patient_name_phone", "last_name", "first_name", "phone"),
    )

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=80)
    last_name: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=254)
    phone: str = Field(default="", max_length=20)
    consent_to_contact: bool = False
    consent_at: datetime | None = None
    consent_source: str = Field(default="", max_length=80)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    created_at: datetime
    updated_at: datetime


class Referral(SQLModel, table=True):
    __tablename__ = "referral"
    __table_args__ = (
        UniqueConstraint("partner_id", "partner_reference", name="uq_referral_partner_reference"),
        # The one-time key of the partner-link form that sent it: a double click or a
        # resubmitted page finds the referral already made instead of making another.
        UniqueConstraint("submission_key", name="uq_referral_submission_key"),
        # Both carry the referral filters' columns, so the analytics pages that count a
        # period's referrals per partner read these indexes alone, never the table.
        Index(
            "ix_referral_partner_received",
            "partner_id",
            "received_at",
            "location_id",
            "service_line",
        ),
        Index("ix_referral_received", "received_at", "partner_id", "location_id", "service_line"),
        Index("ix_referral_status_received", "status", "received_at"),
        Index("ix_referral_location_received", "location_id", "received_at"),
        Index("ix_referral_first_visit", "first_visit_at", "received_at"),
        Index("ix_referral_status_first_visit", "status", "first_visit_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    received_at: datetime
    partner_reference: str | None = Field(default=None, max_length=64)
    channel: str = Field(default="", max_length=16)
    service_line: str = Field(default="general", max_length=32)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    contacted_at: datetime | None = None
    scheduled_at: datetime | None = None
    first_visit_at: datetime | None = None
    status: str = Field(default="received", max_length=16)
    lost_reason: str = Field(default="", max_length=200)
    urgency: str = Field(
        default="routine", max_length=8, sa_column_kwargs={"server_default": "routine"}
    )
    submission_key: str | None = Field(default=None, max_length=64)
    created_at: datetime
    updated_at: datetime


class ReferralHourCount(SQLModel, table=True):
    """How many referrals received in one UTC hour, from one partner, for one location
    (0 for none), service line and channel reached each stage: the funnel and overview
    sum these instead of reading every referral. An hour is a whole number of local
    hours in any zone whose offset is whole hours, so any such zone's days add up
    exactly. Kept by triggers on `referral` (migration 0017), so every write, from the
    ORM, an import's executemany, a COPY or plain SQL, updates it in its own
    transaction; `crm.referral_counts.rebuild_summaries` recomputes it from referrals."""

    __tablename__ = "referral_hour_count"
    __table_args__ = (
        # a partner's hours and their referrals read from the index alone (new sources)
        Index("ix_referral_hour_count_partner", "partner_id", "hour", "received"),
        # on SQLite the key is the table itself: a range of hours is one sequential read
        {"sqlite_with_rowid": False},
    )

    hour: datetime = Field(primary_key=True)
    partner_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    location_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    service_line: str = Field(primary_key=True, max_length=32)
    channel: str = Field(primary_key=True, max_length=16)
    received: int = 0
    contacted: int = 0
    scheduled: int = 0
    first_visit: int = 0
    lost: int = 0


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_entity", "entity", "entity_id"),
        Index("ix_audit_at", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    user_id: int | None = Field(default=None, foreign_key="users.id")
    action: str = Field(max_length=16)
    entity: str = Field(max_length=32)
    entity_id: int | None = None
    changes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Message(SQLModel, table=True):
    """One email in the outbox. It is rendered when enqueued (a bad template fails here,
    not in the send loop) and keeps every outcome; `idempotency_key` makes enqueueing
    the same email twice a no-op and is never sent twice."""

    __tablename__ = "message"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_message_idempotency_key"),
        Index("ix_message_status_due", "status", "next_attempt_at"),
        Index("ix_message_contact_sent", "contact_id", "sent_at"),
        Index("ix_message_to_email", "to_email"),
        Index("ix_message_kind_created", "kind", "created_at", "sent_at", "partner_id", "source"),
        # Covering: the email page counts a period's outcomes from this index alone.
        Index(
            "ix_message_sent",
            "sent_at",
            "kind",
            "source",
            "partner_id",
            "delivered_at",
            "opened_at",
            "machine_opened_at",
            "clicked_at",
            "bounced_at",
        ),
        Index("ix_message_partner_sent", "partner_id", "sent_at"),
        Index("ix_message_provider_id", "provider_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    kind: str = Field(max_length=16)
    transactional: bool = False
    to_email: str = Field(max_length=254)
    to_name: str = Field(default="", max_length=160)
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    partner_id: int | None = Field(default=None, foreign_key="partner.id")
    source: str = Field(default="", max_length=120)
    template: str = Field(max_length=64)
    subject: str = Field(max_length=300)
    html: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    attachments: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    timezone: str = Field(default="America/New_York", max_length=64)
    status: str = Field(default=MessageStatus.QUEUED.value, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime
    provider: str = Field(default="", max_length=16)
    provider_message_id: str | None = Field(default=None, max_length=200)
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    # First of each, from SendGrid's Event Webhook; a machine open (Apple Mail privacy
    # protection prefetching the images) is kept apart from a person's open.
    delivered_at: datetime | None = None
    opened_at: datetime | None = None
    machine_opened_at: datetime | None = None
    clicked_at: datetime | None = None
    bounced_at: datetime | None = None


class MessageAttempt(SQLModel, table=True):
    """Append-only: every send attempt and decision about a message, for a person to read."""

    __tablename__ = "message_attempt"
    __table_args__ = (Index("ix_message_attempt_message", "message_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id")
    at: datetime
    outcome: str = Field(max_length=16)
    status_code: int | None = None
    detail: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Suppression(SQLModel, table=True):
    """An address that must never be sent to, and why."""

    __tablename__ = "suppression"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    reason: str = Field(max_length=16)
    source: str = Field(default="", max_length=40)
    note: str = Field(default="", max_length=300)
    created_at: datetime


class TemplateOverride(SQLModel, table=True):
    """A marketer's edited version of a built-in email template, validated when saved."""

    __tablename__ = "template_override"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    subject: str = Field(max_length=300)
    html: str = Field(sa_column=Column(Text, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime


class ImportMapping(SQLModel, table=True):
    """How the columns of a file were mapped when it was last imported, for its kind of
    record and set of headers, so next month's export of the same system maps itself.
    `mapping` is JSON: header -> field ("" when the column is left out)."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("entity", "headers_key"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=20)
    headers_key: str = Field(max_length=64)
    mapping: str = Field(sa_column=Column(Text, nullable=False))
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime


class SyncState(SQLModel, table=True):
    """Where an incremental job (for instance the suppression sync) left off."""

    __tablename__ = "sync_state"

    name: str = Field(primary_key=True, max_length=64)
    cursor: str = Field(default="", max_length=200)
    updated_at: datetime


class Segment(SQLModel, table=True):
    """A saved filter over partners (`dynamic`, its definition a JSON condition tree
    evaluated in SQL) or a hand-picked list (`static`, its members in SegmentMember)."""

    __tablename__ = "segment"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=500)
    kind: str = Field(default="dynamic", max_length=8)
    definition: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    created_by: int | None = Field(default=None, foreign_key="users.id")
    archived_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class SegmentMember(SQLModel, table=True):
    __tablename__ = "segment_member"
    __table_args__ = (Index("ix_segment_member_partner", "partner_id"),)

    segment_id: int = Field(foreign_key="segment.id", primary_key=True)
    partner_id: int = Field(foreign_key="partner.id", primary_key=True)
    added_at: datetime


class Cadence(SQLModel, table=True):
    """A named sequence of steps (`sequence`), or a touch plan that repeats every month
    or quarter (`recurring`) until stopped."""

    __tablename__ = "cadence"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    description: str = Field(default="", max_length=500)
    purpose: str = Field(default="other", max_length=16)
    recurrence: str = Field(default="", max_length=10)
    active: bool = True
    rule_segment_id: int | None = Field(default=None, foreign_key="segment.id")
    exit_on_referral_source: bool = False
    nurture_cadence_id: int | None = Field(default=None, foreign_key="cadence.id")
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime
    updated_at: datetime


class CadenceStep(SQLModel, table=True):
    """One step; removed steps are kept (removed_at) so history still points at them."""

    __tablename__ = "cadence_step"
    __table_args__ = (Index("ix_cadence_step_cadence", "cadence_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    cadence_id: int = Field(foreign_key="cadence.id")
    position: int
    action: str = Field(max_length=12)
    template: str = Field(default="", max_length=64)
    contact_roles: str = Field(default="", max_length=300)
    offset_days: int = 0
    offset_from: str = Field(default="previous", max_length=10)
    title: str = Field(default="", max_length=200)
    instructions: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    # Values of the template's variables that are the same for every recipient (an
    # update's headline, a resource link), as JSON; recipients' own come from their rows.
    template_values: str = Field(
        default="", sa_column=Column(Text, nullable=False, server_default="")
    )
    removed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class Enrolment(SQLModel, table=True):
    """A partner in a cadence. `next_due_at` is when the planner must next look at it,
    so a planner pass reads only what is due."""

    __tablename__ = "enrolment"
    __table_args__ = (
        Index("ix_enrolment_due", "status", "next_due_at"),
        Index("ix_enrolment_partner", "partner_id", "status"),
        Index("ix_enrolment_cadence_enrolled", "cadence_id", "enrolled_at"),
        Index(
            "uq_enrolment_live",
            "cadence_id",
            "partner_id",
            unique=True,
            sqlite_where=text("status IN ('active', 'paused')"),
            postgresql_where=text("status IN ('active', 'paused')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    cadence_id: int = Field(foreign_key="cadence.id")
    partner_id: int = Field(foreign_key="partner.id")
    status: str = Field(default="active", max_length=10)
    exit_reason: str = Field(default="", max_length=24)
    source: str = Field(default="manual", max_length=12)
    enrolled_at: datetime
    enrolled_by: int | None = Field(default=None, foreign_key="users.id")
    # Where the steps count from: the enrolment time, moved forward by the business
    # days of each pause, so resuming shifts what remains instead of bunching it up.
    anchor_at: datetime
    paused_at: datetime | None = None
    ended_at: datetime | None = None
    next_due_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class StepRun(SQLModel, table=True):
    """The record that a step ran (or was skipped) for an enrolment in one occurrence;
    unique, so no step ever runs twice."""

    __tablename__ = "step_run"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "step_id", "occurrence", name="uq_step_run"),
    )

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id")
    step_id: int = Field(foreign_key="cadence_step.id")
    occurrence: str = Field(default="", max_length=10)
    due_at: datetime
    ran_at: datetime
    outcome: str = Field(default="done", max_length=12)


class Task(SQLModel, table=True):
    """A call, visit or materials drop-off for a liaison, from a cadence step or by hand."""

    __tablename__ = "task"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_task_idempotency_key"),
        Index("ix_task_assignee_open", "assigned_to", "status", "due_on"),
        Index("ix_task_due", "due_on", "status"),
        Index("ix_task_partner", "partner_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200)
    kind: str = Field(max_length=12)
    title: str = Field(default="", max_length=200)
    instructions: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    partner_id: int = Field(foreign_key="partner.id")
    contact_id: int | None = Field(default=None, foreign_key="contact.id")
    assigned_to: int | None = Field(default=None, foreign_key="users.id")
    due_on: date
    status: str = Field(default="open", max_length=10)
    skip_reason: str = Field(default="", max_length=200)
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id")
    step_id: int | None = Field(default=None, foreign_key="cadence_step.id")
    completed_at: datetime | None = None
    created_at: datetime
    updated_at: datetime


class PartnerStatusChange(SQLModel, table=True):
    """Every lifecycle move with its time and cause, so conversion after outreach can be
    measured from data."""

    __tablename__ = "partner_status_change"
    __table_args__ = (
        Index("ix_status_change_partner", "partner_id", "at"),
        Index("ix_status_change_to", "to_status", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partner.id")
    at: datetime
    from_status: str = Field(max_length=20)
    to_status: str = Field(max_length=20)
    cause: str = Field(max_length=16)
    cause_id: int | None = None
    detail: str = Field(default="", max_length=300)
    user_id: int | None = Field(default=None, foreign_key="users.id")


class Event(SQLModel, table=True):
    """An in-service, lunch-and-learn, talk, CME evening or open house. `sequence` is the
    iCalendar SEQUENCE: raised on every update so calendars replace the old invitation."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_starts", "starts_at"),)

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    kind: str = Field(max_length=24)
    topic: str = Field(default="", max_length=200)
    speaker: str = Field(default="", max_length=120)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    starts_at: datetime
    ends_at: datetime
    timezone: str = Field(default="America/New_York", max_length=64)
    location_id: int | None = Field(default=None, foreign_key="location.id")
    venue_partner_id: int | None = Field(default=None, foreign_key="partner.id")
    venue_note: str = Field(default="", max_length=300)
    capacity: int | None = None
    cost_per_attendee_cents: int = 0
    audience_segment_id: int | None = Field(default=None, foreign_key="segment.id")
    status: str = Field(default="draft", max_length=12)
    sequence: int = 0
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime
    updated_at: datetime


class EventInvitee(SQLModel, table=True):
    """One invited contact: their answer, their place on the wait list, and attendance."""

    __tablename__ = "event_invitee"
    __table_args__ = (
        UniqueConstraint("event_id", "contact_id", name="uq_event_invitee"),
        Index("ix_event_invitee_partner", "partner_id"),
        Index("ix_event_invitee_contact", "contact_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id")
    contact_id: int = Field(foreign_key="contact.id")
    partner_id: int = Field(foreign_key="partner.id")
    rsvp: str = Field(default="none", max_length=10)
    rsvp_at: datetime | None = None
    waitlisted_at: datetime | None = None
    attended: bool = False
    checked_in_at: datetime | None = None
    invited_at: datetime


class CompensationLimit(SQLModel, table=True):
    """The Stark law's non-monetary compensation limit for a calendar year (42 CFR
    411.357(k)), in cents; CMS updates it every year."""

    __tablename__ = "compensation_limit"

    year: int = Field(primary_key=True)
    limit_cents: int


class Visit(SQLModel, table=True):
    """A patient's visit: when and where, nothing clinical."""

    __tablename__ = "visit"
    __table_args__ = (
        Index("ix_visit_patient", "patient_id", "visit_at"),
        Index("ix_visit_when", "visit_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    location_id: int | None = Field(default=None, foreign_key="location.id")
    visit_at: datetime
    completed: bool = True
    created_at: datetime


class ReviewRequest(SQLModel, table=True):
    __tablename__ = "review_request"
    __table_args__ = (
        UniqueConstraint("visit_id", name="uq_review_request_visit"),
        Index("ix_review_request_patient", "patient_id", "requested_at"),
        Index("ix_review_request_status", "status", "requested_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id")
    visit_id: int = Field(foreign_key="visit.id")
    location_id: int | None = Field(default=None, foreign_key="location.id")
    status: str = Field(default="requested", max_length=12)
    requested_at: datetime
    reminded_at: datetime | None = None
    opened_at: datetime | None = None
    clicked_at: datetime | None = None
    message_id: int | None = Field(default=None, foreign_key="message.id")
    reminder_message_id: int | None = Field(default=None, foreign_key="message.id")


class SportSeason(SQLModel, table=True):
    __tablename__ = "sport_season"
    __table_args__ = (UniqueConstraint("year", "sport", name="uq_sport_season"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    sport: str = Field(max_length=40)
    season: str = Field(max_length=8)
    starts_on: date
    ends_on: date


class SeasonalSend(SQLModel, table=True):
    """One phase's send (pre-, mid- or post-season) for one sport's season in a year: a
    draft until a marketer approves it."""

    __tablename__ = "seasonal_send"
    __table_args__ = (UniqueConstraint("year", "sport", "phase", name="uq_seasonal_send"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    sport: str = Field(max_length=40)
    season: str = Field(max_length=8)
    phase: str = Field(max_length=4)
    send_on: date
    status: str = Field(default="draft", max_length=10)
    approved_by: int | None = Field(default=None, foreign_key="users.id")
    approved_at: datetime | None = None
    enqueued_at: datetime | None = None
    created_at: datetime


class ReferralUpdate(SQLModel, table=True):
    """A referral event the referring partner should hear about (received, scheduled,
    first visit), sent on its own or gathered into a daily or weekly digest."""

    __tablename__ = "referral_update"
    __table_args__ = (
        UniqueConstraint("referral_id", "stage", name="uq_referral_update"),
        Index("ix_referral_update_pending", "status", "partner_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id")
    partner_id: int = Field(foreign_key="partner.id")
    stage: str = Field(max_length=12)
    happened_at: datetime
    status: str = Field(default="pending", max_length=10)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    created_at: datetime


class EmailEvent(SQLModel, table=True):
    """One event from SendGrid's Event Webhook, kept as received. `sg_event_id` is
    SendGrid's own id, unique, so a batch SendGrid retries is applied once."""

    __tablename__ = "email_event"
    __table_args__ = (
        UniqueConstraint("sg_event_id", name="uq_email_event_sg_id"),
        Index("ix_email_event_message", "message_id", "event"),
        Index("ix_email_event_at", "event", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    sg_event_id: str = Field(max_length=100)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    event: str = Field(max_length=20)
    email: str = Field(default="", max_length=254)
    at: datetime
    machine_open: bool = False
    url: str = Field(default="", max_length=500)
    reason: str = Field(default="", max_length=300)
    received_at: datetime


class WebhookReceipt(SQLModel, table=True):
    """A signed webhook post already accepted (by a digest of its signature): the same
    post replayed, even within the timestamp tolerance, is refused."""

    __tablename__ = "webhook_receipt"
    __table_args__ = (
        UniqueConstraint("signature_digest", name="uq_webhook_receipt_signature"),
        Index("ix_webhook_receipt_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    signature_digest: str = Field(max_length=64)
    signed_at: datetime
    received_at: datetime
    events: int = 0


class SurveyRequest(SQLModel, table=True):
    """The Four C's survey asked of one partner contact in one quarter. Unique per contact
    and quarter, so a marketer sending the quarter's survey again asks nobody twice.
    `answered_at` is the first answer's time; the reminder looks for requests without one
    (ix_survey_request_due), so its cost follows what is due, not the history."""

    __tablename__ = "survey_request"
    __table_args__ = (
        UniqueConstraint("contact_id", "quarter", name="uq_survey_request_contact_quarter"),
        Index("ix_survey_request_due", "answered_at", "reminded_at", "sent_at"),
        Index("ix_survey_request_partner", "partner_id", "quarter"),
        Index("ix_survey_request_quarter", "quarter"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    partner_id: int = Field(foreign_key="partner.id")
    quarter: str = Field(max_length=7)
    message_key: str = Field(max_length=200)
    sent_at: datetime
    reminded_at: datetime | None = None
    answered_at: datetime | None = None
    comment: str = Field(default="", max_length=1000)
    commented_at: datetime | None = None
    sent_by: int | None = Field(default=None, foreign_key="users.id")


class SurveyAnswer(SQLModel, table=True):
    """One question's score (1 to 5) on one request: unique per request and question, so
    answering again replaces the score (the last click wins; the audit keeps the old)."""

    __tablename__ = "survey_answer"
    __table_args__ = (UniqueConstraint("request_id", "question", name="uq_survey_answer_question"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="survey_request.id")
    question: str = Field(max_length=20)
    score: int
    answered_at: datetime


class PracticeCalendar(SQLModel, table=True):
    """The practice's one calendar (id 1): the country and state whose public holidays
    it closes on (both empty: none chosen, only weekends and its own closed days)."""

    __tablename__ = "practice_calendar"

    id: int | None = Field(default=None, primary_key=True)
    country: str = Field(default="", max_length=3)
    subdivision: str = Field(default="", max_length=10)
    updated_by: int | None = Field(default=None, foreign_key="users.id")
    updated_at: datetime


class ClosedDay(SQLModel, table=True):
    """A day the practice itself is closed (the day after Thanksgiving, a staff day),
    on top of its holiday set."""

    __tablename__ = "practice_closed_day"

    id: int | None = Field(default=None, primary_key=True)
    calendar_id: int = Field(foreign_key="practice_calendar.id")
    day: date = Field(unique=True)
    note: str = Field(default="", max_length=120)
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime
