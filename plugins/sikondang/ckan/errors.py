"""CKAN's errors: each becomes ``{"help", "success": false, "error": {"__type", "message"}}`` with
the status CKAN gives it (``ckan/views/api.py``), so client libraries raise their usual exceptions."""
from __future__ import annotations

from typing import Any


class CkanError(Exception):
    """An error as CKAN's API reports it."""

    status = 400
    type = "Bad Request"

    def __init__(self, message: str = "", **fields: Any):
        super().__init__(message)
        self.message = message
        self.fields = fields

    def body(self) -> Any:
        """The ``error`` member of the envelope."""
        return {"__type": self.type, "message": self.message}


class NotFound(CkanError):
    """``Not Found Error`` (404): no such dataset or resource."""

    status = 404
    type = "Not Found Error"

    def body(self) -> Any:
        return {"__type": self.type, "message": "Not found" + (f": {self.message}" if self.message else "")}


class ValidationFailed(CkanError):
    """``Validation Error`` (409): ``fields`` maps each bad parameter to its messages."""

    status = 409
    type = "Validation Error"

    def body(self) -> Any:
        return {"__type": self.type, **self.fields}


class NotAuthorized(CkanError):
    """``Authorization Error`` (403): a write action on this read-only API."""

    status = 403
    type = "Authorization Error"

    def body(self) -> Any:
        return {"__type": self.type, "message": "Access denied" + (f": {self.message}" if self.message else "")}


class SearchQueryError(CkanError):
    """``Search Query Error`` (400): a ``q``/``fq``/``sort`` this API does not understand."""

    status = 400
    type = "Search Query Error"

    def body(self) -> Any:
        return {"__type": self.type, "message": f"Search Query is invalid: {self.message!r}"}


class BadRequest(CkanError):
    """CKAN answers an unknown action or an unreadable body with a bare JSON string (400)."""

    status = 400

    def body(self) -> Any:
        return "Bad request - " + self.message
