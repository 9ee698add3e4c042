"""The front desk's referral queue: the patients still to be called, and the ones still
to be booked, each by the deadline the practice's targets give it, and the moves the
desk logs from it.

The deadlines are those of the funnel's target breaches (crm.analytics.timing): a
number of business days counted from the day of receipt on the practice's calendar
(its holidays and closed days skipped, crm.practice_calendar),
due by the end of that local day, for first contact and for scheduling alike. A
referral is overdue once that day is over. Both use `add_business_days`, so a
referral the queue marks overdue is one the breach list lists as late and open.

A deadline only ever moves later with the day of receipt, so ordering by receipt is
ordering by deadline: each stage is one read of `ix_referral_status_received`, the
rows shown are a limited slice of it, and the overdue count is a range of the same
index (received before the first day whose deadline has not passed yet). Nothing is
asked of the database per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from pydantic import BaseModel, model_validator
from sqlalchemy import case, func, literal, select
from sqlmodel import Session

from crm import practice_calendar
from crm.access import Actor, require_editor
from crm.analytics.timing import Targets
from crm.business_days import WEEKENDS_ONLY, Calendar, add_business_days, due_moment, local_date
from crm.clock import as_utc
from crm.errors import Conflict, InvalidInput, NotFound
from crm.fields import Email, Phone, text, vocab
from crm.models import Contact, Location, Partner, Patient, Referral
from crm.patients import PatientInput, create_patient
from crm.referrals import ReferralInput, create_referral, update_referral
from crm.vocab import ReferralChannel, ReferralStatus, ServiceLine

CONTACT: Final = "contact"
SCHEDULE: Final = "schedule"
STAGES: Final = (CONTACT, SCHEDULE)
_WAITING_IN: Final = {
    CONTACT: ReferralStatus.RECEIVED.value,
    SCHEDULE: ReferralStatus.CONTACTED.value,
}
_STAGE_LABELS: Final = {CONTACT: "To contact", SCHEDULE: "To schedule"}
DESK_CHANNELS: Final = (ReferralChannel.PHONE.value, ReferralChannel.FAX.value)
_MIDNIGHT: Final = datetime.min.time()


@dataclass(frozen=True)
class QueueEntry:
    """One referral waiting at the desk, with what the caller needs on screen."""

    referral_id: int
    stage: str
    received_at: datetime
    contacted_at: datetime | None
    deadline: date
    overdue: bool
    channel: str
    service_line: str
    partner_id: int
    partner: str
    contact: str
    contact_phone: str
    patient: str
    patient_phone: str
    patient_email: str
    location: str


@dataclass(frozen=True)
class StageQueue:
    """One stage of the queue: how many wait and how many are overdue (all of them), and
    the `entries` with the oldest deadlines, at most the limit asked for."""

    stage: str
    target: str
    waiting: int
    overdue: int
    entries: list[QueueEntry]

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self.stage]


def deadline_of(
    received_at: datetime,
    business_days: int,
    zone: ZoneInfo,
    calendar: Calendar = WEEKENDS_ONLY,
) -> date:
    """The local day by whose end the stage is due, as the breach list counts it."""
    return add_business_days(local_date(received_at, zone), business_days, calendar)


def referral_queue(
    session: Session, targets: Targets, now: datetime, zone: ZoneInfo, limit: int = 100
) -> list[StageQueue]:
    """To contact (received, not yet contacted), then to schedule (contacted, not yet
    scheduled); lost and completed referrals have left the queue. Three statements,
    whatever the size of the table: the counts, then each stage's first `limit` rows."""
    today = local_date(now, zone)
    calendar = practice_calendar.load(session, today)
    days = {CONTACT: targets.contact, SCHEDULE: targets.schedule}
    cutoffs = {stage: _overdue_before(today, days[stage], zone, calendar) for stage in STAGES}
    counts = _counts(session, cutoffs)
    queues = []
    for stage in STAGES:
        entries = [
            _entry(row, stage, deadline_of(row.received_at, days[stage], zone, calendar), today)
            for row in session.execute(_waiting(stage, limit))
        ]
        waiting, overdue = counts.get(_WAITING_IN[stage], (0, 0))
        queues.append(
            StageQueue(
                stage=stage,
                target=targets.label("first contact" if stage == CONTACT else "scheduled"),
                waiting=waiting,
                overdue=overdue,
                entries=entries,
            )
        )
    return queues


def _overdue_before(
    today: date, business_days: int, zone: ZoneInfo, calendar: Calendar
) -> datetime:
    """The instant before which a receipt is overdue today: the start of the earliest
    local day whose deadline is not over yet (deadlines never move earlier with a later
    day of receipt, so every earlier receipt is overdue and no later one is)."""
    day = today
    while add_business_days(day - timedelta(days=1), business_days, calendar) >= today:
        day -= timedelta(days=1)
    return due_moment(day, zone, at=_MIDNIGHT)


def _counts(session: Session, cutoffs: dict[str, datetime]) -> dict[str, tuple[int, int]]:
    stored = Referral.__table__.c.received_at.type
    cutoff = case(
        *(
            (Referral.status == _WAITING_IN[stage], literal(at, type_=stored))
            for stage, at in cutoffs.items()
        ),
    )
    query = (
        select(
            Referral.status,
            func.count(),
            func.coalesce(func.sum(case((Referral.received_at < cutoff, 1), else_=0)), 0),
        )
        .where(Referral.status.in_(list(_WAITING_IN.values())))
        .group_by(Referral.status)
    )
    return {status: (int(n), int(late)) for status, n, late in session.execute(query)}


def _waiting(stage: str, limit: int):  # type: ignore[no-untyped-def]
    """The stage's oldest receipts first, read in the index's order, with the partner,
    contact, patient and location of those rows only."""
    oldest = (
        select(Referral.id)
        .where(Referral.status == _WAITING_IN[stage])
        .order_by(Referral.received_at, Referral.id)
        .limit(limit)
        .subquery("oldest")
    )
    return (
        select(
            Referral.id,
            Referral.received_at,
            Referral.contacted_at,
            Referral.channel,
            Referral.service_line,
            Referral.partner_id,
            Partner.name.label("partner"),
            Contact.first_name.label("contact_first"),
            Contact.last_name.label("contact_last"),
            Contact.phone.label("contact_phone"),
            Patient.first_name.label("patient_first"),
            Patient.last_name.label("patient_last"),
            Patient.phone.label("patient_phone"),
            Patient.email.label("patient_email"),
            Location.name.label("location"),
        )
        .select_from(oldest)
        .join(Referral, Referral.id == oldest.c.id)
        .join(Partner, Partner.id == Referral.partner_id)
        .outerjoin(Contact, Contact.id == Referral.contact_id)
        .outerjoin(Patient, Patient.id == Referral.patient_id)
        .outerjoin(Location, Location.id == Referral.location_id)
        .order_by(Referral.received_at, Referral.id)
    )


def _entry(row, stage: str, deadline: date, today: date) -> QueueEntry:  # type: ignore[no-untyped-def]
    return QueueEntry(
        referral_id=row.id,
        stage=stage,
        received_at=as_utc(row.received_at),
        contacted_at=as_utc(row.contacted_at) if row.contacted_at else None,
        deadline=deadline,
        overdue=today > deadline,
        channel=row.channel,
        service_line=row.service_line,
        partner_id=row.partner_id,
        partner=row.partner,
        contact=" ".join(p for p in (row.contact_first, row.contact_last) if p),
        contact_phone=row.contact_phone or "",
        patient=" ".join(p for p in (row.patient_first, row.patient_last) if p),
        patient_phone=row.patient_phone or "",
        patient_email=row.patient_email or "",
        location=row.location or "",
    )


# --- the desk's moves, each through crm.referrals.update_referral -----------------------


def log_contacted(session: Session, actor: Actor, referral_id: int, now: datetime) -> Referral:
    """The patient was reached now."""
    referral = _waiting_referral(session, referral_id, (ReferralStatus.RECEIVED.value,))
    return _moved(session, actor, referral, now, contacted_at=now)


def log_scheduled(
    session: Session, actor: Actor, referral_id: int, appointment_at: datetime, now: datetime
) -> Referral:
    """Booked now for a first visit at `appointment_at`: the booking is the scheduled
    stage, the appointment is the first visit's time (booked ahead, as the funnel, the
    timing and the partners' updates all read it); the referral is scheduled until that
    time comes. A patient booked on the first call was contacted by that call."""
    referral = _waiting_referral(session, referral_id, tuple(_WAITING_IN.values()))
    if appointment_at.tzinfo is None:
        raise InvalidInput("the appointment time needs a time zone")
    return _moved(
        session,
        actor,
        referral,
        now,
        contacted_at=referral.contacted_at or now,
        scheduled_at=now,
        first_visit_at=appointment_at,
    )


def log_lost(
    session: Session, actor: Actor, referral_id: int, reason: str, now: datetime
) -> Referral:
    """The patient will not come; the reason is required (the funnel counts by it)."""
    referral = _waiting_referral(session, referral_id, tuple(_WAITING_IN.values()))
    if not reason.strip():
        raise InvalidInput("say why the referral was lost")
    return _moved(session, actor, referral, now, lost=True, lost_reason=reason)


def _waiting_referral(session: Session, referral_id: int, statuses: tuple[str, ...]) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(f"no referral with id {referral_id}")
    if referral.status not in statuses:
        raise Conflict(
            f"referral {referral_id} is already {ReferralStatus(referral.status).label.lower()}"
            " (someone else may have logged it): reload the queue"
        )
    return referral


def _moved(
    session: Session, actor: Actor, referral: Referral, now: datetime, **changes: object
) -> Referral:
    current = {
        name: getattr(referral, name)
        for name in ReferralInput.model_fields
        if name != "lost" and hasattr(referral, name)
    }
    current["lost"] = referral.status == ReferralStatus.LOST.value
    for name in ("received_at", "contacted_at", "scheduled_at", "first_visit_at"):
        if current[name] is not None:
            current[name] = as_utc(current[name])
    assert referral.id is not None
    return update_referral(
        session, actor, referral.id, ReferralInput(**{**current, **changes}), now
    )


# --- a phone or fax referral typed in at the desk ---------------------------------------


def desk_partners(session: Session, text: str, limit: int = 20) -> list[tuple[int, str]]:
    """The partners not archived whose name holds `text`, by name, as the desk's form
    offers them: the id and the name with its city, to tell namesakes apart. Read in
    the name index's order and stopped at `limit`, so typing stays quick at any size."""
    typed = text.strip().lower()
    if not typed:
        return []
    pattern = "%" + typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(
        select(Partner.id, Partner.name, Partner.city)
        .where(Partner.archived_at.is_(None), func.lower(Partner.name).like(pattern, escape="\\"))
        .order_by(Partner.name, Partner.id)
        .limit(limit)
    )
    return [(i, f"{name} ({city})" if city else name) for i, name, city in rows]


class DeskReferralInput(BaseModel):
    """What the desk takes down from a call or a fax: who referred, who to call and
    how, where and for what (a coarse service line, never a diagnosis)."""

    partner_id: int
    contact_id: int | None = None
    first_name: text(80, required=True)
    last_name: text(80, required=True)
    phone: Phone = ""
    email: Email = None
    location_id: int | None = None
    service_line: vocab(ServiceLine) = ServiceLine.GENERAL.value
    channel: vocab(ReferralChannel) = ReferralChannel.PHONE.value

    @model_validator(mode="after")
    def _reachable(self) -> DeskReferralInput:
        if not self.phone and not self.email:
            raise ValueError("give the patient's phone or email, so the desk can reach them")
        if self.channel not in DESK_CHANNELS:
            raise ValueError("referrals entered here come by phone or fax")
        return self


def enter_referral(
    session: Session, actor: Actor, data: DeskReferralInput, now: datetime
) -> Referral:
    """The patient and the referral (received now), through the patients' and the
    referrals' own functions, in the caller's transaction."""
    require_editor(actor)
    if data.location_id is not None and session.get(Location, data.location_id) is None:
        raise InvalidInput(f"no location with id {data.location_id}")
    if session.get(Partner, data.partner_id) is None:
        raise InvalidInput("choose the referring partner")
    patient = create_patient(
        session,
        actor,
        PatientInput(
            first_name=data.first_name,
            last_name=data.last_name,
            phone=data.phone,
            email=data.email,
            location_id=data.location_id,
        ),
        now,
    )
    return create_referral(
        session,
        actor,
        data.partner_id,
        ReferralInput(
            received_at=now,
            contact_id=data.contact_id,
            patient_id=patient.id,
            channel=data.channel,
            service_line=data.service_line,
            location_id=data.location_id,
        ),
        now,
    )
