"""``ragem plugins new`` writes a plugin package that installs and passes its own tests.

The generated package is installed with pip into a private folder and exercised in subprocesses,
so its model and entry point never leak into this test session.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from ragem.cli import main as ragem_cli

NAME = "scafdemo"


def pip_install(project: Path, target: Path) -> None:
    """Install ``project`` (no dependencies) into ``target``, offline when setuptools allows it."""
    base = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target)]
    done = subprocess.run([*base, "--no-build-isolation", str(project)], capture_output=True, text=True)
    if done.returncode != 0:  # an older setuptools without bdist_wheel: let pip fetch a build backend
        done = subprocess.run([*base, str(project)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def plugin_env(site: Path) -> dict[str, str]:
    """The environment of a subprocess that sees the installed plugin (and the test database)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGEM_") or k.startswith("RAGEM_TEST_")}
    env["PYTHONPATH"] = str(site)
    return env


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """``ragem plugins new scafdemo`` in a temporary folder, installed with pip: ``(project, site)``."""
    root = tmp_path_factory.mktemp("scaffold")
    result = CliRunner().invoke(ragem_cli, ["plugins", "new", NAME, "--dir", str(root), "--opd", "DLH"])
    assert result.exit_code == 0, result.output
    project = root / f"ragem-plugin-{NAME}"
    assert f"wrote {project}" in result.output
    site = root / "site"
    pip_install(project, site)
    return project, site


def test_the_scaffold_is_a_complete_plugin_package(generated):
    project, site = generated
    package = project / f"ragem_plugin_{NAME}"
    pyproject = (project / "pyproject.toml").read_text()
    assert '[project.entry-points."ragem.plugins"]' in pyproject
    assert f'{NAME} = "ragem_plugin_{NAME}.plugin"' in pyproject
    assert '"ragem>=' in pyproject
    for module in ("plugin.py", "models.py", "api/items.py", "schemas/items.py", "services/items.py",
                   "migrations/0001_initial.py"):
        assert (package / module).is_file(), module
    assert f'"{NAME}_item"' in (package / "models.py").read_text()
    migration = (package / "migrations/0001_initial.py").read_text()
    assert "down_revision = None" in migration and f'"{NAME}_item"' in migration
    assert 'pytest_plugins = ["ragem.testing"]' in (project / "tests/conftest.py").read_text()
    # pip installed the package, its migrations and the entry point metadata.
    assert (site / f"ragem_plugin_{NAME}" / "migrations" / "0001_initial.py").is_file()
    assert (site / f"ragem_plugin_{NAME}" / "console" / "items.html").is_file()  # the console page's template
    assert "def ragem_console_pages" in (package / "plugin.py").read_text()
    assert "toolkit.ConsoleAction(" in (package / "plugin.py").read_text()  # and a form on it
    entry_points = next(site.glob("ragem_plugin_scafdemo-*.dist-info")) / "entry_points.txt"
    assert f"{NAME} = ragem_plugin_{NAME}.plugin" in entry_points.read_text()


def test_the_installed_scaffold_passes_its_own_tests(generated):
    project, site = generated
    # -P: the source folder is not importable from the working directory; only the install is.
    done = subprocess.run(
        [sys.executable, "-P", "-m", "pytest"],
        cwd=project, env=plugin_env(site), capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "8 passed" in done.stdout  # the console form test and the access matrix included


def test_the_scaffold_migration_creates_its_table_in_its_own_history(generated, tmp_path):
    _project, site = generated
    script = textwrap.dedent(f"""
        from sqlalchemy import inspect, text
        from ragem.app import create_app
        from ragem.extensions import db
        from ragem.migrate import upgrade_all

        app = create_app({{"ENV": "testing", "DATABASE_URL": "sqlite:///{tmp_path / 'scaffold.db'}",
                          "INSTANCE_PATH": "{tmp_path / 'instance'}", "LOG_JSON": False, "SCHEDULER": False}})
        applied = upgrade_all(app)
        assert "{NAME} 0001 create {NAME}_item" in applied, applied
        with app.app_context():
            columns = sorted(c["name"] for c in inspect(db.engine).get_columns("{NAME}_item"))
            assert columns == ["created_at", "created_by", "id", "title"], columns
            versions = db.session.execute(text("SELECT version_num FROM alembic_version_{NAME}")).scalars().all()
            assert versions == ["0001"], versions
        print("migrated")
    """)
    done = subprocess.run(
        [sys.executable, "-P", "-c", script], env=plugin_env(site), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "migrated" in done.stdout


@pytest.mark.parametrize("name", ["x", "Taman", "taman-kota", "taman_kota", "1taman", "a" * 33, ""])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, name):
    result = CliRunner().invoke(ragem_cli, ["plugins", "new", name, "--dir", str(tmp_path)])
    assert result.exit_code != 0
    assert "must be 2-32 lowercase letters or digits" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["admin", "user", "services"])
def test_names_the_core_uses_are_refused(tmp_path, name):
    result = CliRunner().invoke(ragem_cli, ["plugins", "new", name, "--dir", str(tmp_path)])
    assert result.exit_code != 0 and "reserved by the core" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(tmp_path):
    existing = tmp_path / "ragem-plugin-taman"
    existing.mkdir()
    (existing / "keep.txt").write_text("milik OPD")
    result = CliRunner().invoke(ragem_cli, ["plugins", "new", "taman", "--dir", str(tmp_path)])
    assert result.exit_code != 0 and "already exists" in result.output
    assert [p.name for p in existing.iterdir()] == ["keep.txt"]


def test_a_bad_opd_code_is_refused(tmp_path):
    result = CliRunner().invoke(ragem_cli, ["plugins", "new", "taman", "--dir", str(tmp_path), "--opd", "dinas x"])
    assert result.exit_code != 0 and "OPD code" in result.output
    assert list(tmp_path.iterdir()) == []
