"""Numbers as officers type them: ``1.234,5`` (Indonesian), ``1,234.5`` (English), ``1234.5``.

A file keeps one convention. ``decimal_separator`` guesses it from the cells that are not
ambiguous (``22,71`` can only be Indonesian, ``2771.488`` only English); ``1.234`` alone could
be either, and is read the Indonesian way when nothing in the file says otherwise.
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_GROUPED = {".": re.compile(r"^\d{1,3}(\.\d{3})+$"), ",": re.compile(r"^\d{1,3}(,\d{3})+$")}


def _clean(cell: Any) -> str:
    return _SPACES.sub("", str(cell)).lstrip("+-")


def decimal_separator(cells: Iterable[Any]) -> str:
    """``","`` or ``"."``: the decimal separator the file's number cells use."""
    for cell in cells:
        if isinstance(cell, (int, float)):
            continue
        text = _clean(cell)
        if "," in text and "." in text:
            return "," if text.rfind(",") > text.rfind(".") else "."
        for sep in (",", "."):
            if text.count(sep) == 1 and not _GROUPED[sep].match(text):
                return sep
            if text.count(sep) > 1:
                return "," if sep == "." else "."  # repeated: thousands groups, the other is decimal
    return ","


def parse_number(cell: Any, decimal: str) -> float:
    """The value of ``cell``; :raises ValueError: with the reason, for anything that is not a number."""
    if isinstance(cell, bool):
        raise ValueError("not a number")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        text = _SPACES.sub("", str(cell))
        if not text:
            raise ValueError("missing value")
        sign = -1.0 if text.startswith("-") else 1.0
        body = text[1:] if text[:1] in "+-" else text
        thousands = "." if decimal == "," else ","
        whole, _, fraction = body.partition(decimal)
        if thousands in whole:
            if not _GROUPED[thousands].match(whole):
                raise ValueError(f"not a number: {str(cell)[:40]!r}")
            whole = whole.replace(thousands, "")
        if not whole.isdigit() or not whole.isascii() or (fraction and not (fraction.isdigit() and fraction.isascii())) \
                or (decimal in body and not fraction):
            raise ValueError(f"not a number: {str(cell)[:40]!r}")
        value = sign * float(f"{whole}.{fraction or 0}")
    if not math.isfinite(value) or abs(value) >= 1e15:
        raise ValueError("number out of range")
    return value


def decimals_of(cell: Any, decimal: str) -> int:
    """How many decimals ``cell`` was written with (an XLSX number: as Python prints it)."""
    if isinstance(cell, int):
        return 0
    if isinstance(cell, float):
        text = repr(cell)
        return 0 if text.endswith(".0") else len(text.partition(".")[2]) if "e" not in text else 0
    text = _SPACES.sub("", str(cell))
    return len(text.partition(decimal)[2]) if decimal in text else 0
