"""Throwaway services for the core's tests, so that no core test leans on an installed plugin.

The built-in services may be denied (``RAGEM_PLUGINS_DENY=rabeg``) and an OPD's own plugin may be
installed beside them: the core's behaviour (toggles, the catalog, the envelope, metrics) is shown
on these services instead, registered on every core test app by ``tests/conftest.py``. Their slugs
start with ``zz`` so that no real service takes them.
"""
from __future__ import annotations

from pathlib import Path

from ragem import toolkit
from ragem.toolkit import hookimpl

SERVICE = "zzprobe"  # an ordinary service
OTHER_SERVICE = "zzother"  # a second one, to show that switching the first off leaves it alone
CRITICAL_SERVICE = "zzcritical"  # a critical service: switching it off needs confirmation
SERVICE_NAME = {"id": f"Layanan uji {SERVICE}", "en": f"Test service {SERVICE}"}


def plugin_info(slug: str, **changes) -> toolkit.PluginInfo:
    """A valid description for a throwaway service (``changes`` override fields)."""
    values = dict(
        slug=slug,
        name={"id": f"Layanan uji {slug}", "en": f"Test service {slug}"},
        description={"id": "Layanan uji.", "en": "A test service."},
        opd="DISKOMINFO",
        version="2.3.4",
    )
    values.update(changes)
    return toolkit.PluginInfo(**values)


class ThrowawayPlugin:
    """A minimal valid plugin that only describes itself; subclasses add hooks."""

    def __init__(self, slug: str, **info_changes):
        self.slug = slug
        self.info_changes = info_changes

    @hookimpl
    def ragem_plugin_info(self):
        return plugin_info(self.slug, **self.info_changes)


class ThrowawayService(ThrowawayPlugin):
    """A service with a route: ``GET /api/v1/<slug>/health`` answers ``{"service": slug, "status": "ok"}``."""

    @hookimpl
    def ragem_blueprints(self):
        return [toolkit.health_blueprint(self.slug)]


def throwaway_services() -> list[tuple[str, ThrowawayService]]:
    """``extra_plugins`` for ``make_app``: the three throwaway services, new objects each call."""
    return [
        (SERVICE, ThrowawayService(SERVICE)),
        (OTHER_SERVICE, ThrowawayService(OTHER_SERVICE)),
        (CRITICAL_SERVICE, ThrowawayService(CRITICAL_SERVICE, critical=True)),
    ]


def install_distribution(site: Path, entry: str, source: str, *, version: str = "0.9.0") -> str:
    """Write a one-module distribution ``ragem-plugin-<entry>`` into ``site`` (a folder to put on
    ``sys.path`` or ``PYTHONPATH``): ``source`` becomes module ``ragem_plugin_<entry>``, announced by
    a ``ragem.plugins`` entry point named ``entry``, exactly as pip would install it.

    :returns: the distribution's name.
    """
    module, dist = f"ragem_plugin_{entry}", f"ragem-plugin-{entry}"
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(source)
    dist_info = site / f"{module}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (dist_info / "entry_points.txt").write_text(f"[ragem.plugins]\n{entry} = {module}\n")
    return dist


# The source of a service module installed with ``install_distribution``: it imports only the
# toolkit, as an OPD's package does. ``{slug}`` and ``{critical}`` are filled in by ``format``.
SERVICE_MODULE = '''\
from ragem import toolkit
from ragem.toolkit import hookimpl


@hookimpl
def ragem_plugin_info():
    return toolkit.PluginInfo(
        slug="{slug}", name={{"id": "Layanan uji {slug}", "en": "Test service {slug}"}},
        description={{"id": "Layanan uji.", "en": "A test service."}}, opd="DISKOMINFO",
        version="1.0.0", critical={critical},
    )


@hookimpl
def ragem_blueprints():
    return [toolkit.health_blueprint("{slug}")]
'''
