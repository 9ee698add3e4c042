"""The report's email: the figures as tables, charts as plain HTML bars, every value
escaped, a link to the app, and a text alternative with the same figures."""

from __future__ import annotations

import re

import pandas as pd

from campaigns.reports.html import MAX_EMAIL_ROWS, render_report
from campaigns.reports.report import Chart, Section
from tests.report_helpers import empty_section, referrals_by_month, small_report, top_partners


def _html(*sections: Section) -> str:
    return render_report(small_report(*sections), "Summit Sports Medicine").html


def test_the_subject_names_the_month():
    assert render_report(small_report(), "Summit").subject == "Leadership report: October 2026"


def test_each_section_shows_its_title_note_and_figures():
    html = _html(referrals_by_month())
    assert "Referrals by month" in html and "Received in each month." in html
    assert re.search(r">2026-09</td>.*?>10</td>.*?>50.0%</td>", html, re.S)


def test_a_missing_figure_shows_as_a_dash():
    assert re.search(r">2026-10</td>.*?>5</td>.*?>—</td>", _html(referrals_by_month()), re.S)


def test_a_chart_is_drawn_as_bars_sized_against_the_largest_value():
    html = _html(referrals_by_month())
    widths = re.findall(r"width:(\d+)%;height:12px", html)
    assert widths == ["40", "100", "50"]  # 4, 10 and 5 referrals
    assert "<svg" not in html and "<script" not in html and "<img" not in html


def test_a_chart_with_two_series_has_a_legend_and_a_bar_per_series():
    table = pd.DataFrame({"month": ["2026-10"], "received": [8], "completed": [2]})
    html = _html(Section("Trend", table, Chart("line", "month", ("received", "completed"))))
    assert re.findall(r"width:(\d+)%;height:12px", html) == ["100", "25"]
    assert "Received" in html and "Completed" in html


def test_values_are_escaped():
    table = pd.DataFrame({"partner": ["<script>alert(1)</script> & Sons"], "referrals": [1]})
    html = _html(Section("Top <partners>", table, note="<b>bold</b>"))
    assert (
        "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons" in html
    )
    assert "Top &lt;partners&gt;" in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_an_empty_section_says_there_is_nothing_to_show():
    html = _html(empty_section())
    assert "Lost referrals" in html and "Nothing to show for this period." in html


def test_a_long_table_shows_its_first_rows_and_points_to_the_workbook():
    table = pd.DataFrame({"partner": [f"Partner {n}" for n in range(40)], "referrals": range(40)})
    html = _html(Section("Top partners", table))
    assert f"Partner {MAX_EMAIL_ROWS - 1}<" in html and f"Partner {MAX_EMAIL_ROWS}<" not in html
    assert f"{40 - MAX_EMAIL_ROWS} more rows in the attached workbook" in html


def test_the_email_links_to_the_app():
    assert 'href="https://liaison.example.org"' in _html()


def test_styles_are_inline_for_email_clients_and_figures_align_right():
    html = _html(top_partners())
    assert "<style" not in html and re.search(r'<th align="left" style="[^"]*background', html)
    assert re.search(r'<td align="right" style="[^"]*">7</td>', html)


def test_the_email_stays_under_the_size_gmail_clips():
    wide = pd.DataFrame({f"column_{n}": range(100) for n in range(12)})
    sections = [
        Section(f"Table {n}", wide, Chart("bar", "column_0", ("column_1", "column_2")))
        for n in range(10)
    ]
    assert len(_html(*sections).encode()) < 102 * 1024


def test_the_text_alternative_has_the_same_figures_in_columns():
    text = render_report(small_report(referrals_by_month()), "Summit").text
    assert "REFERRALS BY MONTH" in text and "https://liaison.example.org" in text
    assert "2026-09         10       50.0%" in text
