"""Seasonal sports education: the practice's sports calendar for a year, the pre-, mid-
and post-season sends generated from it, and their approval, each send with its
recipients, who is left out and why, and the email as it will go."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from campaigns.seasonal import (
    DEFAULT_SPORTS,
    MISSED,
    PHASE_LABELS,
    SEASONS,
    add_defaults,
    approve,
    approve_season,
    default_dates,
    generate_year,
    next_year_to_plan,
    preview_send,
    save_season,
    seasons_of,
    sends_of,
    shown_status,
)
from crm import clock
from crm.models import SeasonalSend
from ui.shell import AppContext, context
from ui.widgets import read, show_flash, submit


def render(ctx: AppContext) -> None:
    st.title("Seasonal sports education")
    st.caption(
        "Pre-, mid- and post-season emails to the schools, clubs, athletic trainers and coaches serving "
        "each sport. One email per person per phase, naming all their sports; nothing goes out until "
        "a marketer approves it."
    )
    show_flash()
    today = clock.now().astimezone(ctx.zone).date()
    opening = read(ctx.engine, lambda s: next_year_to_plan(s, today))
    year = int(
        st.number_input(
            "Year",
            min_value=2000,
            max_value=2100,
            value=opening,
            step=1,
            key="seasonal_year",
            help="Opens on the year of the next send to come.",
        )
    )
    _calendar(ctx, year)
    _sends(ctx, year, today)


def _calendar(ctx: AppContext, year: int) -> None:
    st.subheader("Sports calendar", anchor=False)
    seasons = read(ctx.engine, lambda s: seasons_of(s, year))
    if seasons:
        st.dataframe(
            pd.DataFrame(
                [
                    {"Sport": r.sport, "Season": r.season, "Starts": r.starts_on, "Ends": r.ends_on}
                    for r in seasons
                ]
            ),
            hide_index=True,
            key="seasonal_calendar",
        )
    else:
        st.info(f"No sports on the {year} calendar yet.")
    if not ctx.actor.can_edit:
        return
    if st.button("Add the US school season defaults", key="seasonal_defaults"):
        submit(
            ctx.engine,
            lambda s: add_defaults(s, ctx.actor, year, clock.now()),
            lambda added: f"Added {added} sports to the {year} calendar.",
        )
    _sport_form(ctx, year)


def _sport_form(ctx: AppContext, year: int) -> None:
    with st.form("seasonal_sport_form"):
        st.markdown("**Add a sport or change its dates**")
        sport = st.text_input("Sport", key="seasonal_sport")
        season = st.selectbox("Season", SEASONS, key="seasonal_season")
        fall = default_dates(year, "fall")
        starts = st.date_input("Starts", value=fall.starts_on, key="seasonal_starts")
        ends = st.date_input("Ends", value=fall.ends_on, key="seasonal_ends")
        if st.form_submit_button("Save sport", key="seasonal_save_sport"):
            submit(
                ctx.engine,
                lambda s: save_season(
                    s,
                    ctx.actor,
                    year=year,
                    sport=sport,
                    season=season,
                    starts_on=starts,
                    ends_on=ends,
                    now=clock.now(),
                ),
                lambda saved: f"Saved {saved.sport}.",
            )
    st.caption("Defaults: " + "; ".join(f"{s} {', '.join(DEFAULT_SPORTS[s])}" for s in SEASONS))


def _sends(ctx: AppContext, year: int, today: date) -> None:
    st.subheader("Sends", anchor=False)
    if ctx.actor.can_edit and st.button(
        f"Generate the {year} sends from the calendar", key="seasonal_generate"
    ):
        submit(
            ctx.engine,
            lambda s: generate_year(s, ctx.actor, year, clock.now()),
            lambda report: (
                f"{report.created} new drafts, {report.moved} drafts moved to a new day."
            ),
        )
    sends = read(ctx.engine, lambda s: sends_of(s, year))
    if not sends:
        st.info("No sends yet: generate them from the calendar.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Send on": s.send_on,
                    "Season": s.season,
                    "Phase": PHASE_LABELS[s.phase],
                    "Sport": s.sport,
                    "Status": shown_status(s, today),
                }
                for s in sends
            ]
        ),
        hide_index=True,
        key="seasonal_sends",
    )
    missed = sum(shown_status(s, today) == MISSED for s in sends)
    if missed:
        st.caption(
            f"{missed} sends were missed: their day passed before anyone approved them, so they will not go "
            "out."
        )
    if ctx.actor.can_edit:
        _approve_season(ctx, year, sends, today)
    _preview(ctx, sends, today)


def _approve_season(ctx: AppContext, year: int, sends: list[SeasonalSend], today: date) -> None:
    """Only seasons with drafts still to come, the soonest first."""
    to_come = [s for s in sends if shown_status(s, today) == "draft"]
    seasons = list(dict.fromkeys(s.season for s in sorted(to_come, key=lambda s: s.send_on)))
    if not seasons:
        return
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    season = left.selectbox("Season", seasons, key="seasonal_approve_which")
    if right.button("Approve the whole season", key="seasonal_approve_season"):
        submit(
            ctx.engine,
            lambda s: approve_season(s, ctx.actor, year, season, clock.now(), zone=ctx.zone),
            lambda count: f"Approved {count} {season} sends.",
        )


def _preview(ctx: AppContext, sends: list[SeasonalSend], today: date) -> None:
    """Opens on the next send to come, not on the year's first."""
    st.subheader("Preview a send", anchor=False)
    upcoming = next((n for n, s in enumerate(sends) if s.send_on >= today), 0)
    chosen = st.selectbox(
        "Send",
        sends,
        index=upcoming,
        format_func=lambda s: _describe(s, today),
        key="seasonal_preview_send",
    )
    result = read(ctx.engine, lambda s: preview_send(s, ctx.settings, chosen.id, clock.now()))
    st.markdown(
        f"**{len(result.judged.included)} would get it; {len(result.judged.left_out)} left out.**"
    )
    rows = [
        {"Contact": p.name, "Partner": p.partner_name, "Email": p.email, "Why not": ""}
        for p in result.judged.included
    ] + [
        {
            "Contact": o.recipient.name,
            "Partner": o.recipient.partner_name,
            "Email": o.recipient.email,
            "Why not": o.reason,
        }
        for o in result.judged.left_out
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, key="seasonal_preview_table")
    if result.sample is not None:
        with st.expander(
            f"Email to {result.sample.to_name or result.sample.to_email}: {result.sample.subject}"
        ):
            st.text(result.sample.text)
    status = shown_status(chosen, today)
    if status == MISSED:
        st.warning(
            f"Missed: {chosen.send_on:%b %d, %Y} passed before this send was approved, so it will not go "
            "out. Approving it now would send a season's email weeks late."
        )
    elif (
        ctx.actor.can_edit
        and status == "draft"
        and st.button("Approve this send", key="seasonal_approve")
    ):
        submit(
            ctx.engine,
            lambda s: approve(s, ctx.actor, [chosen.id], clock.now(), zone=ctx.zone),
            f"Approved: {_describe(chosen, today)}.",
        )


def _describe(send: SeasonalSend, today: date) -> str:
    return f"{PHASE_LABELS[send.phase]} {send.sport}, {send.send_on:%b %d, %Y} ({shown_status(send, today)})"


if __name__ == "__main__":
    render(context())
