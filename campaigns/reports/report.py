"""A report as plain data: titled sections, each a table with an optional chart and a
note. It knows nothing of where the figures come from, so the workbook and the email
are built and tested from any small table, and the monthly wiring stays separate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import pandas as pd

from crm.analytics.filters import Period

ChartKind = Literal["bar", "line"]


@dataclass(frozen=True)
class Chart:
    """`values` are columns of the section's table drawn against `category`."""

    kind: ChartKind
    category: str
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.kind not in ("bar", "line"):
            raise ValueError(f"a chart is a bar or a line chart, not {self.kind!r}")
        if not self.values:
            raise ValueError("a chart needs at least one value column")


@dataclass(frozen=True)
class Section:
    title: str
    table: pd.DataFrame
    chart: Chart | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.chart is not None:
            missing = [
                c for c in (self.chart.category, *self.chart.values) if c not in self.table.columns
            ]
            if missing:
                raise ValueError(
                    f"{self.title}: the chart names columns the table lacks: {', '.join(missing)}"
                )


@dataclass(frozen=True)
class Report:
    title: str
    period: Period
    sections: tuple[Section, ...] = field(default_factory=tuple)
    generated_at: datetime | None = None
    app_url: str = ""
