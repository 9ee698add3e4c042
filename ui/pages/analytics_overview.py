"""Overview: in seconds, whether outreach is working. The headline figures against the
period before and last year, the partners who send the referrals month by month, and
how much the practice depends on a few of them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from crm.analytics.concentration import Concentration, concentration
from crm.analytics.filters import Filters
from crm.analytics.monthly import heatmap_rows, referrals_by_partner_month
from crm.analytics.overview import headline
from crm.vocab import PartnerType
from ui.analytics_filters import filter_bar
from ui.downloads import download_buttons
from ui.shell import AppContext, context
from ui.widgets import read

_IN_DAYS = {"Median days to first appointment"}
_LOWER_IS_BETTER = {"Partners gone dormant", *_IN_DAYS}
_MONTHLY_TOP = 25


def render(ctx: AppContext) -> None:
    st.title("Overview")
    filters = filter_bar(ctx, key="overview")
    _headline(read(ctx.analytics_engine, lambda s: headline(s, filters)), filters)
    by_month = read(
        ctx.analytics_engine, lambda s: referrals_by_partner_month(s, filters, top=_MONTHLY_TOP)
    )
    if by_month.empty:
        st.info(
            f"No referrals were received in {filters.period.label} with these filters. "
            "Choose a longer period or fewer filters to see who sends them."
        )
        return
    _by_month(by_month)
    _concentration(read(ctx.analytics_engine, lambda s: concentration(s, filters)))


def _headline(table: pd.DataFrame, filters: Filters) -> None:
    before, last_year = filters.period.previous(), filters.period.last_year()
    rows = table.to_dict("records")
    for chunk in (rows[:4], rows[4:]):
        for column, row in zip(st.columns(4), chunk):
            against_last_year = _change(row["change_vs_last_year"]) or "nothing to compare with"
            column.metric(
                row["metric"],
                _figure(row["current"], row["metric"]),
                delta=_change(row["change_vs_previous"]),
                delta_color="inverse" if row["metric"] in _LOWER_IS_BETTER else "normal",
                help=f"{before.label}: {_figure(row['previous'], row['metric'])}. {last_year.label}: "
                f"{_figure(row['last_year'], row['metric'])} ({against_last_year}).",
            )
    st.caption(f"Arrows compare with {before.label}; hover over a figure for {last_year.label}.")
    st.dataframe(figures_table(table), hide_index=True)
    download_buttons(table, "overview-figures", key="overview_figures")


def figures_table(table: pd.DataFrame) -> pd.DataFrame:
    """The figures as the metrics above them read: counts whole, days to one decimal,
    changes as whole percentages; a column of numbers cannot mix those formats."""
    return pd.DataFrame(
        {
            "Figure": table["metric"],
            **{
                title: [_figure(v, m) for v, m in zip(table[column], table["metric"])]
                for column, title in (
                    ("current", "This period"),
                    ("previous", "Period before"),
                    ("last_year", "Same period last year"),
                )
            },
            **{
                title: [_change(v) or "—" for v in table[column]]
                for column, title in (
                    ("change_vs_previous", "Change vs before"),
                    ("change_vs_last_year", "Change vs last year"),
                )
            },
        }
    )


def _figure(value: float | None, metric: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    if metric in _IN_DAYS:
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _change(value: float | None) -> str | None:
    return None if value is None or pd.isna(value) else f"{value:+.0%}"


def _by_month(table: pd.DataFrame) -> None:
    st.subheader(f"Top {_MONTHLY_TOP} partners by month", anchor=False)
    months = [
        c
        for c in table.columns
        if c not in ("partner_id", "partner", "partner_type", "owner", "total", "trend")
    ]
    shown = table.drop(columns=["partner_id"]).assign(
        partner_type=table["partner_type"].map(
            lambda v: PartnerType(v).label if v in PartnerType.choices() else v
        ),
        shape=table[months].values.tolist(),
    )
    if shown["trend"].isna().all():  # a single month has no slope to show
        shown = shown.drop(columns=["trend"])
    st.dataframe(
        shown,
        hide_index=True,
        column_config={
            "partner": "Partner",
            "partner_type": "Type",
            "owner": "Liaison",
            "total": "Total",
            "trend": st.column_config.NumberColumn(
                "Trend",
                format="%+.2f",
                help="Least-squares slope: referrals gained (or lost) per month.",
            ),
            "shape": st.column_config.LineChartColumn("By month", y_min=0),
        },
    )
    download_buttons(table, "referrals-by-partner-month", key="overview_by_month")
    cells = heatmap_rows(table)
    heat = (
        alt.Chart(cells)
        .mark_rect()
        .encode(
            x=alt.X("month:O", title="Month"),
            y=alt.Y(
                "partner_id:N",
                sort=[int(i) for i in table["partner_id"]],
                title=None,
                axis=alt.Axis(labelExpr=name_labels(table["partner_id"], table["partner"])),
            ),
            color=alt.Color("referrals:Q", title="Referrals", scale=alt.Scale(scheme="blues")),
            tooltip=["partner", "month", "referrals"],
        )
    )
    st.altair_chart(heat, width="stretch")


def name_labels(keys: Iterable[Any], names: Iterable[str]) -> str:
    """A Vega expression naming each key's partner: marks stand on partner ids or ranks,
    so two partners of the same name stay two, in their own order."""
    return f"{json.dumps({str(k): n for k, n in zip(keys, names)})}[datum.value]"


def _concentration(result: Concentration) -> None:
    st.subheader("Concentration", anchor=False)
    share = "—" if result.top_share is None else f"{result.top_share:.0%}"
    st.metric(
        "Referrals from the top 20% of referring partners",
        share,
        help=f"The top {result.top_count} of {result.sources} partners who referred in the period, "
        f"out of {result.referrals} referrals.",
    )
    top = result.top
    base = alt.Chart(top).encode(
        x=alt.X(
            "rank:O",
            sort="ascending",
            title=None,
            axis=alt.Axis(
                labelLimit=140, labelAngle=-45, labelExpr=name_labels(top["rank"], top["partner"])
            ),
        )
    )
    bars = base.mark_bar().encode(
        y=alt.Y("referrals:Q", title="Referrals"), tooltip=["partner", "referrals"]
    )
    line = base.mark_line(point=True, color="#d62728").encode(
        y=alt.Y(
            "cumulative_share:Q",
            title="Cumulative share",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        tooltip=["partner", alt.Tooltip("cumulative_share:Q", format=".0%")],
    )
    st.altair_chart(alt.layer(bars, line).resolve_scale(y="independent"), width="stretch")
    st.dataframe(
        top.drop(columns=["partner_id"]),
        hide_index=True,
        column_config={
            "rank": "Rank",
            "partner": "Partner",
            "referrals": "Referrals",
            "cumulative_share": st.column_config.NumberColumn("Cumulative share", format="percent"),
        },
    )
    download_buttons(top.drop(columns=["partner_id"]), "leading-partners", key="overview_leading")
    curve = pd.concat(
        [pd.DataFrame({"partner_share": [0.0], "referral_share": [0.0]}), result.curve]
    )
    st.altair_chart(
        alt.Chart(curve)
        .mark_line()
        .encode(
            x=alt.X(
                "partner_share:Q", title="Share of referring partners", axis=alt.Axis(format="%")
            ),
            y=alt.Y("referral_share:Q", title="Share of referrals", axis=alt.Axis(format="%")),
        ),
        width="stretch",
    )
    st.caption(
        "Partners ranked by referrals: how much of the period's referrals the leading share of "
        "partners sent."
    )


if __name__ == "__main__":
    render(context())
