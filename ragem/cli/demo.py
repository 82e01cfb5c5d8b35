"""``ragem demo load``: demo accounts and every service's demo data, in the configured database."""
from __future__ import annotations

import click


@click.group("demo")
def demo():
    """Demo data for trying RAGEM out (refused when RAGEM_ENV=production)."""


@demo.command("load")
def load():
    """Migrate, then load the demo data (running it again changes nothing) and print the log-ins."""
    from ragem.cli.serve import configured_app, echo_logins, prepare_database

    echo_logins(prepare_database(configured_app(), demo=True))


commands = [demo]
