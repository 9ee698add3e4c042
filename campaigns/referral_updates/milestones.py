"""Thank-you notes: for a partner's first referral, and when its referral count
reaches a milestone (LIAISON_REFERRAL_MILESTONES).

The n-th referral is found by numbering each partner's referrals in the order received
(set-based, a window function); a note is due when that referral was received after the
cut-off, so an import of old referrals thanks no one for a milestone passed years ago.
The message key (partner and milestone) is the record that the note was sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from campaigns import post
from campaigns.referral_updates.mail import Composer
from campaigns.referral_updates.recipients import main_contacts
from campaigns.referral_updates.stages import cutoff
from crm.models import Partner, Referral


@dataclass
class MilestoneReport:
    sent: int = 0
    without_recipient: int = 0


def reached(
    session: Session, milestones: tuple[int, ...], now: datetime
) -> list[tuple[int, int, str]]:
    """(partner id, n, partner name) for each milestone (1 = the first referral)
    reached by a referral received since the cut-off, of partners that hear by email."""
    number = (
        func.row_number()
        .over(partition_by=Referral.partner_id, order_by=(Referral.received_at, Referral.id))
        .label("n")
    )
    ranked = select(Referral.partner_id, Referral.received_at, number).subquery()
    rows = session.execute(
        select(ranked.c.partner_id, ranked.c.n, Partner.name)
        .join(Partner, Partner.id == ranked.c.partner_id)
        .where(
            ranked.c.n.in_((1, *milestones)),
            ranked.c.received_at >= cutoff(now),
            ranked.c.received_at <= now,
            Partner.archived_at.is_(None),
            Partner.referral_channel == "email",
            Partner.update_preference != "none",
        )
        .order_by(ranked.c.partner_id, ranked.c.n)
    )
    return [(partner_id, n, name) for partner_id, n, name in rows]


def send_milestones(session: Session, composer: Composer) -> MilestoneReport:
    due = reached(session, composer.settings.milestones, composer.now)
    mains = main_contacts(session, (partner_id for partner_id, _, _ in due))
    report, drafts = MilestoneReport(), []
    for partner_id, n, name in due:
        to = mains.get(partner_id)
        if to is None:
            report.without_recipient += 1
            continue
        common = {"contact_first_name": to.first_name, "partner_name": name}
        if n == 1:
            drafts.append(
                composer.draft(
                    "first_referral_thanks",
                    common,
                    f"referral-thanks:{partner_id}:first",
                    to,
                    partner_id,
                    "first referral",
                )
            )
        else:
            drafts.append(
                composer.draft(
                    "referral_milestone",
                    {**common, "referral_count": str(n)},
                    f"referral-milestone:{partner_id}:{n}",
                    to,
                    partner_id,
                    f"{n} referrals",
                )
            )
    report.sent = post.office().enqueue_many(session, drafts, composer.now)
    return report
