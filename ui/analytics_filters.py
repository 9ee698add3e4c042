"""The filter bar every analytics page shows: a period and the partner and referral
filters. The choice is kept in the session, so moving between the analytics pages keeps
what leadership is looking at."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import streamlit as st

from crm.analytics.filters import Filters, Period, filters_from
from crm.locations import list_locations
from crm.partners import filter_options
from crm.vocab import PartnerType, ServiceLine
from ui.shell import AppContext
from ui.widgets import now_local, read

_SAVED = "_analytics_filters"
PERIODS = (
    "Last full month",
    "Month to date",
    "Last 3 full months",
    "Last 12 full months",
    "Year to date",
    "Custom",
)


def period_for(choice: str, today: date, custom: tuple[date, date] | None = None) -> Period:
    if choice == "Month to date":
        return Period(today.replace(day=1), today + timedelta(days=1))
    if choice == "Last 3 full months":
        return Period.last_full_months(today, 3)
    if choice == "Last 12 full months":
        return Period.last_full_months(today, 12)
    if choice == "Year to date":
        return Period(date(today.year, 1, 1), today + timedelta(days=1))
    if choice == "Custom" and custom:
        return Period(custom[0], custom[1] + timedelta(days=1))
    return Period.last_full_months(today, 1)


def filter_bar(ctx: AppContext, key: str = "an") -> Filters:
    saved: dict[str, Any] = st.session_state.setdefault(_SAVED, {})
    today = now_local(ctx.zone).date()
    options = read(ctx.engine, filter_options)
    locations = {loc.id: loc.name for loc in read(ctx.engine, list_locations)}
    owners = dict(options["owners"])
    with st.container(border=True):
        top = st.columns([2, 2, 2, 2])
        choice = top[0].selectbox(
            "Period",
            PERIODS,
            index=PERIODS.index(saved.get("period", PERIODS[0])),
            key=f"{key}_period",
        )
        custom = None
        if choice == "Custom":
            default = saved.get("custom") or (today.replace(day=1), today)
            picked = top[1].date_input(
                "From – to", value=default, max_value=today, key=f"{key}_custom"
            )
            if isinstance(picked, tuple) and len(picked) == 2:
                custom = (picked[0], picked[1])
        types = top[2].multiselect(
            "Partner type",
            PartnerType.choices(),
            default=saved.get("types", []),
            format_func=lambda v: PartnerType(v).label,
            key=f"{key}_types",
        )
        territories = top[3].multiselect(
            "Territory",
            options["territories"],
            default=[t for t in saved.get("territories", []) if t in options["territories"]],
            key=f"{key}_territories",
        )
        bottom = st.columns([2, 2, 2, 2])
        liaisons = bottom[0].multiselect(
            "Liaison",
            list(owners),
            format_func=lambda i: owners[i],
            default=[i for i in saved.get("owners", []) if i in owners],
            key=f"{key}_owners",
        )
        chosen_locations = bottom[1].multiselect(
            "Location",
            list(locations),
            format_func=lambda i: locations[i],
            default=[i for i in saved.get("locations", []) if i in locations],
            key=f"{key}_locations",
        )
        lines = bottom[2].multiselect(
            "Service line",
            ServiceLine.choices(),
            default=saved.get("lines", []),
            format_func=lambda v: ServiceLine(v).label,
            key=f"{key}_lines",
        )
    saved.update(
        period=choice,
        custom=custom,
        types=types,
        territories=territories,
        owners=liaisons,
        locations=chosen_locations,
        lines=lines,
    )
    period = period_for(choice, today, custom)
    filters = filters_from(
        period,
        ctx.zone,
        partner_types=types,
        territories=territories,
        owner_ids=liaisons,
        location_ids=chosen_locations,
        service_lines=lines,
    )
    st.caption(
        f"{period.label}. Location and service line narrow the referral figures; partner type, "
        "territory and liaison narrow everything."
    )
    return filters
