"""One pass of the referral updates program, as the scheduler runs it every two
minutes: record what happened, skip what no one should hear about, then send the
per-referral emails, the digests whose period has ended and the thank-you notes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from campaigns.referral_updates.digests import send_digests
from campaigns.referral_updates.mail import Composer
from campaigns.referral_updates.milestones import send_milestones
from campaigns.referral_updates.notices import send_notices
from campaigns.referral_updates.pending import skip_unreachable_partners
from campaigns.referral_updates.stages import record_new_stages
from crm.clock import Clock
from crm.db import session_scope
from crm.settings import Settings

EVERY_SECONDS = 120


@dataclass(frozen=True)
class PassReport:
    recorded: int
    notices: int
    digests: int
    thanks: int
    skipped: dict[str, int]  # updates skipped in this pass, by reason
    thanks_without_recipient: (
        int  # notes due to partners with no one to email; tried again next pass
    )


def run_pass(session: Session, settings: Settings, now: datetime) -> PassReport:
    recorded = record_new_stages(session, now)
    skipped = Counter(skip_unreachable_partners(session))
    composer = Composer(session, settings, now)
    notices, digests, thanks = (
        send_notices(session, composer),
        send_digests(session, composer),
        send_milestones(session, composer),
    )
    skipped.update(notices.skipped + digests.skipped)
    return PassReport(
        recorded,
        notices.sent,
        digests.sent,
        thanks.sent,
        {k: v for k, v in skipped.items() if v},
        thanks.without_recipient,
    )


def scheduled_job(engine: Engine, settings: Settings, clock: Clock) -> Any:
    with session_scope(engine) as session:
        return run_pass(session, settings, clock())
