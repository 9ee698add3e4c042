"""Time comes in from the edge (the app, the CLI, the scheduler) so that every
time-based rule can be tested with a fixed `now`.

The edges read it from one seam, `now()`: the machine's clock, unless the process was
told to run from another instant (`LIAISON_CLOCK_START`, and `LIAISON_CLOCK_ANCHOR` for
the machine's time it stands for: a demo, a training copy, or a test that starts the app
or the scheduler as a process of its own) or a test set one.
Domain code never calls `now()`; it takes `now` as an argument."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def system_now() -> datetime:
    return datetime.now(UTC)


class RunningClock:
    """Reads `start` at the machine's instant `anchor` (by default: now) and runs at the
    machine's pace from there, so timeouts, leases and "a minute later" behave as on a
    real day. Processes given the same start and anchor agree to the microsecond."""

    def __init__(self, start: datetime, anchor: datetime | None = None) -> None:
        if start.tzinfo is None or (anchor is not None and anchor.tzinfo is None):
            raise ValueError("a clock starts at an aware instant (with its UTC offset)")
        self.start, self.anchor = start, anchor
        self.offset = start - (anchor or system_now())

    def __call__(self) -> datetime:
        return system_now() + self.offset


_source: Clock = system_now


def as_utc(moment: datetime) -> datetime:
    """Times are stored as UTC, but some drivers (and SQL aggregates, which lose the
    column's type) hand them back naive; this reads a naive time as the UTC it is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def now() -> datetime:
    """The current instant, as this process's clock tells it."""
    return _source()


def use(source: Clock) -> Clock:
    """Make `source` the process's clock; returns the one it replaces."""
    global _source
    previous, _source = _source, source
    return previous


def start_at(instant: datetime | None, anchor: datetime | None = None) -> None:
    """Run from `instant` (read at the machine's `anchor`); None leaves the clock as it
    is. Asking again for the clock already running that way keeps it running."""
    if instant is None:
        return
    if isinstance(_source, RunningClock) and (_source.start, _source.anchor) == (instant, anchor):
        return
    use(RunningClock(instant, anchor))
