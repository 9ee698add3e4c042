"""The suppression list: lookups, a person's adds and removals (audited), and the sync
of SendGrid's lists (against the local SendGrid server), on both databases."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from campaigns.mail import suppressions
from campaigns.mail.suppressions import Entry, Reason, SuppressionError, sync_from_sendgrid
from campaigns.mail.transports.sendgrid_api import client_for
from crm.access import PermissionDenied
from crm.models import AuditLog, Suppression, SyncState
from crm.settings import Settings
from tests.sendgrid_server import sendgrid_server  # noqa: F401

T0 = 1_790_000_000  # a Unix time in 2026


def listed(session) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    return [
        (s.email, s.reason, s.source)
        for s in session.exec(select(Suppression).order_by(Suppression.email))
    ]


def test_suppressed_among_finds_addresses_whatever_their_case(session, marketer, now):
    """Ana@Clinic.org typed in a contact is the same person as ana@clinic.org who unsubscribed."""
    suppressions.add(session, marketer, "ana@clinic.org", "manual", now)
    found = suppressions.suppressed_among(session, ["ANA@Clinic.ORG", "bo@clinic.org"])
    assert found == {"ANA@Clinic.ORG"}


def test_an_address_suppressed_in_capitals_is_found_in_lower_case(session, now):
    """Whatever the source wrote, the list holds one spelling."""
    suppressions.record(session, [Entry("Bo@Clinic.ORG", Reason.BOUNCE, now)], "sendgrid")
    assert suppressions.is_suppressed(session, "bo@clinic.org")


def test_a_large_batch_is_checked_in_full(session, now):
    """More addresses than one statement carries: the last chunk is looked at too."""
    suppressions.record(session, [Entry("last@clinic.org", Reason.BOUNCE, now)], "sendgrid")
    emails = [f"p{n}@clinic.org" for n in range(1200)] + ["last@clinic.org"]
    assert suppressions.suppressed_among(session, emails) == {"last@clinic.org"}


def test_recording_an_address_twice_keeps_one_row_and_the_first_reason(session, now):
    """The upsert ignores what is already listed and says how many were new."""
    assert (
        suppressions.record(session, [Entry("a@clinic.org", Reason.BOUNCE, now)], "sendgrid") == 1
    )
    assert (
        suppressions.record(
            session,
            [
                Entry("A@clinic.org", Reason.UNSUBSCRIBE, now),
                Entry("b@clinic.org", Reason.UNSUBSCRIBE, now),
            ],
            "link",
        )
        == 1
    )
    assert listed(session) == [
        ("a@clinic.org", "bounce", "sendgrid"),
        ("b@clinic.org", "unsubscribe", "link"),
    ]


def test_a_marketer_adds_an_address_with_a_reason_and_note(session, marketer, now):
    """A partner asked by phone to stop the newsletter."""
    row = suppressions.add(
        session, marketer, " Dr.Lee@Partner.org ", "manual", now, note="asked by phone"
    )
    assert (row.email, row.reason, row.source, row.note) == (
        "dr.lee@partner.org",
        "manual",
        "manual",
        "asked by phone",
    )


def test_adding_is_written_to_the_audit_log(session, marketer, now):
    """Who stopped email to whom, and why."""
    row = suppressions.add(session, marketer, "dr.lee@partner.org", "spam report", now)
    entry = session.exec(select(AuditLog).where(AuditLog.entity == "suppression")).one()
    assert (entry.action, entry.entity_id, entry.user_id) == ("create", row.id, marketer.id)
    assert json.loads(entry.changes)["reason"] == "spam_report"


def test_adding_an_address_already_listed_says_so(session, marketer, now):
    """Rather than silently replacing SendGrid's reason with a person's."""
    suppressions.record(session, [Entry("a@clinic.org", Reason.BOUNCE, now)], "sendgrid")
    with pytest.raises(SuppressionError, match="already suppressed: a@clinic.org \\(bounce\\)"):
        suppressions.add(session, marketer, "A@clinic.org", "manual", now)


def test_an_invalid_address_is_refused(session, marketer, now):
    """A typo would suppress nobody and hide the mistake."""
    with pytest.raises(ValueError, match="invalid email"):
        suppressions.add(session, marketer, "dr.lee at partner", "manual", now)


def test_a_viewer_cannot_add(session, viewer, now):
    """Read-only means read-only, whatever page or script calls."""
    with pytest.raises(PermissionDenied):
        suppressions.add(session, viewer, "a@clinic.org", "manual", now)


def test_removing_allows_sending_again_and_is_audited(session, marketer, admin, now):
    """A mistaken suppression is undone, and the log says what was removed."""
    row = suppressions.add(session, marketer, "a@clinic.org", "manual", now)
    suppressions.remove(session, admin, row.id, now)
    assert not suppressions.is_suppressed(session, "a@clinic.org")
    entry = session.exec(select(AuditLog).where(AuditLog.action == "delete")).one()
    assert (entry.user_id, json.loads(entry.changes)["email"]) == (admin.id, "a@clinic.org")


def test_a_viewer_cannot_remove(session, marketer, viewer, now):
    """Removing lets email flow again, so it takes an editor."""
    row = suppressions.add(session, marketer, "a@clinic.org", "manual", now)
    with pytest.raises(PermissionDenied):
        suppressions.remove(session, viewer, row.id, now)


def test_the_list_is_searched_by_address_or_note(session, marketer, now):
    """Finding one address among thousands."""
    suppressions.add(session, marketer, "lee@ortho.org", "manual", now)
    suppressions.add(
        session, marketer, "kim@pt.org", "manual", now, note="Retired from Ortho group"
    )
    suppressions.add(session, marketer, "ray@pt.org", "manual", now)
    assert [s.email for s in suppressions.list_suppressions(session, "ORTHO")] == [
        "kim@pt.org",
        "lee@ortho.org",
    ]


def test_the_list_is_filtered_by_reason(session, marketer, now):
    """Say, every bounce."""
    suppressions.add(session, marketer, "a@ortho.org", "bounce", now)
    suppressions.add(session, marketer, "b@ortho.org", "manual", now)
    assert [s.email for s in suppressions.list_suppressions(session, reason="bounce")] == [
        "a@ortho.org"
    ]


# --- the SendGrid sync ---------------------------------------------------------------


@pytest.fixture
def client(sendgrid_server):  # type: ignore[no-untyped-def]
    settings = Settings(
        _env_file=None,
        email_transport="sendgrid",
        sendgrid_api_key="SG.test-key",
        sendgrid_host=sendgrid_server.url,
    )
    return client_for(settings, timeout=5)


def test_every_sendgrid_list_is_pulled_with_its_reason(session, client, sendgrid_server, now):
    """Bounces, blocks, spam reports, invalid emails, global and group unsubscribes."""
    for n, kind in enumerate(
        ["bounces", "blocks", "spam_reports", "invalid_emails", "unsubscribes", "asm"]
    ):
        sendgrid_server.add_suppression(kind, f"{kind}@partner.org", T0 + n)
    sync_from_sendgrid(session, client, now)
    assert listed(session) == [
        ("asm@partner.org", "unsubscribe", "sendgrid"),
        ("blocks@partner.org", "block", "sendgrid"),
        ("bounces@partner.org", "bounce", "sendgrid"),
        ("invalid_emails@partner.org", "invalid", "sendgrid"),
        ("spam_reports@partner.org", "spam_report", "sendgrid"),
        ("unsubscribes@partner.org", "unsubscribe", "sendgrid"),
    ]


def test_the_time_sendgrid_recorded_is_kept(session, client, sendgrid_server, now):
    """When the address bounced, not when we happened to sync."""
    sendgrid_server.add_suppression("bounces", "a@partner.org", T0)
    sync_from_sendgrid(session, client, now)
    created = session.exec(select(Suppression.created_at)).one()
    assert created.replace(tzinfo=UTC) == datetime.fromtimestamp(T0, UTC)


def test_a_second_sync_adds_nothing_new(session, client, sendgrid_server, now):
    """Nothing changed at SendGrid, so nothing is added."""
    sendgrid_server.add_suppression("bounces", "a@partner.org", T0)
    sync_from_sendgrid(session, client, now)
    report = sync_from_sendgrid(session, client, now)
    assert sum(report.added.values()) == 0
    assert len(listed(session)) == 1


def test_a_second_sync_asks_only_for_what_is_new(session, client, sendgrid_server, now):
    """The cursor is the newest time seen, so older entries are not fetched again."""
    sendgrid_server.add_suppression("bounces", "old@partner.org", T0)
    sendgrid_server.add_suppression("bounces", "newer@partner.org", T0 + 60)
    sync_from_sendgrid(session, client, now)
    report = sync_from_sendgrid(session, client, now)
    assert report.fetched["bounces"] == 1  # only the one at the cursor's own second
    assert session.get(SyncState, "sendgrid.bounces").cursor == str(T0 + 60)


def test_a_bounce_added_after_a_sync_is_pulled_by_the_next(session, client, sendgrid_server, now):
    """The point of syncing on a schedule."""
    sendgrid_server.add_suppression("bounces", "a@partner.org", T0)
    sync_from_sendgrid(session, client, now)
    sendgrid_server.add_suppression("bounces", "b@partner.org", T0 + 3600)
    report = sync_from_sendgrid(session, client, now)
    assert report.added["bounces"] == 1
    assert suppressions.is_suppressed(session, "b@partner.org")


def test_an_entry_in_the_same_second_as_the_cursor_is_not_lost(
    session, client, sendgrid_server, now
):
    """SendGrid's times are whole seconds: the next sync asks from the cursor's second on."""
    sendgrid_server.add_suppression("blocks", "a@partner.org", T0)
    sync_from_sendgrid(session, client, now)
    sendgrid_server.add_suppression("blocks", "b@partner.org", T0)
    sync_from_sendgrid(session, client, now)
    assert suppressions.is_suppressed(session, "b@partner.org")


def test_group_unsubscribes_already_seen_are_skipped(session, client, sendgrid_server, now):
    """That endpoint has no time filter, so the cursor is applied on our side."""
    sendgrid_server.add_suppression("asm", "a@partner.org", T0)
    sync_from_sendgrid(session, client, now)
    sendgrid_server.add_suppression("asm", "b@partner.org", T0 + 10)
    report = sync_from_sendgrid(session, client, now)
    assert (report.fetched["group_unsubscribes"], report.added["group_unsubscribes"]) == (2, 1)


def test_more_than_one_page_is_pulled(session, client, sendgrid_server, now):
    """SendGrid pages at 500; a big first sync must read them all."""
    for n in range(1203):
        sendgrid_server.add_suppression("bounces", f"p{n}@partner.org", T0 + n)
    report = sync_from_sendgrid(session, client, now)
    assert report.added["bounces"] == 1203


def test_an_address_on_two_lists_is_listed_once(session, client, sendgrid_server, now):
    """A bounce that was also reported as spam is still one suppressed address."""
    sendgrid_server.add_suppression("bounces", "a@partner.org", T0)
    sendgrid_server.add_suppression("spam_reports", "A@Partner.org", T0 + 5)
    sync_from_sendgrid(session, client, now)
    assert listed(session) == [("a@partner.org", "bounce", "sendgrid")]


def test_sendgrid_failing_leaves_the_cursor_unmoved(session, client, sendgrid_server, now):
    """A failed run raises; the next run starts from the same place."""
    sendgrid_server.add_suppression("bounces", "a@partner.org", T0)
    sendgrid_server.set_faults(1.0, ["500"])
    with pytest.raises(suppressions.SyncError, match="bounces"):
        sync_from_sendgrid(session, client, now)
    assert session.get(SyncState, "sendgrid.bounces") is None
