"""The Prospects page: prospects nearest to a clinic first, and the chosen ones enrolled
in a prospecting cadence with one click."""

from __future__ import annotations

from sqlmodel import select

from crm.models import Enrolment
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_location, make_partner, make_user
from tests.lifecycle_helpers import make_cadence

PAGE = "ui/pages/prospects.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.test", role=role)
    return signed_in("maria@practice.test").switch_page(PAGE).run()


def test_prospects_are_ranked_by_distance_and_enrolled_in_one_click(app_database, session):
    make_location(session, name="Cambridge", zip="02139")
    far = make_partner(session, name="Northampton PT", partner_type="physical_therapy", zip="01060")
    near = make_partner(session, name="Kendall Ortho", partner_type="orthopedics", zip="02142")
    make_partner(session, name="Already engaged", status="engaged", zip="02139")
    make_partner(session, name="No ZIP Chiro", partner_type="chiropractic", zip="")
    cadence = make_cadence(session, name="New-partner introduction")
    make_cadence(session, purpose="win_back", name="Win back")

    at = page_for(session)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table["Prospect"]) == ["Kendall Ortho", "Northampton PT", "No ZIP Chiro"]
    assert table["Miles"][0] < 2 and 60 < table["Miles"][1] < 100

    assert at.selectbox(key="prospects_cadence").options == ["New-partner introduction"]
    at.multiselect(key="prospects_pick").select(near.id).run()
    at.button(key="prospects_enrol").click().run()
    assert not at.exception, at.exception
    assert "New-partner introduction: 1 enrolled." in texts(at)
    enrolled = session.exec(select(Enrolment.partner_id, Enrolment.cadence_id)).all()
    assert enrolled == [(near.id, cadence.id)]
    assert far.id not in [p for p, _ in enrolled]


def test_a_distance_limit_keeps_only_the_near_ones(app_database, session):
    make_location(session, name="Cambridge", zip="02139")
    make_partner(session, name="Northampton PT", zip="01060")
    make_partner(session, name="Kendall Ortho", zip="02142")
    at = page_for(session)
    at.number_input(key="prospects_within").set_value(10).run()
    assert list(at.dataframe[0].value["Prospect"]) == ["Kendall Ortho"]


def test_a_viewer_sees_the_ranking_but_cannot_enrol(app_database, session):
    make_partner(session, name="Kendall Ortho", zip="02142")
    make_cadence(session)
    at = page_for(session, role="viewer")
    assert list(at.dataframe[0].value["Prospect"]) == ["Kendall Ortho"]
    assert "Start prospecting" not in texts(at)
