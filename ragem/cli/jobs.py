"""``ragem jobs failed|retry|dismiss``: background jobs that failed for good, from a shell."""
from __future__ import annotations

import click

from ragem.cli import build_app
from ragem.timeutil import isoformat_z


@click.group("jobs")
def jobs():
    """Background jobs that failed after their retries: list, retry, dismiss."""


@jobs.command("failed")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="how many, newest first")
@click.option("--name", help="only the failures of this job (rabeg.escalate, module:function)")
def failed(limit, name):
    """List the jobs that failed on their last try."""
    from ragem.jobs.admin import failed_jobs

    app = build_app(read_only=True)
    with app.app_context():
        rows, _cursor = failed_jobs(limit=limit, cursor=None, name=name)
        if not rows:
            click.echo("no failed jobs")
        for row in rows:
            retry = "retryable" if row.replay else "not retryable"
            last_line = (row.error.strip().splitlines() or ["?"])[-1]
            click.echo(f"{row.id:>6}  {isoformat_z(row.failed_at)}  {row.name}{row.args}  [{retry}]")
            click.echo(f"        {last_line[:200]}")


@jobs.command("retry")
@click.argument("job_id", type=int)
def retry(job_id):
    """Run a failed job again now (its record goes; a new one appears if it fails again)."""
    from ragem.jobs.admin import retry_failed
    from ragem.jobs.queue import drain

    app = build_app()
    with app.app_context():
        row = retry_failed(job_id)  # a refusal becomes a sentence in the ragem group
        if row is None:
            raise click.ClickException(f"there is no failed job {job_id}: `ragem jobs failed` lists them")
        drain(app)  # in-process runs finish before the command exits
    click.echo(f"{row.name}: retried (see `ragem jobs failed` if it failed again)")


@jobs.command("dismiss")
@click.argument("job_id", type=int)
def dismiss(job_id):
    """Forget a failure once it has been dealt with (audited)."""
    from ragem.jobs.admin import dismiss_failed

    app = build_app()
    with app.app_context():
        if not dismiss_failed(job_id):
            raise click.ClickException(f"there is no failed job {job_id}: `ragem jobs failed` lists them")
    click.echo(f"failed job {job_id} dismissed")


commands = [jobs]
