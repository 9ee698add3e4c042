"""Asking for the monthly report: each user for themselves, an admin for anyone,
and every change in the audit trail."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from crm.access import PermissionDenied
from crm.models import AuditLog, User
from crm.users import UserError, set_monthly_report
from tests.factories import make_user


def _audits(session):  # type: ignore[no-untyped-def]
    return session.exec(select(AuditLog).where(AuditLog.entity == "user")).all()


def test_a_user_opts_in_to_the_report(session, viewer, now):
    set_monthly_report(session, viewer, viewer.id, True, now)
    session.commit()
    assert session.get(User, viewer.id).monthly_report is True


def test_a_user_opts_out_again(session, now):
    actor = make_user(session, role="viewer", monthly_report=True)
    set_monthly_report(session, actor, actor.id, False, now)
    session.commit()
    assert session.get(User, actor.id).monthly_report is False


def test_the_change_is_audited_with_who_made_it(session, marketer, now):
    set_monthly_report(session, marketer, marketer.id, True, now)
    session.commit()
    (entry,) = _audits(session)
    assert (entry.user_id, entry.action, entry.entity_id) == (marketer.id, "update", marketer.id)
    assert json.loads(entry.changes) == {"monthly_report": [False, True]}


def test_setting_the_same_value_changes_and_audits_nothing(session, marketer, now):
    set_monthly_report(session, marketer, marketer.id, False, now)
    session.commit()
    assert _audits(session) == []


def test_an_admin_sets_it_for_someone_else(session, admin, viewer, now):
    set_monthly_report(session, admin, viewer.id, True, now)
    session.commit()
    assert session.get(User, viewer.id).monthly_report is True
    assert _audits(session)[0].user_id == admin.id


def test_a_marketer_cannot_set_it_for_someone_else(session, marketer, viewer, now):
    with pytest.raises(PermissionDenied):
        set_monthly_report(session, marketer, viewer.id, True, now)


def test_an_unknown_user_is_refused(session, admin, now):
    with pytest.raises(UserError, match="no such user"):
        set_monthly_report(session, admin, 999_999, True, now)
