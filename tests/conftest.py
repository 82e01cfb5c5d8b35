"""The core's tests use the same fixtures plugin authors get from ``ragem.testing``.

One change: the core's ``app`` carries the throwaway services of ``throwaway.py`` beside whatever
plugins are installed, so a core test never needs RABEG (or any particular installed plugin) to
show a toggle, a catalog entry or a service route.
"""
import pytest

from throwaway import throwaway_services

pytest_plugins = ["ragem.testing"]


@pytest.fixture
def app(make_app):
    """A RAGEM app with every installed plugin and the throwaway services, on empty tables."""
    return make_app(extra_plugins=throwaway_services())
