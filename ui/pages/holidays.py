"""Holidays: the public holidays and the practice's own closed days that business days
skip (cadence steps, response targets, the monthly report). Editors choose the holiday
set and add or remove closed days; viewers read the coming year."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm import clock
from crm.business_days import local_date
from crm.practice_calendar import (
    HolidaySet,
    add_closed_day,
    choose_holidays,
    closed_days,
    coming_year,
    country_names,
    holiday_set,
    remove_closed_day,
    subdivisions,
)
from ui.shell import AppContext, context
from ui.widgets import form_key, read, show_flash, submit


def render(ctx: AppContext) -> None:
    st.title("Holidays")
    st.caption(
        "Business days skip these days: cadence steps, response targets and the monthly "
        "report move to the next day the practice is open. A change moves only what is not "
        "yet due; what already went out stays as it went."
    )
    show_flash()
    chosen = read(ctx.engine, holiday_set)
    st.markdown(f"Holiday set: **{chosen.label}**")
    if ctx.actor.can_edit:
        _choose(ctx, chosen)
    _coming_year(ctx)
    if ctx.actor.can_edit:
        left, right = st.columns(2)
        with left:
            _add(ctx)
        with right:
            _remove(ctx)


def _choose(ctx: AppContext, chosen: HolidaySet) -> None:
    st.subheader("Holiday set", anchor=False)
    names = country_names()
    codes = ["", *names]
    country = st.selectbox(
        "Country",
        codes,
        index=codes.index(chosen.country) if chosen.country in codes else 0,
        format_func=lambda code: names.get(code, "None (weekends only)"),
        key="holiday_country",
    )
    states = ["", *subdivisions(country)]
    state = st.selectbox(
        "State or province",
        states,
        index=states.index(chosen.subdivision) if chosen.subdivision in states else 0,
        format_func=lambda code: code or "The country's holidays only",
        key="holiday_subdivision",
        disabled=len(states) == 1,
    )
    if st.button("Save the holiday set", key="holiday_save", type="primary"):
        submit(
            ctx.engine,
            lambda s: choose_holidays(s, ctx.actor, country, state, clock.now()),
            lambda done: f"Holiday set: {done.label}.",
        )


def _coming_year(ctx: AppContext) -> None:
    st.subheader("The coming year", anchor=False)
    days = read(ctx.engine, lambda s: coming_year(s, local_date(clock.now(), ctx.zone)))
    if not days:
        st.info("No holidays or closed days in the coming year: only weekends are skipped.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Date": f"{d.day:%a %b %d, %Y}",
                    "Name": d.name,
                    "Kind": "Closed day" if d.own else "Public holiday",
                }
                for d in days
            ]
        ),
        hide_index=True,
    )


def _add(ctx: AppContext) -> None:
    st.subheader("Add a closed day", anchor=False)
    with st.form(form_key("closed_day")):
        day = st.date_input("Day", value=local_date(clock.now(), ctx.zone), format="YYYY-MM-DD")
        note = st.text_input("Note", help="Why, for instance: the day after Thanksgiving.")
        submitted = st.form_submit_button("Add the closed day", type="primary")
    if submitted:
        submit(
            ctx.engine,
            lambda s: add_closed_day(s, ctx.actor, day, note, clock.now(), ctx.zone),
            lambda done: f"Closed on {done:%A %B %d, %Y}.",
            fresh="closed_day",
        )


def _remove(ctx: AppContext) -> None:
    st.subheader("Open again", anchor=False)
    days = read(ctx.engine, closed_days)
    if not days:
        st.caption("No closed days entered.")
        return
    notes = {d.day: d.name for d in days}
    chosen = st.selectbox(
        "Closed day",
        list(notes),
        index=None,
        placeholder="Pick a closed day",
        format_func=lambda d: f"{d:%a %b %d, %Y}: {notes[d]}",
        key="closed_day_pick",
    )
    if chosen is None:
        return
    if st.button("Remove the closed day", key="closed_day_remove"):
        submit(
            ctx.engine,
            lambda s: remove_closed_day(s, ctx.actor, chosen, clock.now()),
            lambda done: f"Open again on {done:%A %B %d, %Y}.",
            then=lambda _done: st.session_state.pop("closed_day_pick", None),
        )


if __name__ == "__main__":
    render(context())
