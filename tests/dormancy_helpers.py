"""A small fixed data set for the dormancy tests: referrals spread evenly over a span,
partners that existed long before the baseline, and a win-back cadence."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from campaigns.cadences.enrolment import CadenceDraft, create_cadence
from campaigns.cadences.steps import StepDraft
from crm.access import Actor
from crm.analytics.filters import Filters, Period
from crm.models import Cadence, Partner
from crm.settings import Settings
from tests.conftest import NOW
from tests.factories import make_partner, make_referral

SETTINGS = Settings(
    _env_file=None,
    secret_key="test-secret-key",
    practice_name="Summit Sports Medicine",
    postal_address="12 Harbor Way, Salem, MA 01970",
    public_url="https://liaison.example.org",
    timezone="America/New_York",
)
LONG_AGO = datetime(2020, 1, 1, tzinfo=NOW.tzinfo)
WINDOW_START = NOW - timedelta(days=90)
BASELINE_START = WINDOW_START - timedelta(days=365)


def everyone() -> Filters:
    return Filters(period=Period.month(2026, 11), zone=SETTINGS.zone)


def partner(session: Session, **fields: object) -> Partner:
    return make_partner(session, **{"status": "referral_source", "created_at": LONG_AGO, **fields})


def spread(
    session: Session, partner: Partner, count: int, start: datetime, end: datetime, **fields: object
) -> None:
    """`count` referrals evenly inside [start, end), none on its edges."""
    for i in range(count):
        make_referral(session, partner, start + (end - start) * (i + 0.5) / count, **fields)


def steady(session: Session, baseline: int, recent: int, **fields: object) -> Partner:
    """A partner with `baseline` referrals over the baseline year and `recent` in the window."""
    p = partner(session, **fields)
    spread(session, p, baseline, BASELINE_START, WINDOW_START)
    spread(session, p, recent, WINDOW_START, NOW)
    return p


def win_back(session: Session, actor: Actor, name: str = "Win them back") -> Cadence:
    draft = CadenceDraft(
        name=name,
        purpose="win_back",
        steps=[StepDraft(action="call", offset_days=1, title="Call them")],
    )
    cadence = create_cadence(session, actor, draft, NOW)
    session.commit()
    return cadence
