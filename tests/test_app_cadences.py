"""The Cadences page: editors create cadences and manage enrolments; viewers read."""

from __future__ import annotations

from sqlmodel import select

from campaigns.cadences.enrolment import enrol
from crm.models import Cadence, CadenceStep, Enrolment
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.cadence_helpers import welcome
from tests.conftest import NOW
from tests.factories import make_partner, make_user

PAGE = "ui/pages/cadences.py"


def page_for(session, role: str = "marketer"):  # type: ignore[no-untyped-def]
    actor = make_user(session, email="maria@practice.test", role=role)
    return actor, signed_in("maria@practice.test").switch_page(PAGE).run()


def button(at, label):  # type: ignore[no-untyped-def]
    return next(b for b in at.button if b.label == label)


def test_a_marketer_creates_a_cadence_with_an_email_step(app_database, session):
    _, at = page_for(session)
    at.text_input(key="cadnew_name").input("Welcome new offices").run()
    button(at, "Save cadence").click().run()
    assert "Welcome new offices saved." in texts(at)
    step = session.execute(select(CadenceStep)).scalar_one()
    assert (step.action, step.template, step.contact_roles) == (
        "email",
        "partner_checkin",
        "physician",
    )


def test_a_cadence_that_cannot_be_saved_says_why(app_database, session):
    _, at = page_for(session)
    button(at, "Save cadence").click().run()
    assert "Name" in texts(at) and session.execute(select(Cadence)).first() is None


def test_the_list_counts_each_cadences_enrolments(app_database, session):
    actor, _ = page_for(session)
    cadence = welcome(session, actor, NOW)
    enrol(session, actor, cadence.id, [make_partner(session).id, make_partner(session).id], now=NOW)
    session.commit()
    at = signed_in("maria@practice.test").switch_page(PAGE).run()
    table = at.dataframe[0].value
    assert (list(table["Name"]), list(table["Active"])) == (["Welcome"], [2])


def test_a_marketer_pauses_an_enrolment(app_database, session):
    actor, _ = page_for(session)
    cadence = welcome(session, actor, NOW)
    partner = make_partner(session, name="Riverside Family Medicine")
    enrol(session, actor, cadence.id, [partner.id], now=NOW)
    session.commit()
    at = signed_in("maria@practice.test").switch_page(PAGE).run()
    at.selectbox(key="cadence_pick").set_value(cadence.id).run()
    at.multiselect(key=f"enrolment_pick_{cadence.id}").select(
        session.execute(select(Enrolment.id)).scalar_one()
    ).run()
    button(at, "Pause").click().run()
    assert "1 enrolment paused." in texts(at)
    assert (
        session.execute(
            select(Enrolment.status).execution_options(populate_existing=True)
        ).scalar_one()
        == "paused"
    )


def test_a_viewer_reads_but_cannot_change(app_database, session):
    marketer = make_user(session, role="marketer")
    cadence = welcome(session, marketer, NOW)
    enrol(session, marketer, cadence.id, [make_partner(session).id], now=NOW)
    session.commit()
    _, at = page_for(session, role="viewer")
    assert "New cadence…" not in at.selectbox(key="cadence_pick").options
    assert not [b for b in at.button if b.label in ("Save cadence", "Pause", "Enrol")]
    assert at.text_input(key=f"cad{cadence.id}_name").disabled


def test_a_marketer_enrols_a_partner_found_by_name(app_database, session):
    actor, _ = page_for(session)
    cadence = welcome(session, actor, NOW)
    partner = make_partner(session, name="Riverside Family Medicine")
    at = signed_in("maria@practice.test").switch_page(PAGE).run()
    at.selectbox(key="cadence_pick").set_value(cadence.id).run()
    at.text_input(key=f"enrol_find_{cadence.id}").input("Riverside").run()
    at.multiselect(key=f"enrol_pick_{cadence.id}").select(partner.id).run()
    button(at, "Enrol").click().run()
    assert "1 enrolled." in texts(at)
    assert session.execute(select(Enrolment.partner_id)).scalar_one() == partner.id


def test_a_marketer_sets_the_nurture_cadence_for_new_referral_sources(app_database, session, now):
    from campaigns.cadences.enrolment import CadenceDraft, create_cadence
    from campaigns.cadences.steps import StepDraft
    from crm.access import SYSTEM
    from crm.models import Cadence

    nurture = create_cadence(
        session, SYSTEM, CadenceDraft(name="Nurture", steps=[StepDraft(action="call")]), now
    )
    intro = create_cadence(
        session,
        SYSTEM,
        CadenceDraft(
            name="Introduction", exit_on_referral_source=True, steps=[StepDraft(action="call")]
        ),
        now,
    )
    session.commit()
    make_user(session, email="maria@practice.example.org", role="marketer")
    at = signed_in("maria@practice.example.org").switch_page("ui/pages/cadences.py").run()
    picker = [
        s for s in at.selectbox if s.label.startswith("Cadence") or s.label.startswith("Open")
    ]
    assert picker, [s.label for s in at.selectbox]
    picker[0].select(intro.id).run()
    at.selectbox(key=f"cad{intro.id}_nurture").select(nurture.id).run()
    at.button(key=f"cad{intro.id}_save").click().run()
    session.expire_all()
    assert session.get(Cadence, intro.id).nurture_cadence_id == nurture.id
