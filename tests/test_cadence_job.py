"""The planner job against the database: emails into the outbox with their keys, tasks
for the owner, nothing twice, nothing for exited, paused or do-not-contact partners."""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from campaigns.cadences.enrolment import (
    CadenceDraft,
    enrol,
    exit_enrolments,
    live_steps,
    pause,
    resume,
    update_cadence,
)
from campaigns.cadences.job import enrol_by_rules, run_planner_pass
from crm.models import Enrolment, Message, StepRun, Task
from crm.segments import SegmentInput, add_members, create_segment
from tests.cadence_helpers import SETTINGS, checkin, task, welcome
from tests.factories import make_contact, make_partner, make_touch

FRIDAY = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # 11:00 in Boston


def boston(day: int, month: int = 11, hour: int = 9) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime(2026, month, day, hour, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


def enrolled_partner(session, marketer, now, cadence=None, **partner_fields):
    cadence = cadence or welcome(session, marketer, now)
    partner = make_partner(session, owner_id=marketer.id, **partner_fields)
    doctor = make_contact(
        session, partner, role="physician", email="Doc@Partner.example.org", first_name="Jordan"
    )
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    session.commit()
    return cadence, partner, doctor


def run(session, now):
    report = run_planner_pass(session, SETTINGS, now)
    session.commit()
    return report


def count(session, model):
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def keys(session):
    return sorted(session.execute(select(Message.idempotency_key)).scalars())


def enrolment_of(session, partner):
    return session.execute(
        select(Enrolment)
        .where(Enrolment.partner_id == partner.id)
        .execution_options(populate_existing=True)
    ).scalar_one()


def test_an_email_step_puts_one_message_per_recipient_in_the_outbox_with_its_key(session, marketer):
    cadence, partner, doctor = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    step = live_steps(session, cadence.id)[0]
    enrolment = enrolment_of(session, partner)
    message = session.execute(select(Message)).scalar_one()
    assert message.idempotency_key == f"cadence:{enrolment.id}:{step.id}::doc@partner.example.org"
    assert (message.partner_id, message.contact_id, message.kind) == (
        partner.id,
        doctor.id,
        "cadence",
    )


def test_the_email_is_written_for_its_recipient(session, marketer):
    enrolled_partner(session, marketer, FRIDAY, name="Riverside Family Medicine")
    run(session, FRIDAY)
    message = session.execute(select(Message)).scalar_one()
    assert (
        message.status == "queued"
        and "Jordan" in message.text
        and "Riverside Family Medicine" in message.text
    )


def test_contacts_of_other_roles_archived_or_without_email_get_nothing(session, marketer):
    cadence, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    make_contact(session, partner, role="front_desk")
    make_contact(session, partner, role="physician", archived_at=FRIDAY)
    make_contact(session, partner, role="physician", email=None)
    run(session, FRIDAY)
    assert count(session, Message) == 1


def test_a_cadence_enrolled_on_a_friday_runs_its_steps_on_the_right_business_days(
    session, marketer
):
    enrolled_partner(session, marketer, FRIDAY)
    days = {}
    for moment in (
        FRIDAY,
        boston(28, hour=12),
        boston(29, hour=12),
        boston(30),
        boston(1, 12),
        boston(2, 12),
    ):
        before = count(session, Message) + count(session, Task)
        run(session, moment)
        days[moment.astimezone(UTC).date()] = (
            count(session, Message) + count(session, Task) - before
        )
    assert list(days.values()) == [1, 0, 0, 1, 0, 1]
    assert sorted(session.execute(select(Task.kind, Task.due_on)).all()) == [
        ("call", date(2026, 11, 30)),
        ("visit", date(2026, 12, 2)),
    ]


def test_a_task_is_assigned_to_the_partners_owner(session, marketer):
    enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    run(session, boston(30))
    assert session.execute(select(Task.assigned_to, Task.status)).one() == (marketer.id, "open")


def test_running_the_planner_twice_for_the_same_time_creates_nothing_new(session, marketer):
    enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    run(session, boston(30))
    before = (count(session, Message), count(session, Task), count(session, StepRun))
    session.execute(
        Enrolment.__table__.update().values(next_due_at=boston(30))
    )  # as if the pass had not saved
    session.commit()
    run(session, boston(30))
    assert (count(session, Message), count(session, Task), count(session, StepRun)) == before


def test_an_exited_enrolment_sends_nothing_more(session, marketer):
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    exit_enrolments(session, marketer, partner_ids=[partner.id], reason="replied", now=FRIDAY)
    session.commit()
    run(session, boston(10, 12))
    assert (count(session, Message), count(session, Task)) == (1, 0)


def test_a_paused_enrolment_gets_nothing(session, marketer):
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    pause(session, marketer, [enrolment_of(session, partner).id], now=FRIDAY)
    session.commit()
    run(session, boston(10, 12))
    assert (count(session, Message), count(session, Task)) == (0, 0)


def test_a_partner_marked_do_not_contact_gets_nothing_and_leaves_the_cadence(session, marketer):
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    partner.status = "do_not_contact"
    session.add(partner)
    session.commit()
    run(session, FRIDAY)
    assert count(session, Message) == 0
    assert (enrolment_of(session, partner).status, enrolment_of(session, partner).exit_reason) == (
        "exited",
        "do_not_contact",
    )


def test_a_partner_who_replied_leaves_a_sequence_before_its_next_step(session, marketer):
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    make_touch(
        session,
        partner,
        occurred_at=boston(28, hour=10),
        kind="email",
        user_id=marketer.id,
        outcome="Replied: happy to meet",
    )
    run(session, boston(30))
    assert count(session, Task) == 0
    assert (enrolment_of(session, partner).status, enrolment_of(session, partner).exit_reason) == (
        "exited",
        "replied",
    )


def test_a_reply_does_not_stop_a_recurring_touch_plan(session, marketer):
    cadence = welcome(session, marketer, FRIDAY, steps=[checkin(0)], recurrence="monthly")
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY, cadence=cadence)
    run(session, FRIDAY)
    make_touch(session, partner, occurred_at=boston(28, hour=10), kind="email", user_id=marketer.id)
    run(session, boston(1, 12, hour=10))
    assert count(session, Message) == 2


def test_pausing_and_resuming_shifts_what_remains(session, marketer):
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    pause(session, marketer, [enrolment_of(session, partner).id], now=boston(30, hour=8))
    resume(
        session,
        marketer,
        [enrolment_of(session, partner).id],
        now=boston(2, 12, hour=8),
        timezone="America/New_York",
    )
    session.commit()
    for moment in (boston(2, 12), boston(3, 12), boston(7, 12)):
        run(session, moment)
    # Paused before work on Monday, resumed before work on Wednesday: two business days,
    # so the call moves from Monday to Wednesday and the visit from Wednesday to Friday.
    assert sorted(session.execute(select(Task.kind, Task.due_on)).all()) == [
        ("call", date(2026, 12, 2)),
        ("visit", date(2026, 12, 4)),
    ]


def test_an_edited_cadence_never_repeats_a_step(session, marketer):
    cadence, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    email, call, visit = live_steps(session, cadence.id)
    edited = [
        checkin(2, roles="physician,office_manager", id=email.id),
        task("call", 1, id=call.id),
        task("visit", 2, id=visit.id),
    ]
    update_cadence(
        session, marketer, cadence.id, CadenceDraft(name="Welcome", steps=edited), boston(30)
    )
    session.commit()
    run(session, boston(30))
    run(session, boston(4, 12))
    assert (count(session, Message), count(session, Task)) == (1, 2)


def test_a_step_added_by_an_edit_runs_for_enrolments_already_under_way(session, marketer):
    cadence, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    email, call, visit = live_steps(session, cadence.id)
    edited = [
        checkin(0, id=email.id),
        task("call", 1, id=call.id),
        task("drop_off", 0),
        task("visit", 2, id=visit.id),
    ]
    update_cadence(
        session, marketer, cadence.id, CadenceDraft(name="Welcome", steps=edited), FRIDAY
    )
    session.commit()
    run(session, boston(30))
    assert sorted(session.execute(select(Task.kind)).scalars()) == ["call", "drop_off"]


def test_a_removed_step_is_skipped(session, marketer):
    cadence, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    email, call, visit = live_steps(session, cadence.id)
    update_cadence(
        session,
        marketer,
        cadence.id,
        CadenceDraft(
            name="Welcome", steps=[checkin(0, id=email.id), task("visit", 3, id=visit.id)]
        ),
        FRIDAY,
    )
    session.commit()
    for moment in (FRIDAY, boston(30), boston(2, 12)):
        run(session, moment)
    assert list(session.execute(select(Task.kind)).scalars()) == ["visit"]


def test_an_enrolment_whose_steps_all_ran_is_completed(session, marketer):
    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    for moment in (FRIDAY, boston(30), boston(2, 12)):
        run(session, moment)
    assert enrolment_of(session, partner).status == "completed"


def test_an_idle_pass_reads_nothing_that_is_not_due(session, marketer):
    enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    assert run(session, boston(28, hour=12)).enrolments == 0


def test_an_email_step_with_no_matching_contact_is_recorded_as_such(session, marketer):
    cadence = welcome(session, marketer, FRIDAY, steps=[checkin(0, roles="coach")])
    enrolled_partner(session, marketer, FRIDAY, cadence=cadence)
    run(session, FRIDAY)
    assert session.execute(select(StepRun.outcome)).scalar_one() == "no_recipient"


def test_a_monthly_plan_emails_again_next_month_under_a_new_key(session, marketer):
    cadence = welcome(session, marketer, FRIDAY, steps=[checkin(0)], recurrence="monthly")
    enrolled_partner(session, marketer, FRIDAY, cadence=cadence)
    run(session, FRIDAY)
    run(session, boston(1, 12, hour=10))
    assert [k.split(":")[3] for k in keys(session)] == ["2026-11", "2026-12"]


def test_new_members_of_a_rule_segment_are_enrolled_on_their_own(session, marketer):
    segment = create_segment(
        session, marketer, SegmentInput(name="Hand-picked", kind="static"), FRIDAY
    )
    cadence = welcome(session, marketer, FRIDAY, rule_segment_id=segment.id)
    first, second = make_partner(session), make_partner(session)
    add_members(session, marketer, segment.id, [first.id], FRIDAY)
    enrol_by_rules(session, FRIDAY)
    add_members(session, marketer, segment.id, [second.id], FRIDAY)
    enrol_by_rules(session, FRIDAY)
    session.commit()
    assert sorted(
        session.execute(
            select(Enrolment.partner_id).where(Enrolment.cadence_id == cadence.id)
        ).scalars()
    ) == [first.id, second.id]


def test_a_rule_does_not_enrol_again_a_partner_who_finished_the_cadence(session, marketer):
    segment = create_segment(
        session, marketer, SegmentInput(name="Hand-picked", kind="static"), FRIDAY
    )
    welcome(session, marketer, FRIDAY, rule_segment_id=segment.id)
    partner = make_partner(session)
    add_members(session, marketer, segment.id, [partner.id], FRIDAY)
    enrol_by_rules(session, FRIDAY)
    exit_enrolments(session, marketer, partner_ids=[partner.id], reason="manual", now=FRIDAY)
    assert enrol_by_rules(session, FRIDAY) == 0


def test_the_email_says_what_the_marketers_override_says(session, marketer):
    from campaigns.mail.templating import save_override

    save_override(
        session,
        marketer,
        "partner_checkin",
        "Hello from {{ sender_name }}",
        "<p>Dear {{ contact_first_name }}, our new hours.</p>",
        "Dear {{ contact_first_name }}, our new hours.",
        FRIDAY,
    )
    enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    assert "Dear Jordan, our new hours." in session.execute(select(Message.text)).scalar_one()


def test_the_projection_lists_the_coming_steps_of_active_enrolments(session, marketer):
    from campaigns.cadences.state import project_schedule

    _, partner, _ = enrolled_partner(session, marketer, FRIDAY)
    run(session, FRIDAY)
    items = project_schedule(
        session, date(2026, 11, 28), date(2026, 12, 31), FRIDAY, timezone="America/New_York"
    )
    assert [(i.due_on, i.action, i.partner_id, i.owner_id) for i in items] == [
        (date(2026, 11, 30), "call", partner.id, marketer.id),
        (date(2026, 12, 2), "visit", partner.id, marketer.id),
    ]
