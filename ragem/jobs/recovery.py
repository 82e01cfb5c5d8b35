"""Jobs a killed worker was running go back on the queue within seconds, not minutes.

RQ notices a job whose worker died (SIGKILL, out of memory, a host lost) only once the job's entry
in its started-job registry expires: its timeout plus a minute (four minutes by default), and then
only when some worker next cleans its registries (every ten minutes). Until then the job is
neither run nor failed.

So each ``ragem worker`` keeps a short-lived key in Redis while it lives (renewed every
``BEAT_SECONDS``, gone ``ALIVE_SECONDS`` after its last renewal), and every worker looks, on start
and then every ``BEAT_SECONDS``, for started jobs whose worker has no such key: those are put back
on the queue, to run again from the start. A job is therefore run at least once; a job that writes
its effect in one transaction (as RAGEM's jobs do, committed when they return) takes effect once,
because the killed attempt never committed. A job the dead worker had finished is left alone.
"""
from __future__ import annotations

import logging
import threading

from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

log = logging.getLogger("ragem.jobs")

#: A worker is taken for dead this long after its last sign of life.
ALIVE_SECONDS = 10
#: How often a worker shows it lives and looks for orphaned jobs.
BEAT_SECONDS = 2
ALIVE_KEY = "ragem:worker-alive:{name}"


def mark_alive(connection, worker_name: str) -> None:
    """Renew this worker's sign of life."""
    connection.set(ALIVE_KEY.format(name=worker_name), b"1", ex=ALIVE_SECONDS)


def requeue_orphans(queue) -> list[str]:
    """Put back on ``queue`` every started job whose worker shows no sign of life; their ids."""
    connection = queue.connection
    registry = StartedJobRegistry(queue=queue)
    requeued = []
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        try:
            execution = Execution.fetch(id=execution_id, job_id=job_id, connection=connection)
        except Exception:  # noqa: BLE001 - the execution's record expired: RQ's own clean-up has it
            continue
        if not execution.worker_name or connection.exists(ALIVE_KEY.format(name=execution.worker_name)):
            continue
        try:
            job = Job.fetch(job_id, connection=connection)
        except Exception:  # noqa: BLE001 - the job itself is gone (deleted): only the entry remains
            registry.remove_execution(execution)
            continue
        # Only one worker may take an orphan back: the first to remove its registry entry.
        if not connection.zrem(registry.key, execution.composite_key):
            continue
        if job.get_status(refresh=True) != JobStatus.STARTED:
            continue  # finished or failed before its worker died: nothing to run again
        queue.enqueue_job(job, at_front=True)
        log.warning("job %s of dead worker %s put back on the queue", job.description, execution.worker_name,
                    extra={"job": job.description, "worker": execution.worker_name})
        requeued.append(job_id)
    return requeued


class LifeSigns(threading.Thread):
    """A daemon thread of ``ragem worker``: renews its sign of life and takes back orphaned jobs."""

    def __init__(self, queue, worker_name: str):
        """For the worker ``worker_name`` serving ``queue``; call ``start()``."""
        super().__init__(name="ragem-worker-life", daemon=True)
        self.queue = queue
        self.worker_name = worker_name
        self._stop_event = threading.Event()

    def beat(self) -> None:
        """One round: renew the key, then requeue what dead workers left."""
        mark_alive(self.queue.connection, self.worker_name)
        requeue_orphans(self.queue)

    def run(self) -> None:
        """Beat every ``BEAT_SECONDS`` until stopped; a Redis error is logged and tried again."""
        while not self._stop_event.wait(BEAT_SECONDS):
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - Redis away for a moment: the next beat tries again
                log.exception("worker sign of life failed")

    def stop(self) -> None:
        """Stop beating and remove the sign of life (a clean exit is not a death)."""
        self._stop_event.set()
        try:
            self.queue.connection.delete(ALIVE_KEY.format(name=self.worker_name))
        except Exception:  # noqa: BLE001 - leaving it to expire is fine too
            pass
