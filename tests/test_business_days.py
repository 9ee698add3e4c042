"""Business days in the practice's zone: weekends skipped, steps due at 09:00 local."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from crm.business_days import (
    add_business_days,
    business_days_between,
    due_moment,
    local_date,
    shift_by_business_days,
)

BOSTON = ZoneInfo("America/New_York")
FRIDAY = date(2026, 11, 27)


def test_one_business_day_after_friday_is_monday():
    assert add_business_days(FRIDAY, 1) == date(2026, 11, 30)


def test_five_business_days_after_friday_is_the_next_friday():
    assert add_business_days(FRIDAY, 5) == date(2026, 12, 4)


def test_counting_from_a_saturday_counts_from_the_friday_before():
    assert add_business_days(date(2026, 11, 28), 5) == date(2026, 12, 4)


def test_zero_business_days_from_a_sunday_is_monday():
    assert add_business_days(date(2026, 11, 29), 0) == date(2026, 11, 30)


def test_zero_business_days_from_a_weekday_is_that_day():
    assert add_business_days(FRIDAY, 0) == FRIDAY


def test_a_negative_offset_is_refused():
    with pytest.raises(ValueError):
        add_business_days(FRIDAY, -1)


def test_a_pause_from_monday_to_thursday_covers_three_business_days():
    assert business_days_between(date(2026, 11, 30), date(2026, 12, 3)) == 3


def test_a_pause_over_a_weekend_counts_only_the_weekdays():
    assert business_days_between(FRIDAY, date(2026, 12, 7)) == 6


def test_a_step_is_due_at_nine_in_the_practice_zone():
    assert due_moment(FRIDAY, BOSTON) == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)


def test_the_local_date_is_that_of_the_practice_zone():
    assert local_date(datetime(2026, 11, 28, 3, 0, tzinfo=UTC), BOSTON) == FRIDAY


def test_shifting_keeps_the_local_time_of_day():
    friday_3pm = datetime(2026, 11, 27, 20, 0, tzinfo=UTC)
    assert shift_by_business_days(friday_3pm, 1, BOSTON) == datetime(
        2026, 11, 30, 20, 0, tzinfo=UTC
    )
