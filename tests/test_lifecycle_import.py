"""Bulk imports write referrals and touches set-based, without any per-row hook: the
lifecycle pass catches up with them on its next run."""

import csv
import io
from datetime import UTC, datetime

from crm.lifecycle import advance_lifecycle
from crm.transfer import import_file
from tests.factories import make_partner
from tests.lifecycle_helpers import history, status_of

HEADER = ["Partner", "Partner Address", "Reference", "Received", "Service"]


def import_referrals(session, actor, now, *rows):
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    report = import_file(
        session, actor, "referrals", out.getvalue().encode(), "referrals.csv", now=now
    )
    session.commit()
    return report


def test_the_pass_catches_up_with_imported_referrals(session, marketer, now):
    elm = make_partner(session, name="Elm", address="1 Main St")
    oak = make_partner(session, name="Oak", address="2 Main St")
    import_referrals(
        session,
        marketer,
        now,
        ["Elm", "1 Main St", "E-1", "2026-11-02T09:00:00Z", "knee"],
        ["Elm", "1 Main St", "E-2", "2026-11-16T09:00:00Z", "knee"],
        ["Oak", "2 Main St", "O-1", "2026-11-20T09:00:00Z", "hip"],
    )
    advance_lifecycle(session, now)
    assert (status_of(session, elm), status_of(session, oak)) == (
        "referral_source",
        "referral_source",
    )


def test_an_imported_history_dates_the_conversion_at_the_first_referral(session, marketer, now):
    elm = make_partner(session, name="Elm", address="1 Main St")
    import_referrals(
        session,
        marketer,
        now,
        ["Elm", "1 Main St", "E-2", "2026-11-16T09:00:00Z", "knee"],
        ["Elm", "1 Main St", "E-1", "2026-11-02T09:00:00Z", "knee"],
    )
    report = advance_lifecycle(session, now)
    assert [m.at for m in report.moves] == [datetime(2026, 11, 2, 9, 0, tzinfo=UTC)]
    assert history(session, elm)[0][:3] == ("prospect", "referral_source", "referral")
