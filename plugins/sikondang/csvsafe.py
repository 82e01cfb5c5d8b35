"""CSV written for spreadsheets: a cell that starts like a formula is neutralised.

A download is opened in Excel or LibreOffice, which run ``=cmd|' /C calc'!A0`` as a formula. OWASP's
rule: prefix a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return with a single
quote. Negative numbers are numbers, not formulas, and are left alone.
"""
from __future__ import annotations

import csv
import io
import re
from typing import Any, Iterable

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def escape_cell(value: Any) -> Any:
    """``value`` safe for a spreadsheet (text starting with a formula trigger gets a leading ``'``)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(_TRIGGERS) and not _NUMBER.match(text):
        return "'" + text
    return text


def write_csv(header: list[str] | None, rows: Iterable[Iterable[Any]]) -> str:
    """The CSV text (comma-separated, CRLF as RFC 4180) of ``header`` (``None``: rows only) and
    ``rows``, every cell escaped."""
    out = io.StringIO()
    writer = csv.writer(out)
    if header is not None:
        writer.writerow([escape_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([escape_cell(cell) for cell in row])
    return out.getvalue()
