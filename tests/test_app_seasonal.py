"""The Seasonal sports page: the calendar's defaults, generating the year's drafts, a
send's preview (recipients, who is left out and why, the email), approving a send or a
whole season, and a viewer who sees it all and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from campaigns.seasonal import add_defaults, generate_year, sends_of
from crm import clock
from crm.access import SYSTEM
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_contact, make_partner, make_user

PAGE = "ui/pages/seasonal.py"


def _year() -> int:
    return clock.now().year


def _people(session):  # type: ignore[no-untyped-def]
    make_user(session, email="maria@practice.example.org", role="marketer", name="Maria")
    make_user(session, email="lee@practice.example.org", role="viewer", name="Lee")


def _drafts(session):  # type: ignore[no-untyped-def]
    add_defaults(session, SYSTEM, _year(), clock.now())
    generate_year(session, SYSTEM, _year(), clock.now())
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
    add_defaults(session, SYSTEM, _year(), clock.now())
    session.commit()
    at = _open()
    at.button(key="seasonal_generate").click().run()
    statuses = list(at.dataframe[1].value["Status"])
    # 25 November: only winter's mid- and post-season days are still to come
    assert (len(statuses), statuses.count("draft"), statuses.count("missed")) == (39, 8, 31)


def test_a_sends_preview_says_who_is_left_out_and_why(app_database, session):
    _people(session)
    school = make_partner(session, partner_type="school", sports="football", name="Lincoln High")
    make_contact(session, school, first_name="Ana", last_name="Ruiz")
    make_contact(session, school, first_name="Ben", last_name="Ode", email_opt_out=True)
    _drafts(session)
    football = next(
        s for s in sends_of(session, _year()) if (s.sport, s.phase) == ("football", "pre")
    )
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(football).run()
    preview = at.dataframe[2].value
    assert sorted(zip(preview["Contact"], preview["Why not"])) == [
        ("Ana Ruiz", ""),
        ("Ben Ode", "opted out of email"),
    ]


def test_the_preview_shows_the_email_as_it_will_go(app_database, session):
    _people(session)
    school = make_partner(session, partner_type="school", sports="football,soccer")
    make_contact(session, school, first_name="Ana", last_name="Ruiz")
    _drafts(session)
    football = next(
        s for s in sends_of(session, _year()) if (s.sport, s.phase) == ("football", "pre")
    )
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(football).run()
    assert [e.label for e in at.expander] == [
        "Email to Ana Ruiz: Getting football and soccer athletes ready for the season"
    ]


def test_a_marketer_approves_what_is_left_of_a_season(app_database, session):
    _people(session)
    _drafts(session)
    at = _open()
    at.selectbox(key="seasonal_approve_which").set_value("winter").run()
    at.button(key="seasonal_approve_season").click().run()
    session.expire_all()
    approved = {(s.season, s.phase) for s in sends_of(session, _year()) if s.status == "approved"}
    # 25 November: winter's pre-season day (2 November) has passed; its mid and post are to come
    assert ("Approved 8 winter sends." in texts(at), approved) == (
        True,
        {("winter", "mid"), ("winter", "post")},
    )


def test_a_marketer_approves_one_send(app_database, session):
    _people(session)
    _drafts(session)
    coming = next(s for s in sends_of(session, _year()) if s.send_on >= clock.now().date())
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(coming).run()
    at.button(key="seasonal_approve").click().run()
    session.expire_all()
    assert [s.id for s in sends_of(session, _year()) if s.status == "approved"] == [coming.id]


def test_in_december_the_page_opens_on_the_next_send_with_spring_marked_missed(
    app_database, session, practice_clock
):
    _people(session)
    _drafts(session)  # 2026's plan, never approved
    practice_clock(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    at = _open()
    assert at.number_input(key="seasonal_year").value == 2026
    chosen = at.selectbox(key="seasonal_preview_send").value
    assert (chosen.season, chosen.phase, chosen.send_on.year) == ("winter", "mid", 2027)
    sends = at.dataframe[1].value
    assert set(sends[sends["Season"] == "spring"]["Status"]) == {"missed"}
    assert at.selectbox(key="seasonal_approve_which").options == ["winter"]


def test_a_missed_send_says_so_and_offers_no_approval(app_database, session, practice_clock):
    _people(session)
    _drafts(session)
    practice_clock(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    spring = next(s for s in sends_of(session, _year()) if s.season == "spring")
    at = _open()
    at.selectbox(key="seasonal_preview_send").set_value(spring).run()
    assert "Missed: Feb" in texts(at)
    assert "seasonal_approve" not in {b.key for b in at.button}
    session.expire_all()
    assert {s.status for s in sends_of(session, _year())} == {"draft"}


def test_with_nothing_planned_in_december_the_page_opens_on_next_year(
    app_database, session, practice_clock
):
    _people(session)
    practice_clock(datetime(2026, 12, 2, 15, 0, tzinfo=UTC))
    assert _open().number_input(key="seasonal_year").value == 2027


def test_a_viewer_sees_the_sends_but_no_buttons(app_database, session):
    _people(session)
    _drafts(session)
    at = _open("lee@practice.example.org")
    keys = {b.key for b in at.button}
    assert (
        len(at.dataframe[1].value),
        keys & {"seasonal_defaults", "seasonal_generate", "seasonal_approve"},
    ) == (39, set())


def test_a_year_without_sports_says_so(app_database, session):
    _people(session)
    at = _open()
    at.number_input(key="seasonal_year").set_value(2031).run()
    assert "No sports on the 2031 calendar yet." in texts(at)
