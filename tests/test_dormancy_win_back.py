"""One click from the Dormancy page enrols the chosen partners in a win-back cadence."""

from __future__ import annotations

import pytest
from sqlmodel import select

from campaigns.alerts.win_back import enrol_in_win_back, win_back_cadences
from crm.access import PermissionDenied
from crm.models import Enrolment
from tests.cadence_helpers import welcome
from tests.conftest import NOW
from tests.dormancy_helpers import partner, win_back


def enrolled(session, cadence_id):  # type: ignore[no-untyped-def]
    return sorted(
        session.exec(select(Enrolment.partner_id).where(Enrolment.cadence_id == cadence_id))
    )


def test_the_chosen_partners_are_enrolled(session, marketer):
    cadence = win_back(session, marketer)
    a, b = partner(session), partner(session)
    report = enrol_in_win_back(session, marketer, [a.id, b.id], cadence.id, NOW)
    assert report.enrolled == 2 and enrolled(session, cadence.id) == sorted([a.id, b.id])


def test_a_partner_already_in_the_cadence_is_reported_not_enrolled_twice(session, marketer):
    cadence = win_back(session, marketer)
    a, b = partner(session), partner(session)
    enrol_in_win_back(session, marketer, [a.id], cadence.id, NOW)
    report = enrol_in_win_back(session, marketer, [a.id, b.id], cadence.id, NOW)
    assert (report.enrolled, report.already_enrolled) == (1, 1)
    assert enrolled(session, cadence.id) == sorted([a.id, b.id])


def test_a_viewer_cannot_enrol(session, marketer, viewer):
    cadence = win_back(session, marketer)
    with pytest.raises(PermissionDenied):
        enrol_in_win_back(session, viewer, [partner(session).id], cadence.id, NOW)


def test_only_a_win_back_cadence_can_be_chosen(session, marketer):
    prospecting = welcome(session, marketer, NOW)
    with pytest.raises(ValueError, match="not a win-back cadence"):
        enrol_in_win_back(session, marketer, [partner(session).id], prospecting.id, NOW)


def test_the_win_back_cadences_are_listed_by_name(session, marketer):
    welcome(session, marketer, NOW)
    win_back(session, marketer, name="Win back: tier B")
    win_back(session, marketer, name="Win back: tier A")
    assert [c.name for c in win_back_cadences(session)] == ["Win back: tier A", "Win back: tier B"]
