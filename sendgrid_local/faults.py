"""Injected failures, so the sender's retry and idempotency handling meet what a real
provider does on a bad day: rate limits, server errors, slow answers and connections
that drop either before the message is taken or after (the ambiguous case)."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

RATE_LIMITED = "429"
SERVER_ERROR = "500"
SLOW = "slow"
DROP_BEFORE = "drop_before"  # connection closed, message not taken
DROP_AFTER = "drop_after"  # message taken, connection closed before the answer
FAULT_KINDS = (RATE_LIMITED, SERVER_ERROR, SLOW, DROP_BEFORE, DROP_AFTER)


@dataclass(frozen=True)
class FaultPlan:
    """How often to fail (0..1), which failures to choose from, and their details.
    A seed makes the sequence of failures repeatable."""

    rate: float = 0.0
    kinds: tuple[str, ...] = FAULT_KINDS
    slow_ms: int = 200
    retry_after_s: int = 1
    seed: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, not {self.rate}")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown or not self.kinds:
            raise ValueError(
                f"fault kinds must be some of {', '.join(FAULT_KINDS)}; got {list(self.kinds)}"
            )
        if self.slow_ms < 0 or self.retry_after_s < 0:
            raise ValueError("slow_ms and retry_after_s cannot be negative")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FaultPlan:
        """The `/_local/faults` body; unknown keys are refused so a typo is not ignored."""
        unknown = set(data) - {"rate", "kinds", "slow_ms", "retry_after_s", "seed"}
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(sorted(unknown))}")
        if "kinds" in data:
            data = {**data, "kinds": tuple(parse_kinds(data["kinds"]))}
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kinds": list(self.kinds)}


def parse_kinds(kinds: str | Iterable[str]) -> list[str]:
    """Accept `"429,drop_after"` from a command line as well as a list."""
    if isinstance(kinds, str):
        return [kind.strip() for kind in kinds.split(",") if kind.strip()]
    return [str(kind) for kind in kinds]


@dataclass
class FaultInjector:
    """Draws the fault (or none) for each request; thread-safe because every
    connection is served on its own thread."""

    plan: FaultPlan = field(default_factory=FaultPlan)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self.configure(self.plan)

    def configure(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._random = random.Random(plan.seed)

    def draw(self) -> str | None:
        with self._lock:
            if self.plan.rate <= 0 or self._random.random() >= self.plan.rate:
                return None
            return self._random.choice(self.plan.kinds)
