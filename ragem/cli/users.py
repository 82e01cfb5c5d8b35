"""``ragem users create``: verified accounts for operators and tests."""
from __future__ import annotations

import click

from ragem import cli


def _explain(exc) -> str:
    """One line for an operator: the code, the message in both languages, and the details."""
    from ragem.i18n import message

    text = exc.message
    if isinstance(text, dict):
        text = " / ".join(t for t in (text.get("id"), text.get("en")) if t)
    elif text is None:
        text = f"{message(exc.code, 'id')} / {message(exc.code, 'en')}"
    details = f" {exc.details}" if exc.details else ""
    return f"{exc.code}: {text}{details}"


@click.group("users")
def users():
    """Manage accounts."""


@users.command("create")
@click.option("--name", required=True)
@click.option("--phone", required=True, help="Indonesian mobile number (0812..., +62812...)")
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(["citizen", "officer", "admin"]), default="citizen", show_default=True)
@click.option("--opd", help="code of an active OPD (required for officers)")
@click.option("--nik", help="16-digit NIK (birth date and sex are taken from it)")
@click.option("--email")
def create(name, phone, password, role, opd, nik, email):
    """Create a verified account (the password policy applies; the phone needs no code)."""
    from ragem.auth.nik import parse_nik
    from ragem.auth.passwords import check_password_policy
    from ragem.auth.accounts import create_user
    from ragem.auth.identifiers import normalise_phone
    from ragem.errors import ApiError
    from ragem.extensions import db
    from ragem.opds.service import opd_exists

    app = cli.build_app()
    with app.app_context():
        try:
            if role == "officer" and not opd:
                raise click.ClickException("an officer needs --opd CODE (see GET /api/v1/opds)")
            if opd and role != "officer":
                raise click.ClickException("--opd is only for officers")
            if opd and not opd_exists(opd, active_only=True):
                raise click.ClickException(f"no active OPD has the code {opd!r} (see GET /api/v1/opds)")
            e164 = normalise_phone(phone)
            facts = parse_nik(nik) if nik else None
            check_password_policy(password, name=name, phone=e164, nik=facts.number if facts else None)
            user = create_user(name=name, phone=e164, password=password, roles=(role,), opd_code=opd,
                               email=email, nik=facts.number if facts else None)
            db.session.commit()
        except ApiError as exc:
            db.session.rollback()
            raise click.ClickException(_explain(exc)) from None
        nik_note = f", NIK {user.nik_masked}" if user.nik_masked else ""
        click.echo(f"created {user.id} ({role}{', ' + opd if opd else ''}) {user.phone}{nik_note}")


commands = [users]
