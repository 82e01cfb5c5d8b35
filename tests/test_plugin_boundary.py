"""A plugin imports only ``ragem.toolkit`` from the core (and ``ragem.testing`` in its tests).

The promise to every OPD is that the core can reorganise its internals without breaking their
plugin; that holds only if no plugin reaches around the toolkit, the built-in ones first of all.
"""
from __future__ import annotations

from pathlib import Path

from ragem.testing import boundary_violations

PLUGINS = Path(__file__).resolve().parents[1] / "plugins"


def test_the_built_in_plugins_import_only_the_toolkit_and_in_tests_the_testing_module():
    assert PLUGINS.is_dir() and any(PLUGINS.rglob("plugin.py"))
    assert boundary_violations(PLUGINS) == []


def test_the_check_catches_every_way_of_reaching_into_the_core(tmp_path):
    package = tmp_path / "zzprobe"
    (package / "tests").mkdir(parents=True)
    (package / "plugin.py").write_text(
        "import json\n"
        "from ragem import toolkit\n"                    # allowed
        "from ragem.toolkit import hookimpl\n"           # allowed
        "from ragem.extensions import db\n"              # line 4: a core module
        "import ragem.auth.models\n"                     # line 5
        "from ragem import testing\n"                    # line 6: testing is for tests only
        "def later():\n"
        "    from ragem.config import load_settings\n"  # line 8: hidden in a function
        "    import importlib\n"
        "    return importlib.import_module('ragem.demo')\n"  # line 10: by name
    )
    (package / "tests" / "test_probe.py").write_text(
        "from ragem.testing import app\n"                # allowed in tests
        "from ragem.toolkit import db\n"                 # allowed in tests
        "from ragem.jobs.scheduler import run_due_jobs\n"  # line 3: not through ragem.testing
    )
    (package / "conftest.py").write_text("from ragem.testing import client\n")  # a test file: allowed
    assert boundary_violations(package) == [
        "plugin.py:4 imports ragem.extensions",
        "plugin.py:5 imports ragem.auth.models",
        "plugin.py:6 imports ragem.testing",
        "plugin.py:8 imports ragem.config",
        "plugin.py:10 imports ragem.demo",
        "tests/test_probe.py:3 imports ragem.jobs.scheduler",
    ]


def test_a_module_named_like_the_toolkit_is_not_the_toolkit(tmp_path):
    (tmp_path / "plugin.py").write_text("import ragem.toolkitx\nfrom ragem.toolkit_extra import x\n")
    assert boundary_violations(tmp_path) == ["plugin.py:1 imports ragem.toolkitx", "plugin.py:2 imports ragem.toolkit_extra"]
