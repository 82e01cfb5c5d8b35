"""The plugin registry: discovery, validation, per-plugin state and the hook combination rules.

``PluginRegistry`` is built inside ``create_app`` (never at import time) and stored in
``app.extensions["ragem.plugins"]``. Plugins come from the ``ragem.plugins`` entry-point group;
tests and ``ragem.testing`` may add objects directly. A plugin that fails to import or start is
kept as a ``failed`` record with its reason, and the rest of the platform keeps serving.
"""
from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from types import ModuleType
from typing import Any, Callable, Iterable, Iterator

import pluggy

from ragem import core_hooks, hookspecs
from ragem.catalog.state import is_available
from ragem.hooktypes import Permission, PluginInfo, ProfileFieldUse

log = logging.getLogger("ragem.plugins")

ENTRY_POINT_GROUP = "ragem.plugins"
ENABLED, DISABLED, FAILED = "enabled", "disabled", "failed"

# Slugs a plugin may not take: its routes live under /api/v1/<slug>/ and its tables are named
# <slug>_*, so a slug equal to a core route segment or core table prefix would collide with the
# core (a plugin "user" would claim the user_account table in migrations). A test keeps this list
# in step with the core's routes and tables.
RESERVED_SLUGS = frozenset({
    "admin", "api", "audit", "auth", "core", "failed", "files", "job", "kpi", "login", "me", "message",
    "notification", "one", "opd", "opds", "outbox", "profile", "ragem", "region", "regions",
    "service", "services", "signing", "sso", "stored", "user",
})

# Hooks whose data must stay reachable while a service is switched off (DESIGN: data hooks).
DATA_HOOKS = frozenset({"ragem_user_export", "ragem_user_erase", "ragem_kpis", "ragem_migrations", "ragem_reference_data"})


@dataclass
class PluginRecord:
    """What the platform knows about one installed plugin."""

    name: str  # entry-point name, or the registration name for directly added plugins
    distribution: str | None = None
    dist_version: str | None = None
    module: Any = None
    info: PluginInfo | None = None
    status: str = ENABLED
    reason: str | None = None
    blueprints: list = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    profile_fields: list[ProfileFieldUse] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """The service slug (the entry-point name until the plugin described itself)."""
        return self.info.slug if self.info else self.name

    @property
    def version(self) -> str | None:
        """The plugin's declared version, else its distribution's."""
        return self.info.version if self.info else self.dist_version

    def fail(self, reason: str) -> None:
        """Mark the plugin failed; it stays listed so admins see why."""
        self.status = FAILED
        self.reason = reason
        log.error("plugin failed", extra={"plugin": self.name, "reason": reason})


class PluginRegistry:
    """Owns the pluggy manager and the records of every plugin the platform tried to load."""

    def __init__(self, settings: dict[str, Any]):
        self.settings = settings
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.blueprint_slugs: dict[str, str] = {}  # blueprint name -> service slug

    # -- discovery -----------------------------------------------------------------------------

    def load(self, extra: Iterable[tuple[str, Any]] = (), entry_points: bool = True) -> None:
        """Register core plugins, entry-point plugins and ``extra`` (name, object) pairs, then start them.

        :raises pluggy.PluginValidationError: a hook implementation matches no spec (misspelled
            hook) or has a wrong signature. This fails start-up on purpose.
        """
        self.pm.register(core_hooks, name="ragem.core")
        candidates: list[tuple[str, Callable[[], Any], str | None, str | None]] = []
        if entry_points:
            for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
                dist = ep.dist.name if ep.dist else None
                version = ep.dist.version if ep.dist else None
                candidates.append((ep.name, ep.load, dist, version))
        for name, obj in extra:
            candidates.append((name, (lambda obj=obj: obj), None, None))

        for name, loader, dist, version in candidates:
            if name in self.records:
                continue  # an extra plugin may shadow nothing: first registration wins, loudly
            record = PluginRecord(name=name, distribution=dist, dist_version=version)
            self.records[name] = record
            if not self._allowed(name):
                record.status = DISABLED
                record.reason = "not loaded: excluded by RAGEM_PLUGINS_ALLOW/RAGEM_PLUGINS_DENY"
                continue
            try:
                record.module = loader()
            except Exception as exc:  # noqa: BLE001 - any import failure must not stop the core
                record.fail(f"import failed: {type(exc).__name__}: {exc}")
                log.debug("%s", traceback.format_exc())
                continue
            self.pm.register(record.module, name=name)

        # A misspelled hook (ragem_* with no spec) or a bad signature fails start-up loudly.
        self.pm.check_pending()
        for record in list(self.records.values()):
            if record.module is not None and record.status == ENABLED:
                self._start(record)

    def _allowed(self, name: str) -> bool:
        allow = self.settings.get("PLUGINS_ALLOW") or []
        deny = self.settings.get("PLUGINS_DENY") or []
        return (not allow or name in allow) and name not in deny

    def _start(self, record: PluginRecord) -> None:
        """Ask the plugin who it is, check its config and collect what it contributes."""
        try:
            info = self.call_one(record, "ragem_plugin_info")
            if not isinstance(info, PluginInfo):
                raise ValueError("ragem_plugin_info must return a toolkit.PluginInfo")
            problems = info.problems()
            if problems:
                raise ValueError("; ".join(problems))
            if info.slug in RESERVED_SLUGS:
                raise ValueError(f"slug {info.slug!r} is reserved by the core")
            if any(r.info and r.info.slug == info.slug for r in self.records.values() if r is not record):
                raise ValueError(f"slug {info.slug!r} is already used by another plugin")
            record.info = info
            problems = self.call_one(record, "ragem_config_check", settings=self.settings) or []
            if problems:
                raise ValueError("configuration: " + "; ".join(problems))
            record.permissions = list(self.call_one(record, "ragem_permissions") or [])
            for permission in record.permissions:
                if not permission.name.startswith(f"{info.slug}."):
                    raise ValueError(f"permission {permission.name!r} must start with '{info.slug}.'")
            record.profile_fields = list(self.call_one(record, "ragem_profile_fields") or [])
            record.blueprints = list(self.call_one(record, "ragem_blueprints") or [])
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not stop the platform
            record.fail(f"start failed: {type(exc).__name__}: {exc}")
            self.pm.unregister(record.module)

    # -- combination rules -------------------------------------------------------------------

    def impls(self, hook_name: str, record: PluginRecord):
        """The implementations of ``hook_name`` that belong to ``record``'s plugin."""
        plugin = self.pm.get_plugin(record.name)
        return [i for i in getattr(self.pm.hook, hook_name).get_hookimpls() if i.plugin is plugin]

    def call_one(self, record: PluginRecord, hook_name: str, **kwargs: Any) -> Any:
        """Call ``hook_name`` on one plugin only; ``None`` when it does not implement it."""
        for impl in self.impls(hook_name, record):
            return impl.function(**{k: kwargs[k] for k in impl.argnames if k in kwargs})
        return None

    def services(self) -> list[PluginRecord]:
        """Plugins that started (enabled at start-up), ordered by slug for stable output."""
        return sorted(
            (r for r in self.records.values() if r.status == ENABLED and r.info),
            key=lambda r: r.slug,
        )

    def per_plugin(
        self, hook_name: str, *, only_available: bool, isolate: bool = True, **kwargs: Any
    ) -> Iterator[tuple[PluginRecord, Any]]:
        """Yield ``(record, answer)`` for each started plugin implementing ``hook_name``.

        :param only_available: skip services an admin switched off (never do this for data hooks).
        :param isolate: log and skip a plugin that raises instead of failing the caller.
        """
        for record in self.services():
            if only_available and not is_available(record.slug):
                continue
            if not self.impls(hook_name, record):
                continue
            try:
                yield record, self.call_one(record, hook_name, **kwargs)
            except Exception:  # noqa: BLE001
                if not isolate:
                    raise
                log.exception("hook failed", extra={"plugin": record.name, "hook": hook_name})

    def record_for_slug(self, slug: str) -> PluginRecord | None:
        """The started plugin with this slug, if any."""
        for record in self.records.values():
            if record.info and record.info.slug == slug:
                return record
        return None

    def hook_names(self, record: PluginRecord) -> list[str]:
        """Names of the hooks this plugin implements (for the admin plugin list)."""
        plugin = self.pm.get_plugin(record.name)
        if plugin is None:
            return []
        return sorted(caller.name for caller in self.pm.get_hookcallers(plugin) or [])

    def all_permissions(self) -> dict[str, Permission]:
        """Every declared permission by name."""
        return {p.name: p for r in self.services() for p in r.permissions}


def module_hooks(module: ModuleType) -> list[str]:
    """``ragem_*`` names defined on a module (used by the meta-tests)."""
    return sorted(n for n in dir(module) if n.startswith("ragem_"))
