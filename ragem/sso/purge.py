"""The nightly clean-up of single sign-on codes and tokens that can no longer be used."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_

from ragem.extensions import db
from ragem.jobs.scheduler import PeriodicJob
from ragem.sso.models import SsoAuthorizationCode, SsoClientAssertion, SsoToken
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.sso")

# Used-up codes and tokens are remembered this long past their end, like the app's rotated
# refresh tokens: a copy presented meanwhile is recognised and ends what it came from.
DEAD_KEPT = timedelta(days=2)


def purge_dead(now: datetime | None = None) -> int:
    """Delete codes expired and tokens ended (expired, rotated or revoked) over ``DEAD_KEPT`` ago,
    and used client assertions past their expiry; returns how many rows went."""
    cutoff = (now or utcnow()) - DEAD_KEPT
    codes = db.session.execute(delete(SsoAuthorizationCode).where(SsoAuthorizationCode.expires_at < cutoff)).rowcount
    tokens = db.session.execute(delete(SsoToken).where(or_(
        SsoToken.revoked_at < cutoff,
        func.coalesce(SsoToken.refresh_expires_at, SsoToken.access_expires_at) < cutoff,
    ))).rowcount
    # A used client assertion is refused by its own exp once expired: its jti need not be kept.
    assertions = db.session.execute(
        delete(SsoClientAssertion).where(SsoClientAssertion.expires_at < (now or utcnow()))).rowcount
    db.session.commit()
    if codes or tokens:
        log.info("single sign-on codes and tokens purged", extra={"codes": codes, "tokens": tokens})
    return (codes or 0) + (tokens or 0) + (assertions or 0)


#: Registered by ``ragem.sso.init_app``: every night at 03:10 WIB, after the sessions' purge.
PURGE_JOB = PeriodicJob("sso-purge", every_seconds=24 * 3600, func=purge_dead, at="03:10")
