"""Closing the loop with referring partners: an acknowledgment when a referral
arrives, a status update when the patient is scheduled and when the first visit is
done, per referral or in a daily or weekly digest, and thank-you notes for a partner's
first referral and its milestones.

Modules: `stages` (finds what happened, set-based, into ReferralUpdate rows),
`pending` (reads pending updates, writes their outcome), `recipients` (who at the
partner hears about it), `labels` (what an email may say: a reference, dates and a
status, never a patient or a service line), `mail` (compose and enqueue), `notices`
(one email per update), `digests`, `milestones` and `job` (one pass, run by the
scheduler every two minutes).

Only referrals received within CUTOFF_DAYS of the pass are looked at, so importing
years of history (crm/transfer) does not mail partners about long-finished referrals.
"""

from campaigns.referral_updates.job import EVERY_SECONDS, PassReport, run_pass, scheduled_job

__all__ = ["EVERY_SECONDS", "PassReport", "run_pass", "scheduled_job"]
