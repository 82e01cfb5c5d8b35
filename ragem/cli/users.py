"""``ragem users create``: verified accounts for operators and tests."""
from __future__ import annotations

import click

from ragem.cli import build_app


@click.group("users")
def users():
    """Manage accounts."""


@users.command("create")
@click.option("--name", required=True)
@click.option("--phone", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(["citizen", "officer", "admin"]), default="citizen")
@click.option("--opd", help="OPD code (officers)")
@click.option("--email")
def create(name, phone, password, role, opd, email):
    """Create a verified account."""
    from ragem.auth.service import create_user
    from ragem.errors import ApiError
    from ragem.extensions import db

    app = build_app()
    with app.app_context():
        try:
            user = create_user(name=name, phone=phone, password=password, roles=(role,), opd_code=opd, email=email)
            db.session.commit()
        except ApiError as exc:
            raise click.ClickException(f"{exc.code}: {exc.details}") from None
        click.echo(f"created {user.id} ({role}) {user.phone}")


commands = [users]
