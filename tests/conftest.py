"""The core's tests use the same fixtures plugin authors get from ``ragem.testing``.

One change: the core's ``app`` carries the throwaway services of ``throwaway.py`` beside whatever
plugins are installed, so a core test never needs RABEG (or any particular installed plugin) to
show a toggle, a catalog entry or a service route.
"""
import re
from pathlib import Path

import pytest

from throwaway import throwaway_services

pytest_plugins = ["ragem.testing"]


@pytest.fixture
def app(make_app):
    """A RAGEM app with every installed plugin and the throwaway services, on empty tables."""
    return make_app(extra_plugins=throwaway_services())


@pytest.fixture
def documented_verifier_class():
    """``RagemTokenVerifier``, the Python example of docs/tokens.md, run as written: the tests hold
    what an OPD system copies from the docs to its own behaviour."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "tokens.md").read_text()
    code = re.search(r"```python\n(.*?)```", text, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "docs/tokens.md", "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["RagemTokenVerifier"]
