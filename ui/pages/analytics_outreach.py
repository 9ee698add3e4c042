"""Outreach results: for each cadence, event and seasonal send that reached partners in
the period, how many began referring within 90 days, against comparable partners it
did not reach, with how sure that difference is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from crm import clock
from crm.analytics.outreach import (
    BETTER,
    NO_DIFFERENCE,
    TOO_FEW,
    TOO_RECENT,
    WORSE,
    program_conversion,
)
from ui.analytics_filters import filter_bar
from ui.downloads import download_buttons
from ui.shell import AppContext, context
from ui.widgets import read, shown_as

WINDOW_DAYS = 90
KINDS = {"cadence": "Cadence", "event": "Event", "seasonal": "Seasonal send"}
HEADERS = {
    "program_kind": "Kind",
    "program": "Program",
    "reached": "Reached",
    "measured": "Measured",
    "converted": "Began referring",
    "conversion_rate": "Rate",
    "comparison_partners": "Comparable partners",
    "comparison_rate": "Comparable rate",
    "lift": "Lift",
    "lift_low": "Lift low (95%)",
    "lift_high": "Lift high (95%)",
    "verdict": "Verdict",
    "measuring": "Still measuring",
    "already_sources": "Already referring",
    "referrals_before": "Referrals 90 days before",
    "referrals_after": "Referrals 90 days after",
    "program_id": "Program id",
}
RATES = ("Rate", "Comparable rate", "Lift", "Lift low (95%)", "Lift high (95%)")
VERDICT_COLORS = {
    BETTER: "#2e7d32",
    WORSE: "#c62828",
    NO_DIFFERENCE: "#607d8b",
    TOO_FEW: "#b0bec5",
    TOO_RECENT: "#b0bec5",
}


def render(ctx: AppContext) -> None:
    st.title("Outreach results")
    st.caption(
        "Did the partners each cadence, event or seasonal send reached begin referring? A partner begins "
        f"referring when it sent no referral in the {WINDOW_DAYS} days before it was reached and at least "
        f"one in the {WINDOW_DAYS} days after."
    )
    filters = filter_bar(ctx, key="outreach")
    now = clock.now()
    if filters.bounds[1] > now - timedelta(days=WINDOW_DAYS):
        st.info(
            f"Partners reached in the last {WINDOW_DAYS} days are still being measured, so part of this "
            "period cannot be judged yet. For settled results pick a longer or earlier period, such as "
            "the last 12 full months."
        )
    table = read(
        ctx.analytics_engine, lambda session: program_conversion(session, filters, now, WINDOW_DAYS)
    )
    if table.empty:
        st.info("No cadence, event or seasonal send reached a partner in this period.")
        return
    # a cadence or event is named by its number, a seasonal send by its source: one text column
    shown = table.assign(
        program_kind=table["program_kind"].map(KINDS), program_id=table["program_id"].astype(str)
    ).rename(columns=HEADERS)
    shown = shown[[HEADERS[c] for c in HEADERS]]
    st.dataframe(
        shown.assign(**{name: shown_as(shown[name], _percent(name)) for name in RATES}),
        hide_index=True,
    )
    download_buttons(shown, "outreach-results", key="outreach_table")
    _explanation()
    _chart(table)


def _percent(column: str) -> Callable[[float], str]:
    """Rates as shares, a lift in percentage points with its sign; none measured, "—"."""
    return (lambda v: f"{v:+.1%}") if column.startswith("Lift") else (lambda v: f"{v:.1%}")


def _explanation() -> None:
    st.markdown(
        f"**Rate** is the share of the partners a program reached that began referring, counting only those "
        f"who were not already referring and whose {WINDOW_DAYS} days have passed (**Measured**). "
        "**Comparable rate** is the same share among partners of the same type and tier that the program did "
        "not reach, weighted to the reached partners' mix of types and tiers. **Lift** is the difference, in "
        "percentage points: +10% means one more partner in ten began referring than among comparable ones.  \n"
        "**Lift low – high** is a 95% confidence interval (a normal approximation adding the uncertainty of "
        "both rates): when it includes 0, the program may have made no difference. With fewer than 10 "
        "measured partners the verdict says there are too few to tell, whatever the figures."
    )
    st.caption(
        "The comparison is measured around the month of the program's median reach, by calendar months "
        "(the three before it, and it and the two after), not day by day around each partner."
    )


def _chart(table: pd.DataFrame) -> None:
    data = table[table["lift"].notna()].assign(
        label=lambda f: f["program_kind"].map(KINDS) + ": " + f["program"],
        small=lambda f: f["verdict"].isin([TOO_FEW, TOO_RECENT]).map({True: "yes", False: "no"}),
    )
    if data.empty:
        st.caption("No program has a lift to chart yet.")
        return
    data = data[["label", "lift", "lift_low", "lift_high", "verdict", "measured", "small"]]
    y = alt.Y("label:N", title=None, sort=list(data["label"]))
    color = alt.Color(
        "verdict:N",
        title="Verdict",
        scale=alt.Scale(domain=list(VERDICT_COLORS), range=list(VERDICT_COLORS.values())),
    )
    tooltip = [
        alt.Tooltip("label:N", title="Program"),
        alt.Tooltip("lift:Q", title="Lift", format="+.1%"),
        alt.Tooltip("lift_low:Q", title="Low (95%)", format="+.1%"),
        alt.Tooltip("lift_high:Q", title="High (95%)", format="+.1%"),
        alt.Tooltip("measured:Q", title="Measured"),
        alt.Tooltip("verdict:N", title="Verdict"),
    ]
    base = alt.Chart(data).encode(y=y, color=color, tooltip=tooltip)
    bars = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("lift_low:Q", title="Lift (95% interval)", axis=alt.Axis(format="+%")),
        x2="lift_high:Q",
        strokeDash=alt.StrokeDash(
            "small:N",
            title="Too few to tell",
            scale=alt.Scale(domain=["no", "yes"], range=[[1, 0], [4, 3]]),
        ),
    )
    points = base.mark_point(size=90, filled=True).encode(
        x="lift:Q", opacity=alt.condition("datum.small == 'no'", alt.value(1.0), alt.value(0.35))
    )
    zero = alt.Chart(pd.DataFrame({"x": [0]})).mark_rule(color="#455a64").encode(x="x:Q")
    st.altair_chart(
        alt.layer(zero, bars, points).properties(height=max(120, 36 * len(data))),
        width="stretch",
        key="outreach_lift_chart",
    )
    st.caption(
        "Each program's lift with its 95% interval; dashed lines and faint points are programs with too "
        "few measured partners (or too recent) to tell."
    )


if __name__ == "__main__":
    render(context())
