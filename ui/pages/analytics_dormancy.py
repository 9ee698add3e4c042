"""Dormancy alerts: partners whose referrals fell well below their own usual rate,
ranked by the referrals at stake; editors enrol the chosen ones in a win-back cadence."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from campaigns.alerts.win_back import enrol_in_win_back, win_back_cadences
from crm import clock
from crm.analytics.dormancy import at_risk
from crm.vocab import PartnerStatus, PartnerType
from ui.analytics_filters import filter_bar
from ui.downloads import download_buttons
from ui.shell import AppContext, context
from ui.widgets import read, show_flash, submit

TABLE = "dormancy_table"
CHOSEN = "dormancy_enrol_ids"
_IDS = "_dormancy_ids"


def render(ctx: AppContext) -> None:
    st.title("Dormancy alerts")
    show_flash()
    filters = filter_bar(ctx, key="dormancy")
    s = ctx.settings
    st.caption(
        "The period above does not apply here: the windows always end today. Partner type, territory and "
        "liaison choose the partners; location and service line narrow the referrals counted."
    )
    st.markdown(
        f"Each partner is compared with **its own usual rate**, not a fixed number. We count its referrals in the "
        f"last {s.dormancy_window_days} days and in the {s.dormancy_baseline_days} days before, and work out how "
        f"many it would usually have sent in {s.dormancy_window_days} days. A partner is listed when so few "
        f"arrived that chance alone would explain it less than {s.dormancy_significance:.0%} of the time "
        f"(the *p-value*, from a Poisson test). A partner newer than that is judged on the history it has. "
        "**At stake** is the referrals expected minus those received; the biggest gaps come first. "
        "Archived and do-not-contact partners are left out."
    )
    table = read(ctx.analytics_engine, lambda session: at_risk(session, filters, clock.now(), s))
    if table.empty:
        st.info(
            "No partner is going quiet: every partner's referrals are in line with its usual rate."
        )
        return
    shown = _display(ctx, table)
    st.session_state[_IDS] = [int(i) for i in table["partner_id"]]
    editor = ctx.actor.can_edit
    st.dataframe(
        shown,
        hide_index=True,
        key=TABLE,
        on_select=_copy_selection if editor else "ignore",
        selection_mode="multi-row",
        column_config={
            "Expected": st.column_config.NumberColumn(format="%.1f"),
            "At stake": st.column_config.NumberColumn(format="%.1f"),
            "p-value": st.column_config.NumberColumn(format="%.4f"),
            "Last touch": st.column_config.DatetimeColumn(format="MMM D, YYYY"),
        },
    )
    download_buttons(shown, "dormancy-alerts", key="dormancy")
    if editor:
        _enrol(ctx, table)


def _display(ctx: AppContext, table: pd.DataFrame) -> pd.DataFrame:
    touched = pd.to_datetime(table["last_touch_at"], utc=True)
    return pd.DataFrame(
        {
            "Partner": table["partner"],
            "Type": table["partner_type"].map(lambda v: PartnerType(v).label),
            "Tier": table["tier"],
            "Status": table["status"].map(lambda v: PartnerStatus(v).label),
            "Liaison": table["owner"],
            "Baseline referrals": table["baseline_referrals"],
            "Baseline days": table["baseline_days"],
            "Expected": table["expected"].round(2),
            "Recent referrals": table["recent_referrals"],
            "At stake": table["at_stake"].round(2),
            "p-value": table["p_value"].round(5),
            "Last touch": touched.dt.tz_convert(ctx.zone).dt.tz_localize(None),
            "In win-back": table["in_win_back"],
        }
    )


def _copy_selection() -> None:
    """Rows picked in the table become the partners to enrol (still editable below)."""
    ids = st.session_state.get(_IDS, [])
    rows = st.session_state[TABLE].selection.rows
    st.session_state[CHOSEN] = [ids[r] for r in rows if r < len(ids)]


def _enrol(ctx: AppContext, table: pd.DataFrame) -> None:
    st.subheader("Win them back", anchor=False)
    cadences = read(ctx.engine, win_back_cadences)
    if not cadences:
        st.info(
            "There is no win-back cadence yet: create one on the Cadences page with the purpose "
            "Win-back, then come back here to enrol these partners."
        )
        return
    names = dict(zip(table["partner_id"].astype(int), table["partner"]))
    st.session_state[CHOSEN] = [i for i in st.session_state.get(CHOSEN, []) if i in names]
    chosen = st.multiselect(
        "Partners to enrol",
        list(names),
        format_func=lambda i: names[i],
        key=CHOSEN,
        help="Select rows in the table above, or pick partners here.",
    )
    by_id = {c.id: c.name for c in cadences}
    cadence_id = st.selectbox(
        "Win-back cadence", list(by_id), format_func=lambda i: by_id[i], key="dormancy_cadence"
    )
    if st.button(
        "Enrol selected in win-back", type="primary", key="dormancy_enrol", disabled=not chosen
    ):
        submit(
            ctx.engine,
            lambda s: enrol_in_win_back(s, ctx.actor, chosen, cadence_id, clock.now()),
            lambda report: f"{by_id[cadence_id]}: {report.sentence()}",
            then=lambda _report: st.session_state.pop(CHOSEN, None),
        )


if __name__ == "__main__":
    render(context())
