"""Sessions of accounts that never come back are purged by a nightly core job."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from ragem.auth.models import AuthSession, RotatedRefreshToken, User
from ragem.auth.sessions import purge_dead_sessions, start_session
from ragem.extensions import db
from ragem.testing import periodic_jobs, run_due_jobs
from ragem.timeutil import utcnow


def _sessions_of(user_id):
    return {s.id: s for s in db.session.scalars(select(AuthSession).where(AuthSession.user_id == user_id))}


def test_sessions_that_ended_a_week_ago_go_at_night_and_live_ones_stay(app, login_as):
    dormant = login_as("citizen")["X-Test-User-Id"]
    login_as("citizen", target_app=app)  # someone else, active
    with app.app_context():
        assert periodic_jobs()["core.sessions-purge"].at == "03:00"
        # Two more sessions of the dormant account: one logged out long ago, one simply expired.
        user = db.session.get(User, dormant)
        revoked, _ = start_session(user, device="lama", ip="127.0.0.1")
        expired, _ = start_session(user, device="kedaluwarsa", ip="127.0.0.1")
        db.session.commit()
        now = utcnow()
        revoked.revoked_at, revoked.revoked_reason = now - timedelta(days=10), "logout"
        expired.refresh_expires_at = now - timedelta(days=8)
        db.session.add(RotatedRefreshToken(token_hash="a" * 64, session_id=revoked.id, rotated_at=now - timedelta(days=11)))
        db.session.commit()
        live = next(s.id for s in _sessions_of(dormant).values() if s.id not in (revoked.id, expired.id))
        total = db.session.scalar(select(func.count()).select_from(AuthSession))

        assert "core.sessions-purge" in run_due_jobs(now=now)
        db.session.expire_all()
        assert set(_sessions_of(dormant)) == {live}
        assert db.session.scalar(select(func.count()).select_from(AuthSession)) == total - 2
        assert db.session.scalar(select(func.count()).select_from(RotatedRefreshToken)) == 0


def test_a_recently_ended_session_is_kept_for_a_week(app, login_as):
    user_id = login_as("citizen")["X-Test-User-Id"]
    with app.app_context():
        [session] = _sessions_of(user_id).values()
        session.revoked_at, session.revoked_reason = utcnow() - timedelta(days=2), "logout"
        db.session.commit()
        assert purge_dead_sessions() == 0
        assert _sessions_of(user_id)
