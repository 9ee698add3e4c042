"""The suppression list: addresses that are never sent to, and why.

Addresses are stored lowercased, and every lookup lowercases what it is given, so
"Ana@Clinic.org" and "ana@clinic.org" are one address. An address is listed once; the
first reason recorded stays (a later unsubscribe of a bounced address changes nothing
that matters: neither is sent to). Entries come from four places: a recipient's
unsubscribe link, a person on the Suppressions page (audited), SendGrid's own lists
(the scheduled sync below) and, for the outbox, anything else through `record`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from crm import audit, validation
from crm.access import Actor, require_editor
from crm.errors import Conflict
from crm.models import Suppression, SyncState
from crm.vocab import Vocabulary

_CHUNK = 500  # rows per statement: well under SQLite's bound-parameter limit


class Reason(Vocabulary):
    UNSUBSCRIBE = "unsubscribe"
    BOUNCE = "bounce"
    BLOCK = "block"
    SPAM_REPORT = "spam_report"
    INVALID = "invalid"
    MANUAL = "manual"


class SuppressionError(Conflict):
    pass


@dataclass(frozen=True)
class Entry:
    """One address to suppress, as a source reports it."""

    email: str
    reason: Reason
    created_at: datetime
    note: str = ""


def normalise(email: str) -> str:
    return email.strip().lower()


def is_suppressed(session: Session, email: str) -> bool:
    return bool(suppressed_among(session, [email]))


def suppressed_among(session: Session, emails: Iterable[str]) -> set[str]:
    """Those of `emails` (as given) that are suppressed, in one query per 500 addresses."""
    given = [e for e in emails if e]
    wanted = sorted({normalise(e) for e in given})
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(
            session.exec(select(Suppression.email).where(Suppression.email.in_(chunk))).all()
        )
    return {e for e in given if normalise(e) in found}


def list_suppressions(
    session: Session, search: str = "", reason: str | None = None, limit: int = 500
) -> list[Suppression]:
    """Newest first; `search` matches part of the address or of the note."""
    query = select(Suppression)
    if search.strip():
        pattern = f"%{search.strip().lower()}%"
        query = query.where(
            or_(Suppression.email.like(pattern), func.lower(Suppression.note).like(pattern))
        )
    if reason:
        query = query.where(Suppression.reason == Reason.parse(reason).value)
    return list(
        session.exec(
            query.order_by(Suppression.created_at.desc(), Suppression.id.desc()).limit(limit)
        )
    )


def count_by_reason(session: Session) -> dict[str, int]:
    rows = session.exec(select(Suppression.reason, func.count()).group_by(Suppression.reason)).all()
    return {reason: count for reason, count in rows}


def add(
    session: Session, actor: Actor, email: str, reason: str, now: datetime, note: str = ""
) -> Suppression:
    """A person suppresses an address from the app; audited."""
    require_editor(actor)
    address = validation.email(email)
    kind = Reason.parse(reason)
    existing = session.exec(select(Suppression).where(Suppression.email == address)).first()
    if existing is not None:
        raise SuppressionError(
            f"already suppressed: {address} ({Reason(existing.reason).label.lower()})"
        )
    row = Suppression(
        email=address, reason=kind.value, source="manual", note=note.strip()[:300], created_at=now
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "create",
        "suppression",
        row.id,
        {"email": address, "reason": kind.value, "note": row.note},
        now,
    )
    return row


def remove(session: Session, actor: Actor, suppression_id: int, now: datetime) -> Suppression:
    """Sending to the address is allowed again; audited with what was removed."""
    require_editor(actor)
    row = session.get(Suppression, suppression_id)
    if row is None:
        raise SuppressionError("that address is no longer on the suppression list")
    session.delete(row)
    audit.record(
        session,
        actor,
        "delete",
        "suppression",
        row.id,
        {"email": row.email, "reason": row.reason, "source": row.source, "note": row.note},
        now,
    )
    return row


def record(session: Session, entries: Iterable[Entry], source: str) -> int:
    """Suppress many addresses at once (no-op for those already listed), one INSERT ...
    ON CONFLICT DO NOTHING per 500; returns how many were new."""
    by_email: dict[str, dict[str, Any]] = {}
    for entry in entries:
        address = normalise(entry.email)
        if address and address not in by_email:
            by_email[address] = {
                "email": address[:254],
                "reason": entry.reason.value,
                "source": source[:40],
                "note": entry.note[:300],
                "created_at": entry.created_at,
            }
    added = 0
    for chunk in _chunks(list(by_email.values())):
        # RETURNING counts the new rows on both databases (rowcount does not on psycopg).
        added += len(
            session.execute(
                _insert_ignoring_duplicates(session).values(chunk).returning(Suppression.id)
            ).all()
        )
    return added


def record_unsubscribe(
    session: Session, email: str, source: str, now: datetime, note: str = ""
) -> None:
    """A recipient unsubscribed themselves (the link or one-click)."""
    record(session, [Entry(email, Reason.UNSUBSCRIBE, now, note)], source)


def _insert_ignoring_duplicates(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(Suppression).on_conflict_do_nothing(index_elements=["email"])


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


# --- SendGrid's suppression lists -------------------------------------------------------


@dataclass(frozen=True)
class SendGridList:
    name: str  # also the SyncState name, after "sendgrid."
    path: tuple[str, ...]
    reason: Reason
    created: str  # the field holding the Unix time
    paged: bool  # accepts start_time, limit and offset


SENDGRID_LISTS = (
    SendGridList("bounces", ("suppression", "bounces"), Reason.BOUNCE, "created", True),
    SendGridList("blocks", ("suppression", "blocks"), Reason.BLOCK, "created", True),
    SendGridList(
        "spam_reports", ("suppression", "spam_reports"), Reason.SPAM_REPORT, "created", True
    ),
    SendGridList(
        "invalid_emails", ("suppression", "invalid_emails"), Reason.INVALID, "created", True
    ),
    SendGridList(
        "unsubscribes", ("suppression", "unsubscribes"), Reason.UNSUBSCRIBE, "created", True
    ),
    # Every group's unsubscribes; this endpoint has no time filter, so the cursor is applied here.
    SendGridList(
        "group_unsubscribes", ("asm", "suppressions"), Reason.UNSUBSCRIBE, "created_at", False
    ),
)
PAGE_SIZE = 500


class SyncError(Exception):
    """SendGrid could not be asked; nothing from this run was kept for that list."""


@dataclass
class SyncReport:
    added: dict[str, int] = field(default_factory=dict)
    fetched: dict[str, int] = field(default_factory=dict)


def sync_from_sendgrid(session: Session, client: Any, now: datetime) -> SyncReport:
    """Pull what was added to each SendGrid list since the last sync.

    Each list keeps its own cursor (the newest `created` seen) in SyncState and is asked
    from that second on: the time filter is inclusive, so an entry created in the same
    second as the last one seen is not lost, and fetching it again inserts nothing.
    `client` is a `sendgrid.SendGridAPIClient` (see `client_for`). The caller commits;
    a list that fails raises SyncError and leaves its cursor where it was."""
    report = SyncReport()
    for source in SENDGRID_LISTS:
        cursor = _cursor(session, source)
        items = [
            i for i in _fetch(client, source, cursor) if int(i.get(source.created) or 0) >= cursor
        ]
        entries = [
            Entry(str(i["email"]), source.reason, _when(i[source.created]), _note(source, i))
            for i in items
            if i.get("email")
        ]
        report.fetched[source.name] = len(entries)
        report.added[source.name] = record(session, entries, "sendgrid")
        newest = max((int(i[source.created]) for i in items), default=cursor)
        _save_cursor(session, source, newest, now)
    return report


def _fetch(client: Any, source: SendGridList, cursor: int) -> Iterator[dict[str, Any]]:
    endpoint = client.client
    for part in source.path:
        endpoint = endpoint._(part)
    offset = 0
    while True:
        params = (
            {"start_time": cursor, "limit": PAGE_SIZE, "offset": offset} if source.paged else None
        )
        page = _get(endpoint, source, params)
        yield from page
        if not source.paged or len(page) < PAGE_SIZE:
            return
        offset += PAGE_SIZE


def _get(
    endpoint: Any, source: SendGridList, params: dict[str, int] | None
) -> list[dict[str, Any]]:
    try:
        response = endpoint.get(query_params=params)
        body = response.to_dict
    except Exception as exc:  # HTTP errors, network errors, a body that is not JSON
        detail = getattr(exc, "body", b"") or b""
        raise SyncError(
            f"SendGrid's {source.name.replace('_', ' ')} list could not be read: "
            f"{exc.__class__.__name__} {getattr(exc, 'status_code', '')} "
            f"{detail.decode(errors='replace') if isinstance(detail, bytes) else detail}".strip()
        ) from exc
    if not isinstance(body, list):
        raise SyncError(
            f"SendGrid's {source.name.replace('_', ' ')} list came back as {type(body).__name__}"
        )
    return [item for item in body if isinstance(item, dict)]


def _note(source: SendGridList, item: dict[str, Any]) -> str:
    if source.name == "group_unsubscribes":
        return f"unsubscribed from group {item.get('group_name') or item.get('group_id')}"
    return str(item.get("reason") or "")


def _when(unix: Any) -> datetime:
    return datetime.fromtimestamp(int(unix), UTC)


def _state_name(source: SendGridList) -> str:
    return f"sendgrid.{source.name}"


def _cursor(session: Session, source: SendGridList) -> int:
    state = session.get(SyncState, _state_name(source))
    return int(state.cursor) if state is not None and state.cursor else 0


def _save_cursor(session: Session, source: SendGridList, newest: int, now: datetime) -> None:
    state = session.get(SyncState, _state_name(source))
    if state is None:
        session.add(SyncState(name=_state_name(source), cursor=str(newest), updated_at=now))
    else:
        state.cursor, state.updated_at = str(newest), now
    session.flush()


def last_synced(session: Session) -> datetime | None:
    """When the sync last finished a list, for the page to show."""
    return session.exec(
        select(func.max(SyncState.updated_at)).where(SyncState.name.like("sendgrid.%"))
    ).one()
