"""From the bytes of an uploaded file to a header and rows of text, each row with the
line a person would find it on: the physical line of a CSV (a quoted cell holding a
newline pushes later rows down) or the row number of a workbook's first sheet."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from crm.transfer.cells import cell_text
from crm.transfer.report import ImportFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass
class SourceRow:
    line: int
    cells: list[str]


@dataclass
class Table:
    headers: list[str]
    header_line: int
    rows: list[SourceRow]


def read_table(data: bytes, filename: str) -> Table:
    if data.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError(
            "old Excel .xls files are not supported: save the sheet as .xlsx or CSV"
        )
    if data.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _table(_workbook_rows(data))
    return _table(_csv_rows(decode(data)))


def decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM (Excel's
    "Unicode text"), else Windows-1252 (Excel's plain "CSV" on Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _try(data, "utf-16")
    elif data.startswith(b"\xef\xbb\xbf"):
        text = _try(data, "utf-8-sig")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _try(data, "cp1252")
    if "\x00" in text:
        raise ImportFileError("this is not a text file: upload a CSV or an .xlsx workbook")
    return text


def _try(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"cannot read the file as text (byte {exc.start + 1} is not valid {encoding}): "
            "save it as CSV UTF-8"
        ) from None


def _csv_rows(text: str) -> list[SourceRow]:
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    rows: list[SourceRow] = []
    try:
        line = 1
        for cells in reader:
            rows.append(SourceRow(line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: the CSV is malformed ({exc})") from None
    return rows


def _workbook_rows(data: bytes) -> list[SourceRow]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"cannot open the workbook: {exc}") from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        return [
            SourceRow(number, [cell_text(value) for value in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def _table(rows: list[SourceRow]) -> Table:
    content = [row for row in rows if any(cell.strip() for cell in row.cells)]
    if not content:
        raise ImportFileError("the file is empty: the first row must name the columns")
    header, *body = content
    return Table(
        headers=[cell.strip() for cell in header.cells], header_line=header.line, rows=body
    )
