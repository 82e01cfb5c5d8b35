"""Turning a provider's HTTP answer (or its absence) into a ``DeliveryResult``, the same way for
every SMS profile: never the number, the text or a secret in the reason or the log."""
from __future__ import annotations

import logging

import requests

from ragem import toolkit

log = logging.getLogger("ragem.sms")


def post_or_get(provider: str, call) -> tuple[requests.Response | None, toolkit.DeliveryResult | None]:
    """Run ``call()`` (one HTTP request); a failed result when it raised, else the response."""
    try:
        return call(), None
    except requests.Timeout as exc:
        # The text may have gone: it is not sent again.
        log.warning("%s did not answer in time: %s", provider, type(exc).__name__)
        return None, toolkit.DeliveryResult(provider, status="failed", error=f"timed out: {type(exc).__name__}")
    except requests.RequestException as exc:
        log.warning("%s unreachable: %s", provider, type(exc).__name__)
        return None, toolkit.DeliveryResult(provider, status="failed", error=f"unreachable: {type(exc).__name__}")


def json_of(answer: requests.Response):
    """The answer's JSON, or ``None``."""
    try:
        return answer.json()
    except ValueError:
        return None


def refused(provider: str, answer: requests.Response, detail: str = "") -> toolkit.DeliveryResult:
    """A failed result for an answer that did not accept the message."""
    reason = f"HTTP {answer.status_code}" + (f" {detail}" if detail else "")
    log.warning("%s refused a message: %s", provider, reason[:300])
    return toolkit.DeliveryResult(provider, status="failed", error=reason[:300])
