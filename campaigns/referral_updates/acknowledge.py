"""The acknowledgment of one referral as soon as it is made, for a referral a partner
sent through its link: the same steps as the scheduler's pass (record the stage, skip
what no one should hear, compose from the same template under the same key), narrowed
to that referral, so the partner hears back at once and the next pass sends nothing
twice. A partner on a daily or weekly digest gets it in the digest, as for any referral."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from campaigns.referral_updates.mail import Composer
from campaigns.referral_updates.notices import send_notices
from campaigns.referral_updates.pending import skip_unreachable_partners
from campaigns.referral_updates.stages import record_new_stages
from crm.settings import Settings


def acknowledge(session: Session, settings: Settings, referral_id: int, now: datetime) -> int:
    """How many acknowledgments were queued (0 or 1)."""
    only = (referral_id,)
    record_new_stages(session, now, referral_ids=only)
    skip_unreachable_partners(session, referral_ids=only)
    return send_notices(session, Composer(session, settings, now), referral_ids=only).sent
