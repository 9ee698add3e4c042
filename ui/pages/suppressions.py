"""Suppressions: the addresses never emailed, and why. Editors add and remove entries
(audited); viewers read the list."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaigns.mail.suppressions import (
    Reason,
    add,
    count_by_reason,
    last_synced,
    list_suppressions,
    remove,
)
from crm import clock
from crm.models import Suppression
from ui.shell import AppContext, context
from ui.widgets import form_key, label_of, local, read, show_flash, submit

_SHOWN = 500
_SOURCES = {
    "manual": "Added in the app",
    "link": "Unsubscribe link",
    "one-click": "One-click unsubscribe",
    "sendgrid": "SendGrid",
}


def render(ctx: AppContext) -> None:
    st.title("Suppressions")
    st.caption(
        "Nothing is ever sent to these addresses; a message to one is recorded as suppressed."
    )
    show_flash()
    _summary(ctx)
    search = st.text_input(
        "Search", placeholder="Part of an address or note", key="suppression_search"
    )
    reason = st.selectbox(
        "Reason", [""] + Reason.choices(), format_func=label_of(Reason), key="suppression_reason"
    )
    rows = read(ctx.engine, lambda s: list_suppressions(s, search, reason or None, limit=_SHOWN))
    _table(ctx, rows)
    if not ctx.actor.can_edit:
        return
    left, right = st.columns(2)
    with left:
        _add(ctx)
    with right:
        _remove(ctx, rows)


def _summary(ctx: AppContext) -> None:
    counts = read(ctx.engine, count_by_reason)
    total = sum(counts.values())
    parts = [f"{Reason(r).label}: {n}" for r, n in sorted(counts.items()) if r in Reason.choices()]
    st.markdown(
        f"**{total}** suppressed address{'es' if total != 1 else ''}"
        + (f" ({', '.join(parts)})" if parts else "")
    )
    if ctx.settings.email_transport == "sendgrid":
        synced = read(ctx.engine, last_synced)
        st.caption(
            f"SendGrid's lists last synced {local(synced, ctx.zone)}"
            if synced
            else "SendGrid's lists have not been synced yet."
        )


def _table(ctx: AppContext, rows: list[Suppression]) -> None:
    if not rows:
        st.info("No suppressed addresses match.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Email": r.email,
                    "Reason": Reason(r.reason).label if r.reason in Reason.choices() else r.reason,
                    "Source": _SOURCES.get(r.source, r.source),
                    "Note": r.note,
                    "Since": local(r.created_at, ctx.zone),
                }
                for r in rows
            ]
        ),
        hide_index=True,
    )
    if len(rows) == _SHOWN:
        st.caption(f"Showing the newest {_SHOWN}; search to find others.")


def _add(ctx: AppContext) -> None:
    st.subheader("Suppress an address", anchor=False)
    with st.form(form_key("add_suppression")):
        email = st.text_input("Email")
        reason = st.selectbox(
            "Reason",
            Reason.choices(),
            index=Reason.choices().index("manual"),
            format_func=label_of(Reason),
        )
        note = st.text_input(
            "Note", help="Why, for whoever reads this later (for example: asked by phone)."
        )
        submitted = st.form_submit_button("Suppress", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: add(s, ctx.actor, email, reason, clock.now(), note=note),
            lambda row: f"{row.email} will not be emailed.",
            fresh="add_suppression",
        )


def _remove(ctx: AppContext, rows: list[Suppression]) -> None:
    st.subheader("Allow email again", anchor=False)
    by_id = {r.id: r for r in rows}
    chosen = st.selectbox(
        "Address",
        list(by_id),
        index=None,
        placeholder="Pick a listed address",
        format_func=lambda i: by_id[i].email,
        key="suppression_pick",
    )
    if chosen is None:
        return
    st.caption(
        "Only do this when the person asked for email again, or the address was suppressed by mistake."
    )
    if st.button("Remove from the list", key="suppression_remove"):
        submit(
            ctx.engine,
            lambda s: remove(s, ctx.actor, chosen, clock.now()),
            lambda row: f"{row.email} may be emailed again.",
            then=lambda _row: st.session_state.pop("suppression_pick", None),
        )


if __name__ == "__main__":
    render(context())
