"""Redis down: what RAGEM promises while its Redis cannot be reached, against a real ``redis-server``
of the test's own that the test kills.

- The API keeps answering: Redis holds no citizen's data, only the job queue and rate-limit counters.
- Rate limits still hold, counted in each process's memory until Redis is back: looser by the number
  of workers, never lifted.
- A revoked session stays refused: sessions live in the database, never in Redis.
- A job that cannot be queued runs in the process that asked for it instead of being lost.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import pytest

from ragem.auth.models import AuthSession
from ragem.extensions import db, limiter
from ragem.testing import create_account

LOGIN = "/api/v1/auth/login"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture
def redis_server(tmp_path):
    """A ``redis-server`` of this test's own: ``(url, process)``; the test may kill it."""
    executable = shutil.which("redis-server")
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen([executable, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(tmp_path)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not _answers(port):
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("redis-server did not answer within 10 s")
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0", process
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)
    # One limiter serves every app of the test process: the next test's app must not start out
    # believing its storage is down (each gunicorn worker of a real server has one app only).
    limiter._storage_dead = False


@pytest.fixture
def app_on_redis(make_app, redis_server):
    """An app whose rate limits and job queue are on the test's own Redis, limits switched on."""
    url, _process = redis_server
    return make_app(REDIS_URL=url, RATELIMIT_ENABLED=True)


def _kill(redis_server) -> None:
    _url, process = redis_server
    process.kill()
    process.wait(timeout=10)


def _failed_log_ins(client, count: int, address: str) -> list[int]:
    """``count`` log-ins with a wrong password, each for a different unknown phone number, from one
    address: only the per-address limit can stop them (no account is guessed twice)."""
    statuses = []
    for n in range(count):
        answer = client.post(LOGIN, json={"identifier": f"+62813999{n:05d}", "password": "salah-salah-salah"},
                             environ_base={"REMOTE_ADDR": address})
        statuses.append(answer.status_code)
    return statuses


def test_the_per_address_log_in_limit_holds_while_redis_is_down(app_on_redis, redis_server):
    client = app_on_redis.test_client()
    _kill(redis_server)

    statuses = _failed_log_ins(client, 25, "198.51.100.7")

    assert statuses[:20] == [401] * 20
    assert set(statuses[20:]) == {429}
    refused = client.post(LOGIN, json={"identifier": "+6281399900099", "password": "salah-salah-salah"},
                          environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    # Another address is counted on its own, as with Redis.
    assert _failed_log_ins(client, 1, "198.51.100.8") == [401]


def test_the_api_answers_and_a_revoked_session_stays_refused_while_redis_is_down(app_on_redis, redis_server):
    _user_id, phone, password = create_account(app_on_redis)
    client = app_on_redis.test_client()
    tokens = client.post(LOGIN, json={"identifier": phone, "password": password}).get_json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=headers).status_code in (200, 204)

    _kill(redis_server)

    assert client.get("/api/v1/services").status_code == 200
    refused = client.get("/api/v1/me", headers=headers)
    assert refused.status_code == 401
    again = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert again.status_code == 401
    with app_on_redis.app_context():
        assert db.session.query(AuthSession).filter(AuthSession.revoked_at.is_(None)).count() == 0
    # A new log-in still works: nothing about sessions needs Redis.
    fresh = client.post(LOGIN, json={"identifier": phone, "password": password})
    assert fresh.status_code == 200
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {fresh.get_json()['access_token']}"})
    assert me.status_code == 200
