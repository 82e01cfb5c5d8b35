"""Keyset pagination: ``?limit=&cursor=`` -> ``{"items": [...], "next_cursor": ...}``.

The cursor is an opaque URL-safe token holding the sort key of the last item returned; the next
page starts strictly after it, so pages stay stable while new rows arrive (no OFFSET).
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any, Sequence

from marshmallow import Schema, fields, validate
from sqlalchemy import BigInteger, DateTime, Integer, Select, and_, or_

from ragem.errors import ApiError

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class PageArgsSchema(Schema):
    """Query arguments every list endpoint accepts."""

    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"items per page (1-{MAX_LIMIT})"},
    )
    cursor = fields.String(load_default=None, metadata={"description": "next_cursor of the previous page"})


def page_schema(item_schema: type[Schema] | Schema, name: str) -> type[Schema]:
    """A response schema ``{"items": [item], "next_cursor": str|null}`` named ``name``."""
    return Schema.from_dict(
        {
            "items": fields.List(fields.Nested(item_schema), required=True),
            "next_cursor": fields.String(allow_none=True, required=True),
        },
        name=name,
    )


def encode_cursor(values: Sequence[Any]) -> str:
    """Opaque token for the sort key ``values`` of the last item on a page."""
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, columns: Sequence[Any]) -> list[Any]:
    """The sort key inside ``token``, typed like ``columns``; raises ``invalid_cursor`` (400)."""
    try:
        padded = token + "=" * (-len(token) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(columns):
            raise ValueError("wrong shape")
        typed = []
        for column, value in zip(columns, values):
            if isinstance(column.type, DateTime):
                typed.append(datetime.fromisoformat(value))
            elif isinstance(column.type, Integer):
                # A forged cursor must not reach SQL: text against an integer column is an error in
                # PostgreSQL, and a number beyond the column's width overflows (a 500, not a 400).
                bits = 63 if isinstance(column.type, BigInteger) else 31
                if not isinstance(value, int) or isinstance(value, bool) or not -(2**bits) <= value < 2**bits:
                    raise ValueError("bad integer")
                typed.append(value)
            elif isinstance(value, str) and "\x00" not in value:
                typed.append(value)
            else:
                raise ValueError("bad value")
        return typed
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ApiError("invalid_cursor", status=400, details={"cursor": token[:64]}) from None


def _after(columns: Sequence[Any], values: Sequence[Any], descending: bool):
    """SQL condition 'row comes after values' for a lexicographic (multi-column) sort key."""
    clauses = []
    for i, column in enumerate(columns):
        equal = [columns[j] == values[j] for j in range(i)]
        step = column < values[i] if descending else column > values[i]
        clauses.append(and_(*equal, step))
    return or_(*clauses)


def paginate(
    session,
    stmt: Select,
    columns: Sequence[Any],
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    descending: bool = True,
) -> tuple[list[Any], str | None]:
    """Run ``stmt`` one page at a time, ordered by ``columns`` (last one unique, e.g. the id).

    :returns: ``(items, next_cursor)``; ``next_cursor`` is ``None`` on the last page.
    """
    if cursor:
        stmt = stmt.where(_after(columns, decode_cursor(cursor, columns), descending))
    order = [c.desc() if descending else c.asc() for c in columns]
    rows = list(session.scalars(stmt.order_by(*order).limit(limit + 1)))
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    keys = [getattr(last, c.key) for c in columns]
    return rows, encode_cursor(keys)
