"""``ragem worker``: run queued jobs from Redis (RQ) and the periodic scheduler."""
from __future__ import annotations

import click

from ragem import cli


@click.command("worker")
@click.option("--burst", is_flag=True, help="run the jobs queued now and the periodic jobs due now, then exit")
def worker(burst):
    """Run background jobs from the Redis queue (needs RAGEM_REDIS_URL); also runs periodic jobs.

    Start as many as the load needs, on any host: each claims its jobs from Redis, and each
    periodic job still runs once per interval. Jobs run one at a time in this process (RQ's
    SimpleWorker): the app is built once and the scheduler thread is never forked.
    """
    from rq import SimpleWorker

    from ragem.jobs.queue import rq_queue
    from ragem.jobs.runner import set_worker_app
    from ragem.jobs.scheduler import run_due_jobs, start_scheduler

    app = cli.build_app()
    settings = app.config["RAGEM"]
    if not settings.get("REDIS_URL"):
        raise click.ClickException(
            "RAGEM_REDIS_URL is not set: without Redis, jobs run inside the web process and no worker is needed"
        )
    queue = rq_queue(app)
    set_worker_app(app)
    scheduler = None
    try:
        if burst:
            with app.app_context():
                run_due_jobs()
        else:
            scheduler = start_scheduler(app)
        click.echo(f"worker on queue {queue.name!r}" + (" (burst)" if burst else ""))
        # with_scheduler: RQ moves retries whose back-off has elapsed back into the queue.
        SimpleWorker([queue], connection=queue.connection).work(burst=burst, with_scheduler=True)
    finally:
        if scheduler is not None:
            scheduler.stop(timeout=10)
        set_worker_app(None)


commands = [worker]
