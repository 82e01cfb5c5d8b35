"""``ragem dev ...``: helpers for developers, refused in production."""
from __future__ import annotations

import click

from ragem import cli
from ragem.cli.errors import describe_database
from ragem.timeutil import isoformat_z


@click.group("dev")
def dev():
    """Developer helpers (refused when RAGEM_ENV=production)."""


@dev.command("outbox")
@click.option("--limit", type=click.IntRange(1, 500), default=20, show_default=True, help="how many messages")
def outbox(limit):
    """Print the newest SMS/WhatsApp/push messages that no gateway took (one-time codes included)."""
    from ragem.notifications.outbox import latest

    app = cli.build_app(read_only=True)
    if app.config["RAGEM"]["ENV"] == "production":
        raise click.ClickException("ragem dev outbox is refused in production (messages may hold one-time codes)")
    click.echo(f"database: {describe_database(app.config['SQLALCHEMY_DATABASE_URI'])}")
    with app.app_context():
        messages = latest(limit)
        if not messages:
            click.echo("the outbox is empty")
        for message in messages:
            click.echo(
                f"{isoformat_z(message.created_at)} {message.channel:<8} {message.recipient} "
                f"[{message.purpose or '-'}]"
            )
            for line in message.body.splitlines() or [""]:
                click.echo(f"    {line}")


commands = [dev]
