"""Commands that only read leave nothing behind: no instance folder, no secret, no empty SQLite file.

An operator who types ``ragem jobs failed`` in the wrong folder must be told where the database
should be, not find an empty ``instance/`` there the next time ``ragem serve`` starts.
"""
from __future__ import annotations

import click
import pytest

from ragem import toolkit
from ragem.testing import invoke_cli
from ragem.toolkit import hookimpl

#: Every core command that only reads and needs the tables.
READS = [
    ["dev", "outbox"],
    ["jobs", "failed"],
    ["plugins", "list"],
    ["services", "list"],
    ["db", "current"],
    ["keys", "list"],
]
HELP = [["--help"], ["jobs", "--help"], ["services", "--help"], ["db", "--help"]]


def _env(instance, database_url=None):
    """The environment of a shell on a server: RAGEM_DATABASE_URL unset means SQLite under instance/."""
    return {"RAGEM_DATABASE_URL": database_url, "RAGEM_INSTANCE_PATH": str(instance), "RAGEM_ENV": "development",
            "RAGEM_LOG_JSON": "false", "RAGEM_SCHEDULER": "false", "RAGEM_LOG_LEVEL": "ERROR"}


def _says_upgrade(result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output, result.output
    assert "no RAGEM tables yet: run `ragem db upgrade` first" in result.output, result.output
    return result.output


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_a_read_without_an_instance_folder_creates_none_and_says_run_db_upgrade(tmp_path, args):
    instance = tmp_path / "nowhere" / "instance"
    said = _says_upgrade(invoke_cli(None, args, env=_env(instance)))
    assert str(instance / "ragem.db") in said  # the database it looked for
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("args", HELP, ids=" ".join)
def test_help_creates_no_instance_folder(tmp_path, args):
    instance = tmp_path / "nowhere" / "instance"
    result = invoke_cli(None, args, env=_env(instance))
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_read_of_a_database_without_tables_creates_nothing_either(fresh_database_url, tmp_path):
    """PostgreSQL: the empty database is named; SQLite: its file is not created."""
    instance = tmp_path / "nowhere" / "instance"
    _says_upgrade(invoke_cli(None, ["jobs", "failed"], env=_env(instance, fresh_database_url)))
    assert not (tmp_path / "nowhere").exists()
    assert not list(tmp_path.glob("ragem_fresh*.db"))


def test_reads_work_on_an_upgraded_database_and_still_create_no_instance_folder(fresh_database_url, tmp_path):
    upgraded = invoke_cli(None, ["db", "upgrade"], env=_env(tmp_path / "server", fresh_database_url))
    assert upgraded.exit_code == 0, upgraded.output
    elsewhere = tmp_path / "elsewhere" / "instance"
    for args, expected in ((["jobs", "failed"], "no failed jobs"), (["dev", "outbox"], "the outbox is empty"),
                           (["db", "current"], "(head)"), (["keys", "list"], "no signing key stored yet")):
        result = invoke_cli(None, args, env=_env(elsewhere, fresh_database_url))
        assert result.exit_code == 0, result.output
        assert expected in result.output
    assert not (tmp_path / "elsewhere").exists()


class Stock:
    """A throwaway service with one command that only reads and one that writes."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(slug="zzstock", name={"id": "Stok", "en": "Stock"},
                                  description={"id": "Uji.", "en": "Probe."}, opd="DLH", version="1")

    @hookimpl
    def ragem_cli_commands(self):
        @click.group("items")
        def items():
            """Items in stock."""

        @toolkit.read_only_command
        @items.command("count")
        def count():
            """Count the OPDs (a read that needs the tables)."""
            click.echo("DLH" if toolkit.opd("DLH") else "no DLH")

        @items.command("touch")
        def touch():
            """Pretend to write."""
            click.echo("touched")

        return [items]


def test_a_plugin_command_marked_read_only_creates_nothing(tmp_path, monkeypatch):
    import ragem.plugins as platform

    real_load = platform.PluginRegistry.load

    def load_with_stock(self, extra=(), entry_points=True):
        return real_load(self, extra=[*extra, ("zzstock", Stock())], entry_points=entry_points)

    monkeypatch.setattr(platform.PluginRegistry, "load", load_with_stock)
    instance = tmp_path / "nowhere" / "instance"
    listed = invoke_cli(None, ["zzstock", "items", "--help"], env=_env(instance))
    assert listed.exit_code == 0 and "count" in listed.output, listed.output
    _says_upgrade(invoke_cli(None, ["zzstock", "items", "count"], env=_env(instance)))
    assert not (tmp_path / "nowhere").exists()
    # Unmarked commands may write: their app prepares the instance folder as a server's would.
    assert invoke_cli(None, ["zzstock", "items", "touch"], env=_env(instance)).exit_code == 0
    assert instance.exists()
