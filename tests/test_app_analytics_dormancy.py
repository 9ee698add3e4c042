"""The Dormancy alerts page: everyone reads the ranked list and downloads it; editors
enrol the chosen partners in a win-back cadence.

The page's windows end at the real current time, so the partners here are built
around it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from crm import clock
from crm.models import Enrolment
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.dormancy_helpers import partner, spread, win_back
from tests.factories import make_user

PAGE = "ui/pages/analytics_dormancy.py"


def quiet(session, name):  # type: ignore[no-untyped-def]
    now = clock.now()
    p = partner(session, name=name)
    spread(session, p, 24, now - timedelta(days=455), now - timedelta(days=90))
    return p


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    at = signed_in("maria@practice.test").switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_the_ranked_list_is_shown_with_its_downloads(app_database, session):
    quiet(session, "Riverside Family Medicine")
    at = page_for(session, role="viewer")
    table = at.dataframe[0].value
    assert list(table["Partner"]) == ["Riverside Family Medicine"]
    assert list(table["Recent referrals"]) == [0] and list(table["Expected"]) == [5.92]
    assert [b.label for b in at.get("download_button")] == ["CSV", "Excel"]


def test_a_viewer_sees_no_enrol_controls(app_database, session, marketer):
    quiet(session, "Riverside Family Medicine")
    win_back(session, marketer)
    at = page_for(session, role="viewer")
    assert not [b for b in at.button if b.label == "Enrol selected in win-back"]
    assert "Partners to enrol" not in [m.label for m in at.multiselect]
    assert "Riverside Family Medicine" in list(at.dataframe[0].value["Partner"])


def test_an_editor_enrols_the_chosen_partners_in_win_back(app_database, session, marketer):
    p = quiet(session, "Riverside Family Medicine")
    quiet(session, "Harbor Physical Therapy")
    cadence = win_back(session, marketer)
    at = page_for(session)
    at.multiselect(key="dormancy_enrol_ids").select(p.id).run()
    at = at.button(key="dormancy_enrol").click().run()
    assert not at.exception, at.exception
    session.expire_all()
    assert list(
        session.exec(select(Enrolment.partner_id).where(Enrolment.cadence_id == cadence.id))
    ) == [p.id]
    assert "Win them back: 1 enrolled." in texts(at)


def test_without_a_win_back_cadence_the_page_says_to_create_one(app_database, session):
    quiet(session, "Riverside Family Medicine")
    assert "create one on the Cadences page" in texts(page_for(session))


def test_with_no_partner_going_quiet_the_page_says_so(app_database, session):
    assert "No partner is going quiet" in texts(page_for(session, role="viewer"))
