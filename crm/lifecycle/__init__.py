"""Partner lifecycle: status moves on its own from what happens (see `rules`), every
move is kept with its time and cause, and moves drive cadence exits and enrolments."""

from crm.lifecycle.advance import LifecycleReport, advance_lifecycle
from crm.lifecycle.conversions import Conversion, conversions
from crm.lifecycle.manual import record_manual_change

__all__ = [
    "Conversion",
    "LifecycleReport",
    "advance_lifecycle",
    "conversions",
    "record_manual_change",
]
