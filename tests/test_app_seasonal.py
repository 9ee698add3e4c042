"""The Seasonal sports page: the calendar's defaults, generating the year's drafts, a
send's preview (recipients, who is left out and why, the email), approving a send or a
whole season, and a viewer who sees it all and changes nothing."""
from __future__ import annotations


from campaigns.seasonal import add_defaults, generate_year, sends_of
from crm.access import SYSTEM
from crm.clock import utcnow
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_contact, make_partner, make_user

PAGE = "ui/pages/seasonal.py"


def _year() -> int:
    return utcnow().year


def _people(session):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.example.org", role="marketer", name="Maria")
    make_user(session, email="lee@practice.example.org", role="viewer", name="Lee")


def _drafts(session):  # type: ignore[no-untyped-def]
    add_defaults(session, SYSTEM, _year(), utcnow())
    generate_year(session, SYSTEM, _year(), utcnow())
    session.commit()


def _open(email="maria@practice.example.org"):  # type: ignore[no-untyped-def]
    return signed_in(email).switch_page(PAGE).run()


def test_a_marketer_adds_the_school_defaults(app_database, session):
    _people(session)
    at = _open()
    at.button(key="seasonal_defaults").click().run()
    assert "Added 13 sports" in texts(at) and "ice hockey" in list(at.dataframe[0].value["Sport"])


def test_generating_drafts_lists_three_sends_per_sport(app_database, session):
    _people(session)
    add_defaults(session, SYSTEM, _year(), utcnow())
    session.commit()
    at = _open()
    at.button(key="seasonal_generate").click().run()
    statuses = list(at.dataframe[1].value["Status"])
    assert (len(statuses), set(statuses)) == (39, {"draft"})


def test_a_sends_preview_says_who_is_left_out_and_why(app_database, session):
    _people(session)
    school = make_partner(session, partner_type="school", sports="football", name="Lincoln High")
    make_contact(session, school, first_name="Ana", last_name="Ruiz")
    make_contact(session, school, first_name="Ben", last_name="Ode", email_opt_out=True)
    _drafts(session)
    football = next(s for s in sends_of(session, _year()) if (s.sport, s.phase) == ("football", "pre"))
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(football).run()
    preview = at.dataframe[2].value
    assert sorted(zip(preview["Contact"], preview["Why not"])) == [("Ana Ruiz", ""), ("Ben Ode", "opted out of email")]


def test_the_preview_shows_the_email_as_it_will_go(app_database, session):
    _people(session)
    school = make_partner(session, partner_type="school", sports="football,soccer")
    make_contact(session, school, first_name="Ana", last_name="Ruiz")
    _drafts(session)
    football = next(s for s in sends_of(session, _year()) if (s.sport, s.phase) == ("football", "pre"))
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(football).run()
    assert [e.label for e in at.expander] == [
        "Email to Ana Ruiz: Getting football and soccer athletes ready for the season"]


def test_a_marketer_approves_a_whole_season(app_database, session):
    _people(session)
    _drafts(session)
    at = _open()
    at.selectbox(key="seasonal_approve_which").set_value("winter").run()
    at.button(key="seasonal_approve_season").click().run()
    session.expire_all()
    approved = {s.season for s in sends_of(session, _year()) if s.status == "approved"}
    assert ("Approved 12 winter sends." in texts(at), approved) == (True, {"winter"})


def test_a_marketer_approves_one_send(app_database, session):
    _people(session)
    _drafts(session)
    first = sends_of(session, _year())[0]
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(first).run()
    at.button(key="seasonal_approve").click().run()
    session.expire_all()
    assert [s.id for s in sends_of(session, _year()) if s.status == "approved"] == [first.id]


def test_a_viewer_sees_the_sends_but_no_buttons(app_database, session):
    _people(session)
    _drafts(session)
    at = _open("lee@practice.example.org")
    keys = {b.key for b in at.button}
    assert (len(at.dataframe[1].value), keys & {"seasonal_defaults", "seasonal_generate", "seasonal_approve"}) == (
        39, set())


def test_a_year_without_sports_says_so(app_database, session):
    _people(session)
    at = _open()
    at.number_input(key="seasonal_year").set_value(2031).run()
    assert "No sports on the 2031 calendar yet." in texts(at)

