"""``ragem plugins list`` (what is installed and how it is doing) and ``ragem plugins new`` (a scaffold)."""
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

    app = build_app(read_only=True)
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


@plugins.command("new")
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True, type=click.Path(file_okay=False),
              help="folder in which ragem-plugin-NAME/ is created")
@click.option("--opd", default="DISKOMINFO", show_default=True, help="code of the OPD that owns the service")
def new_plugin(name, directory, opd):
    """Write an installable plugin package ragem-plugin-NAME/ (NAME: the service slug)."""
    from ragem.scaffold import ScaffoldError, create_plugin

    try:
        path = create_plugin(name, directory, opd=opd)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"wrote {path}")
    click.echo("next:")
    click.echo(f"  pip install -e {path}    # RAGEM finds it through the ragem.plugins entry point")
    click.echo("  ragem db upgrade            # creates its table in its own migration history")
    click.echo(f"  cd {path} && pytest        # its own tests")


commands = [plugins]
