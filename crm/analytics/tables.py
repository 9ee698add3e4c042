"""Tables as files leadership can take away: CSV for anything, Excel with one sheet per
table. Cells are written as values, never formulas, so a partner named "=HYPERLINK(...)"
stays text in Excel."""

from __future__ import annotations

import io
import re

import pandas as pd

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 with a byte-order mark so Excel opens accented names correctly."""
    return _defused(table).to_csv(index=False).encode("utf-8-sig")


def excel_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in sheets.items():
            sheet = sheet_name(name)
            _defused(table).to_excel(writer, sheet_name=sheet, index=False)
            _fit_columns(writer.sheets[sheet], table)
    return buffer.getvalue()


def sheet_name(name: str) -> str:
    """Excel allows 31 characters and none of []:*?/\\ in a sheet's name."""
    return re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"


def _defused(table: pd.DataFrame) -> pd.DataFrame:
    text_columns = [
        c
        for c in table.columns
        if pd.api.types.is_object_dtype(table[c]) or pd.api.types.is_string_dtype(table[c])
    ]
    if not text_columns:
        return table
    table = table.copy()
    for column in text_columns:
        # Built as object values: Series.map would turn a column of counts with a gap into floats.
        table[column] = pd.Series(
            [as_text(v) for v in table[column]], index=table.index, dtype=object
        )
    return table


def as_text(value: object) -> object:
    """A cell a spreadsheet would run as a formula (it starts with = + - @, a tab or a
    carriage return) gets a leading quote, which makes it text; anything else is kept."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _fit_columns(worksheet, table: pd.DataFrame) -> None:  # type: ignore[no-untyped-def]
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(table.columns, start=1):
        longest = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
        worksheet.column_dimensions[get_column_letter(index)].width = min(60, longest + 2)
