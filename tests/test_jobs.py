"""Background jobs (``toolkit.enqueue``) and plugins' periodic jobs: retried, recorded, run once."""
from __future__ import annotations

import gc
import logging
import os
import signal
import threading
import uuid
from datetime import datetime, timedelta

import pytest
from click.testing import CliRunner
from flask import current_app, has_app_context
from sqlalchemy import func, select

from ragem import toolkit
from ragem.extensions import db
from ragem.hooktypes import OutboundMessage, PeriodicJob, PluginInfo
from ragem.jobs.models import FailedJob, JobRun
from ragem.jobs.queue import drain, rq_queue
from ragem.jobs.scheduler import run_due_jobs as run_all_due_jobs
from ragem.jobs.scheduler import scheduler_enabled, scheduler_thread
from ragem.notifications.models import OutboxMessage
from ragem.toolkit import hookimpl

REDIS_URL = os.environ.get("RAGEM_TEST_REDIS_URL")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="set RAGEM_TEST_REDIS_URL to test the RQ queue")


def use_app_for_cli(monkeypatch, app):
    """Make ``ragem ...`` commands act on ``app`` for this test.

    Every command module is imported first: some bind ``build_app`` when imported, and would keep
    this test's app for the rest of the session if their first import happened while it is patched.
    """
    from ragem.cli import main

    main.list_commands(None)
    monkeypatch.setattr("ragem.cli.build_app", lambda read_only=False: app)


# -- module-level job functions (a worker finds them by path) ------------------------------------

CALLS: list[str] = []
FLAKY = {"failures_left": 0}


def write_outbox(text: str) -> None:
    """A job with an effect in the database: one outbox row holding ``text``."""
    CALLS.append(threading.current_thread().name)
    toolkit.deliver(OutboundMessage(channel="sms", to="+6281100000000", body=text, purpose="job-test"))


def flaky(text: str) -> None:
    """Fails while ``FLAKY['failures_left']`` is positive, then behaves like ``write_outbox``."""
    if FLAKY["failures_left"] > 0:
        FLAKY["failures_left"] -= 1
        raise RuntimeError("gateway timeout")
    write_outbox(text)


def always_fails(n: int) -> None:
    """A job that never succeeds."""
    raise RuntimeError(f"boom {n}")


class Helper:
    """A module-level class: its static methods are fine jobs, its bound methods are not."""

    @staticmethod
    def static_job(text: str) -> None:
        write_outbox(text)

    def bound_job(self) -> None:  # pragma: no cover - refused before it could run
        pass


@pytest.fixture(autouse=True)
def _reset_job_state():
    CALLS.clear()
    FLAKY["failures_left"] = 0


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def job_log():
    """Records of the ``ragem.jobs`` logger (it does not propagate to pytest's handler)."""
    logger = logging.getLogger("ragem.jobs")
    handler = _Records()
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def _outbox_bodies(app) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(select(OutboxMessage.body)))


def _failed(app) -> list[FailedJob]:
    with app.app_context():
        rows = list(db.session.scalars(select(FailedJob).order_by(FailedJob.id)))
        db.session.expunge_all()
        return rows


# -- enqueue --------------------------------------------------------------------------------

def test_enqueue_refuses_what_a_worker_could_not_import_or_unpickle(app):
    def closure():
        pass

    with app.app_context():
        for bad in (lambda: None, closure, Helper().bound_job, print.__call__):
            with pytest.raises(TypeError, match="module-level function"):
                toolkit.enqueue(bad)
        with pytest.raises(TypeError, match="cannot be pickled"):
            toolkit.enqueue(write_outbox, threading.Lock())
    assert CALLS == []


def test_inline_job_runs_at_once_and_commits_its_own_work(app):
    with app.app_context():
        job_id = toolkit.enqueue(write_outbox, "hello")
        toolkit.enqueue(Helper.static_job, "static")
    assert isinstance(job_id, str) and job_id
    assert _outbox_bodies(app) == ["hello", "static"]  # committed: visible from a fresh session


def test_a_job_enqueued_with_uncommitted_writes_waits_for_the_commit(app, job_log):
    with app.app_context():
        db.session.add(OutboxMessage(channel="sms", recipient="+62811", body="caller's row", purpose="t"))
        toolkit.enqueue(write_outbox, "after commit")
        assert CALLS == []  # the caller's row is not committed yet: the job would not see it
        db.session.commit()
        assert len(CALLS) == 1
    assert _outbox_bodies(app) == ["after commit", "caller's row"]

    with app.app_context():
        db.session.add(OutboxMessage(channel="sms", recipient="+62811", body="rolled back", purpose="t"))
        toolkit.enqueue(write_outbox, "never")
        db.session.rollback()
    assert "never" not in _outbox_bodies(app) and len(CALLS) == 1
    assert any("discarded" in r.getMessage() and "write_outbox" in r.getMessage() for r in job_log)


def test_a_failing_job_is_retried_then_logged_and_recorded_never_raised(app, job_log):
    with app.app_context():
        toolkit.enqueue(always_fails, 7)  # does not raise into the caller

    [failed] = _failed(app)
    assert failed.name == "test_jobs:always_fails" and failed.attempts == 3
    assert "RuntimeError: boom 7" in failed.error and failed.args == "(7)"
    assert failed.failed_at is not None
    errors = [r for r in job_log if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "test_jobs:always_fails" in errors[0].getMessage() and "boom 7" in errors[0].getMessage()
    assert len([r for r in job_log if r.levelno == logging.WARNING]) == 2  # the two retried tries


def test_a_flaky_job_succeeds_on_a_retry(app):
    FLAKY["failures_left"] = 2
    with app.app_context():
        toolkit.enqueue(flaky, "third time lucky")
    assert _outbox_bodies(app) == ["third time lucky"]
    assert _failed(app) == []


def test_embedded_default_runs_jobs_on_background_threads(make_app, job_log):
    app = make_app(REDIS_URL=None, JOBS_INLINE=False, JOBS_RETRY_DELAYS=[0, 0])
    FLAKY["failures_left"] = 1
    with app.app_context():
        toolkit.enqueue(write_outbox, "threaded")
        toolkit.enqueue(flaky, "retried")
        toolkit.enqueue(always_fails, 3)
        assert drain(app, timeout=60)
    assert _outbox_bodies(app) == ["retried", "threaded"]
    assert CALLS and all(name.startswith("ragem-job") for name in CALLS)
    [failed] = _failed(app)
    assert failed.name == "test_jobs:always_fails" and failed.attempts == 3


# -- periodic jobs --------------------------------------------------------------------------

class Ticker:
    """A throwaway service with periodic jobs."""

    def __init__(self, *, broken: bool = False):
        self.runs: list[tuple[str, bool]] = []
        self.broken = broken
        self.ran = threading.Event()

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(
            slug="ticker", name={"id": "Detak", "en": "Ticker"}, description={"id": "Uji", "en": "Test"},
            opd="DISKOMINFO", version="1.0",
        )

    @hookimpl
    def ragem_periodic_jobs(self):
        jobs = [
            PeriodicJob(name="tick", every_seconds=60, func=self.tick),
            PeriodicJob(name="invalid", every_seconds=0, func=self.tick),  # logged and skipped
        ]
        if self.broken:
            jobs.append(PeriodicJob(name="broken", every_seconds=60, func=always_fails_periodic))
        return jobs

    def tick(self):
        self.runs.append((current_app.name, has_app_context()))
        self.ran.set()


def always_fails_periodic():
    raise RuntimeError("periodic boom")


T0 = datetime(2026, 11, 2, 8, 0, 0)  # naive UTC, at the start of a 60-second slot


def run_due_jobs(now):
    """The due jobs of the throwaway plugins that ran (the core's own, ``core.*``, run too)."""
    return [name for name in run_all_due_jobs(now=now) if not name.startswith("core.")]


def test_a_periodic_job_runs_once_per_slot_across_two_workers_on_one_database(make_app):
    ticker = Ticker()
    worker_a = make_app(extra_plugins=[("ticker", ticker)], entry_points=False)
    worker_b = make_app(extra_plugins=[("ticker", ticker)], entry_points=False)  # same database, its own registry and caches

    with worker_a.app_context():
        assert run_due_jobs(now=T0) == ["ticker.tick"]
    with worker_b.app_context():
        assert run_due_jobs(now=T0 + timedelta(seconds=30)) == []  # same slot: already claimed by A
    assert len(ticker.runs) == 1 and ticker.runs[0][1] is True  # ran inside an app context

    with worker_b.app_context():
        assert run_due_jobs(now=T0 + timedelta(seconds=60)) == ["ticker.tick"]  # next slot
    with worker_a.app_context():
        assert run_due_jobs(now=T0 + timedelta(seconds=61)) == []
        runs = db.session.execute(select(JobRun.name, JobRun.ok).where(JobRun.name.like("ticker.%"))
                                  .order_by(JobRun.slot)).all()
    assert len(ticker.runs) == 2
    assert runs == [("ticker.tick", True), ("ticker.tick", True)]


def test_periodic_jobs_pause_while_their_service_is_switched_off(make_app):
    from ragem.catalog.service import set_service_state

    ticker = Ticker()
    app = make_app(extra_plugins=[("ticker", ticker)], entry_points=False)
    with app.app_context():
        set_service_state("ticker", enabled=False, reason="pemeliharaan")
        assert run_due_jobs(now=T0) == []
        assert ticker.runs == []
        set_service_state("ticker", enabled=True, reason="selesai")
        assert run_due_jobs(now=T0) == ["ticker.tick"]  # the paused slot was never claimed
    assert len(ticker.runs) == 1


def test_a_failing_periodic_job_is_retried_and_recorded(make_app, job_log):
    ticker = Ticker(broken=True)
    app = make_app(extra_plugins=[("ticker", ticker)], entry_points=False)
    with app.app_context():
        assert run_due_jobs(now=T0) == ["ticker.broken", "ticker.tick"]  # one failure stops nothing
        ok = dict(db.session.execute(select(JobRun.name, JobRun.ok).where(JobRun.name.like("ticker.%"))).all())
    assert ok == {"ticker.broken": False, "ticker.tick": True}
    [failed] = _failed(app)
    assert failed.name == "ticker.broken" and failed.attempts == 3 and "periodic boom" in failed.error
    assert any("ticker.invalid" in r.getMessage() and "skipped" in r.getMessage() for r in job_log)


def test_scheduler_thread_starts_lazily_on_the_first_request(make_app):
    ticker = Ticker()
    app = make_app(extra_plugins=[("ticker", ticker)], SCHEDULER=True)
    assert scheduler_thread(app) is None  # nothing runs at import or in create_app
    client = app.test_client()
    client.get("/api/v1/services")
    thread = scheduler_thread(app)
    try:
        assert thread is not None and thread.daemon
        client.get("/api/v1/services")
        assert scheduler_thread(app) is thread  # idempotent: one thread per process
        assert ticker.ran.wait(60), "the scheduler thread never ran the due job"
    finally:
        thread.stop(timeout=30)

    quiet = make_app(SCHEDULER=False)
    quiet.test_client().get("/api/v1/services")
    assert scheduler_thread(quiet) is None


def test_a_gunicorn_worker_starts_the_scheduler_when_it_boots_without_waiting_for_a_request(make_app):
    from types import SimpleNamespace

    from ragem import gunicorn_conf

    ticker = Ticker()
    app = make_app(extra_plugins=[("ticker", ticker)], entry_points=False, SCHEDULER=True)
    saved = signal.getsignal(signal.SIGINT)
    try:
        gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))  # what gunicorn calls after loading the app
        thread = scheduler_thread(app)
        assert thread is not None
        try:
            assert ticker.ran.wait(60), "the scheduler started at boot never ran the due job"
        finally:
            thread.stop(timeout=30)
        quiet = make_app(entry_points=False, SCHEDULER=False)
        gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=quiet))
        assert scheduler_thread(quiet) is None
    finally:
        signal.signal(signal.SIGINT, saved)
        gc.unfreeze()  # this is a test process, not a worker: its apps must stay collectable


def test_a_gunicorn_worker_freezes_its_startup_objects_out_of_the_collector(make_app):
    from types import SimpleNamespace

    from ragem import gunicorn_conf

    app = make_app(entry_points=False, SCHEDULER=False)
    saved = signal.getsignal(signal.SIGINT)
    try:
        gunicorn_conf.post_worker_init(SimpleNamespace(wsgi=app))
        # The app's objects are in the permanent generation: a full collection no longer walks them.
        assert gc.get_freeze_count() > 10_000
        assert not any(obj is app for obj in gc.get_objects())
        gc.collect()
        assert gc.get_freeze_count() > 10_000
    finally:
        signal.signal(signal.SIGINT, saved)
        gc.unfreeze()


def test_scheduler_runs_in_web_processes_only_when_no_worker_would():
    assert scheduler_enabled({"SCHEDULER": None, "ENV": "development"})
    assert not scheduler_enabled({"SCHEDULER": None, "ENV": "testing", "REDIS_URL": None})
    assert not scheduler_enabled({"SCHEDULER": None, "ENV": "production", "REDIS_URL": "redis://r:6379/0"})
    # Production on the embedded default has no 'ragem worker': the web process runs the schedule.
    assert scheduler_enabled({"SCHEDULER": None, "ENV": "production", "REDIS_URL": None})
    assert scheduler_enabled({"SCHEDULER": True, "ENV": "production"})
    assert not scheduler_enabled({"SCHEDULER": False, "ENV": "development"})


# -- the Redis queue (RQ) -----------------------------------------------------------------------

def test_ragem_worker_needs_redis(make_app, monkeypatch):
    from ragem.cli import main

    app = make_app(REDIS_URL=None)
    use_app_for_cli(monkeypatch, app)
    result = CliRunner().invoke(main, ["worker", "--burst"])
    assert result.exit_code != 0 and "RAGEM_REDIS_URL" in result.output


@pytest.fixture
def rq_app(make_app):
    """An app whose jobs go to a private RQ queue on the test Redis (keys removed afterwards)."""
    name = f"ragem-test-{uuid.uuid4().hex[:10]}"
    app = make_app(REDIS_URL=REDIS_URL, JOBS_INLINE=False, JOBS_QUEUE=name, JOBS_RETRY_DELAYS=[0, 0])
    job_ids: list[str] = []
    app.extensions["test.job_ids"] = job_ids
    yield app
    _forget_queue(app, name, job_ids)


def _forget_queue(app, name, job_ids):
    """Delete a test queue's keys from Redis (its jobs, registries and its entry in ``rq:queues``)."""
    connection = rq_queue(app).connection
    connection.srem("rq:queues", f"rq:queue:{name}")
    for pattern in [f"*{name}*"] + [f"*{job_id}*" for job_id in job_ids]:
        for key in connection.scan_iter(pattern):
            connection.delete(key)


def _enqueue(app, func, *args):
    with app.app_context():
        job_id = toolkit.enqueue(func, *args)
    app.extensions["test.job_ids"].append(job_id)
    return job_id


def _burst(app):
    """Run an RQ SimpleWorker in this process until the queue is empty (as ``ragem worker --burst``)."""
    from rq import SimpleWorker

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    queue = rq_queue(app)
    try:
        with app.app_context():
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@needs_redis
def test_rq_runs_queued_jobs_in_a_worker(rq_app):
    _enqueue(rq_app, write_outbox, "via redis")
    assert rq_queue(rq_app).count == 1 and _outbox_bodies(rq_app) == []  # queued, not run
    _burst(rq_app)
    assert _outbox_bodies(rq_app) == ["via redis"]
    assert rq_queue(rq_app).count == 0


@needs_redis
def test_rq_retries_then_records_a_failing_job(rq_app, job_log):
    FLAKY["failures_left"] = 1
    _enqueue(rq_app, flaky, "second try")
    _enqueue(rq_app, always_fails, 11)
    _burst(rq_app)
    assert _outbox_bodies(rq_app) == ["second try"]
    [failed] = _failed(rq_app)
    assert failed.name == "test_jobs:always_fails" and failed.attempts == 3
    assert "boom 11" in failed.error and failed.args == "(11)"
    assert any(r.levelno == logging.ERROR and "test_jobs:always_fails" in r.getMessage() for r in job_log)


@needs_redis
def test_ragem_worker_burst_runs_the_queue_and_due_periodic_jobs(make_app, monkeypatch):
    from ragem.cli import main

    ticker = Ticker()
    name = f"ragem-test-{uuid.uuid4().hex[:10]}"
    app = make_app(extra_plugins=[("ticker", ticker)], entry_points=False, REDIS_URL=REDIS_URL, JOBS_INLINE=False,
                   JOBS_QUEUE=name, JOBS_RETRY_DELAYS=[0, 0])
    job_id = _enqueue_plain(app, write_outbox, "from the cli worker")
    use_app_for_cli(monkeypatch, app)
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        result = CliRunner().invoke(main, ["worker", "--burst"])
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
        _forget_queue(app, name, [job_id])
    assert result.exit_code == 0, result.output
    assert _outbox_bodies(app) == ["from the cli worker"]
    assert len(ticker.runs) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == "ticker.tick")) == 1


def _enqueue_plain(app, func_, *args):
    with app.app_context():
        return toolkit.enqueue(func_, *args)


# -- daily jobs keep the city's clock ----------------------------------------------------------------

class Nightly:
    """A throwaway service with a daily job at 02:00 WIB and one left at the default (midnight WIB)."""

    def __init__(self):
        self.runs = []

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug="nightly", name={"id": "Malam", "en": "Nightly"}, description={"id": "Uji", "en": "Test"},
                          opd="DISKOMINFO", version="1.0")

    @hookimpl
    def ragem_periodic_jobs(self):
        return [PeriodicJob("report", every_seconds=86400, func=lambda: self.runs.append("report"), at="02:00"),
                PeriodicJob("digest", every_seconds=86400, func=lambda: self.runs.append("digest"))]


def test_a_daily_job_runs_at_its_wib_time_not_at_midnight_utc(make_app):
    app = make_app(extra_plugins=[("nightly", Nightly())], entry_points=False)
    with app.app_context():
        # 01:59 WIB on 3 Nov is 18:59 UTC on 2 Nov: both jobs' slots began earlier (2 Nov 02:00 and
        # 3 Nov 00:00 WIB), so each runs once.
        assert run_due_jobs(now=datetime(2026, 11, 2, 18, 59)) == ["nightly.digest", "nightly.report"]
        # 02:00 WIB: a new day begins for the report; the digest's day began at midnight WIB.
        assert run_due_jobs(now=datetime(2026, 11, 2, 19, 0)) == ["nightly.report"]
        assert run_due_jobs(now=datetime(2026, 11, 2, 23, 59)) == []
        # Midnight UTC (07:00 WIB) starts nothing: the old UTC-aligned slots would have run both here.
        assert run_due_jobs(now=datetime(2026, 11, 3, 0, 0)) == []
        # Midnight WIB of 4 Nov (17:00 UTC on 3 Nov) begins the digest's next day.
        assert run_due_jobs(now=datetime(2026, 11, 3, 17, 0)) == ["nightly.digest"]


def test_the_admin_jobs_view_states_the_wib_time(make_app, login_as):
    app = make_app(extra_plugins=[("nightly", Nightly())], entry_points=False)
    admin = login_as("admin", target_app=app)
    items = {j["name"]: j for j in app.test_client().get("/api/v1/admin/jobs", headers=admin).get_json()["items"]}
    assert items["nightly.report"]["at"] == "02:00" and items["nightly.digest"]["at"] == "00:00"
    assert items["core.files-cleanup"]["at"] is None  # hourly: no time of day


@pytest.mark.parametrize("job, problem", [
    (PeriodicJob("x", every_seconds=3600, func=print, at="02:00"), "only for jobs of a day or more"),
    (PeriodicJob("x", every_seconds=86400, func=print, at="25:00"), "HH:MM"),
    (PeriodicJob("x", every_seconds=86400, func=print, at="2:00"), "HH:MM"),
])
def test_a_bad_time_of_day_is_refused(job, problem):
    from ragem.jobs.scheduler import _problem

    assert problem in _problem(job)


@needs_redis
def test_the_job_of_a_dead_worker_goes_back_on_the_queue_and_runs_once(rq_app):
    from rq import Queue, SimpleWorker

    from ragem.jobs.recovery import mark_alive, requeue_orphans

    queue = rq_queue(rq_app)
    _enqueue(rq_app, write_outbox, "left by a killed worker")
    _enqueue(rq_app, write_outbox, "in a live worker's hands")
    # Two workers each take a job and start it; one then dies without a word (SIGKILL).
    dead = SimpleWorker([queue], connection=queue.connection, name=f"dead-{uuid.uuid4().hex[:8]}")
    alive = SimpleWorker([queue], connection=queue.connection, name=f"alive-{uuid.uuid4().hex[:8]}")
    taken = {}
    for worker in (dead, alive):
        job = taken[worker.name] = Queue.dequeue_any([queue], None, connection=queue.connection)[0]
        worker.prepare_execution(job)  # as RQ does when a worker takes a job: started, in its registry
        worker.prepare_job_execution(job)
    orphan = taken[dead.name]
    mark_alive(queue.connection, alive.name)
    assert queue.count == 0

    assert requeue_orphans(queue) == [orphan.id]
    assert queue.job_ids == [orphan.id]
    assert requeue_orphans(queue) == []  # taken back once, by whoever came first
    _burst(rq_app)
    assert _outbox_bodies(rq_app) == ["left by a killed worker"]
    queue.connection.delete(f"ragem:worker-alive:{alive.name}")
