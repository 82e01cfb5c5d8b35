"""``ragem messages send-test``: check a message gateway's settings by sending one text."""
from __future__ import annotations

import click

from ragem import cli


@click.group("messages")
def messages():
    """Message gateways (SMS, WhatsApp, push)."""


@messages.command("send-test")
@click.option("--channel", type=click.Choice(["sms", "whatsapp", "push"]), default="sms", show_default=True,
              help="the gateway to try")
@click.argument("recipient")
def send_test(channel, recipient):
    """Send a test message to RECIPIENT (a phone number; for push, an account id) through the gateway
    of --channel only, and print what the provider answered. Exits 1 when it was not accepted."""
    from ragem.auth.identifiers import normalise_phone
    from ragem.errors import ApiError
    from ragem.messaging.dispatch import send_test as send

    app = cli.build_app()
    with app.app_context():
        to = recipient
        if channel != "push":
            try:
                to = normalise_phone(recipient)
            except ApiError:
                raise click.BadParameter("an Indonesian mobile number such as +6281234567890",
                                         param_hint="RECIPIENT") from None
        attempt = send(channel, to)
        if attempt is None:
            raise click.ClickException(
                f"no gateway takes {channel}: set its RAGEM_* settings (docs/messaging.md) and restart")
        click.echo(f"provider: {attempt.provider}")
        click.echo(f"status: {attempt.status}")
        click.echo(f"provider message id: {attempt.provider_message_id or '-'}")
        click.echo(f"attempt: {attempt.id} (GET /api/v1/admin/messages/attempts)")
        if attempt.status == "failed":
            raise click.ClickException(f"not accepted: {attempt.error}")


commands = [messages]
