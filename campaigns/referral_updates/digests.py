"""Daily and weekly digests: a partner's pending updates gathered into one email to
its main contact, once the day or week (in the practice's zone) has ended.

Only updates recorded before the period ended go in, and the key names the period, so
a pass run twice sends one digest, and an update recorded later waits for the next."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from campaigns.post import Draft
from campaigns.referral_updates.labels import day, referral_label, update_line
from campaigns.referral_updates.mail import Composer, enqueue_keyed
from campaigns.referral_updates.pending import Pending, mark_sent, mark_skipped, pending_for
from campaigns.referral_updates.recipients import NO_RECIPIENT, Recipient, main_contacts

MAX_LINES = 100  # a template value holds at most 100 items; past that the last line counts the rest


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    ends_at: datetime


@dataclass
class DigestReport:
    sent: int = 0
    updates: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def last_period(preference: str, now: datetime, zone: ZoneInfo) -> Period:
    """The most recent day (or ISO week) that has ended, in the practice's zone."""
    today = now.astimezone(zone).date()
    if preference == "daily":
        yesterday = today - timedelta(days=1)
        return Period(
            yesterday.isoformat(), day(_start(yesterday, zone), zone), _start(today, zone)
        )
    monday = today - timedelta(days=today.weekday())
    year, week, _ = (monday - timedelta(days=7)).isocalendar()
    return Period(
        f"{year}-W{week:02d}",
        f"the week of {day(_start(monday - timedelta(days=7), zone), zone)}",
        _start(monday, zone),
    )


def _start(of: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(of, time(0), zone)


def send_digests(session: Session, composer: Composer) -> DigestReport:
    report = DigestReport()
    for preference in ("daily", "weekly"):
        period = last_period(preference, composer.now, composer.settings.zone)
        _send(
            session, composer, pending_for(session, (preference,), period.ends_at), period, report
        )
    return report


def _send(
    session: Session,
    composer: Composer,
    updates: list[Pending],
    period: Period,
    report: DigestReport,
) -> None:
    by_partner: dict[int, list[Pending]] = defaultdict(list)
    for update in updates:
        by_partner[update.partner_id].append(update)
    mains = main_contacts(session, by_partner)
    drafts, carried = [], {}
    for partner_id, items in by_partner.items():
        if partner_id not in mains:
            mark_skipped(session, [u.id for u in items])
            report.skipped[NO_RECIPIENT] += len(items)
            continue
        drafts.append(_draft(composer, partner_id, items, period, mains[partner_id]))
        carried.update({u.id: drafts[-1].idempotency_key for u in items})
    message_of = enqueue_keyed(session, drafts, composer.now)
    mark_sent(session, {u: message_of[key] for u, key in carried.items()})
    report.sent += len(drafts)
    report.updates += len(carried)


def _draft(
    composer: Composer, partner_id: int, items: list[Pending], period: Period, to: Recipient
) -> Draft:
    zone = composer.settings.zone
    lines = [
        update_line(
            referral_label(u.referral_id, u.partner_reference), u.stage, u.happened_at, zone
        )
        for u in items
    ]
    if len(lines) > MAX_LINES:
        lines = [*lines[: MAX_LINES - 1], f"and {len(lines) - MAX_LINES + 1} more updates"]
    variables = {
        "contact_first_name": to.first_name,
        "partner_name": items[0].partner_name,
        "period_label": period.label,
        "update_lines": lines,
    }
    return composer.draft(
        "referral_digest",
        variables,
        f"referral-digest:{partner_id}:{period.key}",
        to,
        partner_id,
        f"referral digest {period.key}",
    )
