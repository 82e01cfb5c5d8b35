"""Readiness of the gateways: a provider whose recent attempts all failed is reported.

Reported, not fatal: ``/readyz`` answers 200 with status ``degraded`` and the gateway's check
``failed``, because taking every host out of the load balancer for an SMS provider's outage would
stop the whole API, not just the texts.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask

from ragem.messaging import attempts, gateways
from ragem.timeutil import utcnow

#: The attempts looked at: the latest this many, within this window.
SAMPLE = 3
WINDOW = timedelta(minutes=30)


class GatewayFailing(RuntimeError):
    """The provider's latest attempts all failed."""


def checks(app: Flask) -> dict:
    """One advisory check per declared gateway, named ``gateway:<provider>``."""
    found = {}
    for gateway in gateways.providers(app):
        def check(_app, provider=gateway.provider):
            if attempts.recent_failures(provider, window_start=utcnow() - WINDOW, sample=SAMPLE):
                raise GatewayFailing(provider)
        found[f"gateway:{gateway.provider}"] = check
    return found
