"""The CLI answers an operator in sentences with the next step, and says which database it uses."""
from __future__ import annotations

import click
import pytest

from ragem import toolkit
from ragem.cli.errors import describe_database
from ragem.testing import invoke_cli
from ragem.toolkit import hookimpl


def _env(database_url, instance):
    return {"RAGEM_DATABASE_URL": database_url, "RAGEM_INSTANCE_PATH": str(instance), "RAGEM_ENV": "testing",
            "RAGEM_LOG_JSON": "false", "RAGEM_SCHEDULER": "false", "RAGEM_LOG_LEVEL": "ERROR"}


def _said(result) -> str:
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output and "sqlalchemy" not in result.output.lower()
    assert "{" not in result.output, result.output  # no Python dict of details
    return result.output


def test_a_database_without_tables_is_named_with_the_command_that_fixes_it(fresh_database_url, tmp_path):
    env = _env(fresh_database_url, tmp_path)
    said = _said(invoke_cli(None, ["services", "disable", "wifi", "--reason", "uji"], env=env))
    assert "no RAGEM tables yet" in said and "ragem db upgrade" in said
    assert describe_database(fresh_database_url) in said


def test_refusals_say_what_to_do_next(fresh_database_url, tmp_path):
    env = _env(fresh_database_url, tmp_path)
    upgraded = invoke_cli(None, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.output.startswith(f"database: {describe_database(fresh_database_url)}")
    critical = _said(invoke_cli(None, ["services", "disable", "darurat112", "--reason", "uji"], env=env))
    assert "darurat112 is a critical service: add --confirm" in critical
    unknown = _said(invoke_cli(None, ["services", "disable", "tidakada", "--reason", "uji"], env=env))
    assert "not found (slug: tidakada)" in unknown and "ragem services list" in unknown


def test_passwords_never_appear_in_a_printed_database_url():
    shown = describe_database("postgresql+psycopg://ragem:Rahasia-Sekali@db.internal:5432/ragem")
    assert "Rahasia-Sekali" not in shown and "ragem:***@db.internal" in shown


class Parks:
    """A throwaway service with a command of its own."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(slug="zzparks", name={"id": "Taman", "en": "Parks"},
                                  description={"id": "Uji.", "en": "Probe."}, opd="DLH", version="1")

    @hookimpl
    def ragem_cli_commands(self):
        @click.command("count")
        def count():
            """Count the parks."""
            click.echo("3 taman")

        return [count]


def test_help_lists_the_plugins_command_groups(make_app):
    app = make_app(extra_plugins=[("zzparks", Parks())])
    listing = invoke_cli(app, ["--help"])
    assert listing.exit_code == 0 and "zzparks" in listing.output and "Commands of the zzparks service" in listing.output
    ran = invoke_cli(app, ["zzparks", "count"])
    assert ran.exit_code == 0 and "3 taman" in ran.output


@pytest.mark.parametrize("variable, value", [("RAGEM_STATE_TTL", "sebentar"), ("RAGEM_ENV", "staging")])
def test_a_bad_setting_is_one_line_naming_the_variable(variable, value, tmp_path):
    result = invoke_cli(None, ["services", "list"], env={"RAGEM_INSTANCE_PATH": str(tmp_path), variable: value})
    said = _said(result)
    assert variable in said and len(said.strip().splitlines()) == 1
