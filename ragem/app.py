"""The application factory: config -> extensions -> plugin manager -> blueprints."""
from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import re
import sqlite3
from urllib.parse import quote
from typing import Any, Iterable, Mapping

from flask import Flask
from flask_cors import CORS
from flask_smorest import Api
from sqlalchemy.engine import make_url

from ragem import __version__
from ragem.config import load_settings
from ragem.core_modules import CORE_MODULES
from ragem.errors import keep_retry_after, register_error_handlers
from ragem import ratelimits  # importing it registers the read exemption once
from ragem.extensions import db, limiter
from ragem.json_input import StrictJSONProvider
from ragem.private_paths import private_file
from ragem import db_liveness, http_guards, ratelimit_storage, security_headers
from ragem.logs import configure_logging, install_request_id
from ragem.plugins import PluginRegistry
from ragem.schemas import ErrorSchema


class RagemFlask(Flask):
    """Flask, with ``ensure_sync`` answered from memory.

    Flask asks ``inspect.iscoroutinefunction`` about every hook and the view on every request
    (17 calls on a plugin route, about 5% of a cheap request's time). The answer is the code
    object's coroutine flag, which never changes, so it is kept per code object: bounded by the
    program's code, and it keeps no per-request closure (``after_this_request``) alive.
    """

    def ensure_sync(self, func):
        """Flask's answer for ``func``: the function itself, or a wrapper for an ``async def``."""
        code = getattr(getattr(func, "__func__", func), "__code__", None)
        if code is None or hasattr(func, "_is_coroutine_marker"):  # partials, callables, marked functions
            return super().ensure_sync(func)
        is_async = _ASYNC_CODE.get(code)
        if is_async is None:
            is_async = _ASYNC_CODE[code] = inspect.iscoroutinefunction(func)
        return self.async_to_sync(func) if is_async else func


#: Code object -> whether functions of that code are coroutine functions (RagemFlask.ensure_sync).
_ASYNC_CODE: dict[Any, bool] = {}


class RagemApi(Api):
    """flask-smorest's Api, documenting our error envelope instead of its own."""

    ERROR_SCHEMA = ErrorSchema


def create_app(
    config: Mapping[str, Any] | None = None,
    *,
    extra_plugins: Iterable[tuple[str, Any]] = (),
    entry_points: bool = True,
    read_only: bool = False,
) -> Flask:
    """Build a RAGEM app.

    :param config: settings overriding the environment, keyed without the ``RAGEM_`` prefix.
    :param extra_plugins: ``(name, module_or_object)`` pairs registered beside the entry points
        (``ragem.testing`` uses this for throwaway plugins).
    :param entry_points: discover installed plugins (turn off to test the core alone).
    :param read_only: for commands that only read: create no file or folder (the instance folder,
        development secrets, the SQLite file, the uploads folder); a missing SQLite file is not
        created but fails to open, which the CLI explains (``app.config["RAGEM_READ_ONLY"]``).
    """
    settings = load_settings(config, read_only=read_only)
    configure_logging(settings["LOG_LEVEL"], settings["LOG_JSON"])
    app = RagemFlask("ragem", instance_path=settings["INSTANCE_PATH"], static_folder=None)
    app.config["RAGEM_READ_ONLY"] = read_only
    _configure_flask(app, settings, read_only=read_only)

    db.init_app(app)
    with app.app_context():
        db_liveness.install(db.engine)
    # after_request functions run last-registered first: this one must see the limiter's headers.
    app.after_request(keep_retry_after)
    limiter.init_app(app)
    ratelimits.skip_exempt_routes(app)
    CORS(app, resources={r"/*": {"origins": settings["CORS_ORIGINS"]}}, expose_headers=["X-Request-ID"])
    api = RagemApi(app)
    app.extensions["ragem.api"] = api
    _document_security(api)
    register_error_handlers(app)  # after Api: ours replace flask-smorest's handler
    install_request_id(app)
    http_guards.install(app)  # after the request id: its refusals carry one
    security_headers.install(app)

    registry = PluginRegistry(settings)
    app.extensions["ragem.plugins"] = registry
    registry.load(extra=extra_plugins, entry_points=entry_points)

    for module_name in CORE_MODULES:
        importlib.import_module(module_name).init_app(app, api)
    _mount_plugins(app, api, registry)
    return app


def _configure_flask(app: Flask, settings: dict[str, Any], *, read_only: bool = False) -> None:
    """Translate RAGEM settings into Flask and extension config."""
    app.config.update(
        RAGEM=settings,
        SECRET_KEY=settings["SECRET_KEY"],
        TESTING=settings["ENV"] == "testing",
        MAX_CONTENT_LENGTH=settings["MAX_BODY_BYTES"],
        SQLALCHEMY_DATABASE_URI=settings["DATABASE_URL"],
        # No pool_pre_ping: ragem.db_liveness checks a pooled connection without a round trip.
        SQLALCHEMY_ENGINE_OPTIONS={},
        # Redis in production; on the embedded default a SQLite file all workers of the host share.
        RATELIMIT_STORAGE_URI=settings["REDIS_URL"] or ratelimit_storage.embedded_uri(settings["INSTANCE_PATH"]),
        RATELIMIT_DEFAULT=settings["RATE_LIMIT"],
        RATELIMIT_HEADERS_ENABLED=True,
        # Redis down: count in this process's memory until it is back (each limit then holds per
        # worker, looser by the number of workers, never lifted); a failure even there is swallowed
        # rather than failing every request.
        RATELIMIT_IN_MEMORY_FALLBACK_ENABLED=True,
        RATELIMIT_SWALLOW_ERRORS=True,
        RATELIMIT_ENABLED=settings.get("RATELIMIT_ENABLED", True),
        RATELIMIT_KEY_PREFIX=settings.get("RATELIMIT_KEY_PREFIX", "ragem"),
        API_TITLE="RAGEM API",
        API_VERSION=__version__,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX=None,  # we serve /openapi.yaml and /api/docs ourselves
        JSON_SORT_KEYS=False,
    )
    app.json = StrictJSONProvider(app)  # request.get_json() refuses what no service could store
    if settings["DATABASE_URL"].startswith("sqlite"):
        # SQLite: wait for a writer instead of failing with 'database is locked' under gunicorn.
        busy_seconds = settings.get("SQLITE_BUSY_SECONDS", 30.0)
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": busy_seconds}}
        database = make_url(settings["DATABASE_URL"]).database
        if database and database != ":memory:" and not database.startswith("file:"):
            if read_only:
                # sqlite3 creates a missing file on connect; mode=rw opens only an existing one.
                app.config["SQLALCHEMY_ENGINE_OPTIONS"]["creator"] = functools.partial(
                    sqlite3.connect, f"file:{quote(database)}?mode=rw", uri=True, timeout=busy_seconds,
                    check_same_thread=False,
                )
            else:
                with contextlib.suppress(OSError):  # an unwritable place is /readyz's to report
                    private_file(database)  # created 0600 before SQLite would create it 0644


def _document_security(api: Api) -> None:
    """Declare the bearer scheme (401/403 responses are flask-smorest's lazy components)."""
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )


#: Root paths of the core that no plugin blueprint may be mounted under (with the first segment of
#: every rule the core registered before the plugins, checked at mount time).
CORE_ROOT_PATHS = frozenset({
    "/api", "/healthz", "/readyz", "/metrics", "/files", "/docs", "/.well-known", "/openapi.yaml", "/static", "/console", "/sso",
})
_ROOT_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")


def _first_segment(path: str) -> str:
    """``/open311/v2/x`` -> ``/open311``."""
    return "/" + path.lstrip("/").split("/", 1)[0]


def _root_prefix_problem(prefix: str | None, core_roots: set[str], root_owners: dict[str, str], slug: str) -> str | None:
    """Why ``slug`` may not mount a blueprint at the site-root ``prefix`` (``None`` when it may)."""
    if not prefix or not _ROOT_PREFIX.match(prefix) or {".", ".."} & set(prefix.split("/")):
        return f"root mount prefix {prefix!r} must be a path like '/open311/v2'"
    segment = _first_segment(prefix)
    if segment in core_roots or segment.lower() in core_roots:
        return f"root mount prefix {prefix!r} is served by the core"
    owner = root_owners.get(segment)
    if owner and owner != slug:
        return f"root mount prefix {prefix!r} is already taken by the plugin {owner!r}"
    return None


def _mount_plugins(app: Flask, api: Api, registry: PluginRegistry) -> None:
    """Mount each started plugin's blueprints under ``/api/v1/<slug>`` (``root_mount`` ones at their own prefix).

    A plugin's blueprints are all checked before any is mounted, so a refused one leaves none of
    that plugin's routes behind.
    """
    core_roots = set(CORE_ROOT_PATHS) | {_first_segment(rule.rule) for rule in app.url_map.iter_rules()}
    root_owners: dict[str, str] = {}  # first path segment of a root mount -> plugin slug
    for record in registry.services():
        mounts, names, problem = [], set(), None
        for blueprint in record.blueprints:
            owner = registry.blueprint_slugs.get(blueprint.name)
            if owner and owner != record.slug or blueprint.name in app.blueprints or blueprint.name in names:
                problem = f"blueprint name {blueprint.name!r} is already taken"
                break
            names.add(blueprint.name)
            if getattr(blueprint, "root_mount", False):
                problem = _root_prefix_problem(blueprint.url_prefix, core_roots, root_owners, record.slug)
                if problem:
                    break
                mounts.append((blueprint, blueprint.url_prefix))
            else:
                mounts.append((blueprint, f"/api/v1/{record.slug}" + (blueprint.url_prefix or "")))
        if problem:
            record.fail(f"start failed: {problem}")
            continue
        for blueprint, prefix in mounts:
            registry.blueprint_slugs[blueprint.name] = record.slug
            if getattr(blueprint, "root_mount", False):
                root_owners[_first_segment(prefix)] = record.slug
            api.register_blueprint(blueprint, url_prefix=prefix)
