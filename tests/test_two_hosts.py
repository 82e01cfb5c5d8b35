"""Two hosts, one behaviour: two RAGEM servers and a separate worker sharing PostgreSQL, Redis and
an S3-compatible object store behave as one RAGEM (docs/deploy.md).

Host A and host B are two gunicorn servers (two workers each) on their own ports; the worker is
``ragem worker``, as on a third machine. The test shows, measuring each bound: a photo uploaded
through A is served by B; a service switched off through A answers 503 on B within
``RAGEM_STATE_TTL`` plus a tick; a session logged out through A is refused by B within its bound;
the log-in rate limit counts across both hosts; a periodic job runs once per slot across every
process; and a background job enqueued by a host is run by the worker once, also when the worker
is killed (SIGKILL) mid-job and started again. The measured figures are printed (``-s``).

PostgreSQL and Redis are required (``RAGEM_TEST_DATABASE_URL``, ``RAGEM_TEST_REDIS_URL``): on
SQLite the test is skipped; in CI with PostgreSQL configured it must run.
"""
from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests
from PIL import Image
from sqlalchemy import select

from ragem.app import create_app
from ragem.auth.accounts import create_user
from ragem.cli.serve import gunicorn_argv, prepare_database
from ragem.extensions import db
from ragem.jobs.models import JobRun
from ragem.jobs.recovery import ALIVE_SECONDS, BEAT_SECONDS
from ragem.testing import bearer

from throwaway import SERVICE_MODULE, install_distribution

PG = (os.environ.get("RAGEM_TEST_DATABASE_URL") or "").startswith("postgresql")
REDIS = os.environ.get("RAGEM_TEST_REDIS_URL")
if PG and not REDIS and os.environ.get("CI") == "true":
    raise RuntimeError("the two-host test needs RAGEM_TEST_REDIS_URL beside PostgreSQL in CI")
pytestmark = pytest.mark.skipif(not (PG and REDIS), reason="needs PostgreSQL and Redis shared by the hosts")

RAGEM = Path(sys.executable).with_name("ragem")
WORKERS = 2  # gunicorn workers per host
STATE_TTL = 1.0  # RAGEM_STATE_TTL of every process (the default)
SWITCH = "zzswitch"  # the service switched off and on
SCALE = "zzscale"  # the service with the background and periodic jobs
TICK_EVERY = 5  # seconds between the periodic job's slots (the scheduler ticks every 5 s)
LOGIN_LIMIT = 20  # log-ins per minute from one address (ragem.auth.throttle)

# The jobs write what they did to Redis, so the test sees each run whichever process made it.
SCALE_MODULE = '''\
import os
import time

import redis
from flask import request

from ragem import toolkit
from ragem.toolkit import hookimpl

NS = os.environ["ZZSCALE_NS"]


def _redis():
    return redis.Redis.from_url(os.environ["RAGEM_REDIS_URL"])


def tick():
    """The periodic job: one line per run."""
    _redis().rpush(NS + ":ticks", "%d %.3f" % (os.getpid(), time.time()))


def slow(token, seconds):
    """The background job: noted when it starts, then its one effect once ``seconds`` have passed."""
    connection = _redis()
    connection.rpush(NS + ":started:" + token, os.getpid())
    time.sleep(seconds)
    connection.rpush(NS + ":done:" + token, os.getpid())


@hookimpl
def ragem_plugin_info():
    return toolkit.PluginInfo(
        slug="zzscale", name={"id": "Layanan uji skala", "en": "Scale test service"},
        description={"id": "Layanan uji.", "en": "A test service."}, opd="DISKOMINFO", version="1.0.0",
    )


@hookimpl
def ragem_periodic_jobs():
    return [toolkit.PeriodicJob("tick", every_seconds=EVERY, func=tick)]


@hookimpl
def ragem_blueprints():
    blp = toolkit.health_blueprint("zzscale")

    @blp.route("/jobs/<token>", methods=["POST"])
    @blp.doc(operationId="zzscaleEnqueue")
    def start(token):
        """Queue the slow job."""
        seconds = float(request.args.get("seconds", "0"))
        return {"job": toolkit.enqueue(slow, token, seconds), "pid": os.getpid()}, 202

    return [blp]
'''


@dataclass
class Process:
    """A server or worker started for the test, in its own process group."""

    name: str
    process: subprocess.Popen
    log: Path
    port: int = 0
    url: str = ""

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop it and everything it started (SIGKILL if it does not go within 10 s)."""
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def output(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


@dataclass
class Cluster:
    """Host A, host B and the worker, with what the test needs to talk to them."""

    env: dict[str, str]
    tmp: Path
    ns: str
    redis: redis.Redis
    started: list[Process] = field(default_factory=list)
    figures: dict[str, float] = field(default_factory=dict)

    def host(self, name: str) -> Process:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        log = self.tmp / f"{name}.log"
        argv = gunicorn_argv(f"fd://{listener.fileno()}", WORKERS, "--error-logfile", str(log))
        process = subprocess.Popen(argv, env=self.env, cwd=self.tmp, stdin=subprocess.DEVNULL,
                                   pass_fds=(listener.fileno(),), start_new_session=True)
        port = listener.getsockname()[1]
        listener.close()
        host = Process(name, process, log, port, f"http://127.0.0.1:{port}")
        self.started.append(host)
        return host

    def worker(self, name: str) -> Process:
        log = self.tmp / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen([str(RAGEM), "worker"], env=self.env, cwd=self.tmp, stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        worker = Process(name, process, log)
        self.started.append(worker)
        return worker

    def runs(self, what: str) -> list[str]:
        return [item.decode() for item in self.redis.lrange(f"{self.ns}:{what}", 0, -1)]


def wait_until(condition, timeout: float, step: float = 0.05, what: str = "") -> float:
    """Seconds until ``condition()`` held; fails after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    pytest.fail(f"not within {timeout} s: {what}")


def wait_serving(host: Process) -> None:
    def up():
        assert host.process.poll() is None, host.output()
        try:
            return requests.get(f"{host.url}/readyz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    wait_until(up, 60, 0.2, f"{host.name} ready:\n{host.output()}")


def steadily(condition, times: int = 8) -> bool:
    """``condition()`` held on ``times`` requests in a row (both workers of a host answer some)."""
    return all(condition() for _ in range(times))


@pytest.fixture
def cluster(fresh_database_url, s3_server, tmp_path):
    """A migrated PostgreSQL database, a bucket, the two services installed; stops what it started."""
    ns = f"zz2h-{uuid.uuid4().hex[:8]}"
    settings = {
        "ENV": "testing", "DATABASE_URL": fresh_database_url, "INSTANCE_PATH": str(tmp_path / "instance"),
        "REDIS_URL": REDIS, "LOG_LEVEL": "WARNING", "LOG_JSON": "false", "SCHEDULER": "true",
        "JOBS_INLINE": "false", "JOBS_QUEUE": ns, "RATELIMIT_KEY_PREFIX": ns, "STATE_TTL": str(STATE_TTL),
        "PASSWORD_HASHING": "test-cheapest", **s3_server.settings(s3_server.new_bucket()),
    }
    site = tmp_path / "site"
    install_distribution(site, SWITCH, SERVICE_MODULE.format(slug=SWITCH, critical=False))
    install_distribution(site, SCALE, SCALE_MODULE.replace("EVERY", str(TICK_EVERY)))
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("RAGEM_") and key != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({f"RAGEM_{key}": str(value) for key, value in settings.items()})
    env.update(ZZSCALE_NS=ns, PYTHONPATH=os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")])))
    # The tables are the core's (the two services have none): the test process need not load them.
    app = create_app({**settings, "SCHEDULER": False, "JOBS_INLINE": False, "LOG_JSON": False})
    prepare_database(app, demo=False)
    with app.app_context():
        admin = create_user(name="Admin Dua Host", phone="+6281299990101", password="Admin-Dua-Host-123",
                            roles=("admin",))
        citizen = create_user(name="Warga Dua Host", phone="+6281299990102", password="Warga-Dua-Host-123",
                              roles=("citizen",))
        db.session.commit()
        ids = admin.id, citizen.id
    tokens = [bearer(app, user_id) for user_id in ids]
    connection = redis.Redis.from_url(REDIS)
    state = Cluster(env, tmp_path, ns, connection)
    state.admin, state.citizen, state.app = tokens[0], tokens[1], app
    yield state
    for process in reversed(state.started):
        process.stop()
    for key in connection.scan_iter(f"{ns}*"):
        connection.delete(key)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(out, "JPEG")
    return out.getvalue()


def test_two_hosts_and_a_worker_behave_as_one(cluster):
    host_a, host_b = cluster.host("host-a"), cluster.host("host-b")
    worker = cluster.worker("worker-1")
    for host in (host_a, host_b):
        wait_serving(host)
    began = time.time()

    # A photo uploaded through A is served by B: the bytes are in the shared bucket.
    uploaded = requests.post(f"{host_a.url}/api/v1/files", headers=cluster.citizen, timeout=15,
                             files={"file": ("foto.jpg", jpeg(), "image/jpeg")}, data={"purpose": "upload"})
    assert uploaded.status_code == 201, uploaded.text
    photo = uploaded.json()
    by_link = requests.get(f"{host_b.url}{photo['url']}", timeout=15)
    by_owner = requests.get(f"{host_b.url}/api/v1/files/{photo['id']}", headers=cluster.citizen, timeout=15)
    assert by_link.status_code == by_owner.status_code == 200
    assert by_link.content == by_owner.content and len(by_link.content) == photo["size"]
    assert requests.get(f"{host_a.url}{photo['url']}", timeout=15).content == by_link.content

    # A service switched off through A answers 503 on B within the bound, and comes back the same way.
    health = f"{host_b.url}/api/v1/{SWITCH}/health"
    assert steadily(lambda: requests.get(health, timeout=5).status_code == 200)
    switched = requests.patch(f"{host_a.url}/api/v1/admin/services/{SWITCH}", headers=cluster.admin, timeout=15,
                              json={"enabled": False, "reason": "uji dua host"})
    assert switched.status_code == 200, switched.text
    cluster.figures["switch off reached host B (s)"] = wait_until(
        lambda: steadily(lambda: requests.get(health, timeout=5).status_code == 503), 10, what="switch off on B")
    assert requests.patch(f"{host_a.url}/api/v1/admin/services/{SWITCH}", headers=cluster.admin, timeout=15,
                          json={"enabled": True, "reason": "selesai"}).status_code == 200
    cluster.figures["switch on reached host B (s)"] = wait_until(
        lambda: steadily(lambda: requests.get(health, timeout=5).status_code == 200), 10, what="switch on on B")

    # A session logged out through A is refused by B within its bound (B had been serving it).
    me = f"{host_b.url}/api/v1/me"
    assert steadily(lambda: requests.get(me, headers=cluster.citizen, timeout=5).status_code == 200)
    logout = requests.post(f"{host_a.url}/api/v1/auth/logout", headers=cluster.citizen, timeout=15)
    assert logout.status_code == 204, logout.text
    cluster.figures["log-out reached host B (s)"] = wait_until(
        lambda: steadily(lambda: requests.get(me, headers=cluster.citizen, timeout=5).status_code == 401), 10,
        what="log-out on B")

    # The log-in limit counts on both hosts together: 20 a minute from one address, not 20 each.
    statuses = []
    for n in range(LOGIN_LIMIT + 4):
        host = (host_a, host_b)[n % 2]
        statuses.append(requests.post(f"{host.url}/api/v1/auth/login", timeout=15,
                                      json={"identifier": f"tamu{n}@example.id", "password": "salah-sekali"}).status_code)
    assert 429 not in statuses[:LOGIN_LIMIT], statuses
    assert statuses[LOGIN_LIMIT:] == [429] * 4, statuses

    # A background job enqueued by a host runs on the worker, once.
    assert requests.post(f"{host_a.url}/api/v1/{SCALE}/jobs/once?seconds=0", timeout=15).status_code == 202
    wait_until(lambda: cluster.runs("done:once"), 20, what="the job on the worker")
    assert cluster.runs("started:once") == cluster.runs("done:once") == [str(worker.process.pid)]

    # Killed mid-job (SIGKILL) and started again, the worker runs the job again: its effect lands once.
    enqueued = requests.post(f"{host_b.url}/api/v1/{SCALE}/jobs/killed?seconds=4", timeout=15)
    assert enqueued.status_code == 202
    wait_until(lambda: cluster.runs("started:killed"), 20, what="the long job starting")
    worker.stop(signal.SIGKILL)
    killed_at = time.monotonic()
    replacement = cluster.worker("worker-2")
    wait_until(lambda: cluster.runs("done:killed"), ALIVE_SECONDS + BEAT_SECONDS + 30, 0.1, what="the job run again")
    cluster.figures["killed job finished after restart (s)"] = time.monotonic() - killed_at
    assert cluster.runs("started:killed") == [str(worker.process.pid), str(replacement.process.pid)]
    assert cluster.runs("done:killed") == [str(replacement.process.pid)]

    # Periodic job: every process (4 web workers, the two worker processes) ticks; each slot ran once.
    deadline = began + 4 * TICK_EVERY
    time.sleep(max(0.0, deadline - time.time()))
    time.sleep(2 * BEAT_SECONDS)  # no duplicate of the killed job turns up later either
    assert cluster.runs("done:killed") == [str(replacement.process.pid)]
    ticks = [line.split() for line in cluster.runs("ticks")]
    with cluster.app.app_context():
        slots = list(db.session.scalars(select(JobRun.slot).where(JobRun.name == f"{SCALE}.tick")))
    # Each run is one claimed slot, and no slot was claimed twice. (The time a run starts is not its
    # slot: a slot claimed in its last moments runs in the next one on a busy machine.)
    assert len(ticks) >= 3 and len(ticks) == len(slots) == len(set(slots)), (ticks, slots)
    first_run = min(float(at) for _pid, at in ticks)  # +2: the first run's slot may be the one before
    elapsed_slots = int(time.time() // TICK_EVERY) - int(first_run // TICK_EVERY) + 2
    assert len(ticks) <= elapsed_slots, (ticks, elapsed_slots)
    cluster.figures["periodic runs"] = len(ticks)
    cluster.figures["processes that made a periodic run"] = len({pid for pid, _at in ticks})
    print("\ntwo hosts, measured:", {name: round(value, 2) for name, value in cluster.figures.items()})
    # The bounds docs/deploy.md promises.
    assert cluster.figures["switch off reached host B (s)"] <= 2 * STATE_TTL
    assert cluster.figures["log-out reached host B (s)"] <= 2 * STATE_TTL
