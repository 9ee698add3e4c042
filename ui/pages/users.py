"""Users (admins only): who may sign in, with which role."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from crm import clock
from crm.models import User
from crm.users import (
    MIN_PASSWORD_LENGTH,
    create_user,
    list_users,
    set_monthly_report,
    sign_out_everywhere,
    update_user,
)
from crm.vocab import Role
from ui.shell import AppContext, context
from ui.widgets import form_key, label_of, local, read, show_flash, submit


def render(ctx: AppContext) -> None:
    st.title("Users")
    if not ctx.actor.is_admin:  # the page is only offered to admins; the domain refuses anyway
        st.error("Only an admin can manage users.")
        return
    show_flash()
    users = read(ctx.engine, list_users)
    _table(ctx, users)
    left, right = st.columns(2)
    with left:
        _add_user(ctx)
    with right:
        _change_user(ctx, users)


def _table(ctx: AppContext, users: list[User]) -> None:
    now = clock.now()
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Email": u.email,
                    "Name": u.name,
                    "Role": Role(u.role).label,
                    "Status": _status(u, now),
                    "Last sign-in": local(u.last_login_at, ctx.zone),
                    "Monthly report": "Yes" if u.monthly_report else "No",
                }
                for u in users
            ]
        ),
        hide_index=True,
    )


def _status(user: User, now: datetime) -> str:
    if not user.active:
        return "Deactivated"
    if user.locked_until is not None and user.locked_until > now:
        return "Locked (too many failed sign-ins)"
    return "Active"


def _add_user(ctx: AppContext) -> None:
    st.subheader("Add a user", anchor=False)
    with st.form(form_key("add_user")):
        email = st.text_input("Email")
        name = st.text_input("Name")
        role = st.selectbox(
            "Role",
            Role.choices(),
            index=Role.choices().index("marketer"),
            format_func=label_of(Role),
            help=_ROLES_HELP,
        )
        password = st.text_input(
            "Temporary password",
            type="password",
            help=f"At least {MIN_PASSWORD_LENGTH} characters; give it to them privately.",
        )
        submitted = st.form_submit_button("Add user", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: create_user(s, ctx.actor, email, role, password, clock.now(), name=name),
            lambda user: f"{user.email} can now sign in as {Role(user.role).label.lower()}.",
            fresh="add_user",
        )


def _change_user(ctx: AppContext, users: list[User]) -> None:
    st.subheader("Change a user", anchor=False)
    by_id = {u.id: u for u in users}
    chosen = st.selectbox(
        "User", list(by_id), format_func=lambda i: by_id[i].email, key="user_pick"
    )
    if chosen is None:
        return
    user = by_id[chosen]
    with st.form(f"change_user_{user.id}"):
        name = st.text_input("Name", value=user.name)
        role = st.selectbox(
            "Role",
            Role.choices(),
            index=Role.choices().index(user.role),
            format_func=label_of(Role),
            help=_ROLES_HELP,
        )
        active = st.checkbox("Active (may sign in)", value=user.active)
        monthly = st.checkbox(
            "Gets the monthly leadership report by email",
            value=user.monthly_report,
            key=f"user_monthly_report_{user.id}",
        )
        password = st.text_input(
            "New password",
            type="password",
            help="Leave empty to keep the current one. Setting one also unlocks the account.",
        )
        submitted = st.form_submit_button("Save user", type="primary")
    if submitted:

        def save(s):  # type: ignore[no-untyped-def]
            changed = update_user(
                s,
                ctx.actor,
                user.id,
                clock.now(),
                role=role,
                active=active,
                name=name,
                password=password or None,
            )
            set_monthly_report(s, ctx.actor, user.id, monthly, clock.now())
            return changed

        submit(ctx.engine, save, lambda saved: f"{saved.email} saved.")
    if st.button(
        "Sign out everywhere",
        key=f"user_sign_out_everywhere_{user.id}",
        icon=":material/logout:",
        help="Ends every browser signed in as this user at once (a lost laptop, a shared computer).",
    ):
        submit(
            ctx.engine,
            lambda s: sign_out_everywhere(s, ctx.actor, user.id, clock.now()),
            lambda ended: (
                f"{user.email} was signed out of {ended} {'browser' if ended == 1 else 'browsers'}."
            ),
        )


_ROLES_HELP = "Viewer: reads everything, changes nothing. Marketer: edits partners and imports. Admin: also manages users."

if __name__ == "__main__":
    render(context())
