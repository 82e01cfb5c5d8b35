"""``ragem keys``: the ES256 keys that sign access tokens (list, rotate)."""
from __future__ import annotations

import click

import ragem.cli


def _app(read_only: bool = False):
    # Looked up per call, so tests can point ``ragem.cli.build_app`` at their app.
    return ragem.cli.build_app(read_only=read_only)


@click.group("keys")
def keys():
    """Signing keys of access tokens (published at /.well-known/jwks.json)."""


@keys.command("list")
def list_keys():
    """Every stored key: the one signing now, and retired ones still published."""
    from ragem.auth import keys as signing_keys
    from ragem.timeutil import isoformat_z

    app = _app(read_only=True)
    with app.app_context():
        # Only reads: the configured (or development) key is stored by the first token signed.
        rows = signing_keys.list_keys()
        if not rows:
            click.echo("no signing key stored yet: the first access token signed (or `ragem keys rotate`) stores one")
        for row in rows:
            until = isoformat_z(row["published_until"]) or "-"
            click.echo(
                f"{row['kid']}  {row['status']:<8}  created {isoformat_z(row['created_at'])}"
                f"  published until {until}"
            )


@keys.command("rotate")
def rotate():
    """Add a new key that signs from now on; the previous one stays valid until its tokens expire."""
    from ragem.auth import keys as signing_keys
    from ragem.extensions import db
    from ragem.timeutil import isoformat_z

    app = _app()
    with app.app_context():
        row = signing_keys.rotate()
        db.session.commit()
        click.echo(f"new signing key {row.kid} (created {isoformat_z(row.created_at)})")
        click.echo("every worker signs with it within a few seconds; the previous key stays published "
                   "until the tokens it signed have expired")


commands = [keys]
