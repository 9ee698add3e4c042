"""Applying a batch of SendGrid's Event Webhook events (up to ~1000 a post).

Every event is kept as an EmailEvent, once: SendGrid retries a batch it thinks failed,
so `sg_event_id` is unique and what was stored before is neither stored nor applied
again. An event is matched to our message by the custom args our transport sets
(`message_key`, then the SendGrid message id we were given, then `message_id`); one we
cannot match is kept with no message. A message keeps the FIRST time of each outcome,
whatever order events arrive in. An open SendGrid marks `sg_machine_open` (Apple Mail
Privacy Protection fetching the images) is kept apart and never counts as a person's.

Suppressions follow SendGrid's own lists: a bounce, a block, a spam report, an
unsubscribe, and a drop whose reason shows one of those. `group_resubscribe` is stored
and changes nothing: lifting a suppression is a person's decision on the Suppressions
page, never an automatic one. Other types (processed, deferred, ...) are only stored."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from campaigns.mail import suppressions
from campaigns.mail.suppressions import Entry, Reason
from crm.models import EmailEvent, Message, ReviewRequest

SOURCE = "sendgrid-webhook"
_CHUNK = 500
_MAX_ID = 2**31 - 1

DELIVERED, OPEN, CLICK, BOUNCE, DROPPED = "delivered", "open", "click", "bounce", "dropped"
SPAM_REPORT, UNSUBSCRIBE, GROUP_UNSUBSCRIBE = "spamreport", "unsubscribe", "group_unsubscribe"
APPLIED = frozenset(
    {DELIVERED, OPEN, CLICK, BOUNCE, DROPPED, SPAM_REPORT, UNSUBSCRIBE, GROUP_UNSUBSCRIBE}
)

_COLUMNS = {
    DELIVERED: "delivered_at",
    CLICK: "clicked_at",
    BOUNCE: "bounced_at",
    DROPPED: "bounced_at",
}

# SendGrid's reasons for dropping a message to an address already on one of its lists;
# other drops ("Invalid SMTPAPI header", "Spam Content", quotas) say nothing of the address.
_DROP_REASONS = {
    "bounced address": Reason.BOUNCE,
    "unsubscribed address": Reason.UNSUBSCRIBE,
    "spam reporting address": Reason.SPAM_REPORT,
    "invalid": Reason.INVALID,
    "invalid address": Reason.INVALID,
}


@dataclass(frozen=True)
class ApplyReport:
    received: int  # dicts in the batch
    stored: int  # new events (the rest were seen before)
    matched: int  # new events tied to one of our messages
    suppressed: int  # addresses newly suppressed

    @property
    def duplicates(self) -> int:
        return self.received - self.stored


@dataclass(frozen=True)
class _Event:
    sg_event_id: str
    event: str
    email: str
    at: datetime
    machine_open: bool
    url: str
    reason: str
    bounce_type: str
    message_key: str
    provider_id: str
    our_id: int | None


def apply_events(session: Session, events: list[dict], now: datetime) -> ApplyReport:
    """Store and apply one post's events; the caller commits."""
    parsed = {e.sg_event_id: e for e in (_parse(item, now) for item in events) if e is not None}
    owners = _owners(session, parsed.values())
    new_ids = _store(session, parsed.values(), owners, now)
    fresh = [parsed[i] for i in new_ids]
    kinds = _message_kinds(
        session, {owners[e.sg_event_id] for e in fresh if e.sg_event_id in owners}
    )
    firsts = _first_times(fresh, owners)
    _update_messages(session, firsts)
    _update_review_opens(
        session,
        {
            mid: at
            for (mid, column), at in firsts.items()
            if column == "opened_at" and kinds.get(mid) == "review"
        },
    )
    added = suppressions.record(session, _suppressions(fresh), SOURCE)
    return ApplyReport(
        received=sum(isinstance(e, dict) for e in events),
        stored=len(fresh),
        matched=sum(e.sg_event_id in owners for e in fresh),
        suppressed=added,
    )


def _parse(item: Any, now: datetime) -> _Event | None:
    if not isinstance(item, dict) or not isinstance(item.get("event"), str):
        return None
    event_id = str(item.get("sg_event_id") or "") or _digest(item)
    return _Event(
        sg_event_id=event_id[:100],
        event=item["event"].strip().lower()[:20],
        email=str(item.get("email") or "")[:254],
        at=_when(item.get("timestamp"), now),
        machine_open=_truthy(item.get("sg_machine_open")),
        url=str(item.get("url") or "")[:500],
        reason=str(item.get("reason") or "")[:300],
        bounce_type=str(item.get("type") or "").lower(),
        message_key=str(item.get("message_key") or ""),
        provider_id=str(item.get("sg_message_id") or "").split(".", 1)[0],
        our_id=_int(item.get("message_id")),
    )


def _digest(item: dict) -> str:
    """An id for an event that came without one, so a retried batch still dedupes."""
    return (
        "sha256:"
        + hashlib.sha256(json.dumps(item, sort_keys=True, default=str).encode()).hexdigest()[:64]
    )


def _when(unix: Any, now: datetime) -> datetime:
    try:
        return datetime.fromtimestamp(int(unix), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return now


def _truthy(value: Any) -> bool:
    return value is True or (
        isinstance(value, (int, str)) and str(value).strip().lower() in {"1", "true"}
    )


def _int(value: Any) -> int | None:
    try:
        number = int(str(value))
    except ValueError:
        return None
    return number if 0 < number <= _MAX_ID else None


def _owners(session: Session, events: Iterable[_Event]) -> dict[str, int]:
    """sg_event_id -> our message id, for the events that are ours; three indexed lookups."""
    events = list(events)
    by_key = _lookup(
        session, Message.idempotency_key, {e.message_key for e in events if e.message_key}
    )
    by_provider = _lookup(
        session, Message.provider_message_id, {e.provider_id for e in events if e.provider_id}
    )
    by_id = _lookup(session, Message.id, {e.our_id for e in events if e.our_id is not None})
    owners: dict[str, int] = {}
    for e in events:
        owner = by_key.get(e.message_key) or by_provider.get(e.provider_id) or by_id.get(e.our_id)
        if owner is not None:
            owners[e.sg_event_id] = owner
    return owners


def _lookup(session: Session, column: Any, values: set) -> dict[Any, int]:
    found: dict[Any, int] = {}
    for chunk in _chunks(sorted(values)):
        found.update(session.execute(select(column, Message.id).where(column.in_(chunk))).all())
    return found


def _message_kinds(session: Session, ids: set[int]) -> dict[int, str]:
    return dict(
        item
        for chunk in _chunks(sorted(ids))
        for item in session.execute(select(Message.id, Message.kind).where(Message.id.in_(chunk)))
    )


def _store(
    session: Session, events: Iterable[_Event], owners: dict[str, int], now: datetime
) -> list[str]:
    """Insert the events not seen before; returns their sg_event_ids."""
    rows = [
        {
            "sg_event_id": e.sg_event_id,
            "message_id": owners.get(e.sg_event_id),
            "event": e.event,
            "email": e.email,
            "at": e.at,
            "machine_open": e.machine_open,
            "url": e.url,
            "reason": e.reason,
            "received_at": now,
        }
        for e in events
    ]
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    new: list[str] = []
    for chunk in _chunks(rows):
        statement = (
            module.insert(EmailEvent)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["sg_event_id"])
            .returning(EmailEvent.sg_event_id)
        )
        new.extend(session.execute(statement).scalars())
    return new


def _column(event: _Event) -> str | None:
    if event.event == OPEN:
        return "machine_opened_at" if event.machine_open else "opened_at"
    return _COLUMNS.get(event.event)


def _first_times(
    events: Iterable[_Event], owners: dict[str, int]
) -> dict[tuple[int, str], datetime]:
    firsts: dict[tuple[int, str], datetime] = {}
    for e in events:
        column, owner = _column(e), owners.get(e.sg_event_id)
        if column is not None and owner is not None:
            key = (owner, column)
            firsts[key] = min(firsts.get(key, e.at), e.at)
    return firsts


def _update_messages(session: Session, firsts: dict[tuple[int, str], datetime]) -> None:
    """One executemany per column, each setting a time only where it is earlier."""
    table = Message.__table__
    for column in sorted({c for _, c in firsts}):
        target = table.c[column]
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("owner"), or_(target.is_(None), target > bindparam("first"))
            )
            .values({column: bindparam("first")})
        )
        session.connection().execute(
            statement,
            [{"owner": m, "first": at} for (m, c), at in sorted(firsts.items()) if c == column],
        )


def _update_review_opens(session: Session, opens: dict[int, datetime]) -> None:
    """A person's open of a review request's email, or of its reminder, opens the request."""
    if not opens:
        return
    table = ReviewRequest.__table__
    earliest: dict[int, datetime] = {}
    for chunk in _chunks(sorted(opens)):
        rows = session.execute(
            select(table.c.id, table.c.message_id, table.c.reminder_message_id).where(
                or_(table.c.message_id.in_(chunk), table.c.reminder_message_id.in_(chunk))
            )
        )
        for request_id, first, reminder in rows:
            times = [opens[m] for m in (first, reminder) if m in opens]
            earliest[request_id] = min([*times, earliest.get(request_id, times[0])])
    if earliest:
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("request"),
                or_(table.c.opened_at.is_(None), table.c.opened_at > bindparam("first")),
            )
            .values(opened_at=bindparam("first"))
        )
        session.connection().execute(
            statement, [{"request": r, "first": at} for r, at in sorted(earliest.items())]
        )


def _suppressions(events: Iterable[_Event]) -> list[Entry]:
    entries = []
    for e in sorted(events, key=lambda e: e.at):
        reason = _suppression_reason(e)
        if reason is not None and e.email:
            entries.append(Entry(e.email, reason, e.at, _note(e)))
    return entries


def _suppression_reason(event: _Event) -> Reason | None:
    if event.event == BOUNCE:
        return Reason.BLOCK if event.bounce_type == "blocked" else Reason.BOUNCE
    if event.event == DROPPED:
        return _DROP_REASONS.get(" ".join(event.reason.lower().split()))
    return {
        SPAM_REPORT: Reason.SPAM_REPORT,
        UNSUBSCRIBE: Reason.UNSUBSCRIBE,
        GROUP_UNSUBSCRIBE: Reason.UNSUBSCRIBE,
    }.get(event.event)


def _note(event: _Event) -> str:
    detail = f": {event.reason}" if event.reason else ""
    return f"SendGrid {event.event} event{detail}"[:300]


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
