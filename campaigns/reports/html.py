"""The report as an email: HTML with tables and bar charts drawn as plain HTML/CSS
(email clients run no scripts and many do not show SVG or remote images), plus a text
alternative. Rendered in the same sandbox as the partner emails, from the files
templates/email/leadership_report.{html,txt}, with every value escaped.

The template is not in the partner template catalog: that catalog's emails are
editable by marketers and take only flat values, while this one is the app's own,
takes whole tables and goes to staff only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from campaigns import post
from campaigns.post import ACCENT_COLOR
from campaigns.reports import cells
from campaigns.reports.report import Report, Section

TEMPLATE = "leadership_report"
MAX_EMAIL_ROWS = 12  # per table and chart; the workbook has them all
FEWER_ROWS = (8, 5, 3)  # tried in turn while the email is too big
GMAIL_CLIPS_AT = 100 * 1024  # Gmail hides the rest of an email over 102 KB behind a link
MAX_HTML_CHARS = 1024 * 1024
SERIES_COLORS = (ACCENT_COLOR, "#e07a1f", "#6a4c93", "#2a9d52")


@dataclass(frozen=True)
class RenderedReport:
    subject: str
    html: str
    text: str


def render_report(report: Report, practice_name: str) -> RenderedReport:
    """With fewer rows per table while the HTML would be clipped by Gmail."""
    for rows in (MAX_EMAIL_ROWS, *FEWER_ROWS):
        html, text = _render(report, practice_name, rows)
        if len(html.encode()) <= GMAIL_CLIPS_AT:
            break
    return RenderedReport(subject=f"{report.title}: {report.period.label}", html=html, text=text)


def _render(report: Report, practice_name: str, rows: int) -> tuple[str, str]:
    context: dict[str, Any] = {
        "title": report.title,
        "period": report.period.label,
        "practice_name": practice_name,
        "app_url": report.app_url,
        "accent_color": ACCENT_COLOR,
        "sections": [_section(s, rows) for s in report.sections],
        "prepared": cells.text("prepared", report.generated_at) if report.generated_at else "",
    }
    return post.office().render_document(
        TEMPLATE, context, max_chars=MAX_HTML_CHARS, steps=500_000, seconds=10
    )


def _section(section: Section, limit: int) -> dict[str, Any]:
    table = section.table
    shown = table.head(limit)
    columns = [str(c) for c in table.columns]
    rows = [
        [cells.text(c, v) for c, v in zip(columns, row)]
        for row in shown.itertuples(index=False, name=None)
    ]
    numeric = [
        bool(len(table))
        and all(cells.number(v) is not None or cells.plain(v) is None for v in table[c])
        for c in table.columns
    ]
    headings = [cells.heading(c) for c in columns]
    return {
        "title": section.title,
        "note": section.note,
        "headings": headings,
        "numeric": numeric,
        "rows": rows,
        "more": len(table) - len(shown),
        "chart": _bars(section, limit) if section.chart else None,
        "text_lines": _text_table(headings, rows, numeric),
    }


def _bars(section: Section, limit: int) -> dict[str, Any] | None:
    """Each category's values as bars whose widths are shares of the largest value."""
    assert section.chart is not None
    table = section.table.head(limit)
    chart = section.chart
    values = [cells.number(v) for name in chart.values for v in table[name]]
    largest = max((v for v in values if v is not None and v > 0), default=0.0)
    if not len(table) or largest == 0:
        return None
    series = [
        {"name": cells.heading(name), "color": SERIES_COLORS[i % len(SERIES_COLORS)]}
        for i, name in enumerate(chart.values)
    ]
    groups = []
    for _, row in table.iterrows():
        bars = []
        for i, name in enumerate(chart.values):
            value = cells.number(row[name])
            width = 0 if value is None or value <= 0 else max(1, round(100 * value / largest))
            bars.append(
                {
                    "name": series[i]["name"],
                    "color": series[i]["color"],
                    "width": width,
                    "value": cells.text(name, row[name]),
                }
            )
        groups.append({"label": cells.text(chart.category, row[chart.category]), "bars": bars})
    return {"series": series, "groups": groups}


def _text_table(headings: list[str], rows: list[list[str]], numeric: list[bool]) -> list[str]:
    widths = [min(40, max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(headings)]

    def line(values: list[str]) -> str:
        parts = [
            (v[:w].rjust(w) if numeric[i] else v[:w].ljust(w))
            for i, (v, w) in enumerate(zip(values, widths))
        ]
        return "  ".join(parts).rstrip()

    return [line(headings), "  ".join("-" * w for w in widths)] + [line(r) for r in rows]
