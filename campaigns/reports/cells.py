"""How a figure reads: column names as headings, rates as percentages, missing values
as a dash. Shared by the email and the workbook so both say the same thing."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from crm.analytics.tables import as_text

_PERCENT_HINTS = ("rate", "share", "change_vs", "lift")
MISSING = "—"


def is_percent(column: str) -> bool:
    """The analytics functions give rates and shares as fractions (0.25 is 25%)."""
    name = str(column).lower()
    return any(hint in name for hint in _PERCENT_HINTS)


def heading(column: str) -> str:
    text = str(column)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit():  # a 'YYYY-MM' month column
        return text
    text = text.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def plain(value: Any) -> Any:
    """A Python value (numpy and pandas ones unwrapped); None for anything missing."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    return value


def number(value: Any) -> float | None:
    value = plain(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def text(column: str, value: Any) -> str:
    value = plain(value)
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        if is_percent(column):
            return f"{value * 100:.1f}%"
        if isinstance(value, int) or float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.1f}"
    if isinstance(value, datetime):
        return (
            f"{value:%Y-%m-%d %H:%M}"
            if (value.hour, value.minute) != (0, 0)
            else f"{value:%Y-%m-%d}"
        )
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    return str(value)


def excel_value(value: Any) -> Any:
    """A cell value openpyxl stores as data, never as a formula; Excel has no time zones."""
    value = plain(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return as_text(value)
    if value is not None and not isinstance(value, (str, int, float, bool, date)):
        return str(value)
    return value
