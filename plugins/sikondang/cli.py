"""``ragem sikondang import DATASET FILE``: load a table from the shell, with a progress bar.

The command runs the same check and load as an upload through the API (all or nothing, a new
revision), in the foreground, so an operator can load a file larger than a request may carry.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ragem import toolkit

from plugins.sikondang.access import find_dataset
from plugins.sikondang.models import ImportJob
from plugins.sikondang.services import imports


class _Bar:
    """A click progress bar opened once the number of rows is known."""

    def __init__(self):
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="checking rows", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@click.command("import")
@click.argument("dataset")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="publish the dataset once the table is loaded")
def import_table(dataset, path, publish):
    """Check the table in PATH (CSV or XLSX) against DATASET and load it as a new revision."""
    target = find_dataset(dataset)
    if target is None:
        raise click.ClickException(f"no dataset {dataset!r}")
    job = ImportJob(dataset_id=target.id, status="queued", filename=path.name[:200], content=path.read_bytes(), report={})
    toolkit.db.session.add(job)
    toolkit.db.session.commit()
    bar = _Bar()
    try:
        status = imports.run_import(job.id, progress=bar)
    finally:
        bar.close()
    job = toolkit.db.session.get(ImportJob, job.id)
    if status != "succeeded":
        report = job.report
        click.echo(f"refused: {report.get('summary')}", err=True)
        for error in report.get("errors", [])[:50]:
            where = f"row {error['row']}" if error.get("row") else "file"
            column = f", {error['column']}" if error.get("column") else ""
            click.echo(f"  {where}{column}: {error['reason']}", err=True)
        if report.get("error_count", 0) > 50:
            click.echo(f"  ... {report['error_count'] - 50} more", err=True)
        raise click.exceptions.Exit(1)
    changes = job.report.get("changes", {})
    click.echo(f"{target.name}: revision {job.revision_number}, {job.rows_total} rows "
               f"({changes.get('added', 0)} added, {changes.get('changed', 0)} changed, {changes.get('removed', 0)} removed)")
    if publish and target.state != "published":
        target.state, target.published_at = "published", toolkit.utcnow()
        toolkit.audit("sikondang.dataset.update", "sikondang_dataset", str(target.id), after={"state": "published"})
        toolkit.db.session.commit()
        click.echo(f"{target.name}: published")


commands = [import_table]
