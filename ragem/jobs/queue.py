"""``enqueue``: run a function in the background, retried on failure, never silently dropped.

Three modes, chosen from the settings:

- ``RAGEM_JOBS_INLINE=true`` (the tests): at once, in the caller's thread, up to three tries;
  a failure never reaches the caller.
- no ``RAGEM_REDIS_URL`` (the embedded default): in a small thread pool inside the process, up
  to three tries with back-off (``RAGEM_JOBS_RETRY_DELAYS``). Nothing extra to run.
- ``RAGEM_REDIS_URL`` set: an RQ queue (``RAGEM_JOBS_QUEUE``, default ``ragem``) served by
  ``ragem worker`` on any host, with ``Retry`` and a failure callback.

A job enqueued while the caller's transaction holds unsaved or uncommitted writes waits for the
commit: the job then sees the rows its caller wrote (a worker on another connection could not see
them before, and on SQLite it would wait for the caller's write lock). When that transaction rolls
back, the job is discarded with a warning, because what it was meant to act on never happened.
"""
from __future__ import annotations

import logging
import os
import pickle
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ragem.extensions import db
from ragem.jobs.runner import (
    MAX_ATTEMPTS,
    describe_args,
    job_path,
    on_rq_failure,
    replay_of_call,
    resolve,
    run_job,
    run_with_retries,
)

log = logging.getLogger("ragem.jobs")

INLINE, THREADS, RQ = "inline", "threads", "rq"
THREAD_WORKERS = 2
FAILED_JOB_TTL = 7 * 24 * 3600  # seconds RQ keeps a failed job in its own registry

_PENDING = "ragem.jobs.pending"  # session.info keys
_WROTE = "ragem.jobs.wrote"
_COMMITTED = "ragem.jobs.committed"
_lock = threading.Lock()


@dataclass
class QueuedJob:
    """One call to run later: the function's dotted path and its arguments."""

    path: str
    args: tuple
    kwargs: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # How a failure is recorded, when not by path and arguments (a periodic job run out of turn
    # keeps its own name, so its failures stay together).
    name: str | None = None
    replay: str | None = None

    def call(self) -> Any:
        """Run the job's function once (resolved by path, as a worker on another host would)."""
        return resolve(self.path)(*self.args, **self.kwargs)


def jobs_mode(settings: dict[str, Any]) -> str:
    """``inline``, ``threads`` or ``rq`` for these settings."""
    if settings.get("JOBS_INLINE"):
        return INLINE
    return RQ if settings.get("REDIS_URL") else THREADS


def enqueue(func: Callable, *args: Any, **kwargs: Any) -> str:
    """Run ``func(*args, **kwargs)`` in the background; returns the job id.

    ``func`` must be a module-level function and the arguments picklable (pass ids, not ORM
    objects): a worker on another host imports the function by path and unpickles the arguments.
    The job runs in its own app context and database session, committed when it returns.
    :raises TypeError: ``func`` cannot be found by path, or the arguments cannot be pickled.
    :raises RuntimeError: called outside an app context.
    """
    path = job_path(func)
    try:
        pickle.dumps((args, kwargs))
    except Exception as exc:  # noqa: BLE001 - pickling raises many kinds of errors
        raise TypeError(f"the arguments of job {path} cannot be pickled: {exc}") from None
    if not has_app_context():
        raise RuntimeError("enqueue needs an app context (inside a request, a job, or app.app_context())")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    job = QueuedJob(path=path, args=tuple(args), kwargs=dict(kwargs))
    session = db.session()
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        session.info.setdefault(_PENDING, []).append((app, job))
    else:
        dispatch(app, job)
    return job.id


def dispatch(app: Flask, job: QueuedJob) -> None:
    """Hand ``job`` to this app's job runner now (inline, thread pool or RQ)."""
    settings = app.config["RAGEM"]
    mode = jobs_mode(settings)
    args_repr = describe_args(job.args, job.kwargs)
    name = job.name or job.path
    replay = job.replay or replay_of_call(job.path, job.args, job.kwargs)
    if mode == INLINE:
        run_with_retries(app, name, job.call, args_repr=args_repr, replay=replay)
        return
    if mode == RQ:
        try:
            _enqueue_rq(app, job)
            return
        except Exception:  # noqa: BLE001 - Redis down: run here rather than lose the job
            log.exception("job queue unreachable; running job %s in-process", job.path, extra={"job": job.path})
    _submit(app, job, name, args_repr, settings.get("JOBS_RETRY_DELAYS") or (), replay)


# -- in-process threads ------------------------------------------------------------------------

def _submit(app: Flask, job: QueuedJob, name: str, args_repr: str, delays, replay: str | None = None) -> None:
    """Run ``job`` on this process's thread pool (created on first use, after any fork)."""
    with _lock:
        state = app.extensions.get("ragem.jobs.executor")
        if state is None or state[0] != os.getpid():
            executor = ThreadPoolExecutor(max_workers=THREAD_WORKERS, thread_name_prefix="ragem-job")
            state = (os.getpid(), executor, set())
            app.extensions["ragem.jobs.executor"] = state
        _pid, executor, futures = state
        future = executor.submit(run_with_retries, app, name, job.call, args_repr=args_repr, delays=tuple(delays),
                                 replay=replay)
        futures.add(future)
    future.add_done_callback(lambda done: _forget(futures, done))


def _forget(futures: set, future: Future) -> None:
    with _lock:
        futures.discard(future)


def drain(app: Flask | None = None, timeout: float | None = None) -> bool:
    """Wait until the in-process jobs submitted so far (and their retries) are done.

    :returns: ``False`` when ``timeout`` seconds passed first.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.get("ragem.jobs.executor")
    if state is None:
        return True
    with _lock:
        pending = set(state[2])
    _done, not_done = wait(pending, timeout=timeout)
    return not not_done


# -- RQ ------------------------------------------------------------------------------------

def rq_queue(app: Flask):
    """This app's RQ queue (one Redis connection pool per app and process; connects lazily)."""
    from redis import Redis
    from rq import Queue

    settings = app.config["RAGEM"]
    with _lock:
        state = app.extensions.get("ragem.jobs.rq")
        if state is None or state[0] != os.getpid():
            connection = Redis.from_url(settings["REDIS_URL"])
            state = (os.getpid(), Queue(settings.get("JOBS_QUEUE") or "ragem", connection=connection))
            app.extensions["ragem.jobs.rq"] = state
    return state[1]


def _enqueue_rq(app: Flask, job: QueuedJob) -> None:
    from rq import Callback, Retry

    delays = list(app.config["RAGEM"].get("JOBS_RETRY_DELAYS") or [0])
    rq_queue(app).enqueue(
        run_job, job.path, job.args, job.kwargs,
        job_id=job.id,
        description=job.path,
        retry=Retry(max=MAX_ATTEMPTS - 1, interval=delays),
        on_failure=Callback(on_rq_failure),
        failure_ttl=FAILED_JOB_TTL,
    )


# -- waiting for the caller's commit -----------------------------------------------------------

@event.listens_for(Session, "after_flush")
def _note_write(session, _flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_commit")
def _note_commit(session) -> None:
    if not session.in_nested_transaction():  # a released savepoint is not the caller's commit
        session.info[_COMMITTED] = True


@event.listens_for(Session, "after_transaction_end")
def _release_pending(session, transaction) -> None:
    if transaction.parent is not None:
        return
    pending = session.info.pop(_PENDING, None)
    committed = session.info.pop(_COMMITTED, False)
    session.info.pop(_WROTE, None)
    for app, job in pending or ():
        if committed:
            dispatch(app, job)
        else:
            log.warning(
                "job %s discarded: the transaction that enqueued it was rolled back", job.path,
                extra={"job": job.path},
            )
