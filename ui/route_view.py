"""The day's route on My week: pick a day, the clinic to leave from and come back to,
the time to leave and the minutes a visit takes; see the stops in the order to drive
them, each leg's miles, the total, the warnings, and links that open it in Google Maps.
Without a clinic to start from, the day's stops are listed by city and ZIP."""

from __future__ import annotations

from datetime import date, time

import pandas as pd
import streamlit as st

from crm.errors import LiaisonError
from crm.locations import list_locations
from crm.opening_hours import clock_time
from crm.routes.day import VISIT_MINUTES, DayRoute, RouteStop, plan_day
from crm.tasks import ON_THE_ROAD, due_on, route
from crm.vocab import StepAction
from ui.shell import AppContext
from ui.widgets import read

DEFAULT_START = time(9, 0)


def render(ctx: AppContext, whose: int, today: date) -> None:
    if not st.toggle("Plan a day's route", key="my_week_route"):
        return
    clinics = {c.id: c.name for c in read(ctx.engine, list_locations)}
    day_column, clinic_column, start_column, visit_column = st.columns(4)
    day = day_column.date_input("Day", value=today, key="route_day")
    if not clinics:
        st.caption(
            "Add a clinic on the Clinics page to plan the drive from it; "
            "until then the day's stops are listed by city and ZIP."
        )
        _by_town(ctx, whose, day)
        return
    clinic_id = clinic_column.selectbox(
        "From and back to", list(clinics), format_func=clinics.get, key="route_clinic"
    )
    start = start_column.time_input("Leaving at", value=DEFAULT_START, step=900, key="route_start")
    minutes = visit_column.number_input(
        "Minutes a visit",
        min_value=5,
        max_value=180,
        value=VISIT_MINUTES,
        step=5,
        key="route_visit",
    )
    try:
        plan = read(
            ctx.engine,
            lambda s: plan_day(
                s, whose, day, clinic_id, start, int(minutes), ctx.settings.route_service_url
            ),
        )
    except LiaisonError as exc:
        st.warning(str(exc)[:1].upper() + str(exc)[1:] + ".")
        return
    _show(plan)


def _show(plan: DayRoute) -> None:
    for warning in plan.warnings:
        st.warning(warning, icon=":material/schedule:")
    if not plan.stops:
        if not plan.unplaced:
            st.caption(f"No visits or drop-offs on {plan.day:%A, %b %d}.")
        return
    st.dataframe(
        pd.DataFrame([_row(n, stop) for n, stop in enumerate(plan.stops, start=1)]),
        hide_index=True,
        key="my_week_route_table",
        column_config={"Miles": st.column_config.NumberColumn(format="%.1f")},
    )
    st.markdown(
        f"**{plan.total_miles:.1f} miles** in all: leaving {plan.clinic} at "
        f"{plan.start:%H:%M}, back at {plan.back_at:%H:%M} "
        f"({plan.miles_back:.1f} miles for the last leg)."
        + (" Miles are estimated from ZIP codes." if plan.estimated else "")
    )
    st.markdown(_links(plan.links, len(plan.stops)))


def _row(n: int, stop: RouteStop) -> dict:
    item = stop.item
    return {
        "Stop": n,
        "Arrive": f"{stop.arrives:%H:%M}",
        "Partner": item.partner_name,
        "Address": ", ".join(x for x in (item.address, item.city, item.zip) if x),
        "What": StepAction(item.kind).label,
        "Open": _hours(stop),
        "Miles": round(stop.miles, 1),
        "Contact": item.contact_name,
        "Phone": item.phone,
    }


def _hours(stop: RouteStop) -> str:
    if stop.closed:
        return "Closed"
    if stop.hours is None:
        return "—"
    opens, closes = stop.hours
    return f"{clock_time(opens):%H:%M}–{clock_time(closes):%H:%M}"


def _links(links: list[str], stops: int) -> str:
    if len(links) == 1:
        return f"[Open the route in Google Maps]({links[0]})"
    parts = " · ".join(f"[part {n}]({link})" for n, link in enumerate(links, start=1))
    return f"Open the route in Google Maps ({stops} stops, in {len(links)} parts): {parts}"


def _by_town(ctx: AppContext, whose: int, day: date) -> None:
    stops = route(
        i for i in read(ctx.engine, lambda s: due_on(s, whose, day)) if i.kind in ON_THE_ROAD
    )
    if not stops:
        st.caption(f"No visits or drop-offs on {day:%A, %b %d}.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Stop": n,
                    "Partner": s.partner_name,
                    "Address": s.address,
                    "City": s.city,
                    "ZIP": s.zip,
                    "Contact": s.contact_name,
                    "Phone": s.phone,
                    "What": StepAction(s.kind).label,
                }
                for n, s in enumerate(stops, start=1)
            ]
        ),
        hide_index=True,
        key="my_week_route_table",
    )
