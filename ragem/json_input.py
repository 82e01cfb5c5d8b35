"""Reading JSON bodies strictly: what Python's ``json`` accepts but RAGEM cannot store or hash.

Two kinds of valid-looking JSON used to reach the services and fail there with a 500: a lone
UTF-16 surrogate (``"\\ud800"``), which no UTF-8 database, hash or log line can encode, and an
integer of more than 4,300 digits, which Python refuses to convert. Both are refused as invalid
JSON (400) at the door, for every route, whichever way the body is read.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider


#: A JSON escape of a UTF-16 surrogate (\uD800-\uDFFF): the only way one can reach a parsed
#: string, since the body itself was decoded as UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class UnacceptableJSON(ValueError):
    """A body that parses as JSON but holds what RAGEM refuses (a lone surrogate, a huge number)."""


def loads_strict(data: str) -> Any:
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
    if not _SURROGATE_ESCAPE.search(data):
        return value  # the usual body: no \uD800-\uDFFF escape, so no surrogate can be in it
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
        """Parse strictly (see ``loads_strict``); a body is UTF-8 (``UnicodeDecodeError`` is a
        ``ValueError``: invalid JSON); ``kwargs`` are not supported for request bodies."""
        return loads_strict(s.decode("utf-8") if isinstance(s, (bytes, bytearray)) else s)
