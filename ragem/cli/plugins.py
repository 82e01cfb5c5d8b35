"""``ragem plugins list``: what is installed and how it is doing."""
from __future__ import annotations

import json

import click

from ragem.cli import build_app


@click.group("plugins")
def plugins():
    """Inspect and scaffold plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="print JSON instead of a table")
def list_plugins(as_json):
    """Slug, version, distribution, status (with reason) and hooks of every plugin."""
    from ragem.catalog.service import plugin_list

    app = build_app()
    with app.app_context():
        items = plugin_list()
    if as_json:
        click.echo(json.dumps(items, indent=2))
        return
    for item in items:
        line = f"{item['slug']:<14} {item['version'] or '-':<8} {item['distribution'] or '-':<16} {item['status']}"
        if item["reason"]:
            line += f" ({item['reason']})"
        click.echo(line)
        click.echo(f"{'':<14} hooks: {', '.join(item['hooks']) or '-'}")


commands = [plugins]
