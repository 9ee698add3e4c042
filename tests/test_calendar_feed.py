"""GET /calendar/{token}.ics through the app's public routes, as a calendar app fetches
it: what it holds, how a done, moved or skipped task changes it, and which links it
refuses."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlmodel import Session
from starlette.applications import Starlette

from crm import calendar_links
from crm import settings as settings_module
from crm.access import PermissionDenied
from crm.models import Task, User
from crm.partner_links import make_token as partner_token
from crm.tasks import TaskInput, complete_task, create_task, skip_task, snooze_task
from tests.apptest import app_database  # noqa: F401
from tests.conftest import NOW
from tests.event_helpers import STARTS, make_event
from tests.factories import make_contact, make_partner, make_user
from ui.public import limits
from ui.public.limits import RateLimit
from ui.routes import public_routes

TODAY = date(2026, 11, 25)  # NOW's day in the practice's zone


@pytest.fixture(autouse=True)
def fresh_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "per_client", RateLimit(limits.PER_CLIENT, limits.WINDOW))
    monkeypatch.setattr(limits, "per_feed", RateLimit(limits.PER_FEED, limits.WINDOW))


def fetch(path: str) -> tuple[int, dict[str, str], bytes]:
    """One GET through the public routes, as st.App serves them."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"user-agent", b"Google-Calendar-Importer")],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("66.249.84.1", 5000),
    }
    asyncio.run(Starlette(routes=public_routes())(scope, receive, send))
    headers = {name.decode(): value.decode() for name, value in sent[0]["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], headers, body


def feed_path(session: Session, user_id: int) -> str:
    session.expire_all()
    url = calendar_links.feed_url(settings_module.get(), session.get(User, user_id))
    return urlsplit(url).path


def entries(session: Session, user_id: int) -> dict[str, dict]:
    """The feed's VEVENTs by UID, each with its summary, start and description."""
    status, headers, body = fetch(feed_path(session, user_id))
    assert status == 200, body
    assert headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(body)
    return {
        str(e["uid"]): {
            "summary": str(e["summary"]),
            "start": e.decoded("dtstart"),
            "description": str(e.get("description", "")),
        }
        for e in calendar.walk("VEVENT")
    }


def visit(session, actor, partner, due_on=TODAY, **fields) -> Task:  # type: ignore[no-untyped-def]
    task = create_task(
        session,
        actor,
        TaskInput(
            kind="visit", partner_id=partner.id, due_on=due_on, assigned_to=actor.id, **fields
        ),
        NOW,
    )
    session.commit()
    return task


def uid(task: Task) -> str:
    return f"task-{task.id}@localhost"


def test_the_feed_parses_and_holds_the_users_own_tasks_only(app_database, session, marketer):
    colleague = make_user(session, role="marketer")
    mine = visit(session, marketer, make_partner(session, name="Elm Family Medicine"))
    theirs = visit(session, colleague, make_partner(session, name="Oak Orthopedics"))

    feed = entries(session, marketer.id)

    assert set(feed) == {uid(mine)}
    assert feed[uid(mine)]["summary"] == "Visit: Elm Family Medicine"
    assert feed[uid(mine)]["start"] == TODAY
    assert uid(theirs) not in entries(session, marketer.id)
    assert {e["summary"] for e in entries(session, colleague.id).values()} == {
        "Visit: Oak Orthopedics"
    }


def test_a_done_task_keeps_its_uid_and_shows_as_done_on_the_day_it_was_done(
    app_database, session, marketer
):
    task = visit(session, marketer, make_partner(session, name="Elm Family Medicine"), TODAY)
    later = NOW + timedelta(days=2)
    complete_task(session, marketer, task.id, "Met the office manager", "", later)
    session.commit()

    entry = entries(session, marketer.id)[uid(task)]

    assert entry["summary"] == "Done: Visit: Elm Family Medicine"
    assert entry["start"] == TODAY + timedelta(days=2)


def test_a_task_done_longer_ago_than_the_history_leaves_the_feed(app_database, session, marketer):
    old = visit(session, marketer, make_partner(session), TODAY - timedelta(days=100))
    recent = visit(session, marketer, make_partner(session), TODAY - timedelta(days=80))
    complete_task(session, marketer, old.id, "done", "", NOW - timedelta(days=91))
    complete_task(session, marketer, recent.id, "done", "", NOW - timedelta(days=80))
    session.commit()
    assert set(entries(session, marketer.id)) == {uid(recent)}


def test_a_moved_task_moves_under_the_same_uid(app_database, session, marketer):
    task = visit(session, marketer, make_partner(session), TODAY)
    assert entries(session, marketer.id)[uid(task)]["start"] == TODAY

    snooze_task(session, marketer, task.id, TODAY + timedelta(days=3), TODAY, NOW)
    session.commit()

    feed = entries(session, marketer.id)
    assert list(feed) == [uid(task)]
    assert feed[uid(task)]["start"] == TODAY + timedelta(days=3)


def test_a_skipped_task_leaves_the_feed(app_database, session, marketer):
    task = visit(session, marketer, make_partner(session))
    skip_task(session, marketer, task.id, "Office closed for renovation", NOW)
    session.commit()
    assert entries(session, marketer.id) == {}


def test_a_touchs_notes_never_reach_the_feed(app_database, session, marketer):
    partner = make_partner(session, name="Elm Family Medicine")
    contact = make_contact(session, partner, first_name="Jordan", last_name="Reyes")
    task = visit(session, marketer, partner, contact_id=contact.id, title="Bring new pads")
    complete_task(session, marketer, task.id, "done", "Asked about patient Dana Whitfield", NOW)
    session.commit()

    _, _, body = fetch(feed_path(session, marketer.id))

    assert b"Jordan Reyes" in body and b"Bring new pads" in body
    assert b"Whitfield" not in body


def test_the_events_the_user_runs_are_in_the_feed_at_their_hour(app_database, session, marketer):
    colleague = make_user(session, role="marketer")
    mine = make_event(session, marketer, title="Ankle sprains lunch")
    make_event(session, colleague, STARTS + timedelta(days=1), title="Someone else's open house")

    feed = entries(session, marketer.id)

    entry = feed[f"event-{mine.id}-feed@localhost"]
    assert entry["summary"] == "Ankle sprains lunch"
    assert entry["start"] == mine.starts_at
    assert str(entry["start"].tzinfo) == "America/New_York"
    assert "Someone else's open house" not in [e["summary"] for e in feed.values()]


def test_a_rotated_link_is_refused_and_the_new_one_works(app_database, session, marketer):
    visit(session, marketer, make_partner(session))
    old = feed_path(session, marketer.id)
    assert fetch(old)[0] == 200

    calendar_links.rotate(session, marketer, marketer.id, NOW)
    session.commit()

    status, _, body = fetch(old)
    assert status == 404 and b"not valid any more" in body
    assert fetch(feed_path(session, marketer.id))[0] == 200


def test_another_kind_of_token_or_a_forged_one_is_refused(app_database, session, marketer):
    key = settings_module.get().secret_key
    # A partner link with the same payload, signed for another purpose.
    assert fetch(f"/calendar/{partner_token(key, marketer.id, 1)}.ics")[0] == 404
    forged = calendar_links.make_token("another-key", marketer.id, 1)
    assert fetch(f"/calendar/{forged}.ics")[0] == 404


def test_a_deactivated_users_feed_is_refused(app_database, session, marketer):
    path = feed_path(session, marketer.id)
    user = session.get(User, marketer.id)
    user.active = False
    session.commit()
    assert fetch(path)[0] == 404


def test_a_feed_fetched_too_often_is_told_to_wait(app_database, session, marketer):
    path = feed_path(session, marketer.id)
    for _ in range(limits.PER_FEED):
        assert fetch(path)[0] == 200
    status, headers, _ = fetch(path)
    assert status == 429 and int(headers["retry-after"]) > 0


def test_only_an_admin_rotates_someone_elses_link(session, marketer, admin):
    colleague = make_user(session, role="marketer")
    with pytest.raises(PermissionDenied):
        calendar_links.rotate(session, marketer, colleague.id, NOW)
    assert calendar_links.rotate(session, admin, colleague.id, NOW).calendar_version == 2
