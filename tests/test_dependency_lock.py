"""Every dependency pyproject.toml names is pinned to one exact version in constraints.txt, the
version the suite ran on, so no new dependency lands unlocked and every install is the same."""
from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
REFRESH = "see docs/security.md: refresh constraints.txt with pip-compile"
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def _pins() -> dict[str, str]:
    """constraints.txt as ``{canonical name: version}``; every requirement line must be an exact pin."""
    pins, loose = {}, []
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split(" #")[0].strip()
        if not line or line.startswith("#"):
            continue
        match = _PIN.match(line)
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
        else:
            loose.append(line)
    assert loose == [], f"constraints.txt holds lines that are not exact pins: {loose}"
    return pins


def _declared() -> list[Requirement]:
    """The dependencies pyproject.toml names: the runtime ones and every extra's."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        names += extra
    return [Requirement(name) for name in names]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = _pins()
    missing = [str(req) for req in _declared() if canonicalize_name(req.name) not in pins]
    assert missing == [], f"pyproject.toml names dependencies constraints.txt does not pin ({REFRESH}): {missing}"
    outside = [f"{req} but {pins[canonicalize_name(req.name)]}" for req in _declared()
               if not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)]
    assert outside == [], f"pins outside pyproject.toml's ranges ({REFRESH}): {outside}"


def test_the_installed_dependencies_are_the_pinned_ones():
    """The environment this suite runs in was installed from the lock (as the README and CI do)."""
    differ = []
    for req in _declared():
        pinned = _pins()[canonicalize_name(req.name)]
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            differ.append(f"{req.name}: not installed")
            continue
        if installed != pinned:
            differ.append(f"{req.name}: installed {installed}, pinned {pinned}")
    assert differ == [], f"install with `pip install -c constraints.txt -e \".[test]\"`: {differ}"
