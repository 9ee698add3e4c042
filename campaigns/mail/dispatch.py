"""The dispatcher: the one place that sends email.

Each batch is claimed (status `sending`, with a lease) and committed before any
provider call, so a crash leaves claimed messages in `sending`; the next pass turns
those whose lease has run out into `unknown` for a person to decide, and never
resends them on its own. Claims use FOR UPDATE SKIP LOCKED on PostgreSQL, so two
dispatchers never hold the same message; on SQLite the claiming UPDATE is itself
the single writer."""

from __future__ import annotations

import random
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, func, insert, literal, select, update
from sqlalchemy.engine import Engine

from campaigns.mail.outbox import decode_attachments
from campaigns.mail.retry import backoff
from campaigns.mail.send_rules import CAP_PERIOD, Candidate, Decision, decide
from campaigns.mail.transports.base import OutgoingEmail, SendResult, Transport, TransportError
from crm.clock import Clock
from crm.models import Contact, Message, MessageAttempt, Partner, Patient, Touch
from crm.opt_outs import opted_out_among
from crm.setting_values import SendWindow
from crm.vocab import MessageStatus

LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class DispatchConfig:
    from_email: str
    from_name: str
    window: SendWindow
    frequency_cap: int
    max_attempts: int
    batch_size: int = 200
    workers: int = 4
    unsubscribe_url: Callable[[str, str], str] | None = None  # (email, message key) -> URL


@dataclass
class PassReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0
    suppressed: int = 0
    held: int = 0
    expired_leases: int = 0

    def add(self, other: PassReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Claimed:
    """What sending needs of a claimed message (a plain row: building ORM objects for a
    whole batch would cost more than the sending)."""

    id: int
    idempotency_key: str
    kind: str
    transactional: bool
    to_email: str
    to_name: str
    contact_id: int | None
    patient_id: int | None
    subject: str
    html: str
    text: str
    attachments: str
    timezone: str
    attempts: int


_CLAIMED_COLUMNS = [getattr(Message, name) for name in Claimed.__dataclass_fields__]


@dataclass
class _Outcome:
    message_id: int
    status: str
    detail: str = ""
    status_code: int | None = None
    provider_message_id: str | None = None
    next_attempt_at: datetime | None = None


class Dispatcher:
    def __init__(
        self,
        engine: Engine,
        transport_factory: Callable[[], Transport],
        config: DispatchConfig,
        clock: Clock,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.rng = rng or random.Random()
        self._transport_factory = transport_factory
        self._local = threading.local()
        self._transports: list[Transport] = []
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=config.workers, thread_name_prefix="dispatch")

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        for transport in self._transports:
            transport.close()

    def run_pass(self, max_batches: int | None = None) -> PassReport:
        """Send everything due now, batch by batch, until nothing is due."""
        report = PassReport(expired_leases=self.expire_leases())
        batches = 0
        while max_batches is None or batches < max_batches:
            batch = self.run_batch()
            if batch.claimed == 0:
                break
            report.add(batch)
            batches += 1
        return report

    def expire_leases(self) -> int:
        """Messages left in `sending` by a dispatcher that died become `unknown`."""
        now = self.clock()
        with self.engine.begin() as connection:
            ids = (
                connection.execute(
                    update(Message)
                    .where(
                        Message.status == MessageStatus.SENDING.value,
                        Message.next_attempt_at <= now,
                    )
                    .values(
                        status=MessageStatus.UNKNOWN.value,
                        updated_at=now,
                        last_error="the dispatcher stopped while sending; it may or may not have gone out",
                    )
                    .returning(Message.id)
                )
                .scalars()
                .all()
            )
            _log(
                connection,
                [
                    (i, MessageStatus.UNKNOWN.value, None, "lease expired while sending")
                    for i in ids
                ],
                now,
            )
        return len(ids)

    def run_batch(self) -> PassReport:
        now = self.clock()
        claimed = self._claim(now)
        report = PassReport(claimed=len(claimed))
        if not claimed:
            return report
        decisions = self._decide(claimed, now)
        to_send = [m for m in claimed if decisions[m.id].action == "send"]
        outcomes = [
            self._not_sent(decisions[m.id], now)
            for m in claimed
            if decisions[m.id].action != "send"
        ]
        results = self._send_all(to_send)
        finished = self.clock()
        outcomes += [self._outcome(m, r, finished) for m, r in zip(to_send, results)]
        self._record(outcomes, finished)
        for outcome in outcomes:
            key = {
                MessageStatus.QUEUED.value: "retried",
                MessageStatus.SENT.value: "sent",
                MessageStatus.FAILED.value: "failed",
                MessageStatus.UNKNOWN.value: "unknown",
                MessageStatus.SUPPRESSED.value: "suppressed",
                "held": "held",
            }[outcome.status]
            setattr(report, key, getattr(report, key) + 1)
        return report

    def _claim(self, now: datetime) -> list[Claimed]:
        with self.engine.begin() as connection:
            due = (
                select(Message.id)
                .where(Message.status == MessageStatus.QUEUED.value, Message.next_attempt_at <= now)
                .order_by(Message.next_attempt_at, Message.id)
                .limit(self.config.batch_size)
            )
            if connection.dialect.name == "postgresql":
                # A materialized CTE: as a plain IN-subquery, PostgreSQL may run the
                # SKIP LOCKED select more than once and claim more than one batch.
                picked = (
                    due.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
                )
                condition = Message.id == picked.c.id
            else:
                condition = Message.id.in_(due.scalar_subquery())
            # One statement claims the batch and reads what sending needs of it.
            rows = connection.execute(
                update(Message)
                .where(condition, Message.status == MessageStatus.QUEUED.value)
                .values(
                    status=MessageStatus.SENDING.value,
                    next_attempt_at=now + LEASE,
                    updated_at=now,
                )
                .returning(*_CLAIMED_COLUMNS)
            )
            return sorted((Claimed(*row) for row in rows), key=lambda m: m.id)

    def _decide(self, claimed: list[Claimed], now: datetime) -> dict[int, Decision]:
        emails = sorted({m.to_email for m in claimed})
        with self.engine.connect() as connection:
            blocked = blocked_addresses(connection, claimed, emails)
            recent = recent_marketing_sends(connection, emails, now)
        candidates = [
            Candidate(m.id, m.to_email, m.kind, m.transactional, m.timezone) for m in claimed
        ]
        decisions = decide(
            candidates,
            blocked=blocked,
            recent_sends=recent,
            cap=self.config.frequency_cap,
            window=self.config.window,
            now=now,
        )
        return {d.message_id: d for d in decisions}

    def _not_sent(self, decision: Decision, now: datetime) -> _Outcome:
        if decision.action == "suppress":
            return _Outcome(decision.message_id, MessageStatus.SUPPRESSED.value, decision.reason)
        return _Outcome(
            decision.message_id, "held", decision.reason, next_attempt_at=decision.until
        )

    def _transport(self) -> Transport:
        transport = getattr(self._local, "transport", None)
        if transport is None:
            transport = self._transport_factory()
            self._local.transport = transport
            with self._lock:
                self._transports.append(transport)
        return transport

    def _send_all(self, messages: list[Claimed]) -> list[SendResult | TransportError]:
        """Each worker takes the next message until none is left: as evenly shared as one
        task per message, without a future and its locks per message."""
        results: list[SendResult | TransportError | None] = [None] * len(messages)
        pending = deque(range(len(messages)))  # popleft is safe across threads

        def work() -> None:
            while True:
                try:
                    index = pending.popleft()
                except IndexError:
                    return
                results[index] = self._send_one(messages[index])

        workers = [self._pool.submit(work) for _ in range(min(self.config.workers, len(messages)))]
        for worker in workers:
            worker.result()
        return results  # type: ignore[return-value]  # every index was filled

    def _send_one(self, message: Claimed) -> SendResult | TransportError:
        email = OutgoingEmail(
            message_id=message.id,
            idempotency_key=message.idempotency_key,
            kind=message.kind,
            to_email=message.to_email,
            to_name=message.to_name,
            from_email=self.config.from_email,
            from_name=self.config.from_name,
            subject=message.subject,
            html=message.html,
            text=message.text,
            unsubscribe_url=self._unsubscribe_url(message),
            attachments=decode_attachments(message.attachments),
        )
        try:
            return self._transport().send(email)
        except TransportError as error:
            return error
        except Exception as error:  # noqa: BLE001  a transport bug must not lose the message
            return TransportError(f"{type(error).__name__}: {error}", ambiguous=True)

    def _unsubscribe_url(self, message: Claimed) -> str | None:
        if message.transactional or self.config.unsubscribe_url is None:
            return None
        return self.config.unsubscribe_url(message.to_email, message.idempotency_key)

    def _outcome(
        self, message: Claimed, result: SendResult | TransportError, now: datetime
    ) -> _Outcome:
        if isinstance(result, SendResult):
            return _Outcome(
                message.id, MessageStatus.SENT.value, provider_message_id=result.provider_message_id
            )
        code = result.status_code
        if result.ambiguous:
            return _Outcome(
                message.id, MessageStatus.UNKNOWN.value, f"may have been sent: {result}", code
            )
        attempts = message.attempts + 1
        if result.permanent:
            return _Outcome(message.id, MessageStatus.FAILED.value, str(result), code)
        if attempts >= self.config.max_attempts:
            return _Outcome(
                message.id,
                MessageStatus.FAILED.value,
                f"gave up after {attempts} attempts: {result}",
                code,
            )
        retry_at = now + backoff(attempts, result.retry_after, self.rng)
        return _Outcome(
            message.id, MessageStatus.QUEUED.value, str(result), code, next_attempt_at=retry_at
        )

    def _record(self, outcomes: list[_Outcome], now: datetime) -> None:
        """All outcomes of a batch in a few statements, whatever the batch size."""
        by_kind: dict[str, list[_Outcome]] = {}
        for outcome in outcomes:
            by_kind.setdefault(outcome.status, []).append(outcome)
        with self.engine.begin() as connection:
            sent = by_kind.get(MessageStatus.SENT.value)
            if sent:
                connection.execute(
                    update(Message)
                    .where(Message.id == bindparam("mid"))
                    .values(
                        status=MessageStatus.SENT.value,
                        attempts=Message.attempts + 1,
                        sent_at=now,
                        updated_at=now,
                        provider_message_id=bindparam("pid"),
                        last_error="",
                    ),
                    [{"mid": o.message_id, "pid": o.provider_message_id} for o in sent],
                )
                log_email_touches(connection, [o.message_id for o in sent], now)
            for status in (
                MessageStatus.FAILED.value,
                MessageStatus.UNKNOWN.value,
                MessageStatus.QUEUED.value,
            ):
                if status in by_kind:
                    connection.execute(
                        update(Message)
                        .where(Message.id == bindparam("mid"))
                        .values(
                            status=status,
                            attempts=Message.attempts + 1,
                            updated_at=now,
                            last_error=bindparam("err"),
                            next_attempt_at=bindparam("due"),
                        ),
                        [
                            {
                                "mid": o.message_id,
                                "err": o.detail[:2000],
                                "due": o.next_attempt_at or now,
                            }
                            for o in by_kind[status]
                        ],
                    )
            if MessageStatus.SUPPRESSED.value in by_kind:
                connection.execute(
                    update(Message)
                    .where(Message.id == bindparam("mid"))
                    .values(
                        status=MessageStatus.SUPPRESSED.value,
                        updated_at=now,
                        last_error=bindparam("err"),
                    ),
                    [
                        {"mid": o.message_id, "err": o.detail}
                        for o in by_kind[MessageStatus.SUPPRESSED.value]
                    ],
                )
            if "held" in by_kind:
                connection.execute(
                    update(Message)
                    .where(Message.id == bindparam("mid"))
                    .values(
                        status=MessageStatus.QUEUED.value,
                        updated_at=now,
                        next_attempt_at=bindparam("due"),
                        last_error=bindparam("err"),
                    ),
                    [
                        {"mid": o.message_id, "due": o.next_attempt_at, "err": f"held: {o.detail}"}
                        for o in by_kind["held"]
                    ],
                )
            _log(
                connection,
                [
                    (
                        o.message_id,
                        "retry" if o.status == MessageStatus.QUEUED.value else o.status,
                        o.status_code,
                        o.detail or (o.provider_message_id or ""),
                    )
                    for o in outcomes
                ],
                now,
            )


def log_email_touches(connection, message_ids: list[int], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Every email that reached a partner's contact shows on the partner's timeline as an
    email touch linked to its message: one INSERT ... SELECT for the batch."""
    source = select(
        Message.partner_id,
        Message.contact_id,
        literal("email"),
        Message.sent_at,
        Message.id,
        func.substr(Message.subject, 1, 200),
        literal(""),
        literal(now, Touch.created_at.type),
    ).where(Message.id.in_(message_ids), Message.partner_id.is_not(None))
    connection.execute(
        insert(Touch).from_select(
            [
                "partner_id",
                "contact_id",
                "kind",
                "occurred_at",
                "message_id",
                "outcome",
                "notes",
                "created_at",
            ],
            source,
        )
    )


def _log(connection, entries: list[tuple[int, str, int | None, str]], now: datetime) -> None:  # type: ignore[no-untyped-def]
    if entries:
        connection.execute(
            insert(MessageAttempt),
            [
                {
                    "message_id": mid,
                    "at": now,
                    "outcome": outcome,
                    "status_code": code,
                    "detail": detail[:2000],
                }
                for mid, outcome, code, detail in entries
            ],
        )


def blocked_addresses(connection, claimed: list[Claimed], emails: list[str]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Addresses that must not be mailed: suppressed or opted out on any record with the
    address, do-not-contact partners, and patients without consent. A few queries over
    the batch's addresses only."""
    blocked = {
        email: opt_out.short for email, opt_out in opted_out_among(connection, emails).items()
    }
    contact_ids = [m.contact_id for m in claimed if m.contact_id is not None]
    if contact_ids:
        for (email,) in connection.execute(
            select(Contact.email)
            .join(Partner, Contact.partner_id == Partner.id)
            .where(Contact.id.in_(contact_ids), Partner.status == "do_not_contact")
        ):
            if email:
                blocked.setdefault(email, "partner is marked do not contact")
    patient_ids = [m.patient_id for m in claimed if m.patient_id is not None]
    if patient_ids:
        for (email,) in connection.execute(
            select(Patient.email).where(
                Patient.id.in_(patient_ids), Patient.consent_to_contact.is_(False)
            )
        ):
            if email:
                blocked.setdefault(email, "no consent to contact")
    return blocked


def recent_marketing_sends(
    connection, emails: list[str], now: datetime
) -> dict[str, list[datetime]]:  # type: ignore[no-untyped-def]
    recent: dict[str, list[datetime]] = {}
    for email, sent_at in connection.execute(
        select(Message.to_email, Message.sent_at).where(
            and_(
                Message.to_email.in_(emails),
                Message.transactional.is_(False),
                Message.status == MessageStatus.SENT.value,
                Message.sent_at > now - CAP_PERIOD,
            )
        )
    ):
        recent.setdefault(email, []).append(sent_at)
    return recent


def due_count(engine: Engine, now: datetime) -> int:
    with engine.connect() as connection:
        return connection.execute(
            select(func.count())
            .select_from(Message)
            .where(Message.status == MessageStatus.QUEUED.value, Message.next_attempt_at <= now)
        ).scalar_one()
