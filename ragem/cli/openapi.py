"""``ragem openapi write [--check]``: regenerate or verify the committed ``openapi.yaml``."""
from __future__ import annotations

from pathlib import Path

import click

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "openapi.yaml"


@click.group("openapi")
def openapi():
    """The OpenAPI contract with the mobile app."""


@openapi.command("write")
@click.option("--path", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_PATH, show_default=True)
@click.option("--check", is_flag=True, help="do not write; exit 1 if the file differs from the code")
def write(path: Path, check: bool):
    """Generate openapi.yaml from the code (core + built-in services)."""
    from ragem.apidocs.spec import contract_app, spec_yaml

    text = spec_yaml(contract_app())
    current = path.read_text() if path.exists() else None
    if check:
        if current != text:
            raise click.ClickException(f"{path} is out of date: run `ragem openapi write`")
        click.echo(f"{path} is up to date")
        return
    path.write_text(text)
    click.echo(f"wrote {path} ({len(text.splitlines())} lines)")


commands = [openapi]
