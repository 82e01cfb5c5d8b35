"""Schema and reference-data helpers shared by the CLI, ``ragem serve`` and the test fixtures."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import text

from ragem.extensions import db
from ragem.opds.seed import seed_opds
from ragem.regions.seed import seed_regions

log = logging.getLogger("ragem.database")


def create_all() -> None:
    """Create every table the loaded models declare (tests; production uses ``ragem db upgrade``)."""
    db.create_all()


def wipe_all() -> None:
    """Delete every row of every table (test isolation); the schema stays."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        if names:
            db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


class ReferenceDataError(RuntimeError):
    """A plugin's reference data failed to load; the message names the plugin. Nothing was kept."""


def seed_reference() -> None:
    """Load the reference data, then commit: the core's regions and OPDs, then every started
    plugin's (``ragem_reference_data``, switched-off services included). Idempotent.

    Runs inside an app context, after the migrations. One transaction: a plugin that raises rolls
    back everything and raises ``ReferenceDataError`` naming it, since a service without its
    reference data cannot serve.
    """
    try:
        seed_regions(db.session)
        seed_opds(db.session)
        registry = current_app.extensions["ragem.plugins"]
        for record in registry.services():
            if not registry.impls("ragem_reference_data", record):
                continue
            try:
                registry.call_one(record, "ragem_reference_data", session=db.session)
            except Exception as exc:
                raise ReferenceDataError(
                    f"reference data of plugin {record.name!r} failed: {type(exc).__name__}: {exc}"
                ) from exc
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
