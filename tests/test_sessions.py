"""Sessions: refresh rotation and reuse detection, log-out and revocation at once, the device list."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, update

from ragem.app import create_app
from ragem.auth import sessions
from ragem.auth.guards import fresh_login_required
from ragem.auth.models import AuthSession, RotatedRefreshToken
from ragem.errors import ApiError
from ragem.extensions import db
from ragem.testing import create_account
from ragem.timeutil import utcnow

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
SESSIONS = "/api/v1/auth/sessions"


def auth(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def sid_of(tokens: dict) -> str:
    return jwt.decode(tokens["access_token"], options={"verify_signature": False})["sid"]


def assert_revoked(client, tokens: dict) -> None:
    response = client.get(SESSIONS, headers=auth(tokens))
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_token"
    assert response.json["error"]["details"]["reason"] == "revoked"


@pytest.fixture
def account(app):
    """One verified citizen: ``(user_id, phone, password)``."""
    return create_account(app)


@pytest.fixture
def log_in(client, account):
    """Log the account in from a named device; returns the token response."""

    def go(device: str | None = None, **headers) -> dict:
        body = {"identifier": account[1], "password": account[2]}
        if device:
            body["device"] = device
        response = client.post(LOGIN, json=body, headers=headers)
        assert response.status_code == 200, response.json
        return response.json

    return go


# -- refresh ------------------------------------------------------------------------------------


def test_log_in_answers_tokens_and_their_lifetimes(client, log_in):
    tokens = log_in()
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in", "refresh_expires_in"}
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 900
    assert 30 * 86400 - 60 < tokens["refresh_expires_in"] <= 30 * 86400
    assert len(tokens["refresh_token"]) >= 43  # 256 bits, URL-safe


def test_refresh_rotates_the_refresh_token_and_answers_like_log_in(app, client, log_in):
    first = log_in()
    second = client.post(REFRESH, json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    assert set(second.json) == set(first)
    assert second.json["refresh_token"] != first["refresh_token"]
    assert sid_of(second.json) == sid_of(first)
    assert client.get(SESSIONS, headers=auth(second.json)).status_code == 200
    third = client.post(REFRESH, json={"refresh_token": second.json["refresh_token"]})
    assert third.status_code == 200
    # Only hashes are stored: neither the live nor the rotated tokens appear in the database.
    with app.app_context():
        session = db.session.get(AuthSession, sid_of(first))
        stored = [session.refresh_hash] + [r.token_hash for r in db.session.scalars(select(RotatedRefreshToken))]
    for token in (first["refresh_token"], second.json["refresh_token"], third.json["refresh_token"]):
        assert token not in stored
    assert sessions.hash_token(third.json["refresh_token"]) == stored[0]


def refresh_with(client, tokens: dict):
    return client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})


def age_rotations(app, seconds: int) -> None:
    """Make every rotation ``seconds`` older: the clock moving on, without waiting for it."""
    with app.app_context():
        for rotated in db.session.scalars(select(RotatedRefreshToken)):
            rotated.rotated_at -= timedelta(seconds=seconds)
        db.session.commit()


def test_a_refresh_token_repeated_within_the_grace_answers_the_same_live_session(app, client, log_in):
    """A mobile app fires two refreshes with one token: both get tokens of the same session."""
    first = log_in()
    one = refresh_with(client, first)
    two = refresh_with(client, first)
    assert one.status_code == two.status_code == 200, two.json
    # The repeat carries the very refresh token the first answer did: the session's current one.
    assert two.json["refresh_token"] == one.json["refresh_token"] != first["refresh_token"]
    assert sid_of(one.json) == sid_of(two.json) == sid_of(first)
    for answer in (one.json, two.json):
        assert client.get(SESSIONS, headers=auth(answer)).status_code == 200
    # Whichever answer the app kept, the session goes on: the shared token rotates once more.
    assert refresh_with(client, two.json).status_code == 200
    with app.app_context():
        assert db.session.get(AuthSession, sid_of(first)).revoked_at is None


def test_a_reused_refresh_token_after_the_grace_revokes_the_whole_session(app, client, log_in):
    stolen = log_in()
    legitimate = refresh_with(client, stolen).json
    age_rotations(app, 16)  # the default grace is 15 s
    # The thief (or the app after a replay) presents the already-rotated token.
    reused = refresh_with(client, stolen)
    assert reused.status_code == 401
    assert reused.json["error"]["code"] == "invalid_refresh_token"
    assert reused.json["error"]["details"]["reason"] == "reuse_detected"
    # Everything of that session is dead: the newest refresh token and every access token.
    assert refresh_with(client, legitimate).status_code == 401
    assert_revoked(client, legitimate)
    assert_revoked(client, stolen)


def test_within_the_grace_a_token_whose_successor_moved_on_is_refused_and_the_session_kept(app, client, log_in):
    """The grace never hands out a token the presented one did not lead to."""
    first = log_in()
    second = refresh_with(client, first).json
    third = refresh_with(client, second).json
    late = refresh_with(client, first)
    assert late.status_code == 401
    assert late.json["error"]["code"] == "invalid_refresh_token"
    assert late.json["error"]["details"]["reason"] == "superseded"
    assert "token terbaru" in late.json["error"]["message"]  # tells the app to keep its newer token
    assert third["refresh_token"] not in late.get_data(as_text=True)
    # The client that rotated on holds the live token; its session was not touched.
    assert client.get(SESSIONS, headers=auth(third)).status_code == 200
    assert refresh_with(client, third).status_code == 200


def test_a_repeat_within_the_grace_of_a_logged_out_session_is_refused(client, log_in):
    first = log_in()
    second = refresh_with(client, first).json
    assert client.post(LOGOUT, headers=auth(second)).status_code == 204
    answer = refresh_with(client, first)
    assert answer.status_code == 401 and answer.json["error"]["code"] == "invalid_refresh_token"


def test_a_grace_of_zero_seconds_revokes_on_the_first_repeat(make_app):
    app = make_app(REFRESH_REUSE_GRACE_SECONDS=0)
    client = app.test_client()
    _user_id, phone, password = create_account(app)
    first = client.post(LOGIN, json={"identifier": phone, "password": password}).json
    second = refresh_with(client, first).json
    age_rotations(app, 1)  # the same second would still be "within 0 s"
    repeat = refresh_with(client, first)
    assert repeat.status_code == 401 and repeat.json["error"]["details"]["reason"] == "reuse_detected"
    assert_revoked(client, second)


def test_two_refreshes_racing_with_one_token_both_get_the_same_session(app, client, log_in):
    """Two threads, each with its own database connection (the real race on PostgreSQL)."""
    first = log_in()
    barrier = threading.Barrier(2, timeout=30)
    answers: list = [None, None]

    def run(index):
        own_client = app.test_client()
        barrier.wait()
        try:
            answers[index] = refresh_with(own_client, first)
        except Exception as exc:  # noqa: BLE001 - reported by the assertions below
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and any("locked" in str(a) for a in answers):
        pytest.skip("SQLite refused a concurrent writer ('database is locked'); the race runs on PostgreSQL")
    assert [getattr(a, "status_code", a) for a in answers] == [200, 200], [getattr(a, "json", a) for a in answers]
    assert answers[0].json["refresh_token"] == answers[1].json["refresh_token"]
    assert sid_of(answers[0].json) == sid_of(answers[1].json) == sid_of(first)
    assert refresh_with(client, answers[0].json).status_code == 200


def test_unknown_or_malformed_refresh_tokens_are_401_or_422_and_change_nothing(client, log_in):
    tokens = log_in()
    for body, status in (({"refresh_token": "x" * 43}, 401), ({"refresh_token": ""}, 422), ({}, 422),
                         ({"refresh_token": tokens["access_token"]}, 422), ({"refresh_token": 5}, 422)):
        response = client.post(REFRESH, json=body)
        assert response.status_code == status, (body, response.json)
    assert client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).status_code == 200


# -- log-out and revocation -----------------------------------------------------------------------


def test_log_out_revokes_the_session_at_once(client, log_in):
    tokens = log_in()
    other_device = log_in()
    response = client.post(LOGOUT, headers=auth(tokens))
    assert response.status_code == 204
    assert_revoked(client, tokens)
    assert client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    # Other devices of the same person stay logged in.
    assert client.get(SESSIONS, headers=auth(other_device)).status_code == 200


def test_log_out_reaches_every_worker_and_host_within_the_state_ttl(app, ragem_settings, log_in):
    """A second app on the same database stands for another worker or host; it trusts what it read
    of a session for RAGEM_STATE_TTL (more cases in test_revocation_bound.py)."""
    other = create_app({**ragem_settings, "STATE_TTL": 0.2})
    try:
        tokens = log_in()
        assert other.test_client().get(SESSIONS, headers=auth(tokens)).status_code == 200
        assert app.test_client().post(LOGOUT, headers=auth(tokens)).status_code == 204
        time.sleep(0.3)  # the bound, waited out
        assert_revoked(other.test_client(), tokens)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_sessions_lists_my_devices_and_marks_the_current_one(client, log_in):
    phone = log_in(device="Android Budi")
    browser = log_in(**{"User-Agent": "Mozilla/5.0 (Linux) RAGEM-web"})
    listed = client.get(SESSIONS, headers=auth(phone))
    assert listed.status_code == 200
    items = {item["id"]: item for item in listed.json["items"]}
    assert set(items) == {sid_of(phone), sid_of(browser)}
    assert items[sid_of(phone)]["device"] == "Android Budi" and items[sid_of(phone)]["current"] is True
    assert items[sid_of(browser)]["device"] == "Mozilla/5.0 (Linux) RAGEM-web" and items[sid_of(browser)]["current"] is False
    assert items[sid_of(phone)]["ip"] == "127.0.0.1"
    assert items[sid_of(phone)]["created_at"].endswith("Z") and items[sid_of(phone)]["last_used_at"].endswith("Z")
    page = client.get(SESSIONS + "?limit=1", headers=auth(phone)).json
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(SESSIONS + f"?limit=1&cursor={page['next_cursor']}", headers=auth(phone)).json
    assert {page["items"][0]["id"], rest["items"][0]["id"]} == set(items) and rest["next_cursor"] is None


def test_deleting_one_of_my_sessions_logs_that_device_out_at_once(client, log_in):
    mine = log_in()
    lost_phone = log_in()
    assert client.delete(f"{SESSIONS}/{sid_of(lost_phone)}", headers=auth(mine)).status_code == 204
    assert_revoked(client, lost_phone)
    assert client.post(REFRESH, json={"refresh_token": lost_phone["refresh_token"]}).status_code == 401
    assert [item["id"] for item in client.get(SESSIONS, headers=auth(mine)).json["items"]] == [sid_of(mine)]


def test_a_citizen_can_neither_list_nor_revoke_another_persons_sessions(client, log_in, login_as):
    victim = log_in()
    intruder = login_as("citizen")
    listed = client.get(SESSIONS, headers=intruder).json["items"]
    assert sid_of(victim) not in [item["id"] for item in listed]
    refused = client.delete(f"{SESSIONS}/{sid_of(victim)}", headers=intruder)
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
    assert client.get(SESSIONS, headers=auth(victim)).status_code == 200
    # An id that is no session at all answers the same.
    assert client.delete(f"{SESSIONS}/00000000-0000-4000-8000-000000000000", headers=intruder).status_code == 404
    assert client.delete(f"{SESSIONS}/not-a-uuid", headers=intruder).status_code == 404


def test_revoke_user_sessions_spares_the_one_asked(app, client, account, log_in):
    keep, drop_one, drop_two = log_in(), log_in(), log_in()
    with app.app_context():
        count = sessions.revoke_user_sessions(account[0], reason="password_changed", except_session_id=sid_of(keep))
        db.session.commit()
    assert count == 2
    assert client.get(SESSIONS, headers=auth(keep)).status_code == 200
    assert_revoked(client, drop_one)
    assert_revoked(client, drop_two)


def test_last_used_at_follows_use_but_is_written_at_most_once_a_minute(app, client, log_in):
    tokens = log_in()
    long_ago = utcnow() - timedelta(hours=3)
    with app.app_context():
        db.session.execute(update(AuthSession).where(AuthSession.id == sid_of(tokens)).values(last_used_at=long_ago))
        db.session.commit()
    assert client.get(SESSIONS, headers=auth(tokens)).status_code == 200
    with app.app_context():
        touched = db.session.get(AuthSession, sid_of(tokens)).last_used_at
    assert touched > long_ago + timedelta(hours=2)


# -- fresh log-in ---------------------------------------------------------------------------------


def test_fresh_login_required_wants_a_password_proved_lately_not_a_refresh(app, client, log_in):
    @fresh_login_required(max_age_seconds=300)
    def erase_everything():
        return "done"

    def call(tokens):
        with app.test_request_context(headers=auth(tokens)):
            return erase_everything()

    tokens = log_in()
    assert call(tokens) == "done"
    with app.app_context():
        db.session.execute(
            update(AuthSession).where(AuthSession.id == sid_of(tokens)).values(auth_time=utcnow() - timedelta(minutes=6))
        )
        db.session.commit()
    with pytest.raises(ApiError) as stale:
        call(tokens)
    assert stale.value.status == 401 and stale.value.code == "fresh_login_required"
    refreshed = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).json
    with pytest.raises(ApiError):
        call(refreshed)  # refreshing does not make a session fresh
    assert call(log_in()) == "done"  # logging in again does


def test_fresh_login_required_answers_401_through_a_route(app, client, log_in):
    """Through HTTP the refusal is the JSON envelope (as DELETE /api/v1/me uses it)."""
    from ragem.blueprint import Blueprint

    probe = Blueprint("fresh_probe", __name__, url_prefix="/api/v1/test-fresh")

    @probe.route("", methods=["POST"])
    @fresh_login_required(max_age_seconds=60)
    @probe.response(204)
    def act():
        """Probe."""

    app.extensions["ragem.api"].register_blueprint(probe)
    tokens = log_in()
    assert client.post("/api/v1/test-fresh", headers=auth(tokens)).status_code == 204
    with app.app_context():
        db.session.execute(
            update(AuthSession).where(AuthSession.id == sid_of(tokens)).values(auth_time=utcnow() - timedelta(minutes=2))
        )
        db.session.commit()
    stale = client.post("/api/v1/test-fresh", headers=auth(tokens))
    assert stale.status_code == 401 and stale.json["error"]["code"] == "fresh_login_required"
    assert client.post("/api/v1/test-fresh").status_code == 401


# -- housekeeping ---------------------------------------------------------------------------------


def test_dead_sessions_and_old_rotated_hashes_do_not_pile_up(app, client, log_in):
    ended_long_ago, ended_yesterday, live = log_in(), log_in(), log_in()
    with app.app_context():
        now = utcnow()
        db.session.execute(update(AuthSession).where(AuthSession.id == sid_of(ended_long_ago))
                           .values(revoked_at=now - timedelta(days=8), revoked_reason="logout"))
        db.session.execute(update(AuthSession).where(AuthSession.id == sid_of(ended_yesterday))
                           .values(revoked_at=now - timedelta(days=1), revoked_reason="logout"))
        db.session.commit()
    log_in()  # the account's next log-in clears what ended more than a week ago
    refreshed = client.post(REFRESH, json={"refresh_token": live["refresh_token"]}).json
    with app.app_context():
        assert db.session.get(AuthSession, sid_of(ended_long_ago)) is None
        assert db.session.get(AuthSession, sid_of(ended_yesterday)) is not None
        db.session.execute(update(RotatedRefreshToken).values(rotated_at=utcnow() - timedelta(days=3)))
        db.session.commit()
    client.post(REFRESH, json={"refresh_token": refreshed["refresh_token"]})
    with app.app_context():
        remembered = list(db.session.scalars(select(RotatedRefreshToken.token_hash)))
    # Only the token rotated just now is remembered; the one rotated "three days ago" is gone.
    assert remembered == [sessions.hash_token(refreshed["refresh_token"])]
