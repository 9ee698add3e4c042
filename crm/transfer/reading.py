"""From an uploaded file to a header and a stream of rows of text, each row with the
line a person would find it on: the physical line of a CSV (a quoted cell holding a
newline pushes later rows down) or the row number of a workbook's first sheet.

Rows are read one at a time from the file (the csv module over a text stream, openpyxl
in read-only mode), so reading a file of any length holds one row in memory.

A CSV's encoding is detected from its first 64 KB (`guess_encoding`): a byte order mark,
UTF-16 by its zero bytes, UTF-8 when its text is valid UTF-8, else Windows-1252 (what
Excel writes on Windows); the person importing may name another (`ENCODINGS` are the
ones the app offers). A line that is not valid text in the encoding does not stop the
file: its row is marked `unreadable` and rejected with its line, and every other row is
read as written."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from crm.transfer.cells import cell_text
from crm.transfer.report import ImportFileError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"
_HEAD = 1 << 16
# Bytes the decoder could not read become a lone surrogate, which no decoder produces
# from valid text, so that the row holding them can be found and rejected.
_UNREADABLE = re.compile("[\udc80-\udcff]")
_MARK_UNREADABLE = "liaison.unreadable"
codecs.register_error(_MARK_UNREADABLE, lambda exc: ("\udcff", exc.end))  # type: ignore[arg-type,return-value]

# The encodings the app offers, by the names a person knows them by; the command line
# takes any name Python knows.
ENCODINGS = {
    "utf-8-sig": "UTF-8",
    "cp1252": "Windows-1252 (Excel CSV on Windows)",
    "utf-16": "UTF-16 (Excel Unicode text)",
    "utf-16-le": "UTF-16 little-endian, no byte order mark",
    "utf-16-be": "UTF-16 big-endian, no byte order mark",
    "iso8859-1": "ISO-8859-1 (Latin-1)",
    "mac-roman": "Mac Roman",
}


@dataclass
class SourceRow:
    line: int
    cells: list[str]
    unreadable: bool = False


@dataclass
class Table:
    """The header, and the body rows as an iterator that reads the file as it goes;
    `position()` is how far reading has got (done, total) in bytes for a CSV and in rows
    for a workbook, total None when unknown, for a progress bar."""

    headers: list[str]
    header_line: int
    rows: Iterator[SourceRow]
    encoding: str
    _position: Any = None

    def position(self) -> tuple[int, int | None]:
        return self._position() if self._position is not None else (0, None)


def read_table(data: bytes | IO[bytes], filename: str, encoding: str | None = None) -> Table:
    """`data` is the file's bytes or a binary file open for reading (read as needed).
    `encoding` is the CSV's text encoding when the person importing names it (None:
    detected); a workbook has none."""
    stream: IO[bytes] = io.BytesIO(data) if isinstance(data, (bytes, bytearray)) else data
    head = stream.read(_HEAD)
    if _is_workbook(head, filename):
        stream.seek(0)
        return _workbook_table(stream)
    chosen = checked_encoding(encoding) if encoding else encoding_of(head)
    return _csv_table(_Rejoined(head, stream), head, chosen)


def guess_encoding(data: bytes, filename: str) -> str | None:
    """The encoding a CSV would be read in, from its first 64 KB; None for a workbook."""
    head = data[:_HEAD]
    return None if _is_workbook(head, filename) else encoding_of(head)


def checked_encoding(name: str) -> str:
    """A name Python knows, as its codec calls it (UTF-8 reading past a BOM)."""
    try:
        found = codecs.lookup(name.strip()).name
    except LookupError:
        raise ImportFileError(
            f"unknown encoding {name!r}: name one such as utf-8, cp1252 or utf-16"
        ) from None
    return "utf-8-sig" if found == "utf-8" else found


def _is_workbook(head: bytes, filename: str) -> bool:
    if head.startswith(_OLE_MAGIC) or filename.lower().endswith(".xls"):
        raise ImportFileError(
            "old Excel .xls files are not supported: save the sheet as .xlsx or CSV"
        )
    return head.startswith(_ZIP_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm"))


def encoding_of(head: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), UTF-16 with a BOM (Excel's
    "Unicode text") or without one (told by the zero byte of each ASCII character),
    else Windows-1252 (Excel's plain "CSV" on Windows) when the start of the file has
    characters that are not UTF-8 and none that are."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    bom_less_utf16 = _utf16_without_bom(head)
    if bom_less_utf16:
        return bom_less_utf16
    if head.isascii():
        return "utf-8-sig"
    valid = invalid = 0
    lines = head.splitlines()
    if len(head) == _HEAD and len(lines) > 1:
        lines.pop()  # may be cut in the middle of a character
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            invalid += 1
    if invalid and not valid:
        try:
            head.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return "utf-8-sig"


def _utf16_without_bom(head: bytes) -> str | None:
    """Text of mostly ASCII characters in UTF-16 has a zero in every other byte: the
    second of each pair in little-endian, the first in big-endian."""
    sample = head[:4096]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : pairs * 2 : 2].count(0)
    odd = sample[1 : pairs * 2 : 2].count(0)
    if odd > pairs * 0.4 and even < pairs * 0.05:
        return "utf-16-le"
    if even > pairs * 0.4 and odd < pairs * 0.05:
        return "utf-16-be"
    return None


def encoding_label(encoding: str) -> str:
    return ENCODINGS.get(encoding) or ENCODINGS.get(checked_encoding(encoding)) or encoding


def unreadable_reason(line: int, encoding: str) -> str:
    if encoding.startswith("utf-8"):
        return (
            f"line {line} is not valid UTF-8 text (save the file as CSV UTF-8, "
            "or choose the encoding it was saved in)"
        )
    return (
        f"line {line} has characters that cannot be read as {encoding_label(encoding)} "
        "(save the file as CSV UTF-8, or choose the encoding it was saved in)"
    )


class _Rejoined(io.RawIOBase):
    """The bytes already read to sniff the file, then the rest of it, counted for the
    progress bar."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._rest = rest
        self.read_bytes = 0
        self.total = _size(rest)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            count = min(len(buffer), len(self._head))
            buffer[:count] = self._head[:count]
            self._head = self._head[count:]
        else:
            chunk = self._rest.read(len(buffer))
            count = len(chunk)
            buffer[:count] = chunk
        self.read_bytes += count
        return count


def _size(stream: IO[bytes]) -> int | None:
    try:
        here = stream.tell()
        end = stream.seek(0, io.SEEK_END)
        stream.seek(here)
        return end
    except (OSError, ValueError):
        return None


def _csv_table(raw: _Rejoined, head: bytes, encoding: str) -> Table:
    sample = head.decode(encoding, errors="replace")
    if "\x00" in sample:
        raise ImportFileError(
            "this is not a text file: upload a CSV or an .xlsx workbook"
            + ("" if encoding == encoding_of(head) else f" (or check its encoding, not {encoding})")
        )
    first_line = sample.lstrip("\ufeff\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    text = io.TextIOWrapper(
        io.BufferedReader(raw), encoding=encoding, errors=_MARK_UNREADABLE, newline=""
    )
    rows = _csv_rows(text, delimiter)
    return _table(rows, encoding, lambda: (raw.read_bytes, raw.total))


def _csv_rows(text: IO[str], delimiter: str) -> Iterator[SourceRow]:
    reader = csv.reader(text, delimiter=delimiter, strict=False)
    line = 1
    try:
        for cells in reader:
            if _UNREADABLE.search("".join(cells)):
                cells = [_UNREADABLE.sub("\ufffd", cell) for cell in cells]
                yield SourceRow(line, cells, unreadable=True)
            else:
                yield SourceRow(line, cells)
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"line {reader.line_num}: the CSV is malformed ({exc})") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"cannot read the file as {encoding_label(exc.encoding)} near line {line} "
            f"({exc.reason}): save it as CSV UTF-8"
        ) from None


def _workbook_table(stream: IO[bytes]) -> Table:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"cannot open the workbook: {exc}") from None
    sheet = workbook.worksheets[0]
    total = sheet.max_row if isinstance(sheet.max_row, int) and sheet.max_row > 1 else None
    sheet.reset_dimensions()
    read = [0]

    def rows() -> Iterator[SourceRow]:
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                read[0] = number
                yield SourceRow(number, [cell_text(value) for value in values])
        finally:
            workbook.close()

    return _table(rows(), "xlsx", lambda: (read[0], total))


def _table(rows: Iterator[SourceRow], encoding: str, position: Any) -> Table:
    for header in rows:
        if any(cell.strip() for cell in header.cells):
            break
    else:
        raise ImportFileError("the file is empty: the first row must name the columns")
    header.cells[0] = header.cells[0].removeprefix("\ufeff")  # a BOM read as text
    return Table(
        headers=[cell.strip() for cell in header.cells],
        header_line=header.line,
        rows=(row for row in rows if any(cell.strip() for cell in row.cells)),
        encoding=encoding,
        _position=position,
    )
