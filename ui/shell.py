"""The app's frame: settings, the database, sign-in, and navigation between the pages.

Each page is a file under ui/pages/ run by `st.navigation`; it reads what it needs
(settings, engine, the signed-in actor) from `context()`, which `main()` sets on every
run before the page runs. Before sign-in nothing but the sign-in form is shown.

Sign-in lasts across a reload through a session cookie (crm.sessions). A Streamlit
script cannot set an HTTP cookie, so after signing in the page gets a one-minute
handoff token and a small script posts it to /api/session, whose answer sets the
cookie; sign-out posts to /api/session/end, which deletes it. A new browser session
reads the cookie once, on its first run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import streamlit as st
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from crm import clock, migrate, sessions
from crm import settings as settings_module
from crm.access import Actor
from crm.db import engine_for, session_scope
from crm.models import User
from crm.settings import Settings, SettingsError
from crm.users import SignInError, actor_for, authenticate
from ui import sign_in_limit
from ui.routes import SESSION_COOKIE

PAGES = Path(__file__).parent / "pages"
_USER_ID = "_user_id"
_CONTEXT = "_context"
_COOKIE_READ = "_cookie_read"
_HANDOFF = "_session_handoff"
_END_COOKIE = "_end_session_cookie"
_SESSION_KEY = "_session_key"


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    actor: Actor
    email: str
    # The leadership pages read here: a replica when one is set, else `engine` itself.
    analytics_engine: Engine

    @property
    def zone(self) -> ZoneInfo:
        return self.settings.zone


def context() -> AppContext:
    return st.session_state[_CONTEXT]


@st.cache_resource(show_spinner=False)
def cached_engine(url: str) -> Engine:
    return engine_for(url)


def main() -> None:
    st.set_page_config(page_title="Liaison", page_icon=":material/handshake:", layout="wide")
    settings = _settings_or_stop()
    engine = cached_engine(settings.database_url)
    user = _signed_in_user(settings, engine)
    if user is None:
        st.session_state.pop(_CONTEXT, None)
        st.navigation([_sign_in_page(settings, engine)], position="hidden").run()
        if st.session_state.pop(_END_COOKIE, False):
            _post_from_browser("/api/session/end")
        return
    ctx = AppContext(
        settings=settings,
        engine=engine,
        actor=actor_for(user),
        email=user.email,
        analytics_engine=cached_engine(settings.analytics_url),
    )
    st.session_state[_CONTEXT] = ctx
    page = st.navigation(pages_for(ctx.actor), expanded=True)
    _sidebar(ctx)
    page.run()


def _settings_or_stop() -> Settings:
    try:
        return settings_module.get()
    except SettingsError as exc:
        st.title("Liaison cannot start")
        st.error(
            "A setting is missing or wrong. Fix it in the environment or the .env file, then reload."
        )
        st.code(str(exc), language=None)
        st.stop()


def _signed_in_user(settings: Settings, engine: Engine) -> User | None:
    """Checked on every run, so that a role change, deactivation, password change,
    sign-out elsewhere or an idle spell takes effect at once, in every open tab."""
    user_id = st.session_state.get(_USER_ID)
    if user_id is None and not st.session_state.get(_COOKIE_READ):
        # Only on a session's first run: the cookies are those of the page load, so
        # after sign-out they would still hold the one just deleted.
        st.session_state[_COOKIE_READ] = True
        user_id, st.session_state[_SESSION_KEY] = _signed_in_from_cookie(settings, engine)
        st.session_state[_USER_ID] = user_id
    if user_id is None:
        return None
    key = st.session_state.get(_SESSION_KEY, "")
    user = _still_signed_in(settings, engine, user_id, key)
    if user is None:
        st.session_state.pop(_USER_ID, None)
        st.session_state.pop(_SESSION_KEY, None)
    return user


def _still_signed_in(settings: Settings, engine: Engine, user_id: int, key: str) -> User | None:
    def check(session: Session) -> User | None:
        user = session.get(User, user_id)
        if (
            user is None
            or not user.active
            or not sessions.current(session, key, user_id, clock.now(), settings.session_idle)
        ):
            return None
        return user

    try:
        with session_scope(engine) as session:
            return check(session)
    except SQLAlchemyError:
        return None


def _signed_in_from_cookie(settings: Settings, engine: Engine) -> tuple[int | None, str]:
    token = browser_cookies().get(SESSION_COOKIE)
    if not token:
        return None, ""
    try:
        with session_scope(engine) as session:
            user = sessions.verify(
                session, settings.secret_key, token, clock.now(), idle=settings.session_idle
            )
    except SQLAlchemyError:
        return None, ""  # the sign-in page then says what is wrong with the database
    return (None, "") if user is None else (user.id, sessions.key_of(settings.secret_key, token))


def browser_cookies() -> dict[str, str]:
    """The cookies the browser sent when it opened this session (a seam for the tests:
    AppTest has no browser to send any)."""
    return st.context.cookies.to_dict()


def _post_from_browser(path: str, payload: dict | None = None) -> None:
    """Have the browser POST to one of our routes, so that the answer's Set-Cookie
    reaches it; a Streamlit script only talks to the page over its websocket."""
    request = {
        "method": "POST",
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload or {}),
        "credentials": "same-origin",
    }
    st.html(
        f"<script>fetch({json.dumps(path)}, {json.dumps(request)});</script>",
        unsafe_allow_javascript=True,
        width="content",
    )


def pages_for(actor: Actor) -> dict[str, list[st.Page]]:
    """The navigation, in sections a marketer and leadership each find their way in."""

    def page(file: str, title: str, icon: str, url: str, **extra: bool) -> st.Page:
        return st.Page(PAGES / file, title=title, icon=f":material/{icon}:", url_path=url, **extra)

    account = [page("account.py", "My account", "person", "account")]
    if actor.is_admin:
        account.append(page("users.py", "Users", "manage_accounts", "users"))
    return {
        "Partners": [
            page("partners.py", "Partners", "groups", "partners", default=True),
            page("partner_map.py", "Partner map", "map", "partner-map"),
            page("prospects.py", "Prospects", "person_search", "prospects"),
            page("referral_queue.py", "Referral queue", "phone_in_talk", "referral-queue"),
            page(
                "import_data.py",
                "Import & export" if actor.can_edit else "Export",
                "swap_vert",
                "data",
            ),
            page("segments.py", "Segments", "filter_alt", "segments"),
            page("clinics.py", "Clinics", "local_hospital", "clinics"),
        ],
        "Outreach": [
            page("my_week.py", "My week", "checklist", "my-week"),
            page("team.py", "Team tasks", "group_work", "team"),
            page("calendar.py", "Calendar", "calendar_month", "calendar"),
            page("holidays.py", "Holidays", "event_busy", "holidays"),
            page("cadences.py", "Cadences", "route", "cadences"),
            page("events.py", "Events", "event", "events"),
            page("seasonal.py", "Seasonal sports", "sports_soccer", "seasonal"),
            page("reviews.py", "Patient reviews", "reviews", "reviews"),
        ],
        "Leadership": [
            page("analytics_overview.py", "Overview", "monitoring", "overview"),
            page("analytics_funnel.py", "Referral funnel", "filter_list", "funnel"),
            page("analytics_outreach.py", "Outreach results", "trending_up", "outreach-results"),
            page("analytics_dormancy.py", "Dormancy alerts", "trending_down", "dormancy"),
            page("analytics_email.py", "Email engagement", "mark_email_read", "email-engagement"),
            page("partner_feedback.py", "Partner feedback", "thumbs_up_down", "partner-feedback"),
        ],
        "Email": [
            page("templates.py", "Email templates", "mail", "templates"),
            page("outbox.py", "Outbox", "outbox", "outbox"),
            page("suppressions.py", "Suppressions", "unsubscribe", "suppressions"),
        ],
        "Account": account,
    }


def _sidebar(ctx: AppContext) -> None:
    with st.sidebar:
        st.caption(ctx.settings.practice_name)
        st.markdown(f"Signed in as **{ctx.actor.name}**  \n{ctx.email}")
        st.caption(
            f"Role: {ctx.actor.role.label}" + (" (read-only)" if not ctx.actor.can_edit else "")
        )
        st.button("Sign out", icon=":material/logout:", on_click=sign_out, key="sign_out")
        handoff = st.session_state.pop(_HANDOFF, None)
        if handoff:
            _post_from_browser("/api/session", {"token": handoff})


def sign_out() -> None:
    """Ends this browser's session on the server at once (the cookie's copy then signs
    no one in), then forgets it here and has the browser drop the cookie."""
    ctx = st.session_state.get(_CONTEXT)
    key = st.session_state.get(_SESSION_KEY, "")
    if ctx is not None and key:
        with session_scope(ctx.engine) as session:
            sessions.end(session, key, clock.now())
    for name in list(st.session_state.keys()):
        del st.session_state[name]
    st.session_state[_COOKIE_READ] = True
    st.session_state[_END_COOKIE] = True


def _sign_in_page(settings: Settings, engine: Engine) -> st.Page:
    def sign_in() -> None:
        _sign_in_form(settings, engine)

    return st.Page(
        sign_in, title="Sign in", icon=":material/login:", url_path="sign-in", default=True
    )


def _sign_in_form(settings: Settings, engine: Engine) -> None:
    _, middle, _ = st.columns([1, 1.2, 1])
    with middle:
        st.title("Liaison")
        st.caption(f"Partner outreach for {settings.practice_name}")
        problem = _database_problem(settings.database_url)
        if problem:
            st.error(problem)
            return
        with st.form("sign_in"):
            email = st.text_input("Email", autocomplete="username", key="sign_in_email")
            password = st.text_input(
                "Password", type="password", autocomplete="current-password", key="sign_in_password"
            )
            submitted = st.form_submit_button(
                "Sign in", type="primary", width="stretch", key="sign_in_submit"
            )
        if submitted:
            _sign_in(settings, engine, email, password)


def _sign_in(settings: Settings, engine: Engine, email: str, password: str) -> None:
    if not email.strip() or not password:
        st.error("Enter your email and password.")
        return
    now, client = clock.now(), st.context.ip_address
    if client and not sign_in_limit.attempts.take(client, now):
        st.error("Too many failed sign-ins from this address: try again in 15 minutes.")
        return
    try:
        with session_scope(engine) as session:
            user = authenticate(session, email, password, now)
            key = sessions.open_session(session, user, now)
            handoff = sessions.issue(
                settings.secret_key, user, now, sessions.HANDOFF, session_key=key
            )
    except SignInError as exc:
        message = str(exc)
        st.error(message[:1].upper() + message[1:] + ".")
        return
    if client:
        sign_in_limit.attempts.succeeded(client, now)
    st.session_state[_USER_ID] = user.id
    st.session_state[_SESSION_KEY] = key
    st.session_state[_HANDOFF] = handoff
    st.rerun()


def _database_problem(url: str) -> str | None:
    """Said on the sign-in page rather than shown as a traceback after it."""
    try:
        behind = migrate.pending(url)
    except SQLAlchemyError as exc:
        return f"Cannot reach the database: {exc.__class__.__name__}. Check LIAISON_DATABASE_URL."
    if behind:
        return "The database needs upgrading: run `crm db upgrade`, then reload this page."
    return None
