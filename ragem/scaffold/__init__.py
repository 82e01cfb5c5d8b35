"""``ragem plugins new``: write an installable plugin package an OPD can start from.

The templates (``*.tmpl`` beside this file, shipped as package data) hold ``{{name}}``-style
placeholders; ``create_plugin`` fills them and writes ``ragem-plugin-<name>/``. The result has its
own ``pyproject.toml`` with the ``ragem.plugins`` entry point and the layout RABEG follows: the hooks
(``plugin.py``), a model with its Alembic revision, one resource's routes (``api/items.py``) guarded by
the plugin's permissions, its schemas (``schemas/items.py``) and rules (``services/items.py``), and a
test suite that passes once installed.
"""
from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from ragem import __version__
from ragem.hooktypes import SLUG_PATTERN
from ragem.plugins import RESERVED_SLUGS

OPD_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{1,19}$")

# template file -> path inside the generated project ({name} is the plugin's slug)
TEMPLATES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "package_init.py.tmpl": "ragem_plugin_{name}/__init__.py",
    "plugin.py.tmpl": "ragem_plugin_{name}/plugin.py",
    "models.py.tmpl": "ragem_plugin_{name}/models.py",
    "api_init.py.tmpl": "ragem_plugin_{name}/api/__init__.py",
    "api_items.py.tmpl": "ragem_plugin_{name}/api/items.py",
    "schemas_init.py.tmpl": "ragem_plugin_{name}/schemas/__init__.py",
    "schemas_items.py.tmpl": "ragem_plugin_{name}/schemas/items.py",
    "services_init.py.tmpl": "ragem_plugin_{name}/services/__init__.py",
    "services_items.py.tmpl": "ragem_plugin_{name}/services/items.py",
    "migrations_init.py.tmpl": "ragem_plugin_{name}/migrations/__init__.py",
    "migration_0001.py.tmpl": "ragem_plugin_{name}/migrations/0001_initial.py",
    "console_items.html.tmpl": "ragem_plugin_{name}/console/items.html",
    "tests_conftest.py.tmpl": "tests/conftest.py",
    "tests_plugin.py.tmpl": "tests/test_{name}.py",
    "tests_access_matrix.py.tmpl": "tests/test_{name}_access_matrix.py",
}


class ScaffoldError(ValueError):
    """The plugin cannot be written (bad name or OPD code, folder already there)."""


def project_dir_name(name: str) -> str:
    """The folder (and distribution) name of plugin ``name``."""
    return f"ragem-plugin-{name}"


def create_plugin(name: str, directory: str | Path = ".", *, opd: str = "DISKOMINFO") -> Path:
    """Write ``<directory>/ragem-plugin-<name>/`` and return its path.

    :raises ScaffoldError: ``name`` is not a lowercase slug of 2-32 letters/digits starting with a
        letter, ``opd`` is not an OPD code, or the folder exists (nothing is overwritten).
    """
    if not SLUG_PATTERN.match(name or ""):
        raise ScaffoldError(
            f"plugin name {name!r} must be 2-32 lowercase letters or digits, starting with a letter "
            "(it becomes the service slug and the URL prefix /api/v1/<name>/)"
        )
    if name in RESERVED_SLUGS:
        raise ScaffoldError(f"plugin name {name!r} is reserved by the core (its routes or tables use it)")
    if not OPD_PATTERN.match(opd or ""):
        raise ScaffoldError(f"OPD code {opd!r} must be uppercase letters, digits or _ (e.g. DPUPR)")
    target = Path(directory).resolve() / project_dir_name(name)
    if target.exists():
        raise ScaffoldError(f"{target} already exists; refusing to overwrite it")

    values = {
        "name": name,
        "title": name.capitalize(),
        "opd": opd,
        "ragem_version": __version__,
    }
    rendered = {relative.format(name=name): _render(template, values) for template, relative in TEMPLATES.items()}
    # Render everything before writing anything, so a broken template leaves no half-made folder.
    for relative, text in rendered.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


def _render(template: str, values: dict[str, str]) -> str:
    """Fill the ``{{key}}`` placeholders of one template; an unknown placeholder is a bug."""
    text = resources.files(__package__).joinpath(template).read_text(encoding="utf-8")

    def replace(match: re.Match) -> str:
        return values[match.group(1)]

    return re.sub(r"\{\{(\w+)\}\}", replace, text)
