"""Pure decisions about claimed messages: send now, suppress, or hold for later.

Kept free of I/O so each rule (suppression, opt-out, frequency cap, send window) is
tested with plain values and a fixed `now`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from crm.setting_values import SendWindow

CAP_PERIOD = timedelta(days=7)


@dataclass(frozen=True)
class Candidate:
    id: int
    to_email: str
    kind: str
    transactional: bool
    timezone: str


@dataclass(frozen=True)
class Decision:
    message_id: int
    action: str  # "send", "suppress" or "hold"
    reason: str = ""
    until: datetime | None = None


def decide(
    candidates: Iterable[Candidate],
    *,
    blocked: Mapping[str, str],
    recent_sends: Mapping[str, list[datetime]],
    cap: int,
    window: SendWindow,
    now: datetime,
) -> list[Decision]:
    """`blocked` maps an address to why it must not be mailed (suppressed, opted out,
    no consent); `recent_sends` holds each address's marketing sends in the last 7 days.
    Transactional messages (event reminders, acknowledgments, tests) skip the cap and
    the window; nothing skips `blocked`."""
    counted = {email: sorted(times) for email, times in recent_sends.items()}
    decisions = []
    for message in candidates:
        if message.to_email in blocked:
            decisions.append(Decision(message.id, "suppress", blocked[message.to_email]))
            continue
        if message.transactional:
            decisions.append(Decision(message.id, "send"))
            continue
        if not window.is_open(now, message.timezone):
            until = window.next_open(now, message.timezone)
            decisions.append(Decision(message.id, "hold", "outside the send window", until))
            continue
        sent = counted.setdefault(message.to_email, [])
        if len(sent) >= cap:
            until = sent[len(sent) - cap] + CAP_PERIOD
            decisions.append(
                Decision(message.id, "hold", f"frequency cap: {cap} emails in 7 days", until)
            )
            continue
        sent.append(now)
        decisions.append(Decision(message.id, "send"))
    return decisions
