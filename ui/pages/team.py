"""Team tasks: every liaison's open and overdue calls, visits and drop-offs, for the
manager who balances the load. Reading only; the changes are made on My week."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from crm import clock
from crm.tasks import team_tasks
from crm.vocab import StepAction
from ui.shell import AppContext, context
from ui.widgets import read


def render(ctx: AppContext) -> None:
    st.title("Team tasks")
    today = clock.now().astimezone(ctx.zone).date()
    team = read(ctx.engine, lambda s: team_tasks(s, today))
    if not team.liaisons:
        st.info("No open tasks.")
        return
    st.dataframe(
        pd.DataFrame(
            [
                {"Liaison": load.name, "Open": load.open, "Overdue": load.overdue}
                for load in team.liaisons
            ]
        ),
        hide_index=True,
        key="team_loads",
    )
    names = [load.name for load in team.liaisons]
    left, right = st.columns([3, 1])
    chosen = left.multiselect("Liaison", names, placeholder="Everyone", key="team_liaison")
    overdue_only = right.checkbox("Only overdue", key="team_overdue")
    rows = [
        t
        for t in team.tasks
        if (not chosen or (t.assignee or "Unassigned") in chosen)
        and (not overdue_only or t.due_on < today)
    ]
    st.markdown(f"**{len(rows)} open task{'s' if len(rows) != 1 else ''}**")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "Due": t.due_on,
                    "Overdue": t.due_on < today,
                    "Liaison": t.assignee or "Unassigned",
                    "What": StepAction(t.kind).label,
                    "Partner": t.partner_name,
                    "Contact": t.contact_name,
                    "Phone": t.phone,
                    "City": t.city,
                    "Title": t.title,
                }
                for t in rows
            ]
        ),
        hide_index=True,
        key="team_tasks",
    )


if __name__ == "__main__":
    render(context())
