"""The core's imports point one way: no cycle, imports at module level, the hook contract at the bottom.

The graph is read from the source by ``ragem.devtools.imports`` (nothing is imported). Imports
under ``if TYPE_CHECKING:`` never run and are not counted. An import inside a function is
"deferred"; deferring is how cycles used to be dodged, so it is allowed only where it buys
something other than a cycle (``deferral_reason``), and even deferred imports may not close a
cycle.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import ragem
from ragem.devtools.imports import ImportEdge, file_imports, find_cycles, import_graph, package_modules

RAGEM = Path(ragem.__file__).parent

def deferral_reason(edge: ImportEdge) -> str | None:
    """Why ``edge`` may stay inside a function, or ``None`` when it must move to module level."""
    if edge.function == "init_app" and edge.importer in _packages() and edge.imported.startswith(edge.importer + "."):
        # A package mounts its own views when the app is built (as in Flask's tutorial), so
        # importing the package for its models or rules never drags in its views.
        return "a package's init_app mounts its own views"
    if edge.importer == "ragem.cli" or edge.importer.startswith("ragem.cli."):
        # ``ragem --help`` loads every command module; the app stack (1.4 s) loads only when a
        # command runs.
        return "a CLI command loads the app stack when it runs"
    if edge.importer == "ragem.gunicorn_conf":
        # gunicorn's master process reads this file; the app stack belongs in the workers.
        return "gunicorn's master reads the config file"
    return None


def _packages() -> set[str]:
    return {module for module, path in _modules().items() if path.name == "__init__.py"}


def _modules() -> dict[str, Path]:
    return package_modules(RAGEM)


def _report(cycles: list[list[str]]) -> str:
    return "; ".join(" -> ".join(cycle) for cycle in cycles)


# -- the checker itself can fail ---------------------------------------------------------------


def _write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root / "pkg"


def test_the_checker_names_a_cycle_and_ignores_what_never_runs(tmp_path):
    package = _write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/a.py": "from pkg.b import thing\n",
        "pkg/b.py": "from . import c\n",
        "pkg/c.py": """
            from typing import TYPE_CHECKING

            import pkg.a

            if TYPE_CHECKING:
                from pkg.d import Hint  # annotations only: never runs, no edge
            """,
        "pkg/d.py": "from pkg.c import later\n",
        "pkg/e.py": """
            def later():
                from pkg import f  # deferred: runs when called
            """,
        "pkg/f.py": "from pkg.e import later\n",
    })
    edges = import_graph(package)

    assert find_cycles(e for e in edges if not e.deferred) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"]]
    assert ("pkg.c", "pkg.d") not in {(e.importer, e.imported) for e in edges}
    deferred = [e for e in edges if e.deferred]
    assert [(e.importer, e.imported, e.function) for e in deferred] == [("pkg.e", "pkg.f", "later")]
    # Counting the deferred import too, e and f form a cycle: deferring an import does not hide it.
    assert find_cycles(edges) == [["pkg.a", "pkg.b", "pkg.c", "pkg.a"], ["pkg.e", "pkg.f", "pkg.e"]]


def test_the_checker_counts_the_packages_an_import_initialises(tmp_path):
    package = _write_package(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/inner/__init__.py": "from pkg.top import value\n",
        "pkg/inner/leaf.py": "value = 1\n",
        "pkg/top.py": "from pkg.inner.leaf import value\n",
    })
    # Importing pkg.inner.leaf runs pkg/inner/__init__.py first, which imports pkg.top back.
    assert find_cycles(import_graph(package)) == [["pkg.inner", "pkg.top", "pkg.inner"]]


def test_the_checker_reads_relative_and_plain_imports(tmp_path):
    package = _write_package(tmp_path, {"pkg/__init__.py": "", "pkg/sub/__init__.py": "", "pkg/sub/m.py": """
        import os
        import pkg.sub
        from .. import other
        from ..other import name
        """, "pkg/other.py": ""})
    assert sorted(e.imported for e in file_imports(package / "sub" / "m.py", "pkg.sub.m")) == [
        "os", "pkg.other", "pkg.other.name", "pkg.sub",
    ]


# -- the core ------------------------------------------------------------------------------------


def test_the_core_has_no_import_cycle():
    edges = import_graph(RAGEM)
    at_import = find_cycles(e for e in edges if not e.deferred)
    assert not at_import, f"import cycles in ragem/: {_report(at_import)}"
    # Mounting views from init_app is the one deferral that may point back up the layers.
    counting_deferred = find_cycles(e for e in edges if e.function != "init_app")
    assert not counting_deferred, f"cycles through deferred imports in ragem/: {_report(counting_deferred)}"


def test_the_core_imports_at_module_level():
    stray = [str(e) for e in import_graph(RAGEM) if e.deferred and deferral_reason(e) is None]
    assert not stray, "move these imports to the top of their module:\n" + "\n".join(stray)


def test_the_hook_contract_imports_nothing_else_from_the_core():
    modules = _modules()
    for module, allowed in (("ragem.hooktypes", set()), ("ragem.hookspecs", {"ragem.hooktypes"})):
        imported = {
            edge.imported for edge in file_imports(modules[module], module)
            if edge.imported == "ragem" or edge.imported.startswith("ragem.")
        }
        # ``from ragem.hooktypes import X`` reads as ``ragem.hooktypes.X``.
        reached = {name for name in imported if not any(name == a or name.startswith(a + ".") for a in allowed)}
        assert not reached, f"{module} may import only {sorted(allowed) or 'nothing'} from ragem, not {sorted(reached)}"
