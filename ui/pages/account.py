"""My account: who is signed in, and whether they get the monthly leadership report."""

from __future__ import annotations

import streamlit as st

from crm import clock
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


if __name__ == "__main__":
    render(context())
