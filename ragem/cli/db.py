"""``ragem db upgrade|current|revision``: the database schema through Alembic migrations."""
from __future__ import annotations

import click

from ragem.cli import build_app
from ragem.cli.errors import describe_database


@click.group("db")
def db():
    """Database schema: one Alembic history for the core and one per plugin."""


@db.command("upgrade")
def upgrade():
    """Migrate the core, then every started plugin, to its latest revision."""
    from ragem.migrate import MigrationError, upgrade_all

    app = build_app()
    click.echo(f"database: {describe_database(app.config['SQLALCHEMY_DATABASE_URI'])}")
    try:
        applied = upgrade_all(app)
    except MigrationError as exc:
        for line in exc.applied:
            click.echo(f"applied {line}")
        raise click.ClickException(f"migration failed: {exc}") from None
    for line in applied:
        click.echo(f"applied {line}")
    if not applied:
        click.echo("nothing to apply: every history is at its head")
    load_reference_data(app)
    click.echo("reference data loaded (regions, OPDs, each service's own)")


def load_reference_data(app) -> None:
    """Load the core's and every plugin's reference data; a failure is a one-line error."""
    from ragem.database import ReferenceDataError, seed_reference
    from ragem.extensions import db as database

    with app.app_context():
        try:
            seed_reference()
        except ReferenceDataError as exc:
            raise click.ClickException(str(exc)) from None
        finally:
            database.session.remove()


@db.command("current")
def current():
    """Each history's revision in the database, and whether it is at the head."""
    from ragem.migrate import current as current_states

    for state in current_states(build_app(read_only=True)):
        revision = ",".join(state.current) or "(empty)"
        mark = "head" if state.up_to_date else f"behind: head is {','.join(state.heads) or '(none)'}"
        click.echo(f"{state.name:<12} {revision} ({mark})")


@db.command("revision")
@click.option("-m", "--message", required=True, help="what the revision changes")
@click.option("--plugin", "plugin", metavar="SLUG", help="write into this plugin's history instead of the core's")
@click.option("--autogenerate/--no-autogenerate", default=True, show_default=True,
              help="compare the models with the database (which must be at the head)")
@click.option("--rev-id", help="a fixed revision id instead of a random one")
def revision(message, plugin, autogenerate, rev_id):
    """Write a new revision file (core's versions folder, or the plugin's migrations folder)."""
    from ragem.migrate import MigrationError, revision as write_revision

    try:
        path = write_revision(build_app(), message, plugin=plugin, autogenerate=autogenerate, rev_id=rev_id)
    except MigrationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path}")


commands = [db]
