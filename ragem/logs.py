"""Request ids and JSON log lines that carry them."""
from __future__ import annotations

import json
import logging
import re
import sys
import uuid

from flask import Flask, g, has_request_context, request

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a client's id only if it is short and harmless; otherwise make our own.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and any extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if has_request_context():
            entry["request_id"] = g.get("request_id")
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, as_json: bool) -> None:
    """Send the ``ragem`` loggers to stderr, as JSON lines unless told otherwise."""
    import time

    logger = logging.getLogger("ragem")
    logger.setLevel(level.upper())
    if any(getattr(h, "_ragem", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler._ragem = True  # type: ignore[attr-defined]
    formatter = JsonFormatter() if as_json else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.propagate = False


def install_request_id(app: Flask) -> None:
    """Take ``X-Request-ID`` from the client (or make one) and echo it on every response."""

    def assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex

    # First in line: a request refused by an earlier hook (the rate limiter's) still gets its id.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)

    @app.after_request
    def echo_request_id(response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id") or uuid.uuid4().hex
        response.headers.add("Vary", "Accept-Language")
        return response
