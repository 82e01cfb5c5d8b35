"""``ragem serve``: the API under gunicorn on whatever is configured (embedded SQLite by default)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import click

from ragem.cli.errors import describe_database
from ragem.private_paths import private_folder

DEFAULT_BIND = "127.0.0.1:5000"
DEFAULT_WORKERS = 2
METRICS_FOLDER = "prometheus"


def migrate(app) -> None:
    """Bring the schema to the latest revision of the core's and every plugin's history."""
    from ragem.migrate import MigrationError, upgrade_all

    try:
        upgrade_all(app)
    except MigrationError as exc:
        raise click.ClickException(f"migration failed: {exc}") from None


def configured_app():
    """The app from the environment; a bad setting is a one-line error, not a traceback."""
    from ragem.cli import build_app
    from ragem.config import ConfigError

    try:
        return build_app()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def prepare_database(app, *, demo: bool) -> list[dict]:
    """Migrate, load the reference data and (with ``demo``) the demo data; returns the demo log-ins."""
    from ragem.database import ReferenceDataError, seed_reference
    from ragem.demo import DemoRefused, check_allowed, load_demo
    from ragem.extensions import db

    try:
        if demo:
            check_allowed(app)  # before migrating: a refused demo leaves the database untouched
        migrate(app)
        with app.app_context():
            seed_reference()
            logins = load_demo() if demo else []
            db.session.remove()
            db.engine.dispose()  # no connection may outlive this process into gunicorn's workers
    except (DemoRefused, ReferenceDataError) as exc:
        raise click.ClickException(str(exc)) from None
    return logins


def echo_logins(logins: list[dict]) -> None:
    """Print the demo log-ins as a table."""
    if not logins:
        return
    click.echo(f"\nDemo log-ins (password for every account: {logins[0]['password']}):")
    for login in logins:
        label = f"{login['role']} {login['opd']}" if login.get("opd") else login["role"]
        click.echo(f"  {login['key']:<22} {label:<20} {login['phone']:<16} {login['name']}")


def _metrics_folder(instance: Path) -> Path:
    """A fresh folder for prometheus_client's multiprocess files, one per server process.

    Named after this process, whose pid gunicorn's master keeps after ``exec``; folders of
    servers that are no longer running are removed, so restarts never add up stale samples.
    """
    parent = private_folder(instance / METRICS_FOLDER)
    for folder in parent.iterdir():
        if folder.name.isdigit() and not _running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)
    folder = parent / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    return folder


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@click.command("serve")
@click.option("--bind", default=DEFAULT_BIND, show_default=True, metavar="HOST:PORT",
              help="address gunicorn listens on")
@click.option("--workers", default=DEFAULT_WORKERS, show_default=True, type=click.IntRange(min=1),
              help="gunicorn worker processes")
@click.option("--demo", is_flag=True, help="also load the demo data and print the demo log-ins")
def serve(bind, workers, demo):
    """Migrate the database, load reference (and demo) data, then serve the API under gunicorn."""
    from ragem.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    instance = private_folder(settings["INSTANCE_PATH"])
    # Set before any app exists: prometheus_client picks its multiprocess mode when first used.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_folder(instance))

    logins = prepare_database(configured_app(), demo=demo)
    echo_logins(logins)
    base = f"http://{bind}" if not bind.startswith(("unix:", "fd://")) else bind
    click.echo(f"\nRAGEM API      {base}/api/v1/services")
    click.echo(f"API docs       {base}/api/docs")
    click.echo(f"OpenAPI        {base}/openapi.yaml")
    click.echo(f"Health         {base}/healthz   readiness {base}/readyz")
    click.echo(f"Metrics        {base}/metrics")
    click.echo(f"Database       {describe_database(settings['DATABASE_URL'])}")
    if settings["ENV"] != "production":
        click.echo("SMS codes      no SMS leaves this machine: `ragem dev outbox` prints the one-time codes")
    click.echo("Stop with Ctrl-C.\n", nl=True)
    sys.stdout.flush()
    sys.stderr.flush()
    # exec: gunicorn's master replaces this process, so Ctrl-C and SIGTERM reach it directly and
    # it shuts its workers down; each worker builds its own app after the fork.
    argv = gunicorn_argv(bind, workers)
    os.execvp(argv[0], argv)


def gunicorn_argv(bind: str, workers: int, *options: str) -> list[str]:
    """The command that runs gunicorn serving RAGEM (``options`` go before the app)."""
    from gunicorn.config import KNOWN_SETTINGS

    argv = [
        sys.executable, "-m", "gunicorn", "--config", "python:ragem.gunicorn_conf",
        "--bind", bind, "--workers", str(workers),
    ]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        # gunicorn >= 25.1 opens a control socket at one path per user: two servers on one machine
        # would take it from each other, and RAGEM has no use for it.
        argv.append("--no-control-socket")
    return [*argv, *options, "ragem.app:create_app()"]


commands = [serve]
