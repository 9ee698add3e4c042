"""A partner's opening hours on the partner page: what is known, and for an editor the
form that sets them (a day left unticked is a day the office is closed; no day ticked
means the hours are not known)."""

from __future__ import annotations

from datetime import time

import streamlit as st

from crm import clock
from crm.models import Partner
from crm.opening_hours import (
    WEEKDAYS,
    DayHours,
    clock_time,
    describe,
    opening_hours,
    set_opening_hours,
)
from ui.shell import AppContext
from ui.widgets import read, submit

OPENS = time(8, 0)
CLOSES = time(17, 0)


def render(ctx: AppContext, partner: Partner) -> None:
    hours = read(ctx.engine, lambda s: opening_hours(s, partner.id))
    st.caption(
        f"Open: {describe(hours)}. The day's route on My week visits within these hours "
        "and warns of a stop on a day the office is closed."
    )
    if not ctx.actor.can_edit:
        return
    key = f"hours_{partner.id}"
    days = []
    with st.form(key, border=False):
        for weekday, name in enumerate(WEEKDAYS):
            known = hours.days.get(weekday)
            ticked, opens, closes = st.columns([2, 2, 2], vertical_alignment="bottom")
            is_open = ticked.checkbox(name, value=known is not None, key=f"{key}_{weekday}_open")
            start = opens.time_input(
                "Opens",
                value=clock_time(known[0]) if known else OPENS,
                step=900,
                key=f"{key}_{weekday}_opens",
            )
            end = closes.time_input(
                "Closes",
                value=clock_time(known[1]) if known else CLOSES,
                step=900,
                key=f"{key}_{weekday}_closes",
            )
            if is_open:
                days.append({"weekday": weekday, "opens": start, "closes": end})
        saved = st.form_submit_button("Save opening hours", type="primary", key=f"{key}_save")
    if saved:
        submit(
            ctx.engine,
            lambda s: set_opening_hours(
                s, ctx.actor, partner.id, [DayHours(**d) for d in days], clock.now()
            ),
            lambda week: f"Opening hours of {partner.name} saved: {describe(week)}.",
        )
