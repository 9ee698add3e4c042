"""One email per update, for partners who chose per-referral updates: the
acknowledgment when a referral arrives, a status update when it is scheduled and when
its first visit is done."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlmodel import Session

from campaigns.post import Draft
from campaigns.referral_updates.labels import STAGE_LABELS, day, referral_label
from campaigns.referral_updates.mail import Composer, enqueue_keyed
from campaigns.referral_updates.pending import Pending, mark_sent, mark_skipped, pending_for
from campaigns.referral_updates.recipients import (
    Recipient,
    contacts_by_id,
    for_referral,
    main_contacts,
    writable,
)
from crm.opt_outs import opted_out_among


@dataclass
class NoticeReport:
    sent: int = 0
    skipped: Counter[str] = field(default_factory=Counter)


def send_notices(
    session: Session, composer: Composer, referral_ids: Collection[int] | None = None
) -> NoticeReport:
    updates = pending_for(session, ("per_referral",), referral_ids=referral_ids)
    referring = contacts_by_id(session, (u.contact_id for u in updates))
    # The partner's main contact stands in only where the referring one cannot be written to.
    mains = main_contacts(
        session,
        (u.partner_id for u in updates if not writable(referring.get(u.contact_id or 0))),
    )
    opted_out = opted_out_among(session, (c.email for c in referring.values()))
    report, drafts, skipped = NoticeReport(), {}, []
    for update in updates:
        to = for_referral(
            referring.get(update.contact_id or 0), mains.get(update.partner_id), opted_out
        )
        if isinstance(to, str):
            report.skipped[to] += 1
            skipped.append(update.id)
        else:
            drafts[update.id] = _draft(composer, update, to)
    message_of = enqueue_keyed(session, list(drafts.values()), composer.now)
    mark_sent(session, {u: message_of[d.idempotency_key] for u, d in drafts.items()})
    mark_skipped(session, skipped)
    report.sent = len(drafts)
    return report


def _draft(composer: Composer, update: Pending, to: Recipient) -> Draft:
    zone = composer.settings.zone
    label = referral_label(update.referral_id, update.partner_reference)
    common = {
        "contact_first_name": to.first_name,
        "partner_name": update.partner_name,
        "referral_received_on": day(update.received_at, zone),
    }
    key = f"referral:{update.referral_id}:{update.stage}:{to.email.lower()}"
    source = f"referral {update.referral_id} {update.stage}"
    if update.stage == "received":
        return composer.draft(
            "referral_acknowledgment",
            {**common, "partner_reference": label},
            key,
            to,
            update.partner_id,
            source,
        )
    variables = {
        **common,
        "referral_label": label,
        "status_label": STAGE_LABELS[update.stage],
        "status_date": day(update.happened_at, zone),
    }
    return composer.draft("referral_status_update", variables, key, to, update.partner_id, source)
