"""Alembic, run from code: one migration history for the core and one per plugin.

Every history uses the same ``env.py`` and ``script.py.mako`` (``ragem/migrations``) and differs in
three things, handed to ``env.py`` through ``Config.attributes``:

- where its revision files live: ``ragem/migrations/versions`` for the core, the folder a plugin's
  ``ragem_migrations`` hook returns for a plugin;
- its version table: ``alembic_version`` for the core, ``alembic_version_<slug>`` for a plugin, so
  installing or removing a plugin never touches another history;
- the tables it owns: a plugin owns the tables named ``<slug>_...``; the core owns every other
  table (see ``TableOwner``).

Each history is its own Alembic script directory, so it has exactly one head and needs no branch
labels: a plugin's first revision simply has ``down_revision = None``.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from ragem.extensions import db
from ragem.plugins import ENTRY_POINT_GROUP

log = logging.getLogger("ragem.migrate")

MIGRATIONS_DIR = Path(__file__).resolve().with_name("migrations")
CORE = "core"
CORE_VERSION_TABLE = "alembic_version"
PLUGIN_VERSION_TABLE_PREFIX = "alembic_version_"


class MigrationError(Exception):
    """A history could not be migrated or a revision could not be written.

    ``applied`` lists what ``upgrade_all`` did apply before (or despite) the failure.
    """

    def __init__(self, message: str, applied: list[str] | None = None):
        super().__init__(message)
        self.applied = applied or []


@dataclass(frozen=True)
class History:
    """One migration history: the core's or one plugin's."""

    name: str  # "core" or the plugin's slug
    version_table: str
    versions_dir: Path

    @property
    def is_plugin(self) -> bool:
        """Whether this history belongs to a plugin."""
        return self.name != CORE


@dataclass(frozen=True)
class HistoryState:
    """Where one history stands in the database."""

    name: str
    current: tuple[str, ...]
    heads: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        """Whether the database is at the history's head(s)."""
        return set(self.current) == set(self.heads)


#: A plugin's SQLite full-text index ``<slug>_..._fts`` (created by its migration, not a model) and
#: the shadow tables FTS5 keeps beside it; schema comparison leaves them alone.
FULL_TEXT_INDEX_TABLE = re.compile(r"_fts(_(data|idx|docsize|config|content))?$")


@dataclass(frozen=True)
class TableOwner:
    """Decides which tables one history manages, for autogenerate and schema comparison.

    A plugin owns ``<slug>_*``. The core owns the rest, minus the prefixes of every plugin it
    knows of: started or not, and also plugins since removed whose version table is still in the
    database, so a core revision never tries to drop a removed plugin's data.
    """

    slug: str | None  # None: the core
    plugin_prefixes: frozenset[str] = field(default_factory=frozenset)

    def owns(self, table_name: str) -> bool:
        """Whether ``table_name`` belongs to this history."""
        if table_name == CORE_VERSION_TABLE or table_name.startswith(PLUGIN_VERSION_TABLE_PREFIX):
            return False  # bookkeeping, never a model
        if FULL_TEXT_INDEX_TABLE.search(table_name):
            return False  # a SQLite FTS5 index and the tables it keeps: the database's, never a model
        if self.slug is not None:
            return table_name.startswith(f"{self.slug}_")
        return not any(table_name.startswith(prefix) for prefix in self.plugin_prefixes)

    def include_name(self, name: str | None, type_: str, parent_names: dict[str, Any]) -> bool:
        """Alembic ``include_name`` hook: filters reflected tables."""
        return type_ != "table" or name is None or self.owns(name)

    def include_object(self, obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        """Alembic ``include_object`` hook: filters tables of the models and of the database, and
        leaves out a PostgreSQL full-text column (``tsvector``) and its index, which a plugin's
        migration makes beside its models (the counterpart of SQLite's FTS5 tables)."""
        if type_ == "table":
            return name is None or self.owns(name)
        if reflected and compare_to is None and _is_full_text(obj, type_):
            return False
        return True


def _is_full_text(obj: Any, type_: str) -> bool:
    """Whether a reflected column is a ``tsvector``, or a reflected index covers only such columns."""
    from sqlalchemy.dialects.postgresql import TSVECTOR

    if type_ == "column":
        return isinstance(obj.type, TSVECTOR)
    if type_ == "index":
        columns = list(obj.columns)
        return bool(columns) and all(isinstance(column.type, TSVECTOR) for column in columns)
    return False


# -- which histories exist -------------------------------------------------------------------------

def _registry(app: Flask):
    return app.extensions["ragem.plugins"]


def histories(app: Flask) -> list[History]:
    """The core's history, then each started plugin's that implements ``ragem_migrations``."""
    found = [History(CORE, CORE_VERSION_TABLE, MIGRATIONS_DIR / "versions")]
    registry = _registry(app)
    for record in registry.services():
        folder = registry.call_one(record, "ragem_migrations")
        if folder:
            found.append(History(record.slug, PLUGIN_VERSION_TABLE_PREFIX + record.slug, Path(folder)))
    return found


def _history(app: Flask, name: str | None) -> History:
    wanted = name or CORE
    for history in histories(app):
        if history.name == wanted:
            return history
    raise MigrationError(f"no started plugin {wanted!r} with a ragem_migrations hook")


def table_owner(app: Flask, connection: Connection, history: History) -> TableOwner:
    """The table filter of ``history`` (for the core it depends on what is in the database)."""
    if history.is_plugin:
        return TableOwner(slug=history.name)
    slugs = set()
    for record in _registry(app).records.values():
        slugs.add(record.name)
        if record.info:
            slugs.add(record.info.slug)
    # Installed plugins count too, loaded in this app or not: their models may be imported in
    # the process (another app, a test), and their tables are never the core's.
    slugs.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    for table in inspect(connection).get_table_names():
        if table.startswith(PLUGIN_VERSION_TABLE_PREFIX):
            slugs.add(table[len(PLUGIN_VERSION_TABLE_PREFIX):])
    return TableOwner(slug=None, plugin_prefixes=frozenset(f"{slug}_" for slug in slugs))


def _config(app: Flask, history: History, connection: Connection, applied: list[str] | None = None) -> Config:
    """An Alembic config with no ini file: everything ``env.py`` needs is in ``attributes``."""
    cfg = Config()
    # configparser interpolates '%', so escape it in paths.
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    cfg.set_main_option("version_locations", str(history.versions_dir).replace("%", "%%"))
    cfg.set_main_option("path_separator", "newline")  # one folder; a path may hold spaces or colons
    cfg.attributes.update(
        connection=connection,
        version_table=history.version_table,
        owner=table_owner(app, connection, history),
        history=history.name,
        applied=applied,
    )
    return cfg


# -- commands --------------------------------------------------------------------------------------

def _upgrade(app: Flask, history: History) -> list[str]:
    applied: list[str] = []
    # One transaction per history: a broken plugin migration never rolls back the core's.
    with db.engine.begin() as connection:
        adopted = _adopt_unversioned(app, history, connection)
        if adopted:
            return [adopted]
        command.upgrade(_config(app, history, connection, applied), "heads")
    return applied


def _adopt_unversioned(app: Flask, history: History, connection: Connection) -> str | None:
    """Bring a history under migrations when its tables exist but its version table does not.

    A database made with ``create_all`` (an early install, a copied test database) has the tables
    and no Alembic version: upgrading from nothing would fail on "table already exists". When the
    tables match the models exactly, the history is stamped at its head; when they differ, nothing
    is guessed: the error lists the differences.
    """
    names = set(inspect(connection).get_table_names())
    if history.version_table in names:
        return None
    owner = table_owner(app, connection, history)
    if not any(owner.owns(name) for name in names):
        return None  # a new history: the normal upgrade creates its tables
    context = MigrationContext.configure(connection, opts={
        "include_name": owner.include_name, "include_object": owner.include_object, "compare_type": True,
    })
    differences = compare_metadata(context, db.metadata)
    if differences:
        shown = "; ".join(str(difference)[:160] for difference in differences[:3])
        raise MigrationError(
            f"{history.name}: its tables exist but were not made by migrations (no {history.version_table}) "
            f"and differ from the models in {len(differences)} ways ({shown}); back the database up and "
            "bring it in line by hand, or start from an empty database"
        )
    cfg = _config(app, history, connection)
    command.stamp(cfg, "heads")
    heads = ", ".join(ScriptDirectory.from_config(cfg).get_heads())
    return f"{history.name} {heads} stamped: its tables were made without migrations and match the models"


def upgrade_all(app: Flask) -> list[str]:
    """Bring the core, then every started plugin, to the head of its history.

    :returns: what was applied, one ``"<history> <revision> <message>"`` line per revision, in
        order (empty when everything was up to date).
    :raises MigrationError: the core failed (nothing else is tried), or some plugins failed (the
        others were still migrated; ``applied`` says what was done).
    """
    done: list[str] = []
    failures: list[str] = []
    with app.app_context():
        for history in histories(app):
            try:
                done.extend(_upgrade(app, history))
            except Exception as exc:  # noqa: BLE001 - report every history, then fail loudly
                if not history.is_plugin:
                    raise MigrationError(f"core: {type(exc).__name__}: {exc}", done) from exc
                log.exception("plugin migration failed", extra={"plugin": history.name})
                failures.append(f"{history.name}: {type(exc).__name__}: {exc}")
        db.engine.dispose()  # the schema changed: no pooled connection keeps stale metadata
    if failures:
        raise MigrationError("; ".join(failures), done)
    return done


def current(app: Flask) -> list[HistoryState]:
    """Each history's current revision(s) in the database and its head(s) on disk."""
    states = []
    with app.app_context(), db.engine.connect() as connection:
        for history in histories(app):
            cfg = _config(app, history, connection)
            context = MigrationContext.configure(connection, opts={"version_table": history.version_table})
            states.append(HistoryState(
                name=history.name,
                current=tuple(context.get_current_heads()),
                heads=tuple(ScriptDirectory.from_config(cfg).get_heads()),
            ))
    return states


def revision(
    app: Flask,
    message: str,
    plugin: str | None = None,
    autogenerate: bool = True,
    rev_id: str | None = None,
) -> Path:
    """Write a new revision file into the core's versions folder or into plugin ``plugin``'s folder.

    With ``autogenerate`` the database must be at the history's head; the revision then holds
    the difference between the models and the database, limited to the tables the history owns.

    :param rev_id: a fixed revision id (default: a random one), e.g. ``"0001"``.
    :returns: the path of the new file.
    :raises MigrationError: unknown plugin, database not up to date, or another Alembic refusal.
    """
    with app.app_context():
        history = _history(app, plugin)
        history.versions_dir.mkdir(parents=True, exist_ok=True)
        try:
            with db.engine.begin() as connection:
                script = command.revision(
                    _config(app, history, connection),
                    message=message,
                    autogenerate=autogenerate,
                    rev_id=rev_id,
                    version_path=str(history.versions_dir),
                )
        except CommandError as exc:
            raise MigrationError(f"{history.name}: {exc}") from exc
    scripts = script if isinstance(script, list) else [script]
    return Path(scripts[0].path)
