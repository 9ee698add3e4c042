"""The touchpoint calendar: a month or a quarter of everything planned and done, as a
heat map of counts per day and a table per liaison; pick a day to see who is in each
item, and preview a planned email step's recipients and who is left out and why."""

from __future__ import annotations

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from campaigns.calendar import PLANNED, Calendar, DayGroup, calendar, month_of, quarter_of
from campaigns.mail.preview import preview_planned_step
from crm import clock
from crm.vocab import StepAction, TouchKind
from ui.shell import AppContext, context
from ui.widgets import read

_SOURCES = {
    "task": "Task",
    "email": "Email",
    "touch": "Touch",
    "cadence": "Cadence step",
    "seasonal": "Seasonal send",
    "event": "Event",
}


def render(ctx: AppContext) -> None:
    st.title("Touchpoint calendar")
    now = clock.now()
    today = now.astimezone(ctx.zone).date()
    left, right = st.columns([1, 2])
    view = (
        left.segmented_control("View", ["Month", "Quarter"], default="Month", key="calendar_view")
        or "Month"
    )
    anchor = right.date_input("Showing the period of", value=today, key="calendar_anchor")
    start, end = (month_of if view == "Month" else quarter_of)(anchor)
    cal = read(ctx.engine, lambda s: calendar(s, start, end, now, ctx.zone))
    planned = sum(1 for i in cal.items if i.state == PLANNED)
    st.caption(
        f"{start:%b %d} – {end:%b %d, %Y}: {planned} planned, {len(cal.items) - planned} done"
    )
    _heat_map(cal)
    _per_liaison(cal)
    _day(ctx, cal, today)


def _heat_map(cal: Calendar) -> None:
    """Weeks down, weekdays across, so a quarter reads like a wall calendar."""
    counts = cal.per_day()
    days = [cal.start + timedelta(days=n) for n in range((cal.end - cal.start).days + 1)]
    frame = pd.DataFrame(
        [
            {
                "Week of": (day - timedelta(days=day.weekday())).isoformat(),
                "Weekday": f"{day:%a}",
                "Day": day.isoformat(),
                "Planned": counts[day].planned if day in counts else 0,
                "Done": counts[day].done if day in counts else 0,
            }
            for day in days
        ]
    )
    frame["Total"] = frame["Planned"] + frame["Done"]
    weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    base = alt.Chart(frame).encode(
        x=alt.X("Weekday:O", sort=weekdays, title=None), y=alt.Y("Week of:O", title=None)
    )
    cells = base.mark_rect().encode(
        color=alt.Color("Total:Q", scale=alt.Scale(scheme="blues"), title="Items"),
        tooltip=["Day", "Planned", "Done"],
    )
    # Counts only where there is something, light on the darkest cells so they stay legible.
    dark = alt.datum.Total > frame["Total"].max() / 2
    labels = (
        base.mark_text()
        .transform_filter(alt.datum.Total > 0)
        .encode(
            text=alt.Text("Total:Q"),
            color=alt.condition(dark, alt.value("white"), alt.value("black")),
        )
    )
    st.altair_chart(cells + labels, width="stretch", key="calendar_heat_map")


def _per_liaison(cal: Calendar) -> None:
    counts = cal.per_liaison()
    if not counts:
        st.info("Nothing planned or done in this period.")
        return
    st.subheader("Per liaison", anchor=False)
    st.dataframe(
        pd.DataFrame(
            sorted(
                (
                    {
                        "Liaison": cal.liaison_name(owner),
                        "Planned": c.planned,
                        "Done": c.done,
                    }
                    for owner, c in counts.items()
                ),
                key=lambda row: row["Liaison"],
            )
        ),
        hide_index=True,
        key="calendar_liaisons",
    )


def _day(ctx: AppContext, cal: Calendar, today: date) -> None:
    busy = sorted(cal.per_day())
    if not busy:
        return
    st.subheader("Who is in each day's items", anchor=False)
    start = next((n for n, day in enumerate(busy) if day >= today), 0)
    day = st.selectbox(
        "Day", busy, index=start, format_func=lambda d: f"{d:%a %b %d}", key="calendar_day"
    )
    groups = cal.on(day)
    for n, group in enumerate(groups):
        _group(ctx, cal, group, day, n)


def _group(ctx: AppContext, cal: Calendar, group: DayGroup, day: date, n: int) -> None:
    what = _kind_label(group.kind)
    named = what if group.label == what else f"{what}: {group.label}"
    title = (
        f"{group.state.capitalize()} · {_SOURCES[group.source]} · {named} ({len(group.members)})"
    )
    with st.expander(title):
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Partner": m.partner_name,
                        "Who": m.person,
                        "Liaison": cal.liaison_name(m.owner_id),
                    }
                    for m in group.members
                ]
            ),
            hide_index=True,
            key=f"calendar_group_{n}",
        )
        step_id = group.members[0].step_id
        if (
            group.source == "cadence"
            and group.kind == StepAction.EMAIL.value
            and step_id is not None
        ):
            if st.toggle("Preview recipients and who is left out", key=f"calendar_preview_{n}"):
                _preview(ctx, step_id, day)


def _kind_label(kind: str) -> str:
    """A task's or step's action, or a touch's kind, in words; never its stored code."""
    for vocabulary in (StepAction, TouchKind):
        if kind in vocabulary.choices():
            return vocabulary(kind).label
    return kind.replace("_", " ").capitalize()


def _preview(ctx: AppContext, step_id: int, day: date) -> None:
    """Read-only for every role: seeing who would be left out changes nothing."""
    cap = ctx.settings.frequency_cap
    result = read(
        ctx.engine, lambda s: preview_planned_step(s, step_id, day, clock.now(), ctx.zone, cap)
    )
    st.markdown(f"**{len(result.included)} would get it; {len(result.left_out)} left out.**")
    if result.left_out:
        st.caption(
            " · ".join(f"{reason}: {count}" for reason, count in result.reasons().most_common())
        )
    rows = [
        {
            "Partner": r.partner_name,
            "Contact": r.name,
            "Email": r.email,
            "Gets it": "yes",
            "Why not": "",
        }
        for r in result.included
    ]
    rows += [
        {
            "Partner": e.recipient.partner_name,
            "Contact": e.recipient.name,
            "Email": e.recipient.email,
            "Gets it": "no",
            "Why not": e.reason,
        }
        for e in result.left_out
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key=f"calendar_preview_table_{step_id}")


if __name__ == "__main__":
    render(context())
