"""Cadences, steps and enrolments: editing, enrolling, pausing, resuming, exiting."""

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaigns.cadences.enrolment import (
    CadenceDraft,
    enrol,
    exit_enrolment_ids,
    exit_enrolments,
    list_cadences,
    list_enrolments,
    live_steps,
    pause,
    resume,
    update_cadence,
)
from campaigns.cadences.steps import StepDraft
from crm.access import PermissionDenied
from crm.models import AuditLog, CadenceStep, Enrolment
from tests.cadence_helpers import checkin, task, welcome
from tests.factories import make_partner

BOSTON = "America/New_York"


def enrolments(session, cadence_id):
    return list(
        session.execute(
            select(Enrolment)
            .where(Enrolment.cadence_id == cadence_id)
            .execution_options(populate_existing=True)
        ).scalars()
    )


def test_a_cadence_keeps_its_steps_in_order(session, marketer, now):
    cadence = welcome(session, marketer, now)
    assert [s.action for s in live_steps(session, cadence.id)] == ["email", "call", "visit"]


def test_an_email_step_needs_a_template(session):
    with pytest.raises(ValidationError, match="template"):
        StepDraft(action="email", contact_roles="physician")


def test_an_email_step_needs_the_values_its_template_does_not_get_from_the_recipient(session):
    with pytest.raises(ValidationError, match="update_title"):
        StepDraft(action="email", template="partner_education_update", contact_roles="physician")


def test_a_viewer_cannot_create_a_cadence(session, viewer, now):
    with pytest.raises(PermissionDenied):
        welcome(session, viewer, now)


def test_editing_a_step_keeps_its_id(session, marketer, now):
    cadence = welcome(session, marketer, now)
    steps = live_steps(session, cadence.id)
    drafts = [
        checkin(3, id=steps[0].id),
        task("call", 1, id=steps[1].id),
        task("visit", 2, id=steps[2].id),
    ]
    update_cadence(session, marketer, cadence.id, CadenceDraft(name="Welcome", steps=drafts), now)
    session.commit()
    assert [(s.id, s.offset_days) for s in live_steps(session, cadence.id)][0] == (steps[0].id, 3)


def test_a_step_left_out_of_an_edit_is_removed_not_deleted(session, marketer, now):
    cadence = welcome(session, marketer, now)
    steps = live_steps(session, cadence.id)
    update_cadence(
        session,
        marketer,
        cadence.id,
        CadenceDraft(name="Welcome", steps=[checkin(0, id=steps[0].id)]),
        now,
    )
    session.commit()
    removed = session.get(CadenceStep, steps[2].id, populate_existing=True)
    assert removed.removed_at is not None and len(live_steps(session, cadence.id)) == 1


def test_enrolling_refuses_archived_and_do_not_contact_partners(session, marketer, now):
    cadence = welcome(session, marketer, now)
    ok, dnc, gone = (
        make_partner(session),
        make_partner(session, status="do_not_contact"),
        make_partner(session, archived_at=now),
    )
    report = enrol(session, marketer, cadence.id, [ok.id, dnc.id, gone.id, 999999], now=now)
    assert (report.enrolled, report.do_not_contact, report.archived, report.not_found) == (
        1,
        1,
        1,
        1,
    )


def test_a_partner_is_never_enrolled_twice_at_once(session, marketer, now):
    cadence = welcome(session, marketer, now)
    partner = make_partner(session)
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    again = enrol(session, marketer, cadence.id, [partner.id], now=now)
    assert (again.enrolled, again.already_enrolled, len(enrolments(session, cadence.id))) == (
        0,
        1,
        1,
    )


def test_the_database_refuses_a_second_live_enrolment(session, marketer, now):
    cadence = welcome(session, marketer, now)
    partner = make_partner(session)
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    session.commit()
    session.add(
        Enrolment(
            cadence_id=cadence.id,
            partner_id=partner.id,
            enrolled_at=now,
            anchor_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()


def test_a_partner_who_exited_can_be_enrolled_again(session, marketer, now):
    cadence = welcome(session, marketer, now)
    partner = make_partner(session)
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    exit_enrolments(session, marketer, partner_ids=[partner.id], reason="manual", now=now)
    assert enrol(session, marketer, cadence.id, [partner.id], now=now).enrolled == 1


def test_a_new_enrolment_is_due_for_planning_at_once(session, marketer, now):
    cadence = welcome(session, marketer, now)
    partner = make_partner(session)
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    session.commit()
    row = enrolments(session, cadence.id)[0]
    assert (row.status, row.next_due_at, row.anchor_at) == ("active", now, now)


def test_pausing_stops_the_planner_looking_at_it(session, marketer, now):
    cadence = welcome(session, marketer, now)
    enrol(session, marketer, cadence.id, [make_partner(session).id], now=now)
    row = enrolments(session, cadence.id)[0]
    assert pause(session, marketer, [row.id], now=now) == 1
    row = enrolments(session, cadence.id)[0]
    assert (row.status, row.next_due_at) == ("paused", None)


def test_resuming_moves_the_anchor_by_the_business_days_paused(session, marketer, now):
    cadence = welcome(session, marketer, now)  # now: Wednesday 2026-11-25
    enrol(session, marketer, cadence.id, [make_partner(session).id], now=now)
    row = enrolments(session, cadence.id)[0]
    pause(session, marketer, [row.id], now=now)
    monday = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    resume(session, marketer, [row.id], now=monday, timezone=BOSTON)
    session.commit()
    row = enrolments(session, cadence.id)[0]
    # Thursday, Friday and Monday were paused: the anchor moves from Wednesday to Monday.
    assert (row.status, row.anchor_at.astimezone(UTC)) == (
        "active",
        datetime(2026, 11, 30, 15, 0, tzinfo=UTC),
    )


def test_exiting_by_partner_records_the_reason(session, marketer, now):
    cadence = welcome(session, marketer, now)
    partner = make_partner(session)
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    assert (
        exit_enrolments(session, marketer, partner_ids=[partner.id], reason="unsubscribed", now=now)
        == 1
    )
    row = enrolments(session, cadence.id)[0]
    assert (row.status, row.exit_reason, row.next_due_at) == ("exited", "unsubscribed", None)


def test_exit_on_referral_source_only_touches_cadences_that_ask_for_it(session, marketer, now):
    prospecting = welcome(session, marketer, now, name="Prospecting", exit_on_referral_source=True)
    nurture = welcome(session, marketer, now, name="Nurture")
    partner = make_partner(session)
    enrol(session, marketer, prospecting.id, [partner.id], now=now)
    enrol(session, marketer, nurture.id, [partner.id], now=now)
    exit_enrolments(
        session,
        marketer,
        partner_ids=[partner.id],
        reason="referral_source",
        now=now,
        only_exit_on_referral_source=True,
    )
    assert [
        e.status for e in enrolments(session, prospecting.id) + enrolments(session, nurture.id)
    ] == ["exited", "active"]


def test_an_unknown_exit_reason_is_refused(session, marketer, now):
    cadence = welcome(session, marketer, now)
    enrol(session, marketer, cadence.id, [make_partner(session).id], now=now)
    with pytest.raises(ValueError):
        exit_enrolment_ids(
            session, marketer, [enrolments(session, cadence.id)[0].id], reason="bored", now=now
        )


def test_the_list_counts_enrolments_by_status(session, marketer, now):
    cadence = welcome(session, marketer, now)
    a, b = make_partner(session), make_partner(session)
    enrol(session, marketer, cadence.id, [a.id, b.id], now=now)
    exit_enrolments(session, marketer, partner_ids=[a.id], reason="manual", now=now)
    summary = list_cadences(session)[0]
    assert (summary.steps, summary.counts) == (3, {"active": 1, "exited": 1})


def test_enrolments_are_listed_with_their_partner(session, marketer, now):
    cadence = welcome(session, marketer, now)
    partner = make_partner(session, name="Riverside Family Medicine")
    enrol(session, marketer, cadence.id, [partner.id], now=now)
    rows, total = list_enrolments(session, cadence.id)
    assert (total, rows[0].partner_name) == (1, "Riverside Family Medicine")


def test_enrolling_is_audited(session, marketer, now):
    cadence = welcome(session, marketer, now)
    enrol(session, marketer, cadence.id, [make_partner(session).id], now=now)
    session.commit()
    assert (
        session.execute(select(AuditLog.entity_id).where(AuditLog.action == "enrol")).scalar()
        == cadence.id
    )
