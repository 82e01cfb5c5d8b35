"""``ragem services enable|disable SLUG --reason TEXT``: the admin switch from a shell."""
from __future__ import annotations

import click

from ragem.cli import build_app


def _toggle(slug: str, enabled: bool, reason: str, message_id: str | None, message_en: str | None, confirm: bool):
    from ragem.catalog.service import set_service_state

    app = build_app()
    message = {"id": message_id, "en": message_en or message_id} if message_id else None
    with app.app_context():
        # A refusal (ApiError) is turned into a sentence with the next step by the ragem group.
        item = set_service_state(slug, enabled=enabled, reason=reason, message=message, confirm=confirm)
    click.echo(f"{item['slug']}: {'enabled' if item['enabled'] else 'disabled'} ({reason})")


@click.group("services")
def services():
    """Switch services on and off (audited as a system action)."""


@services.command("enable")
@click.argument("slug")
@click.option("--reason", required=True, help="why (kept in the audit log)")
def enable(slug, reason):
    """Switch a service on."""
    _toggle(slug, True, reason, None, None, False)


@services.command("disable")
@click.argument("slug")
@click.option("--reason", required=True, help="why (kept in the audit log)")
@click.option("--message-id", help="maintenance message for citizens, in Indonesian")
@click.option("--message-en", help="the same message in English")
@click.option("--confirm", is_flag=True, help="required for a critical service")
def disable(slug, reason, message_id, message_en, confirm):
    """Switch a service off: its routes answer 503 and the catalog hides it."""
    _toggle(slug, False, reason, message_id, message_en, confirm)


@services.command("list")
def list_services():
    """Every service and its switch."""
    from ragem.catalog.service import admin_catalog

    app = build_app(read_only=True)
    with app.app_context():
        for item in admin_catalog():
            click.echo(f"{item['slug']:<12} {'on ' if item['enabled'] else 'off'} {item['version']:<8} {item['opd']}")


commands = [services]
