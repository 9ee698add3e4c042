"""The Leadership page "Partner feedback" and the Feedback section of a partner's page."""

from __future__ import annotations

from sqlmodel import select

from crm.models import SurveyRequest
from crm.surveys import record_answers
from tests.apptest import app_database, signed_in, texts  # noqa: F401
from tests.factories import make_contact, make_partner, make_user
from tests.survey_helpers import requests, send, settings, static_segment

PAGE = "ui/pages/partner_feedback.py"


def _answered(session, marketer, now):  # type: ignore[no-untyped-def]
    partner = make_partner(session, name="Riverside FM", partner_type="primary_care")
    make_contact(session, partner, role="physician", first_name="Robin", last_name="Diaz")
    send(session, marketer, static_segment(session, marketer, [partner], name="Family docs"))
    (request,) = requests(session)
    record_answers(
        session,
        request.id,
        {"communication": 4, "recommend": 5},
        "Quick reports",
        now,
        settings().zone,
    )
    session.commit()
    return partner


def _page(session, role: str):  # type: ignore[no-untyped-def]
    make_user(session, email=f"{role}@practice.test", role=role)
    at = signed_in(f"{role}@practice.test").switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def test_leadership_sees_the_trend_by_type_and_partner_and_the_comments(
    app_database, session, marketer, now
):
    _answered(session, marketer, now)
    at = _page(session, "viewer")
    by_type, by_partner, comments = (frame.value for frame in at.dataframe)
    assert list(by_type["Partner type"]) == ["Primary care"]
    assert (by_type["Quarter"][0], by_type["Asked"][0], by_type["Answered"][0]) == ("2026-Q4", 1, 1)
    assert (by_type["Communication"][0], by_type["Would recommend"][0]) == (4.0, 5.0)
    assert list(by_partner["Partner"]) == ["Riverside FM"]
    assert list(comments["Comment"]) == ["Quick reports"]
    assert list(comments["From"]) == ["Robin Diaz"]
    assert not [e for e in at.expander if "survey" in e.label]  # a viewer cannot send


def test_an_editor_sends_the_quarters_survey_and_is_told_what_was_skipped(
    app_database, session, marketer, now
):
    _answered(session, marketer, now)
    at = _page(session, "marketer")
    at.selectbox(key="fb_segment").set_value(at.selectbox(key="fb_segment").options[0])
    at.multiselect(key="fb_roles").set_value(["physician"])
    at = at.button[0].click().run()
    assert not at.exception, at.exception
    assert "Queued 0 survey email(s) for 2026-Q4. Skipped 1 contact(s) already asked" in texts(at)
    session.expire_all()
    assert len(session.exec(select(SurveyRequest)).all()) == 1


def test_the_page_says_when_nothing_was_sent(app_database, session):
    assert "No surveys were sent" in texts(_page(session, "viewer"))


def test_the_partners_page_shows_its_scores_and_comments(app_database, session, marketer, now):
    partner = _answered(session, marketer, now)
    make_user(session, email="v@practice.test", role="viewer")
    at = signed_in("v@practice.test")
    at = at.selectbox(key="open_partner").set_value(partner.id).run()
    assert not at.exception, at.exception
    feedback = next(f.value for f in at.dataframe if "Would recommend" in f.value.columns)
    assert (feedback["Quarter"][0], feedback["Communication"][0]) == ("2026-Q4", 4.0)
    assert "Quick reports" in texts(at)
