"""Every analytics table downloads as CSV and Excel, from one helper."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from crm.analytics.tables import csv_bytes, excel_bytes


def download_buttons(table: pd.DataFrame, name: str, key: str) -> None:
    """Two buttons under a table: `name` becomes the file name (e.g. 'referral-funnel').
    The files are made only when a button is clicked: building an Excel file of a
    ten-thousand-row table on every rerun would slow every filter change."""
    stem = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "table"
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "CSV",
        lambda: csv_bytes(table),
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        key=f"{key}_csv",
        on_click="ignore",
    )
    right.download_button(
        "Excel",
        lambda: excel_bytes({name: table}),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"{key}_xlsx",
        on_click="ignore",
    )
