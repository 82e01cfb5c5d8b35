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
    SimpleWorker): the app is built once and the scheduler thread is never forked. A job whose
    worker was killed goes back on the queue within seconds (ragem.jobs.recovery).
    """
    from rq import SimpleWorker

    from ragem.jobs.queue import rq_queue
    from ragem.jobs.recovery import LifeSigns
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
    rq_worker = SimpleWorker([queue], connection=queue.connection)
    life = LifeSigns(queue, rq_worker.name)
    try:
        life.beat()  # alive before the first job, and what dead workers left goes back on the queue
        life.start()  # also in burst mode: a long job must not look orphaned to other workers
        if burst:
            with app.app_context():
                run_due_jobs()
        else:
            scheduler = start_scheduler(app)
        click.echo(f"worker on queue {queue.name!r}" + (" (burst)" if burst else ""))
        # with_scheduler: RQ moves retries whose back-off has elapsed back into the queue.
        rq_worker.work(burst=burst, with_scheduler=True)
    finally:
        life.stop()
        if scheduler is not None:
            scheduler.stop(timeout=10)
        set_worker_app(None)


commands = [worker]
