"""Rate limits hold across worker processes on the embedded default (no Redis): the workers of a
host count in one shared store, so a limit of 20 log-ins a minute lets 20 through, not 20 each."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

LOGIN = "/api/v1/auth/login"
LOGIN_LIMIT_PER_MINUTE = 20  # ragem.auth.throttle.LOGIN_IP_LIMITS

# A worker process built from the same settings, making log-in attempts. (Workers are separate
# processes: in one process flask-limiter's single Limiter would hold one store for every app.)
WORKER = """
import json, sys
from ragem.app import create_app
settings, first, count = json.loads(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
client = create_app(settings).test_client()
statuses = [client.post("/api/v1/auth/login", json={"identifier": f"orang{n}@example.id"}).status_code
            for n in range(first, first + count)]
print(json.dumps(statuses))
"""


def attempts_in_a_worker(settings: dict, first: int, count: int) -> list[int]:
    done = subprocess.run(
        [sys.executable, "-c", WORKER, json.dumps(settings), str(first), str(count)],
        capture_output=True, text=True, timeout=120, env={**os.environ, "RAGEM_LOG_LEVEL": "ERROR"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_worker_processes_share_the_log_in_limit(make_app, ragem_settings):
    # The embedded default, whatever this test run uses: no Redis.
    settings = {**ragem_settings, "REDIS_URL": None, "RATELIMIT_KEY_PREFIX": f"shared-{uuid.uuid4().hex[:8]}"}
    make_app(**settings)  # the tables

    # Each attempt names another (unknown) account: only the per-address limit can stop them.
    first = attempts_in_a_worker(settings, 0, 15)
    second = attempts_in_a_worker(settings, 15, 15)

    let_through = [status for status in first + second if status != 429]
    assert len(let_through) == LOGIN_LIMIT_PER_MINUTE  # not 30: the second worker saw the first's
    assert first == [422] * 15  # (incomplete bodies: refused after the limit, before any password)
    assert second == [422] * 5 + [429] * 10


def test_the_shared_store_is_a_file_of_the_instance_folder_only_its_owner_reads(make_app, ragem_settings):
    app = make_app(REDIS_URL=None)
    assert app.test_client().post(LOGIN, json={"identifier": "orang@example.id"}).status_code == 422
    store = Path(ragem_settings["INSTANCE_PATH"]) / "ratelimits.sqlite3"
    assert store.is_file()
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
