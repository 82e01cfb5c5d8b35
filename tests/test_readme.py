"""The README stays true: it opens with the two commands, documents every setting, and CI runs its test command."""
from __future__ import annotations

import re
from pathlib import Path

from ragem.config import PREFIX, SETTINGS

ROOT = Path(__file__).resolve().parents[1]


def _opening_commands() -> list[str]:
    """The lines of the README's first code block, trailing comments removed."""
    block = re.search(r"```sh\n(.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_opens_with_the_serve_and_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert readme.startswith("# RAGEM\n")
    serve, test = _opening_commands()
    assert serve.endswith("ragem serve --demo") and test.endswith(".venv/bin/pytest -n auto")


def test_readme_documents_every_setting():
    readme = (ROOT / "README.md").read_text()
    missing = [f"{PREFIX}{s.name}" for s in SETTINGS if f"`{PREFIX}{s.name}`" not in readme]
    assert missing == [], "add these settings to the README's configuration table"


def test_ci_installs_and_tests_as_the_readme_says():
    ci = (ROOT / ".ci" / "run").read_text()
    _serve, test = _opening_commands()
    venv, install, pytest = (part.strip() for part in test.split("&&"))
    assert "PYTHON=${PYTHON:-python3.11}" in ci and venv.startswith("python3.11 ")
    assert venv.replace("python3.11", '"$PYTHON"') in ci.replace(" --clear", "")
    assert install in ci and pytest in ci
