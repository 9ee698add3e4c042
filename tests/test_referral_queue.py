"""The front desk's referral queue: who is still to call and to book, by the deadline the
targets give, and the moves logged from it. Now is Wednesday 25 November 2026, 10:00 in
New York (15:00 UTC); the targets are one business day to contact, three to schedule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from crm.access import Actor, PermissionDenied
from crm.analytics.filters import Filters, Period
from crm.analytics.timing import Targets, target_breaches
from crm.errors import Conflict, InvalidInput
from crm.models import AuditLog, Patient, Referral
from crm.referral_queue import (
    CONTACT,
    SCHEDULE,
    DeskReferralInput,
    StageQueue,
    deadline_of,
    desk_partners,
    enter_referral,
    log_contacted,
    log_lost,
    log_scheduled,
    referral_queue,
)
from tests.conftest import NOW
from tests.factories import (
    make_contact,
    make_location,
    make_partner,
    make_patient,
    make_referral,
)

ZONE = ZoneInfo("America/New_York")


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A New York wall-clock time in 2026, as stored (UTC)."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def queue(session: Session, targets: Targets = Targets(), now: datetime = NOW, limit: int = 100):  # type: ignore[no-untyped-def]
    return {q.stage: q for q in referral_queue(session, targets, now, ZONE, limit=limit)}


def listed(stage: StageQueue) -> list[tuple[int, date, bool]]:
    return [(e.referral_id, e.deadline, e.overdue) for e in stage.entries]


def test_deadlines_count_business_days_from_the_local_day_of_receipt() -> None:
    assert deadline_of(ny(11, 20, 16), 1, ZONE) == date(2026, 11, 23)  # Friday + 1: Monday
    assert deadline_of(ny(11, 21, 11), 1, ZONE) == date(2026, 11, 23)  # Saturday + 1: Monday
    assert deadline_of(ny(11, 19, 9), 3, ZONE) == date(2026, 11, 24)  # Thursday + 3: Tuesday
    # 23:30 on Monday in New York is already Tuesday in UTC: the local day counts
    assert deadline_of(ny(11, 23, 23, 30), 1, ZONE) == date(2026, 11, 24)
    assert deadline_of(ny(11, 25, 8), 0, ZONE) == date(2026, 11, 25)


def test_the_queue_lists_each_stage_oldest_deadline_first_with_the_overdue_marked(
    session: Session,
) -> None:
    partner = make_partner(session, name="Elm Family Medicine")
    tuesday = make_referral(session, partner, ny(11, 24, 9))  # due today: not overdue
    late_monday = make_referral(session, partner, ny(11, 23, 23, 30))  # due Tuesday: overdue
    saturday = make_referral(session, partner, ny(11, 21, 11))  # due Monday: overdue
    tuesday_night = make_referral(session, partner, ny(11, 24, 21))  # due today
    booked_thursday = make_referral(
        session, partner, ny(11, 19, 9), status="contacted", contacted_at=ny(11, 19, 15)
    )  # scheduling due Tuesday: overdue
    booked_friday = make_referral(
        session, partner, ny(11, 20, 9), status="contacted", contacted_at=ny(11, 23, 10)
    )  # scheduling due today
    make_referral(session, partner, ny(11, 10, 9), status="scheduled", scheduled_at=ny(11, 11, 9))
    make_referral(session, partner, ny(11, 10, 9), status="lost", lost_reason="moved away")

    found = queue(session)

    assert listed(found[CONTACT]) == [
        (saturday.id, date(2026, 11, 23), True),
        (late_monday.id, date(2026, 11, 24), True),
        (tuesday.id, date(2026, 11, 25), False),
        (tuesday_night.id, date(2026, 11, 25), False),
    ]
    assert (found[CONTACT].waiting, found[CONTACT].overdue) == (4, 2)
    assert listed(found[SCHEDULE]) == [
        (booked_thursday.id, date(2026, 11, 24), True),
        (booked_friday.id, date(2026, 11, 25), False),
    ]
    assert (found[SCHEDULE].waiting, found[SCHEDULE].overdue) == (2, 1)
    assert found[CONTACT].target == "first contact within 1 business day"
    assert found[SCHEDULE].target == "scheduled within 3 business days"


def test_a_referral_turns_overdue_once_its_deadline_day_is_over(session: Session) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9))
    assert listed(queue(session, now=ny(11, 25, 23, 59))[CONTACT]) == [
        (referral.id, date(2026, 11, 25), False)
    ]
    late = queue(session, now=ny(11, 26, 0, 1))[CONTACT]
    assert listed(late) == [(referral.id, date(2026, 11, 25), True)]
    assert late.overdue == 1


def test_the_targets_come_from_the_settings(session: Session) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 20, 9))  # Friday
    found = queue(session, Targets(contact=3, schedule=5))[CONTACT]
    assert listed(found) == [(referral.id, date(2026, 11, 25), False)]
    assert found.target == "first contact within 3 business days"


def test_the_queue_shows_who_to_call_and_who_referred(session: Session) -> None:
    location = make_location(session, name="Back Bay")
    partner = make_partner(session, name="Elm Family Medicine")
    contact = make_contact(
        session, partner, first_name="Dana", last_name="Ortiz", phone="+16175550100"
    )
    patient = make_patient(session, first_name="Sam", last_name="Rivera", phone="+16175550199")
    make_referral(
        session,
        partner,
        ny(11, 24, 9),
        contact_id=contact.id,
        patient_id=patient.id,
        location_id=location.id,
        channel="web_form",
    )
    (entry,) = queue(session)[CONTACT].entries
    assert (entry.partner, entry.contact, entry.contact_phone) == (
        "Elm Family Medicine",
        "Dana Ortiz",
        "+16175550100",
    )
    assert (entry.patient, entry.patient_phone, entry.location, entry.channel) == (
        "Sam Rivera",
        "+16175550199",
        "Back Bay",
        "web_form",
    )


def test_the_limit_shows_the_oldest_and_still_counts_them_all(session: Session) -> None:
    partner = make_partner(session)
    ids = [make_referral(session, partner, ny(11, 2 + n, 9)).id for n in range(6)]
    found = queue(session, limit=2)[CONTACT]
    assert [e.referral_id for e in found.entries] == ids[:2]
    assert (found.waiting, found.overdue) == (6, 6)


def test_the_queue_and_the_breach_list_agree_on_what_is_overdue(session: Session) -> None:
    partner = make_partner(session)
    for n in range(14):
        received = ny(11, 10, 8) + timedelta(hours=19 * n)
        if n % 2:
            make_referral(
                session,
                partner,
                received,
                status="contacted",
                contacted_at=received + timedelta(hours=2),
            )
        else:
            make_referral(session, partner, received)
    found = queue(session)
    breaches = target_breaches(
        session, Filters(period=Period(date(2026, 11, 1), date(2026, 12, 1))), Targets(), NOW
    )
    open_breaches = breaches[breaches["happened_at"].isna()]

    def late(target: str) -> set[int]:
        return set(open_breaches[open_breaches["target"] == target]["referral_id"])

    overdue = {s: {e.referral_id for e in q.entries if e.overdue} for s, q in found.items()}
    assert overdue[CONTACT] == late("first contact within 1 business day")
    waiting_to_schedule = {e.referral_id for e in found[SCHEDULE].entries}
    assert overdue[SCHEDULE] == late("scheduled within 3 business days") & waiting_to_schedule
    assert overdue[CONTACT] and overdue[SCHEDULE]


# The desk's moves


def test_contacted_moves_the_referral_to_the_scheduling_stage(
    session: Session, marketer: Actor
) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9))
    log_contacted(session, marketer, referral.id, NOW)
    session.commit()
    session.refresh(referral)
    assert (referral.status, referral.contacted_at) == ("contacted", NOW)
    found = queue(session)
    assert found[CONTACT].entries == []
    assert [e.referral_id for e in found[SCHEDULE].entries] == [referral.id]
    audit = session.exec(select(AuditLog).where(AuditLog.entity == "referral")).all()
    assert [a.action for a in audit] == ["update"]


def test_scheduled_books_the_first_visit_and_leaves_the_queue(
    session: Session, marketer: Actor
) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9))
    appointment = ny(12, 1, 14, 30)
    log_scheduled(session, marketer, referral.id, appointment, NOW)
    session.commit()
    session.refresh(referral)
    assert (referral.contacted_at, referral.scheduled_at, referral.first_visit_at) == (
        NOW,
        NOW,
        appointment,
    )
    found = queue(session)
    assert found[CONTACT].entries == [] and found[SCHEDULE].entries == []


def test_scheduling_keeps_an_earlier_contact_time(session: Session, marketer: Actor) -> None:
    partner = make_partner(session)
    contacted = ny(11, 24, 11)
    referral = make_referral(
        session, partner, ny(11, 24, 9), status="contacted", contacted_at=contacted
    )
    log_scheduled(session, marketer, referral.id, ny(12, 1, 14), NOW)
    session.commit()
    session.refresh(referral)
    assert (referral.status != "contacted", referral.contacted_at) == (True, contacted)


def test_lost_needs_a_reason_and_leaves_the_queue(session: Session, marketer: Actor) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9), status="contacted", contacted_at=NOW)
    with pytest.raises(InvalidInput, match="why"):
        log_lost(session, marketer, referral.id, "  ", NOW)
    log_lost(session, marketer, referral.id, "chose another practice", NOW)
    session.commit()
    session.refresh(referral)
    assert (referral.status, referral.lost_reason) == ("lost", "chose another practice")
    assert queue(session)[SCHEDULE].entries == []


def test_a_move_on_a_referral_someone_else_moved_is_refused(
    session: Session, marketer: Actor
) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9), status="contacted", contacted_at=NOW)
    with pytest.raises(Conflict, match="already contacted"):
        log_contacted(session, marketer, referral.id, NOW)


def test_an_appointment_before_receipt_is_refused(session: Session, marketer: Actor) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9))
    with pytest.raises(ValidationError, match="first visit before the referral was received"):
        log_scheduled(session, marketer, referral.id, ny(11, 20, 9), NOW)


def test_a_viewer_cannot_move_a_referral(session: Session, viewer: Actor) -> None:
    partner = make_partner(session)
    referral = make_referral(session, partner, ny(11, 24, 9))
    with pytest.raises(PermissionDenied):
        log_contacted(session, viewer, referral.id, NOW)
    with pytest.raises(PermissionDenied):
        log_lost(session, viewer, referral.id, "no answer", NOW)


# A phone or fax referral typed in at the desk


def test_the_desk_finds_partners_by_part_of_their_name(session: Session) -> None:
    harbor = make_partner(session, name="Harbor Physical Therapy", city="Quincy")
    make_partner(session, name="Harborside 100% Sports", city="")
    make_partner(session, name="Old Harbor Clinic", archived_at=NOW)
    make_partner(session, name="Elm Family Medicine")
    assert [name for _, name in desk_partners(session, " harbor ")] == [
        "Harbor Physical Therapy (Quincy)",
        "Harborside 100% Sports",
    ]
    assert desk_partners(session, "harbor", limit=1) == [
        (harbor.id, "Harbor Physical Therapy (Quincy)")
    ]
    assert [name for _, name in desk_partners(session, "0%")] == ["Harborside 100% Sports"]
    assert desk_partners(session, "_") == []
    assert desk_partners(session, "") == []


def test_a_phone_referral_creates_the_patient_and_the_referral_received_now(
    session: Session, marketer: Actor
) -> None:
    location = make_location(session)
    partner = make_partner(session)
    contact = make_contact(session, partner)
    referral = enter_referral(
        session,
        marketer,
        DeskReferralInput(
            partner_id=partner.id,
            contact_id=contact.id,
            first_name=" Sam ",
            last_name="Rivera",
            phone="(617) 555-0199",
            location_id=location.id,
            service_line="knee",
            channel="fax",
        ),
        NOW,
    )
    session.commit()
    patient = session.get(Patient, referral.patient_id)
    assert (patient.first_name, patient.last_name, patient.phone) == (
        "Sam",
        "Rivera",
        "+16175550199",
    )
    assert (referral.status, referral.channel, referral.received_at, referral.contact_id) == (
        "received",
        "fax",
        NOW,
        contact.id,
    )
    assert [e.referral_id for e in queue(session)[CONTACT].entries] == [referral.id]


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"first_name": ""}, "first_name"),
        ({"phone": "", "email": ""}, "phone or email"),
        ({"phone": "555"}, "invalid phone number"),
        ({"phone": "", "email": "not-an-email"}, "invalid email"),
        ({"channel": "web form"}, "by phone or fax"),
        ({"service_line": "rotator cuff tear"}, "unknown value"),
        ({"last_name": "x" * 81}, "last_name"),
    ],
)
def test_bad_desk_input_is_refused_with_its_reason(fields: dict, reason: str) -> None:
    values = {"partner_id": 1, "first_name": "Sam", "last_name": "Rivera", "phone": "6175550199"}
    with pytest.raises(ValidationError, match=reason):
        DeskReferralInput(**{**values, **fields})


def test_an_unknown_location_or_partner_writes_nothing(session: Session, marketer: Actor) -> None:
    partner = make_partner(session)
    data = {"first_name": "Sam", "last_name": "Rivera", "phone": "6175550199"}
    with pytest.raises(InvalidInput, match="no location"):
        enter_referral(
            session,
            marketer,
            DeskReferralInput(partner_id=partner.id, location_id=999, **data),
            NOW,
        )
    with pytest.raises(InvalidInput, match="referring partner"):
        enter_referral(session, marketer, DeskReferralInput(partner_id=999, **data), NOW)
    session.rollback()
    assert session.exec(select(Referral)).all() == []
    assert session.exec(select(Patient)).all() == []


def test_a_viewer_cannot_enter_a_referral(session: Session, viewer: Actor) -> None:
    partner = make_partner(session)
    data = DeskReferralInput(
        partner_id=partner.id, first_name="Sam", last_name="Rivera", phone="6175550199"
    )
    with pytest.raises(PermissionDenied):
        enter_referral(session, viewer, data, NOW)
