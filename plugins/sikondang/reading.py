"""Reading an officer's table, CSV or XLSX, into a header and rows of cells.

CSV comes from Excel in whatever the officer's Windows wrote: UTF-8 with or without a byte order
mark, UTF-16 ("Unicode text"), or Windows-1252; separated by commas or, on an Indonesian locale,
semicolons. XLSX is read with openpyxl in read-only mode, which streams the rows of a large sheet.
Nothing here knows a dataset: ``services/imports.py`` checks the cells against the definition.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

ZIP_MAGIC = b"PK\x03\x04"
DELIMITERS = ",;\t|"
# A CSV cell larger than this is no statistic: refused rather than held in memory.
csv.field_size_limit(1_000_000)


class UnreadableFile(ValueError):
    """The file is not a table we can read; ``reason`` says why (English, for the report)."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class Table:
    """A file's first row (the header) and the rows after it, each with its line number in the file."""

    header: list[str]
    rows: list[tuple[int, list[Any]]]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes, max_rows: int) -> Table:
    """Parse ``data`` (CSV or XLSX, told apart by the bytes, never by the file name).

    :raises UnreadableFile: empty, not a table, unreadable encoding, or more than ``max_rows`` rows.
    """
    if not data or not data.strip():
        raise UnreadableFile("empty_file", "the file is empty")
    if data.startswith(ZIP_MAGIC):
        table = _read_xlsx(data, max_rows)
    else:
        table = _read_csv(data, max_rows)
    if not table.header or not any(str(cell).strip() for cell in table.header):
        raise UnreadableFile("empty_file", "the file has no header row")
    return table


def _decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the encoding it was in."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UnreadableFile("unreadable_encoding", "the file claims UTF-16 but is not") from None
    if b"\x00" in data:
        raise UnreadableFile("not_a_table", "the file is binary, not CSV or XLSX")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        # Excel's "CSV" on an Indonesian or English Windows.
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        raise UnreadableFile("unreadable_encoding",
                             "the text is neither UTF-8 nor Windows-1252: save it as 'CSV UTF-8'") from None


def _delimiter(text: str) -> str:
    """The separator of the header line: the most frequent of , ; tab | outside quotes."""
    first = text.splitlines()[0] if text else ""
    counts = {d: 0 for d in DELIMITERS}
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = _decode(data)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            raise UnreadableFile("empty_file", "the file is empty")
        rows: list[tuple[int, list[Any]]] = []
        append = rows.append
        for row in reader:
            if not any(row):
                continue  # blank lines and rows of empty cells (Excel leaves some at the end)
            append((reader.line_num, row))
            if len(rows) > max_rows:
                raise UnreadableFile("too_many_rows", f"more than {max_rows} rows")
    except csv.Error as exc:
        raise UnreadableFile("not_a_table", f"line {reader.line_num}: {exc}") from None
    return Table([cell.strip() for cell in header], rows, "csv", encoding, delimiter)


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise UnreadableFile("not_a_table", f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise UnreadableFile("empty_file", "the workbook has no sheet")
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise UnreadableFile("empty_file", "the first sheet is empty")
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(lines, start=2):
            cells = ["" if value is None else value for value in values]
            if not any(str(cell).strip() for cell in cells):
                continue
            if len(rows) >= max_rows:
                raise UnreadableFile("too_many_rows", f"more than {max_rows} rows")
            rows.append((number, cells))
        notes = [f"only the first sheet ({sheet.title}) was read"] if len(workbook.worksheets) > 1 else []
        return Table(["" if cell is None else str(cell).strip() for cell in header], rows, "xlsx", notes=notes)
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged workbook fails in many ways inside openpyxl
        raise UnreadableFile("not_a_table", f"the workbook cannot be read ({type(exc).__name__})") from None
    finally:
        workbook.close()
