"""The report as a workbook: a summary sheet first, then one sheet per section with its
table and, where the section has a chart, a native Excel chart drawn from the sheet's
own cells (so it stays live if someone sorts or edits the figures)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from campaigns.reports import cells
from campaigns.reports.report import Report, Section
from crm.analytics.tables import sheet_name

SUMMARY = "Summary"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)


def report_workbook(report: Report) -> bytes:
    workbook = Workbook()
    summary = workbook.active
    summary.title = SUMMARY
    names = _sheet_names(report.sections)
    _summary(summary, report, names)
    for section, name in zip(report.sections, names):
        sheet = workbook.create_sheet(name)
        _table(sheet, section)
        if section.chart is not None and len(section.table):
            _chart(sheet, section)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_filename(report: Report) -> str:
    return f"leadership-report-{report.period.start:%Y-%m}.xlsx"


def _sheet_names(sections: tuple[Section, ...]) -> list[str]:
    """Excel needs unique names of at most 31 characters."""
    taken = {SUMMARY.lower()}
    names = []
    for section in sections:
        base = sheet_name(section.title)
        name, n = base, 2
        while name.lower() in taken:
            suffix = f" ({n})"
            name, n = base[: 31 - len(suffix)] + suffix, n + 1
        taken.add(name.lower())
        names.append(name)
    return names


def _summary(sheet: Worksheet, report: Report, names: list[str]) -> None:
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["Period", report.period.label])
    if report.generated_at is not None:
        sheet.append(["Prepared", cells.excel_value(report.generated_at)])
    if report.app_url:
        sheet.append(["Open Liaison", report.app_url])
    sheet.append([])
    sheet.append(["Section", "Rows", "Note"])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    for section, name in zip(report.sections, names):
        sheet.append([section.title, len(section.table), cells.excel_value(section.note) or None])
        link = sheet.cell(row=sheet.max_row, column=1)
        link.hyperlink = f"#'{name}'!A1"
        link.style = "Hyperlink"
    for column, width in (("A", 34), ("B", 24), ("C", 80)):
        sheet.column_dimensions[column].width = width


def _table(sheet: Worksheet, section: Section) -> None:
    table = section.table
    sheet.append([cells.heading(c) for c in table.columns])
    for cell in sheet[1]:
        cell.font = _BOLD
    for row in table.itertuples(index=False, name=None):
        sheet.append([cells.excel_value(v) for v in row])
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        if cells.is_percent(column):
            for row in range(2, len(table) + 2):
                sheet[f"{letter}{row}"].number_format = "0.0%"
        longest = max([len(cells.heading(column))] + [len(str(v)) for v in table[column].head(200)])
        sheet.column_dimensions[letter].width = min(50, longest + 2)
    sheet.freeze_panes = "A2"
    if section.note:
        sheet.cell(row=len(table) + 3, column=1, value=cells.excel_value(section.note))


def _chart(sheet: Worksheet, section: Section) -> None:
    assert section.chart is not None
    table, spec = section.table, section.chart
    chart = BarChart() if spec.kind == "bar" else LineChart()
    chart.title = section.title
    chart.height, chart.width = 8, 16
    rows = len(table) + 1
    columns = list(table.columns)
    for value in spec.values:
        col = columns.index(value) + 1
        chart.add_data(
            Reference(sheet, min_col=col, max_col=col, min_row=1, max_row=rows),
            titles_from_data=True,
        )
    category = columns.index(spec.category) + 1
    chart.set_categories(
        Reference(sheet, min_col=category, max_col=category, min_row=2, max_row=rows)
    )
    if all(cells.is_percent(v) for v in spec.values):
        chart.y_axis.number_format = "0%"
    sheet.add_chart(chart, f"{get_column_letter(len(columns) + 2)}2")
