"""The report's workbook, read back with openpyxl: a summary first, a sheet per
section with its figures as values, and native charts drawn from the sheet's cells."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import load_workbook
from openpyxl.chart import BarChart, LineChart

from campaigns.reports.excel import report_workbook, workbook_filename
from campaigns.reports.report import Chart, Section
from tests.report_helpers import empty_section, small_report, top_partners


def _open(report):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(report_workbook(report)))


def test_the_summary_comes_first_then_one_sheet_per_section():
    book = _open(small_report())
    assert book.sheetnames == ["Summary", "Referrals by month", "Top partners", "Lost referrals"]


def test_the_summary_names_the_period_and_lists_each_section_with_its_rows():
    rows = list(_open(small_report())["Summary"].values)
    assert rows[0][0] == "Leadership report"
    assert ("Period", "October 2026") in [r[:2] for r in rows]
    listed = [
        r[:2] for r in rows if r[0] in ("Referrals by month", "Top partners", "Lost referrals")
    ]
    assert listed == [("Referrals by month", 3), ("Top partners", 2), ("Lost referrals", 0)]


def test_a_section_sheet_holds_the_figures_as_values_under_readable_headings():
    rows = list(_open(small_report())["Referrals by month"].values)
    assert rows[:4] == [
        ("Month", "Referrals", "Visit rate"),
        ("2026-08", 4, 0.25),
        ("2026-09", 10, 0.5),
        ("2026-10", 5, None),
    ]


def test_rates_are_formatted_as_percentages():
    sheet = _open(small_report())["Referrals by month"]
    assert sheet["C2"].number_format == "0.0%" and sheet["B2"].number_format == "General"


def test_a_section_with_a_chart_gets_a_native_chart_on_its_cells():
    sheet = _open(small_report())["Referrals by month"]
    (chart,) = sheet._charts
    assert isinstance(chart, BarChart)
    (series,) = chart.series
    assert series.val.numRef.f == "'Referrals by month'!$B$2:$B$4"
    categories = series.cat.numRef or series.cat.strRef
    assert categories.f == "'Referrals by month'!$A$2:$A$4"


def test_a_line_chart_with_two_series():
    table = pd.DataFrame({"month": ["2026-09", "2026-10"], "received": [3, 4], "completed": [1, 2]})
    report = small_report(
        Section("Trend", table, Chart("line", "month", ("received", "completed")))
    )
    (chart,) = _open(report)["Trend"]._charts
    assert isinstance(chart, LineChart) and len(chart.series) == 2


def test_a_section_without_a_chart_has_none():
    assert _open(small_report(top_partners()))["Top partners"]._charts == []


def test_a_chart_over_no_rows_is_left_out():
    table = pd.DataFrame({"month": [], "referrals": []})
    report = small_report(Section("Quiet months", table, Chart("bar", "month", ("referrals",))))
    assert _open(report)["Quiet months"]._charts == []


def test_an_empty_table_keeps_its_headings():
    assert list(_open(small_report(empty_section()))["Lost referrals"].values)[0] == (
        "Reason",
        "Referrals",
    )


def test_text_that_looks_like_a_formula_stays_text():
    sheet = _open(small_report(top_partners()))["Top partners"]
    assert sheet["A3"].data_type == "s" and sheet["A3"].value == '\'=HYPERLINK("http://x")'


def test_two_sections_with_the_same_long_title_get_distinct_sheet_names():
    title = "Time from referral to first visit by location and service line"
    book = _open(
        small_report(
            Section(title, pd.DataFrame({"a": [1]})), Section(title, pd.DataFrame({"a": [2]}))
        )
    )
    assert book.sheetnames[1:] == [title[:31].strip(), title[:27] + " (2)"]


def test_the_file_is_named_after_the_month():
    assert workbook_filename(small_report()) == "leadership-report-2026-10.xlsx"
