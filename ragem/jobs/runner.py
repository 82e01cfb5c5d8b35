"""Running one job: find its function by dotted path, run it in an app context, retry, record failure.

Every mode (inline, in-process threads, RQ workers, the periodic scheduler) runs a job through
``run_attempt``: a fresh app context, hence a fresh database session that is committed when the
job returns and rolled back when it raises. A job that fails on its last try is logged (logger
``ragem.jobs``) and stored in ``failed_job`` by ``record_failure``: never silently dropped.
"""
from __future__ import annotations

import importlib
import json
import logging
import time
import traceback
from typing import Any, Callable, Sequence

from flask import Flask, current_app, has_app_context

from ragem import cli
from ragem.extensions import db
from ragem.jobs.models import FailedJob

log = logging.getLogger("ragem.jobs")

#: Tries per job, the first included (RQ: ``Retry(max=MAX_ATTEMPTS - 1)``).
MAX_ATTEMPTS = 3
ARGS_REPR_LIMIT = 1000
ERROR_LIMIT = 8000

# The app of an RQ worker process (``ragem worker`` sets it; built on first use otherwise).
_worker_app: Flask | None = None


def job_path(func: Callable) -> str:
    """The importable ``module:qualname`` of ``func``.

    A worker on another host finds the function again from this path, so only module-level
    functions (and class/static methods of module-level classes) qualify.
    :raises TypeError: for lambdas, closures, nested functions, bound methods, partials.
    """
    module = getattr(func, "__module__", None)
    qualname = getattr(func, "__qualname__", None)
    if not callable(func) or not module or not qualname or "<" in qualname or module == "__main__":
        raise TypeError(
            f"enqueue needs a module-level function, got {func!r}: lambdas, closures, nested "
            "functions and functions defined in __main__ cannot be found again by a worker"
        )
    path = f"{module}:{qualname}"
    try:
        found = resolve(path)
    except (ImportError, AttributeError):
        found = None
    if found is not func and found != func:
        raise TypeError(
            f"enqueue needs a module-level function: {path} does not lead back to {func!r} "
            "(bound methods and decorated copies cannot be found again by a worker)"
        )
    return path


def resolve(path: str) -> Callable:
    """The function named by a ``module:qualname`` path."""
    module_name, _, qualname = path.partition(":")
    target: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def replay_of_call(path: str, args: Sequence[Any], kwargs: dict[str, Any]) -> str | None:
    """The ``failed_job.replay`` of a queued call: JSON of its path and arguments, or ``None`` when
    the arguments are not JSON (enqueue asks for ids and texts; anything else cannot be replayed)."""
    try:
        return json.dumps({"path": path, "args": list(args), "kwargs": dict(kwargs)})
    except (TypeError, ValueError):
        return None


def replay_of_periodic(name: str) -> str:
    """The ``failed_job.replay`` of a periodic job: its platform-wide name."""
    return json.dumps({"periodic": name})


def describe_args(args: Sequence[Any], kwargs: dict[str, Any]) -> str:
    """A short repr of a job's arguments for the failure record."""
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    text = "(" + ", ".join(parts) + ")"
    return text if len(text) <= ARGS_REPR_LIMIT else text[: ARGS_REPR_LIMIT - 1] + "…"


def retry_delay(delays: Sequence[int], attempt: int) -> int:
    """Seconds to wait after failed try number ``attempt`` (1-based); the last delay repeats."""
    if not delays:
        return 0
    return int(delays[min(attempt - 1, len(delays) - 1)])


def run_attempt(app: Flask, call: Callable[[], Any]) -> Any:
    """Run ``call`` once in a fresh app context: commit when it returns, roll back when it raises."""
    with app.app_context():
        try:
            result = call()
            db.session.commit()
            return result
        except BaseException:
            db.session.rollback()
            raise


def run_with_retries(
    app: Flask,
    name: str,
    call: Callable[[], Any],
    *,
    args_repr: str = "()",
    delays: Sequence[int] = (),
    sleep: Callable[[float], Any] = time.sleep,
    replay: str | None = None,
) -> bool:
    """Try ``call`` up to ``MAX_ATTEMPTS`` times, waiting ``delays`` between tries; never raises.

    :returns: ``True`` when a try succeeded, ``False`` when every try failed (then the failure is
        logged and recorded in ``failed_job``).
    """
    error = ""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            run_attempt(app, call)
            return True
        except Exception as exc:  # noqa: BLE001 - a job's failure must never reach its caller
            error = "".join(traceback.format_exception(exc))
            if attempt < MAX_ATTEMPTS:
                log.warning(
                    "job %s failed (try %d of %d), retrying: %s", name, attempt, MAX_ATTEMPTS, _summary(exc),
                    extra={"job": name, "attempt": attempt},
                )
                delay = retry_delay(delays, attempt)
                if delay:
                    sleep(delay)
    record_failure(app, name, args_repr=args_repr, error=error, attempts=MAX_ATTEMPTS, replay=replay)
    return False


def record_failure(app: Flask, name: str, *, args_repr: str, error: str, attempts: int,
                   replay: str | None = None) -> None:
    """Log a job's final failure and keep it in ``failed_job`` (logged even if the database is down)."""
    last_line = error.strip().splitlines()[-1] if error.strip() else "unknown error"
    log.error(
        "job %s failed after %d tries: %s", name, attempts, last_line,
        extra={"job": name, "attempts": attempts, "error": last_line},
    )
    try:
        with app.app_context():
            db.session.add(
                FailedJob(name=name[:255], args=args_repr, error=error[-ERROR_LIMIT:], attempts=attempts,
                          replay=replay)
            )
            db.session.commit()
    except Exception:  # noqa: BLE001 - the log line above is the record of last resort
        log.exception("could not store the failure of job %s", name, extra={"job": name})


def _summary(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# -- RQ entry points (imported by path inside the worker) --------------------------------------

def set_worker_app(app: Flask | None) -> None:
    """Make ``app`` the app RQ jobs of this process run in (``ragem worker`` calls this once)."""
    global _worker_app
    _worker_app = app


def job_app() -> Flask:
    """The app a queued job runs in: the current one, else this worker process's own."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        _worker_app = cli.build_app()
    return _worker_app


def run_job(path: str, args: Sequence[Any], kwargs: dict[str, Any]) -> None:
    """What RQ executes: the job ``path(*args, **kwargs)`` once, in an app context.

    RQ itself retries (``Retry``) and calls ``on_rq_failure`` after each failed try.
    """
    func = resolve(path)
    run_attempt(job_app(), lambda: func(*args, **kwargs))


def on_rq_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ failure callback: log a failed try; on the last one, record the job in ``failed_job``."""
    path, args, kwargs = job.args
    retries_left = job.retries_left or 0
    attempt = MAX_ATTEMPTS - retries_left
    if retries_left > 0:
        log.warning(
            "job %s failed (try %d of %d), retrying: %s: %s", path, attempt, MAX_ATTEMPTS,
            getattr(exc_type, "__name__", exc_type), exc_value, extra={"job": path, "attempt": attempt},
        )
        return
    error = "".join(traceback.format_exception(exc_type, exc_value, tb))
    record_failure(job_app(), path, args_repr=describe_args(args, kwargs), error=error, attempts=attempt,
                   replay=replay_of_call(path, args, kwargs))
