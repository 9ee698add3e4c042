"""The planner is pure: plain values in, what is due out, with the clock passed in."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from campaigns.cadences.planner import (
    CadencePlan,
    EnrolmentState,
    StepPlan,
    occurrence_key,
    plan,
    project,
)

BOSTON = ZoneInfo("America/New_York")
FRIDAY_3PM = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)  # 15:00 in Boston
EMAIL, CALL, VISIT = (
    StepPlan(1, 1, "email", 0),
    StepPlan(2, 2, "call", 1),
    StepPlan(3, 3, "visit", 2),
)
SEQUENCE = CadencePlan(10, "", (EMAIL, CALL, VISIT), "Welcome")


def boston(day: int, month: int = 11, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=BOSTON).astimezone(UTC)


def enrolled(anchor: datetime = FRIDAY_3PM, enrolment_id: int = 7) -> EnrolmentState:
    return EnrolmentState(
        id=enrolment_id, cadence_id=10, partner_id=70, anchor_at=anchor, owner_id=5
    )


def due_steps(result):
    return [(d.step.id, d.occurrence, d.due_at) for d in result.due]


def test_a_first_step_at_offset_zero_is_due_as_soon_as_the_partner_is_enrolled():
    result = plan([enrolled()], {10: SEQUENCE}, {}, FRIDAY_3PM, BOSTON)
    assert due_steps(result) == [(1, "", FRIDAY_3PM)]


def test_the_next_look_after_the_first_step_is_the_next_business_day_at_nine():
    result = plan([enrolled()], {10: SEQUENCE}, {}, FRIDAY_3PM, BOSTON)
    assert result.progress[0].next_due_at == boston(30)


def test_a_cadence_enrolled_on_a_friday_runs_its_later_steps_on_monday_and_wednesday():
    ran = {7: {(1, "")}}
    monday = plan([enrolled()], {10: SEQUENCE}, ran, boston(30), BOSTON)
    assert due_steps(monday) == [(2, "", boston(30))]
    assert monday.progress[0].next_due_at == boston(2, 12)


def test_nothing_is_due_over_the_weekend():
    result = plan([enrolled()], {10: SEQUENCE}, {7: {(1, "")}}, boston(29, hour=12), BOSTON)
    assert result.due == []


def test_a_step_that_already_ran_is_never_due_again_even_after_its_offset_changes():
    edited = CadencePlan(10, "", (StepPlan(1, 1, "email", 3), CALL, VISIT))
    result = plan([enrolled()], {10: edited}, {7: {(1, "")}}, boston(10, 12), BOSTON)
    assert [d.step.id for d in result.due] == [2, 3]


def test_a_removed_step_is_skipped_and_the_next_counts_from_the_one_before():
    without_call = CadencePlan(10, "", (EMAIL, VISIT))
    result = plan([enrolled()], {10: without_call}, {7: {(1, "")}}, boston(30), BOSTON)
    assert result.due == [] and result.progress[0].next_due_at == boston(1, 12)


def test_a_step_counted_from_enrolment_ignores_the_steps_before_it():
    cadence = CadencePlan(
        10, "", (EMAIL, StepPlan(4, 2, "call", 10), StepPlan(5, 3, "visit", 1, "enrolment"))
    )
    result = plan([enrolled()], {10: cadence}, {7: {(1, "")}}, boston(30), BOSTON)
    assert [d.step.id for d in result.due] == [5]


def test_an_enrolment_whose_steps_all_ran_is_completed():
    result = plan(
        [enrolled()], {10: SEQUENCE}, {7: {(1, ""), (2, ""), (3, "")}}, boston(30), BOSTON
    )
    assert result.progress[0].completed and result.progress[0].next_due_at is None


def test_a_moved_anchor_shifts_what_remains():
    later = enrolled(anchor=datetime(2026, 12, 2, 20, 0, tzinfo=UTC))  # three business days on
    result = plan([later], {10: SEQUENCE}, {7: {(1, "")}}, boston(2, 12, hour=16), BOSTON)
    assert result.due == [] and result.progress[0].next_due_at == boston(3, 12)


MONTHLY = CadencePlan(
    20, "monthly", (StepPlan(8, 1, "email", 0), StepPlan(9, 2, "call", 3)), "Tier A"
)


def monthly_enrolment() -> EnrolmentState:
    return EnrolmentState(id=8, cadence_id=20, partner_id=80, anchor_at=FRIDAY_3PM)


def test_a_monthly_plan_enrolled_mid_month_is_due_now_for_this_month():
    result = plan([monthly_enrolment()], {20: MONTHLY}, {}, FRIDAY_3PM, BOSTON)
    assert due_steps(result) == [(8, "2026-11", FRIDAY_3PM), (9, "2026-11", FRIDAY_3PM)]


def test_a_monthly_plan_done_for_this_month_is_next_due_on_the_first_business_day_of_the_next():
    ran = {8: {(8, "2026-11"), (9, "2026-11")}}
    result = plan([monthly_enrolment()], {20: MONTHLY}, ran, FRIDAY_3PM, BOSTON)
    assert result.due == [] and result.progress[0].next_due_at == boston(1, 12)
    assert not result.progress[0].completed


def test_a_monthly_plan_runs_its_steps_again_in_the_next_month_under_a_new_occurrence():
    ran = {8: {(8, "2026-11"), (9, "2026-11")}}
    result = plan([monthly_enrolment()], {20: MONTHLY}, ran, boston(4, 12, hour=10), BOSTON)
    assert [(d.step.id, d.occurrence) for d in result.due] == [(8, "2026-12"), (9, "2026-12")]


def test_occurrences_are_named_by_month_or_quarter():
    assert (
        occurrence_key(date(2026, 11, 1), "monthly"),
        occurrence_key(date(2026, 10, 1), "quarterly"),
    ) == ("2026-11", "2026Q4")


def test_a_quarterly_plan_skips_to_the_next_quarter():
    quarterly = CadencePlan(20, "quarterly", (StepPlan(8, 1, "visit", 0),))
    result = plan([monthly_enrolment()], {20: quarterly}, {8: {(8, "2026Q4")}}, FRIDAY_3PM, BOSTON)
    assert result.progress[0].next_due_at == boston(1, 1).replace(year=2027)


def test_the_projection_lists_the_steps_falling_in_the_range():
    items = project(
        [enrolled()],
        {10: SEQUENCE},
        {7: {(1, "")}},
        date(2026, 11, 30),
        date(2026, 12, 31),
        date(2026, 11, 27),
        BOSTON,
    )
    assert [(i.due_on, i.action, i.owner_id) for i in items] == [
        (date(2026, 11, 30), "call", 5),
        (date(2026, 12, 2), "visit", 5),
    ]


def test_the_projection_of_a_recurring_plan_repeats_each_month():
    items = project(
        [monthly_enrolment()],
        {20: MONTHLY},
        {8: {(8, "2026-11"), (9, "2026-11")}},
        date(2026, 12, 1),
        date(2027, 1, 31),
        date(2026, 11, 27),
        BOSTON,
    )
    assert [i.due_on for i in items] == [
        date(2026, 12, 1),
        date(2026, 12, 4),
        date(2027, 1, 1),
        date(2027, 1, 6),
    ]
