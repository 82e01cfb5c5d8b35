"""``ragem migrate-to``: move this installation's rows and files onto another database and storage."""
from __future__ import annotations

import click

from ragem.cli import build_app
from ragem.cli.errors import describe_database


@click.command("migrate-to")
@click.option("--database-url", required=True, metavar="URL",
              help="the new, empty database (postgresql+psycopg://user@host/db)")
@click.option("--storage-url", default=None, metavar="s3://BUCKET/PREFIX",
              help="the object store for the files (its address and keys come from RAGEM_S3_*); "
                   "without it the files stay where they are")
def migrate_to(database_url, storage_url):
    """Copy every row and every uploaded file of this installation (as configured now, e.g. the
    embedded SQLite and local folder) into a new database and object store. The source is only read;
    the target's schema is migrated and must hold no data. Keep RAGEM_DATA_KEY, RAGEM_SECRET_KEY and
    the JWT key the same on the new servers: personal data and tokens depend on them."""
    from ragem.app import create_app
    from ragem.config import ConfigError
    from ragem.migrate import MigrationError
    from ragem.relocate import RelocationError, relocate

    source = build_app()
    settings = source.config["RAGEM"]
    if database_url == settings["DATABASE_URL"]:
        raise click.ClickException("--database-url names the database this installation already uses")
    overrides = {"DATABASE_URL": database_url, "SCHEDULER": False}
    if storage_url:
        overrides["STORAGE_URL"] = storage_url
    try:
        # The same secrets as the source (this process's settings): sealed data is read and written alike.
        target = create_app({**{name: settings[name] for name in ("SECRET_KEY", "DATA_KEY", "INSTANCE_PATH")},
                             **overrides})
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"from {describe_database(settings['DATABASE_URL'])}")
    click.echo(f"to   {describe_database(database_url)}" + (f", files to {storage_url}" if storage_url else ""))
    try:
        report = relocate(source, target, echo=click.echo)
    except (RelocationError, MigrationError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"done: {sum(report.rows.values())} rows in {len(report.rows)} tables, {report.files} files")
    if report.missing_files:
        click.echo(f"warning: {len(report.missing_files)} file records had no bytes in the source storage "
                   f"(not copied): {', '.join(report.missing_files[:10])}", err=True)


commands = [migrate_to]
