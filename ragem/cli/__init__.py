"""The ``ragem`` command line: one click group, sub-commands contributed by core modules and plugins."""
from __future__ import annotations

import copy
import functools
import importlib

import click

# Core command modules; each exposes ``commands``: a list of click commands or groups.
COMMAND_MODULES = (
    "ragem.cli.serve",
    "ragem.cli.db",
    "ragem.cli.demo",
    "ragem.cli.plugins",
    "ragem.cli.services",
    "ragem.cli.users",
    "ragem.cli.openapi",
    "ragem.cli.worker",
    "ragem.cli.jobs",
    "ragem.cli.dev",
    "ragem.cli.messages",
    "ragem.cli.keys",
    "ragem.cli.relocate",
)


#: The database of the last app a command built, named in error messages.
_last_database_url: list[str] = []

#: The attribute ``read_only_command`` sets on a click command.
READ_ONLY_ATTR = "ragem_read_only"


def build_app(read_only: bool = False):
    """The app the commands act on (from the environment, like ``gunicorn wsgi:app``).

    ``read_only=True`` for a command that only reads: the app creates no file or folder, so
    ``ragem --help`` or a listing on a machine without an ``instance/`` folder leaves none behind
    (and a missing SQLite database becomes "run `ragem db upgrade`", not an empty file).
    """
    from ragem.app import create_app

    app = create_app(read_only=read_only)
    _last_database_url[:] = [app.config["SQLALCHEMY_DATABASE_URI"]]
    return app


def read_only_command(command: click.Command) -> click.Command:
    """Mark a click command as one that only reads: RAGEM builds its app with ``read_only=True``
    (no instance folder, secret, SQLite file or uploads folder is created). Returns the command."""
    setattr(command, READ_ONLY_ATTR, True)
    return command


class RagemGroup(click.Group):
    """Loads core command modules, and each plugin's commands under ``ragem <slug>``, lazily."""

    def _core(self) -> dict[str, click.Command]:
        found = {}
        for name in COMMAND_MODULES:
            try:
                module = importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name == name:
                    continue  # module not written yet
                raise
            for command in module.commands:
                found[command.name] = command
        return found

    def invoke(self, ctx):
        """Run the command; an error an operator can act on becomes a sentence with the next step."""
        from ragem.cli.errors import explain

        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:  # noqa: BLE001 - explained below, or re-raised as it was
            explained = explain(exc, _last_database_url[0] if _last_database_url else None)
            if explained is None:
                raise
            raise explained from None

    def list_commands(self, ctx):
        """The core's commands and the command groups of the plugins (``ragem rabeg ...``)."""
        return sorted(set(self._core()) | set(super().list_commands(ctx)) | set(_plugin_slugs_with_commands()))

    def get_command(self, ctx, name):
        core = self._core()
        if name in core:
            return core[name]
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        return _plugin_group(name)


def _plugin_slugs_with_commands() -> list[str]:
    """Slugs of the started plugins that contribute commands (an app is built to know them; if the
    configuration is broken, ``--help`` still lists the core's commands)."""
    from ragem.config import ConfigError

    try:
        registry = build_app(read_only=True).extensions["ragem.plugins"]
    except ConfigError:
        return []
    return [record.slug for record in registry.services() if registry.impls("ragem_cli_commands", record)]


def _plugin_group(slug: str) -> click.Group | None:
    """A group holding the CLI commands plugin ``slug`` contributes, if any.

    The app built to find them only reads (``ragem rabeg --help`` creates nothing); each command
    builds its own when it runs, read-only if the plugin marked it so (``read_only_command``).
    """
    registry = build_app(read_only=True).extensions["ragem.plugins"]
    record = registry.record_for_slug(slug)
    if record is None:
        return None
    commands = list(registry.call_one(record, "ragem_cli_commands") or [])
    if not commands:
        return None
    group = click.Group(name=slug, help=f"Commands of the {slug} service.")
    for command in commands:
        group.add_command(_with_app_context(command))
    return group


def _with_app_context(command: click.Command) -> click.Command:
    """A copy of a plugin command (and of a group's sub-commands, all the way down) whose callback
    runs inside the context of an app built when it runs, so it can use ``toolkit.db``.

    A copy, because the plugin's command objects live as long as its module: wrapping them in place
    would bind every later invocation to the first app that ever ran them.
    """
    command = copy.copy(command)
    if isinstance(command, click.Group):
        command.commands = {name: _with_app_context(sub) for name, sub in command.commands.items()}
    callback = command.callback
    read_only = getattr(command, READ_ONLY_ATTR, False)
    if callback is not None:
        @functools.wraps(callback)
        def wrapped(*args, **kwargs):
            ctx = click.get_current_context()
            reads_only = read_only
            if isinstance(command, click.Group):
                # A group's callback runs before its sub-command: it reads only when that does.
                sub = command.commands.get(ctx.invoked_subcommand or "")
                reads_only = reads_only or getattr(sub, READ_ONLY_ATTR, False)
            # One app per invocation: a group's callback and its sub-command's share it (ctx.meta
            # is common to the whole chain of contexts), as building one loads every plugin.
            key = f"ragem.app.{'read_only' if reads_only else 'full'}"
            if key not in ctx.meta:
                ctx.meta[key] = build_app(read_only=reads_only)
            with ctx.meta[key].app_context():
                return callback(*args, **kwargs)

        command.callback = wrapped
    return command


@click.group(cls=RagemGroup)
def main():
    """RAGEM: Kota Serang's public-service platform."""
