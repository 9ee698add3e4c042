"""Email engagement by program, cadence step, event and month, against figures worked
out by hand from a small month of email (October 2026, practice time in Boston).

October, in practice time (p1 a primary care office, p2 a school):
  Welcome step 1      p1  delivered, opened, clicked
  Welcome step 1      p1  delivered, Apple privacy open only
  Welcome step 1      p2  bounced
  Monthly step 1      p2  delivered, Apple privacy open and a person's open
  event invitation    p1  delivered, opened            (sent under the event's old title)
  event reminder      p2  delivered                    (Oct 31, 23:30: still October)
  seasonal            p2  delivered
  review request      -   delivered, opened, clicked   (a patient: no partner)
  review reminder     -   nothing received
  referral update     p1  clicked, its delivered event lost
  test send           -   delivered, opened            (never counted)
Outside October: Welcome step 1 on Sep 30 at 23:30 (delivered, opened), one on Nov 2,
and a queued email never sent."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from crm.analytics.engagement import COLUMNS, email_rates, has_outcomes
from crm.analytics.filters import Filters, Period
from crm.models import CadenceStep
from tests.cadence_helpers import welcome
from tests.engagement_helpers import make_message
from tests.event_helpers import make_event
from tests.factories import make_partner

BOSTON = ZoneInfo("America/New_York")
OCTOBER = Filters(Period.month(2026, 10), zone=BOSTON)


def local(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BOSTON).astimezone(UTC)


def first_step(session, cadence_id: int) -> int:
    return session.exec(
        select(CadenceStep.id).where(
            CadenceStep.cadence_id == cadence_id, CadenceStep.position == 1
        )
    ).one()


@pytest.fixture
def october(session, admin, now) -> None:
    p1 = make_partner(session, partner_type="primary_care").id
    p2 = make_partner(session, partner_type="school").id
    step = {
        name: first_step(session, welcome(session, admin, now, name=name).id)
        for name in ("Welcome", "Monthly check-in")
    }
    event = make_event(
        session, admin, starts_at=local(10, 28, 18), title="Ankle sprains for coaches"
    )
    make_message(
        session,
        "cadence",
        f"cadence step {step['Welcome']}",
        local(10, 5),
        p1,
        delivered=True,
        opened=True,
        clicked=True,
    )
    make_message(
        session,
        "cadence",
        f"cadence step {step['Welcome']}",
        local(10, 6),
        p1,
        delivered=True,
        machine=True,
    )
    make_message(
        session, "cadence", f"cadence step {step['Welcome']}", local(10, 7), p2, bounced=True
    )
    make_message(
        session,
        "cadence",
        f"cadence step {step['Monthly check-in']}",
        local(10, 20),
        p2,
        delivered=True,
        machine=True,
        opened=True,
    )
    make_message(
        session,
        "event",
        f"event {event.id}: Ankle sprains",
        local(10, 10),
        p1,
        delivered=True,
        opened=True,
    )
    make_message(
        session,
        "event",
        f"event {event.id}: Ankle sprains for coaches",
        local(10, 31, 23, 30),
        p2,
        delivered=True,
    )
    make_message(
        session, "seasonal", "seasonal 2026 fall pre-season", local(10, 15), p2, delivered=True
    )
    make_message(
        session,
        "review",
        "review request 5",
        local(10, 12),
        delivered=True,
        opened=True,
        clicked=True,
    )
    make_message(session, "review", "review reminder 5", local(10, 19))
    make_message(session, "acknowledgment", "referral 3 scheduled", local(10, 25), p1, clicked=True)
    make_message(session, "test", "test send by Maria", local(10, 8), delivered=True, opened=True)
    make_message(
        session,
        "cadence",
        f"cadence step {step['Welcome']}",
        local(9, 30, 23, 30),
        p1,
        delivered=True,
        opened=True,
    )
    make_message(
        session, "cadence", f"cadence step {step['Welcome']}", local(11, 2), p1, delivered=True
    )
    make_message(session, "cadence", f"cadence step {step['Welcome']}", None, p1)


def rows(table) -> list[tuple]:
    return [tuple(row) for row in table[COLUMNS].itertuples(index=False)]


def test_rates_by_program_over_the_month(session, october):
    assert rows(email_rates(session, OCTOBER, "program")) == [
        ("Cadences", 4, 3, 0.75, 2, pytest.approx(2 / 3), 1, 1, pytest.approx(1 / 3), 1),
        ("Events", 2, 2, 1.0, 1, 0.5, 0, 0, 0.0, 0),
        ("Seasonal education", 1, 1, 1.0, 0, 0.0, 0, 0, 0.0, 0),
        ("Patient reviews", 2, 1, 0.5, 1, 1.0, 0, 1, 1.0, 0),
        ("Referral updates", 1, 1, 1.0, 0, 0.0, 0, 1, 1.0, 0),
    ]


def test_a_test_send_is_never_counted(session, october):
    table = email_rates(session, OCTOBER, "program")
    assert table["sent"].sum() == 10 and "Other" not in set(table["group"])


def test_the_staffs_own_mail_is_not_outreach(session, october):
    make_message(
        session, "report", "leadership report 2026-10", local(10, 2), delivered=True, opened=True
    )
    make_message(
        session, "alert", "dormancy digest 2026-W41", local(10, 5), delivered=True, opened=True
    )
    table = email_rates(session, OCTOBER, "program")
    assert table["sent"].sum() == 10 and "Other" not in set(table["group"])


def test_a_person_opening_after_an_apple_privacy_open_counts_as_a_person_not_a_machine(
    session, october
):
    table = email_rates(session, OCTOBER, "cadence_step").set_index("group")
    assert (
        table.loc["Monthly check-in · step 1 (email)", "opened"],
        table.loc["Monthly check-in · step 1 (email)", "machine_opens"],
    ) == (1, 0)


def test_rates_by_cadence_step_name_the_cadence_and_the_step(session, october):
    assert rows(email_rates(session, OCTOBER, "cadence_step")) == [
        ("Monthly check-in · step 1 (email)", 1, 1, 1.0, 1, 1.0, 0, 0, 0.0, 0),
        ("Welcome · step 1 (email)", 3, 2, pytest.approx(2 / 3), 1, 0.5, 1, 1, 0.5, 1),
    ]


def test_an_events_invitations_and_reminders_are_one_row_under_its_current_title(session, october):
    assert rows(email_rates(session, OCTOBER, "event")) == [
        ("Ankle sprains for coaches (Oct 28, 2026)", 2, 2, 1.0, 1, 0.5, 0, 0, 0.0, 0)
    ]


def test_by_month_every_month_of_the_period_has_a_row_and_an_empty_one_has_no_rates(
    session, october
):
    quarter = OCTOBER.for_period(Period(datetime(2026, 8, 1).date(), datetime(2026, 11, 1).date()))
    assert rows(email_rates(session, quarter, "month")) == [
        ("2026-08", 0, 0, None, 0, None, 0, 0, None, 0),
        ("2026-09", 1, 1, 1.0, 1, 1.0, 0, 0, 0.0, 0),
        ("2026-10", 10, 8, 0.8, 4, 0.5, 1, 3, 0.375, 1),
    ]


def test_a_partner_filter_leaves_out_other_partners_and_email_to_patients(session, october):
    schools = Filters(OCTOBER.period, partner_types=("school",), zone=BOSTON)
    table = email_rates(session, schools, "program")
    assert list(zip(table["group"], table["sent"], table["delivered"], table["bounced"])) == [
        ("Cadences", 2, 1, 1),
        ("Events", 1, 1, 0),
        ("Seasonal education", 1, 1, 0),
    ]


def test_location_and_service_line_do_not_narrow_email(session, october):
    narrowed = Filters(
        OCTOBER.period, location_ids=(999,), service_lines=("concussion",), zone=BOSTON
    )
    assert rows(email_rates(session, narrowed, "program")) == rows(
        email_rates(session, OCTOBER, "program")
    )


def test_a_month_without_email_has_no_rows_by_program(session, october):
    august = OCTOBER.for_period(Period.month(2026, 8))
    table = email_rates(session, august, "program")
    assert list(table.columns) == COLUMNS and table.empty


def test_email_without_any_webhook_event_has_no_outcomes(session):
    make_message(session, "seasonal", "seasonal 2026 fall pre-season", local(10, 15))
    table = email_rates(session, OCTOBER, "program")
    assert table["sent"].tolist() == [1] and not has_outcomes(table)


def test_email_with_webhook_events_has_outcomes(session, october):
    assert has_outcomes(email_rates(session, OCTOBER, "program"))


def test_an_unknown_grouping_is_refused(session):
    with pytest.raises(ValueError):
        email_rates(session, OCTOBER, "template")
