"""Email engagement: delivery, open, click and bounce rates of the emails each program
sent, by program, cadence step, event or month, for leadership."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from crm.analytics.engagement import GROUPING_LABELS, GROUPINGS, email_rates, has_outcomes
from ui.analytics_filters import filter_bar
from ui.downloads import download_buttons
from ui.shell import AppContext, context
from ui.widgets import read

HEADERS = {
    "sent": "Sent",
    "delivered": "Delivered",
    "delivery_rate": "Delivery rate",
    "opened": "Opened",
    "open_rate": "Open rate",
    "machine_opens": "Apple privacy opens",
    "clicked": "Clicked",
    "click_rate": "Click rate",
    "bounced": "Bounced",
}
RATES = ("Delivery rate", "Open rate", "Click rate")


def render(ctx: AppContext) -> None:
    st.title("Email engagement")
    st.caption(
        "Emails sent in the period by every program (test sends left out): how many were delivered, "
        "opened by a person, clicked or bounced. Open and click rates are of the emails delivered."
    )
    filters = filter_bar(ctx, key="email")
    st.caption(
        "Location and service line do not narrow these figures: an email is about a partner, not one "
        "referral. Emails to patients (review requests) count only when no partner filter is set."
    )
    by = st.selectbox(
        "Group by", GROUPINGS, format_func=GROUPING_LABELS.__getitem__, key="email_group_by"
    )
    table = read(ctx.analytics_engine, lambda session: email_rates(session, filters, by))
    if not table["sent"].sum():
        st.info("No email was sent in this period.")
        return
    if not has_outcomes(table):
        st.warning(
            "None of these emails has a delivery, open, click or bounce recorded. These figures come from "
            "SendGrid's Event Webhook: with the file or SMTP transport they stay empty."
        )
    shown = table.rename(columns={"group": GROUPING_LABELS[by], **HEADERS})
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            name: st.column_config.NumberColumn(name, format="percent") for name in RATES
        },
    )
    download_buttons(shown, f"email-engagement-by-{by.replace('_', '-')}", key="email_table")
    _chart(shown, GROUPING_LABELS[by], by == "month")
    st.caption(
        "Apple privacy opens are counted apart: Apple Mail fetches the images of every email it receives, "
        "so those opens are machines, not people. Opened counts people only; an email a person opened "
        "after Apple's fetch counts as opened. All these figures come from SendGrid's Event Webhook."
    )


def _chart(shown: pd.DataFrame, group: str, by_month: bool) -> None:
    """Open and click rates: a line over the months, otherwise a pair of bars per group."""
    long = shown.melt(
        id_vars=[group], value_vars=["Open rate", "Click rate"], var_name="Rate", value_name="Value"
    )
    long = long[long["Value"].notna()].astype({"Value": float})
    if long.empty:
        return
    rate = alt.Axis(format="%")
    base = alt.Chart(long).encode(
        color=alt.Color("Rate:N", title=None),
        tooltip=[
            alt.Tooltip(f"{group}:N"),
            alt.Tooltip("Rate:N"),
            alt.Tooltip("Value:Q", format=".1%"),
        ],
    )
    if by_month:
        chart = base.mark_line(point=True).encode(
            x=alt.X(f"{group}:O", title=None), y=alt.Y("Value:Q", title=None, axis=rate)
        )
    else:
        chart = base.mark_bar().encode(
            y=alt.Y(f"{group}:N", title=None, sort=list(shown[group])),
            yOffset="Rate:N",
            x=alt.X("Value:Q", title=None, axis=rate),
        )
    st.altair_chart(chart, width="stretch", key="email_rates_chart")


if __name__ == "__main__":
    render(context())
