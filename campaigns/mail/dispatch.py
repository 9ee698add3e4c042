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
from concurrent.futures import Future, ThreadPoolExecutor
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


@dataclass(frozen=True)
class _Batch:
    """A claimed batch and what the send rules read about its addresses."""

    claimed: list[Claimed]
    blocked: dict[str, str]
    recent: dict[str, list[datetime]]
    now: datetime


@dataclass(frozen=True)
class _Sending:
    results: list[SendResult | TransportError | None]
    workers: list[Future[None]]
    nearly_done: threading.Event  # the last quarter is being handed out

    def wait(self) -> list[SendResult | TransportError]:
        for worker in self.workers:
            worker.result()
        return self.results  # type: ignore[return-value]  # every index was filled


@dataclass(frozen=True)
class _Landed:
    claimed: int
    sent: list[tuple[Claimed, SendResult | TransportError]]
    not_sent: list[_Outcome]
    finished: datetime


@dataclass
class _Flight:
    """A batch on the wire: its sends run on the workers while the pass goes on."""

    claimed: int
    to_send: list[Claimed]
    not_sent: list[_Outcome]
    sending: _Sending
    clock: Clock

    def land(self) -> _Landed:
        results = self.sending.wait()
        return _Landed(self.claimed, list(zip(self.to_send, results)), self.not_sent, self.clock())


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
        """Send everything due now, batch by batch, until nothing is due.

        While one batch is on the wire, the one before it is recorded, and once its last
        quarter is being handed out the next is claimed and its addresses read: the
        provider hardly waits on our database. A crash leaves `unknown` what was claimed
        and not recorded: the batch on the wire, the one before while it is being
        recorded, and the next once claimed. The send rules still see every send: a batch is decided only
        once the sends of the batch before it have landed, counting those not recorded."""
        report = PassReport(expired_leases=self.expire_leases())
        flight: _Flight | None = None
        batches = 0
        try:
            while True:
                more = max_batches is None or batches < max_batches
                if flight is not None:
                    flight.sending.nearly_done.wait()
                batch = self._read(self._claim(self.clock())) if more else None
                landed = flight.land() if flight else None
                flight = None
                if batch is not None and batch.claimed:
                    flight = self._launch(batch, landed)
                    batches += 1
                if landed is not None:
                    report.add(self._finish(landed))
                if flight is None:
                    return report
        finally:
            if flight is not None:
                flight.land()  # nothing goes on sending after the pass has ended

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

    def _launch(self, batch: _Batch, landed: _Landed | None) -> _Flight:
        recent = {email: list(times) for email, times in batch.recent.items()}
        if landed is not None:
            for message, result in landed.sent:
                if isinstance(result, SendResult) and not message.transactional:
                    recent.setdefault(message.to_email, []).append(landed.finished)
        candidates = [
            Candidate(m.id, m.to_email, m.kind, m.transactional, m.timezone) for m in batch.claimed
        ]
        decisions = {
            d.message_id: d
            for d in decide(
                candidates,
                blocked=batch.blocked,
                recent_sends=recent,
                cap=self.config.frequency_cap,
                window=self.config.window,
                now=batch.now,
            )
        }
        to_send = [m for m in batch.claimed if decisions[m.id].action == "send"]
        not_sent = [
            self._not_sent(decisions[m.id], batch.now)
            for m in batch.claimed
            if decisions[m.id].action != "send"
        ]
        return _Flight(len(batch.claimed), to_send, not_sent, self._send_all(to_send), self.clock)

    def _finish(self, landed: _Landed) -> PassReport:
        outcomes = landed.not_sent + [self._outcome(m, r, landed.finished) for m, r in landed.sent]
        self._record(outcomes, landed.finished)
        report = PassReport(claimed=landed.claimed)
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

    def _read(self, claimed: list[Claimed]) -> _Batch:
        now = self.clock()
        emails = sorted({m.to_email for m in claimed})
        if not claimed:
            return _Batch(claimed, {}, {}, now)
        with self.engine.connect() as connection:
            blocked = blocked_addresses(connection, claimed, emails)
            recent = recent_marketing_sends(connection, emails, now)
        return _Batch(claimed, blocked, recent, now)

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

    def _send_all(self, messages: list[Claimed]) -> _Sending:
        """Each worker takes the next message until none is left: as evenly shared as one
        task per message, without a future and its locks per message."""
        results: list[SendResult | TransportError | None] = [None] * len(messages)
        pending = deque(range(len(messages)))  # popleft is safe across threads
        nearly_done = threading.Event()
        last_quarter = max(len(messages) // 4, self.config.workers)
        if len(messages) <= last_quarter:
            nearly_done.set()

        def work() -> None:
            try:
                while True:
                    try:
                        index = pending.popleft()
                    except IndexError:
                        return
                    if len(pending) < last_quarter:
                        nearly_done.set()
                    results[index] = self._send_one(messages[index])
            finally:
                nearly_done.set()

        workers = [self._pool.submit(work) for _ in range(min(self.config.workers, len(messages)))]
        return _Sending(results, workers, nearly_done)

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
                _mark_sent(connection, [(o.provider_message_id, o.message_id) for o in sent], now)
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


def _mark_sent(connection, rows: list[tuple[str | None, int]], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """The batch's sent messages, (provider id, message id) each, in one executemany of
    plain rows: the statement's own parameter handling per row cost more than the
    database's update (the one time, `now`, is converted once)."""
    at = _stored_time(connection, now)
    mark = _placeholder(connection)
    connection.exec_driver_sql(
        f"UPDATE message SET status = '{MessageStatus.SENT.value}', attempts = attempts + 1, "
        f"sent_at = {mark}, updated_at = {mark}, provider_message_id = {mark}, last_error = '' "
        f"WHERE id = {mark}",
        [(at, at, pid, mid) for pid, mid in rows],
    )


def _log(connection, entries: list[tuple[int, str, int | None, str]], now: datetime) -> None:  # type: ignore[no-untyped-def]
    """Every attempt of the batch, one plain executemany (as `_mark_sent`)."""
    if entries:
        at = _stored_time(connection, now)
        mark = _placeholder(connection)
        connection.exec_driver_sql(
            "INSERT INTO message_attempt (message_id, at, outcome, status_code, detail) "
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark})",
            [(mid, at, outcome, code, detail[:2000]) for mid, outcome, code, detail in entries],
        )


def _stored_time(connection, moment: datetime):  # type: ignore[no-untyped-def]
    """A time as the column type hands it to the driver (UTC, in SQLite's text form)."""
    process = MessageAttempt.__table__.c.at.type.bind_processor(connection.dialect)
    return process(moment) if process else moment


def _placeholder(connection) -> str:  # type: ignore[no-untyped-def]
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


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
