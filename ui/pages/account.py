"""My account: who is signed in, whether they get the monthly leadership report, and the
private link their own calendar app subscribes to."""

from __future__ import annotations

import streamlit as st

from crm import clock
from crm.calendar_links import feed_url, rotate, webcal_url
from crm.models import User
from crm.users import set_monthly_report, sign_out_everywhere
from ui.shell import AppContext, context
from ui.widgets import attempt, read, show_flash, submit

REPORT_HELP = (
    "On the first business day of each month: last month's figures from the analytics pages by "
    "email, with an Excel workbook of every table and chart."
)


def render(ctx: AppContext) -> None:
    st.title("My account")
    show_flash()
    user = read(ctx.engine, lambda s: s.get(User, ctx.actor.id))
    st.markdown(f"**{user.name or user.email}**  \n{user.email}")
    st.caption(f"Role: {ctx.actor.role.label}")
    st.subheader("Monthly leadership report", anchor=False)
    with st.form("account_report"):
        wanted = st.checkbox(
            "Email me the monthly leadership report",
            value=user.monthly_report,
            help=REPORT_HELP,
            key="account_monthly_report",
        )
        submitted = st.form_submit_button("Save", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: set_monthly_report(s, ctx.actor, user.id, wanted, clock.now()),
            lambda saved: (
                "You will get the monthly report by email."
                if saved.monthly_report
                else "You will no longer get the monthly report."
            ),
        )
    _calendar_feed(ctx, user)
    st.subheader("Signed-in browsers", anchor=False)
    st.caption(
        f"Signing in lasts 12 hours, and ends after {ctx.settings.session_idle_minutes} minutes without use."
    )
    if st.button(
        "Sign out everywhere",
        key="account_sign_out_everywhere",
        icon=":material/logout:",
        help="Ends every browser signed in as you, this one included.",
    ):
        attempt(ctx.engine, lambda s: sign_out_everywhere(s, ctx.actor, ctx.actor.id, clock.now()))
        st.rerun()


def _calendar_feed(ctx: AppContext, user: User) -> None:
    """The feed's link, to paste in Google Calendar or Outlook, or to open in Apple
    Calendar; a new link shuts off every calendar subscribed to the old one."""
    st.subheader("My tasks in my calendar", anchor=False)
    st.caption(
        "Your tasks and the events you run, in Google Calendar (Other calendars, From URL), "
        "Outlook (Add calendar, Subscribe from web) or Apple Calendar. Keep the link to "
        "yourself: anyone who has it can read your calendar."
    )
    st.code(feed_url(ctx.settings, user), language=None, wrap_lines=True)
    st.link_button(
        "Open in Apple Calendar", webcal_url(ctx.settings, user), icon=":material/event:"
    )
    if st.button(
        "Make a new link",
        key="account_rotate_calendar",
        icon=":material/autorenew:",
        help="The old link stops working at once: subscribe again with the new one.",
    ):
        submit(
            ctx.engine,
            lambda s: rotate(s, ctx.actor, user.id, clock.now()),
            "New calendar link made. Calendars subscribed to the old one no longer update: "
            "subscribe again with the link below.",
        )


if __name__ == "__main__":
    render(context())
