"""Reading JSON bodies strictly: what Python's ``json`` accepts but RAGEM cannot store or hash.

Two kinds of valid-looking JSON used to reach the services and fail there with a 500: a lone
UTF-16 surrogate (``"\\ud800"``), which no UTF-8 database, hash or log line can encode, and an
integer of more than 4,300 digits, which Python refuses to convert. Both are refused as invalid
JSON (400) at the door, for every route, whichever way the body is read.
"""
from __future__ import annotations

import json
from typing import Any

from flask.json.provider import DefaultJSONProvider


class UnacceptableJSON(ValueError):
    """A body that parses as JSON but holds what RAGEM refuses (a lone surrogate, a huge number)."""


def loads_strict(data: str | bytes) -> Any:
    """Parse a JSON body; ``ValueError`` for malformed JSON, a lone surrogate or an oversized integer."""
    try:
        value = json.loads(data)
    except RecursionError as exc:
        raise UnacceptableJSON(f"JSON nested too deeply: {exc}") from None
    except ValueError as exc:
        if isinstance(exc, json.JSONDecodeError):
            raise
        # int() beyond sys.get_int_max_str_digits(): the number is not one any field could hold.
        raise UnacceptableJSON(f"number too long: {exc}") from None
    try:
        # Every string (keys too) must be encodable; a valid surrogate pair was joined by json.loads.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise UnacceptableJSON("a string holds a lone UTF-16 surrogate") from None
    except RecursionError as exc:
        raise UnacceptableJSON(f"JSON nested too deeply: {exc}") from None
    return value


class StrictJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider with ``loads_strict`` for ``request.get_json()``."""

    sort_keys = False
    ensure_ascii = False

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse strictly (see ``loads_strict``); ``kwargs`` are not supported for request bodies."""
        return loads_strict(s)
