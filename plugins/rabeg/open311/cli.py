"""``ragem rabeg api-keys create NAME | list | revoke ID``: API keys of Open311 clients from the shell."""
from __future__ import annotations

import click

from plugins.rabeg.open311 import api_keys
from ragem import toolkit


@click.group("api-keys")
def api_keys_group():
    """API keys of third-party Open311 clients (POST /open311/v2/requests needs one)."""


@api_keys_group.command("create")
@click.argument("name")
def create(name):
    """Issue a key named NAME and print it (it is shown only this once)."""
    row, key = api_keys.create_key(name)
    click.echo(f"API key #{row.id} for {row.name!r} (store it now, it is not shown again):")
    click.echo(key)


@toolkit.read_only_command
@api_keys_group.command("list")
def list_keys():
    """List the keys: id, prefix, name, created, last used, revoked."""
    rows = api_keys.list_keys()
    if not rows:
        click.echo("no API keys")
    for row in rows:
        state = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}Z" if row.revoked_at else "active"
        used = f"{row.last_used_at:%Y-%m-%d %H:%M}Z" if row.last_used_at else "never"
        click.echo(f"{row.id}\t{row.prefix}…\t{row.name}\tcreated {row.created_at:%Y-%m-%d}\tlast used {used}\t{state}")


@api_keys_group.command("revoke")
@click.argument("key_id", type=int)
def revoke(key_id):
    """Revoke key KEY_ID: its app can no longer file requests."""
    try:
        row = api_keys.revoke_key(key_id)
    except toolkit.NotFound:
        raise click.ClickException(f"no API key #{key_id}") from None
    click.echo(f"API key #{row.id} ({row.name}) revoked")


commands = [api_keys_group]
