"""One-time codes sent by SMS: 6 digits, valid 5 minutes, stored hashed, at most 5 tries.

(Interface fixed; the implementation is being written.)
"""
from __future__ import annotations

from ragem.auth.models import OneTimeCode

PURPOSES = ("verify_phone", "reset_password", "change_phone")


def issue_code(purpose: str, destination: str, *, user_id: str | None = None) -> OneTimeCode:
    """Create a code for ``destination`` (E.164) and send it through the message-delivery hook.

    Resends are throttled (429 with Retry-After); a new code invalidates the previous one.
    """
    raise NotImplementedError


def check_code(purpose: str, destination: str, code: str) -> OneTimeCode:
    """Consume the valid code for ``destination``; 422 when wrong or expired, 429 after 5 tries."""
    raise NotImplementedError
