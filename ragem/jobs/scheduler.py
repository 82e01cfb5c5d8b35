"""Periodic jobs contributed by plugins (``ragem_periodic_jobs``), run once per interval platform-wide.

Time is cut into slots of ``every_seconds`` (slot = floor(epoch / every_seconds)); the slots of a
daily or longer job start at its stated WIB time of day instead (``PeriodicJob.at``, midnight WIB by
default), not at midnight UTC, which is 07:00 in Kota Serang. Whoever runs
``run_due_jobs`` first in a slot claims it by inserting ``(name, slot)`` into ``job_run``; the
unique constraint turns every other worker's insert into an ``IntegrityError``, so the job runs
once per slot however many processes and hosts tick, on SQLite and PostgreSQL alike.

The ticking happens in a daemon thread (``SchedulerThread``): inside each web process when
``RAGEM_SCHEDULER`` is true (default: in development, and in production without Redis), and
always inside ``ragem worker``.
The web process starts it on its first request, never at import or in ``create_app``, so that
gunicorn's forked workers do not inherit a thread from the master.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Flask, current_app
from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from ragem.catalog.state import is_available
from ragem.extensions import db
from ragem.hooktypes import PeriodicJob
from ragem.jobs.models import JobRun
from ragem.jobs.runner import replay_of_periodic, run_with_retries
from ragem.timeutil import utcnow

log = logging.getLogger("ragem.jobs")

TICK_SECONDS = 5.0
KEEP_SLOTS = 100  # job_run rows kept per job; older slots can never be claimed again
_start_lock = threading.Lock()


#: Kota Serang's clock (WIB, UTC+7, no daylight saving) and the length of a day.
WIB_OFFSET_SECONDS = 7 * 3600
DAY_SECONDS = 24 * 3600
_AT_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class ScheduledJob:
    """A plugin's periodic job under its platform-wide name ``<slug>.<name>``."""

    slug: str
    name: str
    every_seconds: int
    func: Callable[[], Any]
    at: str | None = None

    def slot(self, epoch: float) -> int:
        """The slot ``epoch`` falls in: a daily or longer job's slots begin at its WIB time of day."""
        if self.every_seconds % DAY_SECONDS:
            return int(epoch // self.every_seconds)
        hours, minutes = (int(part) for part in (self.at or "00:00").split(":"))
        # Shift the clock so that the stated WIB time lands on a slot boundary.
        shift = WIB_OFFSET_SECONDS - (hours * 3600 + minutes * 60)
        return int((epoch + shift) // self.every_seconds)


def scheduler_enabled(settings: dict[str, Any]) -> bool:
    """Whether a web process runs the scheduler thread.

    ``RAGEM_SCHEDULER`` decides when set. Unset: on in development, and in production without
    Redis (the embedded default has no ``ragem worker`` to run periodic jobs); off in tests.
    """
    wanted = settings.get("SCHEDULER")
    if wanted is not None:
        return bool(wanted)
    env = settings.get("ENV")
    return env == "development" or (env == "production" and not settings.get("REDIS_URL"))


#: The name prefix of the core's own periodic jobs (a slug no plugin may take) and where they wait.
CORE = "core"
CORE_JOBS_KEY = "ragem.core_jobs"


def register_core_job(app: Flask, job: PeriodicJob) -> None:
    """Schedule a periodic job of the core (``core.<name>``), from a core module's ``init_app``."""
    app.extensions.setdefault(CORE_JOBS_KEY, []).append(job)


def periodic_jobs(app: Flask | None = None) -> list[ScheduledJob]:
    """The core's and every started plugin's periodic jobs (collected once per app; bad entries
    logged and skipped)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    cached = app.extensions.get("ragem.periodic_jobs")
    if cached is not None:
        return cached
    registry = app.extensions["ragem.plugins"]
    found: dict[str, ScheduledJob] = {
        f"{CORE}.{job.name}": ScheduledJob(CORE, f"{CORE}.{job.name}", job.every_seconds, job.func, job.at)
        for job in app.extensions.get(CORE_JOBS_KEY, ())
    }
    # Switched-off services are skipped at run time, not here: a toggle must not need a restart.
    for record, answer in registry.per_plugin("ragem_periodic_jobs", only_available=False):
        for job in answer or ():
            problem = _problem(job)
            name = f"{record.slug}.{getattr(job, 'name', '?')}"
            if problem is None and name in found:
                problem = "the name is used twice"
            if problem:
                log.error("periodic job %s skipped: %s", name, problem, extra={"plugin": record.name, "job": name})
                continue
            found[name] = ScheduledJob(record.slug, name, job.every_seconds, job.func, job.at)
    jobs = sorted(found.values(), key=lambda j: j.name)
    app.extensions["ragem.periodic_jobs"] = jobs
    return jobs


def run_periodic_now(name: str) -> Any:
    """Run the periodic job ``name`` once, now, outside its schedule (a retry of a failed run);
    call inside an app context."""
    jobs = {job.name: job for job in periodic_jobs()}
    if name not in jobs:
        raise LookupError(f"no periodic job {name!r} is registered")
    return jobs[name].func()


def _problem(job: Any) -> str | None:
    if not isinstance(job, PeriodicJob):
        return "ragem_periodic_jobs must return toolkit.PeriodicJob items"
    if not isinstance(job.name, str) or not job.name:
        return "a name is required"
    if isinstance(job.every_seconds, bool) or not isinstance(job.every_seconds, int) or job.every_seconds < 1:
        return "every_seconds must be a positive whole number"
    if not callable(job.func):
        return "func must be callable"
    if job.at is not None:
        if job.every_seconds % DAY_SECONDS:
            return "at (a WIB time of day) is only for jobs of a day or more"
        if not isinstance(job.at, str) or not _AT_PATTERN.match(job.at):
            return "at must be a WIB time of day, HH:MM"
    return None


def _epoch(now: datetime | float | None) -> float:
    if now is None:
        return datetime.now(timezone.utc).timestamp()
    if isinstance(now, datetime):
        return (now if now.tzinfo else now.replace(tzinfo=timezone.utc)).timestamp()
    return float(now)


def run_due_jobs(now: datetime | float | None = None) -> list[str]:
    """Run each periodic job whose current slot nobody has claimed yet; call inside an app context.

    :param now: the time to judge by (naive UTC or aware datetime, or epoch seconds); default now.
    :returns: the names of the jobs this call claimed and ran (failed ones included: they end in
        ``failed_job`` after their retries).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    epoch = _epoch(now)
    seen = app.extensions.setdefault("ragem.periodic_slots", {})  # job name -> last slot tried here
    ran = []
    for job in periodic_jobs(app):
        if job.slug != CORE and not is_available(job.slug):
            continue  # an admin switched the service off: its schedule pauses with it
        slot = job.slot(epoch)
        if seen.get(job.name) == slot:
            continue  # this process already saw the slot taken: spare the database a doomed insert
        claimed = _claim(job.name, slot)  # a database error propagates: the next tick tries again
        seen[job.name] = slot
        if not claimed:
            continue
        ok = run_with_retries(app, job.name, job.func, replay=replay_of_periodic(job.name))
        db.session.execute(
            update(JobRun).where(JobRun.name == job.name, JobRun.slot == slot).values(finished_at=utcnow(), ok=ok)
        )
        db.session.commit()
        ran.append(job.name)
    return ran


def _claim(name: str, slot: int) -> bool:
    """Insert ``(name, slot)`` into ``job_run``; ``False`` when another worker was first."""
    db.session.add(JobRun(name=name, slot=slot))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    db.session.execute(delete(JobRun).where(JobRun.name == name, JobRun.slot < slot - KEEP_SLOTS))
    db.session.commit()
    return True


class SchedulerThread(threading.Thread):
    """A daemon thread calling ``run_due_jobs`` every few seconds, each tick in its own app context."""

    def __init__(self, app: Flask, tick: float = TICK_SECONDS):
        super().__init__(name="ragem-scheduler", daemon=True)
        self.app = app
        self.tick = tick
        self.stopping = threading.Event()

    def run(self) -> None:
        """Tick until ``stop``; a failing tick is logged and the next one tries again."""
        while not self.stopping.is_set():
            try:
                with self.app.app_context():
                    run_due_jobs()
            except Exception:  # noqa: BLE001 - the scheduler must outlive any one bad tick
                log.exception("scheduler tick failed")
            self.stopping.wait(self.tick)

    def stop(self, timeout: float | None = None) -> None:
        """Ask the thread to finish after its current tick and wait for it."""
        self.stopping.set()
        if self.is_alive():
            self.join(timeout)


def start_scheduler(app: Flask) -> SchedulerThread:
    """Start this process's scheduler thread for ``app`` once (later calls return the same thread)."""
    with _start_lock:
        current = app.extensions.get("ragem.scheduler")
        if current is not None and current[0] == os.getpid() and current[1].is_alive():
            return current[1]
        thread = SchedulerThread(app)
        app.extensions["ragem.scheduler"] = (os.getpid(), thread)
        thread.start()
        return thread


def scheduler_thread(app: Flask) -> SchedulerThread | None:
    """The running scheduler thread of ``app`` in this process, if any."""
    current = app.extensions.get("ragem.scheduler")
    if current is None or current[0] != os.getpid() or not current[1].is_alive():
        return None
    return current[1]


def install_lazy_start(app: Flask) -> None:
    """Start the scheduler on the app's first request when the settings want it in web processes."""
    if not scheduler_enabled(app.config["RAGEM"]):
        return

    @app.before_request
    def _start_scheduler_once():
        if scheduler_thread(app) is None:
            start_scheduler(app)
