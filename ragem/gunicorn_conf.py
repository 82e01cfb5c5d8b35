"""gunicorn hooks for RAGEM: ``gunicorn -c python:ragem.gunicorn_conf wsgi:app`` (``ragem serve`` uses it).

gunicorn reads the module-level names below as its settings; keep every other name private.
"""
from __future__ import annotations

import gc
import os
import signal

graceful_timeout = 10


def when_ready(server) -> None:
    """Make Ctrl-C (SIGINT) a graceful stop, like SIGTERM.

    gunicorn treats SIGINT as a quick shutdown that cuts answers off mid-write; a person pressing
    Ctrl-C on ``ragem serve`` should let the requests in flight finish.
    """
    server.handle_int = server.handle_term


def post_worker_init(worker) -> None:
    """Workers ignore SIGINT: Ctrl-C reaches the whole terminal process group, and the master's
    SIGTERM then ends each worker after its current request.

    Where this process runs periodic jobs (the embedded default), the scheduler starts now, with
    the worker, rather than on the first request: escalations must not wait for someone to call.

    Last, the objects the app was built from are frozen out of the garbage collector (see
    ``freeze_startup_objects``).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    app = getattr(worker, "wsgi", None)
    config = getattr(app, "config", None)
    if config is not None and "RAGEM" in config:
        from ragem.jobs.scheduler import scheduler_enabled, start_scheduler

        if scheduler_enabled(config["RAGEM"]):
            start_scheduler(app)
    freeze_startup_objects()


def freeze_startup_objects() -> None:
    """Move every object alive now (the app, its plugins, schemas, routes and mappers: about a
    quarter of a million) to the collector's permanent generation.

    They live as long as the worker, yet each full collection walked them all: 140-180 ms in which
    the worker answered nothing. A new worker meets its first one within its first minutes of
    traffic (in a benchmark run, the slowest 1% of answers), later ones come whenever enough new
    objects have survived. Frozen, they are never scanned again (a full collection then takes
    under a millisecond: ``python bench/wifi_profile.py --gc-pauses 20000``); what requests create
    is still collected as before.
    """
    gc.collect()  # what start-up left as garbage goes now rather than being frozen with the rest
    gc.freeze()


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges from the multiprocess metrics (see ``ragem.health.metrics``)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
