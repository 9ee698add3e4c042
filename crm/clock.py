"""Time comes in from the edge (the app, the CLI, the scheduler) so that every
time-based rule can be tested with a fixed `now`."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def __call__(self) -> datetime: ...


def utcnow() -> datetime:
    return datetime.now(UTC)
