"""Answering the survey: one answer per question however often it is answered (the last
wins, audited), the comment kept plain and short, and a low score setting off one call
task for the partner's liaison."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from crm.errors import InvalidInput
from crm.models import AuditLog, SurveyAnswer, Task
from crm.practice_calendar import choose_holidays
from crm.surveys import clean_comment, quarter_of, recent_quarters, record_answers
from tests.factories import make_contact, make_partner, make_user
from tests.survey_helpers import requests, send, settings, static_segment

ZONE = settings().zone


def _asked(session, marketer, **partner_fields):  # type: ignore[no-untyped-def]
    partner = make_partner(session, **partner_fields)
    make_contact(session, partner, role="physician", first_name="Robin")
    send(session, marketer, static_segment(session, marketer, [partner]))
    (request,) = requests(session)
    return partner, request


def _answers(session, request_id):  # type: ignore[no-untyped-def]
    session.expire_all()
    rows = session.exec(select(SurveyAnswer).where(SurveyAnswer.request_id == request_id))
    return {a.question: a.score for a in rows}


def test_answering_twice_keeps_one_answer_per_question_the_last_one(session, marketer, now):
    _, request = _asked(session, marketer)
    record_answers(session, request.id, {"communication": 3, "capacity": 4}, None, now, ZONE)
    session.commit()
    record_answers(session, request.id, {"communication": 5}, None, now, ZONE)
    session.commit()
    assert _answers(session, request.id) == {"communication": 5, "capacity": 4}
    trail = session.exec(
        select(AuditLog.changes).where(
            AuditLog.entity == "survey_request", AuditLog.entity_id == request.id
        )
    ).all()
    assert [json.loads(entry) for entry in trail] == [
        {"communication": [None, 3], "capacity": [None, 4]},
        {"communication": [3, 5]},
    ]
    assert requests(session)[0].answered_at == now


def test_a_low_score_creates_one_call_task_for_the_partners_liaison(session, marketer, now):
    liaison = make_user(session, name="Casey Morgan")
    partner, request = _asked(session, marketer, owner_id=liaison.id, name="Riverside FM")
    done = record_answers(session, request.id, {"capacity": 2}, None, now, ZONE)
    session.commit()
    again = record_answers(session, request.id, {"capacity": 1, "credibility": 2}, None, now, ZONE)
    session.commit()
    (task,) = session.exec(select(Task)).all()
    assert done.task_id == task.id and again.task_id is None
    assert (task.kind, task.assigned_to, task.partner_id, task.contact_id) == (
        "call",
        liaison.id,
        partner.id,
        request.contact_id,
    )
    assert task.title == "Call Riverside FM: low survey score (Capacity 2/5)"
    assert task.due_on.isoformat() == "2026-11-26"  # the next business day


def test_scores_above_two_create_no_task(session, marketer, now):
    _, request = _asked(session, marketer)
    record_answers(
        session, request.id, {q: 3 for q in ("communication", "recommend")}, None, now, ZONE
    )
    session.commit()
    assert session.exec(select(Task)).all() == []


@pytest.mark.parametrize(
    "scores",
    [{"communication": 0}, {"communication": 6}, {"warmth": 3}, {"capacity": "4"}],
)
def test_a_bad_answer_is_refused_and_nothing_is_written(session, marketer, now, scores):
    _, request = _asked(session, marketer)
    with pytest.raises(InvalidInput):
        record_answers(session, request.id, scores, None, now, ZONE)
    session.rollback()
    assert _answers(session, request.id) == {}
    assert requests(session)[0].answered_at is None


def test_the_comment_is_plain_and_at_most_a_thousand_characters(session, marketer, now):
    _, request = _asked(session, marketer)
    record_answers(session, request.id, {}, "  Faster reports,\x00 please  ", now, ZONE)
    session.commit()
    assert requests(session)[0].comment == "Faster reports, please"
    with pytest.raises(InvalidInput, match="at most 1,000"):
        clean_comment("x" * 1001)


def test_an_unknown_request_records_nothing(session, now):
    assert record_answers(session, 999_999, {"capacity": 3}, None, now, ZONE) is None


def test_quarters_are_the_practices(now):
    assert quarter_of(now, ZONE) == "2026-Q4"
    assert recent_quarters(now, ZONE, 5) == ["2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]


def test_the_call_after_a_low_score_skips_the_practices_holiday(session, marketer, now):
    choose_holidays(session, marketer, "US", "", now)  # Thursday 26 November: Thanksgiving
    _, request = _asked(session, marketer)
    record_answers(session, request.id, {"capacity": 1}, None, now, ZONE)
    session.commit()
    (task,) = session.exec(select(Task)).all()
    assert task.due_on.isoformat() == "2026-11-27"
