import random
from datetime import UTC, datetime, timedelta

import pytest

from campaigns.mail.retry import backoff
from campaigns.mail.send_rules import Candidate, decide
from crm.setting_values import SendWindow

WINDOW = SendWindow.parse("Mon-Fri 08:00-18:00")
WEDNESDAY_10AM_NY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def _candidate(n, email="a@x.org", transactional=False, zone="America/New_York"):
    return Candidate(n, email, "cadence", transactional, zone)


def test_a_blocked_address_is_suppressed_even_for_transactional_mail():
    [decision] = decide(
        [_candidate(1, transactional=True)],
        blocked={"a@x.org": "suppressed (bounce)"},
        recent_sends={},
        cap=3,
        window=WINDOW,
        now=WEDNESDAY_10AM_NY,
    )
    assert (decision.action, decision.reason) == ("suppress", "suppressed (bounce)")


def test_the_cap_counts_sends_within_the_same_batch():
    decisions = decide(
        [_candidate(n) for n in range(4)],
        blocked={},
        recent_sends={"a@x.org": [WEDNESDAY_10AM_NY - timedelta(days=1)]},
        cap=3,
        window=WINDOW,
        now=WEDNESDAY_10AM_NY,
    )
    assert [d.action for d in decisions] == ["send", "send", "hold", "hold"]


def test_the_window_is_read_in_the_recipients_time_zone():
    seven_am_in_los_angeles = WEDNESDAY_10AM_NY
    [decision] = decide(
        [_candidate(1, zone="America/Los_Angeles")],
        blocked={},
        recent_sends={},
        cap=3,
        window=WINDOW,
        now=seven_am_in_los_angeles,
    )
    assert decision.action == "hold" and decision.until == WEDNESDAY_10AM_NY + timedelta(hours=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("weekdays 8-6", "should look like"),
        ("Mon-Fri 18:00-08:00", "ends before"),
        ("Mon-Fry 08:00-18:00", "unknown day"),
    ],
)
def test_a_malformed_send_window_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        SendWindow.parse(text)


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    rng = random.Random(1)
    delays = [backoff(attempt, None, rng).total_seconds() for attempt in range(1, 12)]
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60 and 60 <= delays[2] <= 120
    assert max(delays) <= 7200


def test_backoff_honours_a_longer_retry_after():
    assert backoff(1, 900, random.Random(1)) == timedelta(seconds=900)
