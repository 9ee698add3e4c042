"""Referral funnel: what becomes of the referrals partners send. How many are contacted,
scheduled and seen, where they are lost and why, how long each step takes, and which
referrals missed the practice's targets."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from crm import clock
from crm.analytics.funnel import funnel, lost_by_reason, overall
from crm.analytics.timing import STAGES, Targets, Timings, timings
from ui.analytics_filters import filter_bar
from ui.downloads import download_buttons
from ui.shell import AppContext, context
from ui.widgets import read, short_time, shown_as

BREAKDOWNS = {
    "Partner type": "partner_type",
    "Partner": "partner",
    "Location": "location",
    "Channel": "channel",
    "Month": "month",
}
# One breakdown at a time: each is an exact percentile over every referral in the period.
TIMING_FOR = {
    "Each location": ("location", "Location"),
    "Each partner type": ("partner_type", "Partner type"),
    "All referrals": (None, "Referrals"),
}
_BREACHES_SHOWN = 500
_FUNNEL_COLUMNS = {
    "group": "Group",
    "received": "Received",
    "contacted": "Contacted",
    "scheduled": "Scheduled",
    "first_visit": "First visit",
    "lost": "Lost",
    "contact_rate": "Contacted / received",
    "schedule_rate": "Scheduled / contacted",
    "visit_rate": "Seen / scheduled",
    "overall_rate": "Seen / received",
}
_TIMING_COLUMNS = {
    "group": "Group",
    "stage": "Stage",
    "referrals": "Reached it",
    "median_days": "Median days",
    "p90_days": "90th percentile days",
    "still_open": "Still open",
}


def render(ctx: AppContext) -> None:
    st.title("Referral funnel")
    filters = filter_bar(ctx, key="funnel")
    # the breakdown chosen (its select box comes further down) is read once, and the whole
    # funnel added up from it: one pass over the period for both tables
    label = st.session_state.get("funnel_by")
    label = label if label in BREAKDOWNS else next(iter(BREAKDOWNS))
    by = BREAKDOWNS[label]
    broken_down = read(ctx.analytics_engine, lambda s: funnel(s, filters, by=by))
    whole = overall(broken_down)
    if int(whole["received"].iloc[0]) == 0:
        st.info(
            f"No referrals were received in {filters.period.label} with these filters. "
            "Choose a longer period or fewer filters to follow them through the funnel."
        )
        return
    _overall(whole)
    _breakdown(broken_down, label)
    _lost(read(ctx.analytics_engine, lambda s: lost_by_reason(s, filters)))
    # likewise the time to each stage for the group chosen below, and the breaches: one pass
    chosen = st.session_state.get("funnel_timing_by")
    chosen = chosen if chosen in TIMING_FOR else next(iter(TIMING_FOR))
    targets, now = Targets.from_settings(ctx.settings), clock.now()
    speed = read(
        ctx.analytics_engine,
        lambda s: timings(
            s, filters, targets, now, by=TIMING_FOR[chosen][0], limit=_BREACHES_SHOWN
        ),
    )
    _timing(speed, chosen)
    _breaches(ctx, speed, targets)


def _overall(table: pd.DataFrame) -> None:
    row = table.iloc[0]
    stages = pd.DataFrame(
        {
            "stage": ["Received", "Contacted", "Scheduled", "First visit"],
            "referrals": [
                int(row["received"]),
                int(row["contacted"]),
                int(row["scheduled"]),
                int(row["first_visit"]),
            ],
            "conversion": [
                "",
                _share(row["contact_rate"], "received"),
                _share(row["schedule_rate"], "contacted"),
                _share(row["visit_rate"], "scheduled"),
            ],
        }
    )
    order = list(stages["stage"])
    base = alt.Chart(stages).encode(
        x=alt.X("stage:N", sort=order, title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("referrals:Q", title="Referrals"),
    )
    bars = base.mark_bar().encode(tooltip=["stage", "referrals", "conversion"])
    labels = base.mark_text(dy=-8).encode(text="conversion:N")
    st.altair_chart(alt.layer(bars, labels), width="stretch")
    st.caption(
        f"{int(row['lost'])} lost; {_share(row['overall_rate'], 'received')} came for a first visit. "
        "Each stage counts the referrals with its own date recorded."
    )
    _funnel_table(table, "referral-funnel", "funnel_overall")


def _breakdown(table: pd.DataFrame, label: str) -> None:
    st.subheader("Broken down", anchor=False)
    st.selectbox(
        "Break down by", list(BREAKDOWNS), key="funnel_by"
    )  # its value is `label`, read above
    by = BREAKDOWNS[label]
    _funnel_table(
        table.rename(columns={"group": label.lower()}),
        f"referral-funnel-by-{by}",
        "funnel_by_table",
        group=label,
    )


def _funnel_table(table: pd.DataFrame, name: str, key: str, group: str = "Group") -> None:
    shown = table.rename(columns={**_FUNNEL_COLUMNS, table.columns[0]: group})
    rates = list(_FUNNEL_COLUMNS.values())[6:]
    st.dataframe(
        shown.astype({c: float for c in rates}),
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="percent") for c in rates},
    )
    download_buttons(table, name, key=key)


def _lost(table: pd.DataFrame) -> None:
    st.subheader("Lost referrals by reason", anchor=False)
    if table.empty:
        st.caption("No referral received in the period was lost.")
    shown = table.rename(
        columns={"reason": "Reason", "referrals": "Referrals", "share": "Share of lost"}
    )
    st.dataframe(
        shown,
        hide_index=True,
        column_config={"Share of lost": st.column_config.NumberColumn(format="percent")},
    )
    download_buttons(table, "lost-referrals-by-reason", key="funnel_lost")


def _timing(speed: Timings, label: str) -> None:
    st.subheader("Time to each stage", anchor=False)
    st.caption(
        "Days from receipt, counting only the referrals that reached the stage; “still open” are the "
        "ones that have not reached it and are not lost."
    )
    st.selectbox(
        "For", list(TIMING_FOR), key="funnel_timing_by"
    )  # its value is `label`, read above
    by, title = TIMING_FOR[label]
    table = speed.time_to_stage
    shown = table.rename(columns={**_TIMING_COLUMNS, "group": title})
    days = ["Median days", "90th percentile days"]
    st.dataframe(
        shown.astype({c: float for c in days}),
        hide_index=True,
        column_config={c: st.column_config.NumberColumn(format="%.1f") for c in days},
    )
    download_buttons(table, f"time-to-stage-{by or 'all'}".replace("_", "-"), key="funnel_timing")


def _breaches(ctx: AppContext, speed: Timings, targets: Targets) -> None:
    st.subheader("Target breaches", anchor=False)
    words = (
        ", ".join(targets.label(stage) for stage in STAGES[:-1])
        + f" and {targets.label(STAGES[-1])}"
    )
    st.markdown(
        f"Targets from receipt: {words}. Business days run Monday to Friday on the practice's "
        "calendar, less its holidays and closed days (the Holidays page), "
        "and a stage is due by the end of its deadline day."
    )
    counts, listed = speed.breach_counts, speed.breaches
    st.dataframe(
        counts.rename(
            columns={
                "target": "Target",
                "breached": "Breached",
                "total": "Judged",
                "share": "Share breached",
            }
        ).astype({"Share breached": float}),
        hide_index=True,
        column_config={"Share breached": st.column_config.NumberColumn(format="percent")},
    )
    download_buttons(counts, "target-breach-counts", key="funnel_breach_counts")
    st.caption(
        "Judged: the stage happened, or its deadline passed without it. A lost referral is judged only on "
        "the stages it reached."
    )
    _by_channel(speed.breach_counts_by_channel)
    if listed.empty:
        st.success("Every referral met its targets so far.")
        return
    local = listed.assign(
        received_at=listed["received_at"].map(lambda t: _local(t, ctx)),
        happened_at=listed["happened_at"].map(lambda t: _local(t, ctx)),
    )
    shown = local.assign(happened_at=shown_as(local["happened_at"], short_time))
    st.dataframe(
        shown.rename(
            columns={
                "referral_id": "Referral",
                "partner": "Partner",
                "location": "Location",
                "channel": "Channel",
                "received_at": "Received",
                "target": "Target",
                "deadline": "Due by end of",
                "happened_at": "Happened",
                "late_by_days": "Days late",
            }
        ),
        hide_index=True,
        column_config={
            "Received": st.column_config.DatetimeColumn(format="ddd MMM D, h:mm a"),
            "Due by end of": st.column_config.DateColumn(format="ddd MMM D"),
        },
    )
    download_buttons(local, "target-breaches", key="funnel_breaches")
    if len(listed) == _BREACHES_SHOWN:
        st.caption(
            f"The {_BREACHES_SHOWN} latest breaches (most days late first); narrow the filters to see others."
        )
    else:
        st.caption(
            "Most days late first; “—” under “Happened” means the stage is still to come. Times are the "
            "practice's."
        )


def _by_channel(counts: pd.DataFrame) -> None:
    """The same counts per channel: whether web-form referrals are called back as fast as
    the ones that came by phone or fax."""
    if counts.empty:
        return
    st.markdown("**By channel**")
    st.dataframe(
        counts.rename(
            columns={
                "channel": "Channel",
                "target": "Target",
                "breached": "Breached",
                "total": "Judged",
                "share": "Share breached",
            }
        ).astype({"Share breached": float}),
        hide_index=True,
        column_config={"Share breached": st.column_config.NumberColumn(format="percent")},
    )
    download_buttons(counts, "target-breach-counts-by-channel", key="funnel_breach_channels")


def _local(moment: datetime | None, ctx: AppContext) -> datetime | None:
    """In the practice's zone without the zone attached: Excel keeps no zones."""
    return None if moment is None else moment.astimezone(ctx.zone).replace(tzinfo=None)


def _share(rate: float | None, of: str) -> str:
    return "—" if rate is None or pd.isna(rate) else f"{rate:.0%} of {of}"


if __name__ == "__main__":
    render(context())
