"""Schema and reference-data helpers shared by the CLI, ``ragem serve`` and the test fixtures."""
from __future__ import annotations

import logging

from sqlalchemy import text

from ragem.extensions import db

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


def seed_reference() -> None:
    """Load the reference data (regions, OPDs); idempotent."""
    for module_name, func_name in (("ragem.regions.seed", "seed_regions"), ("ragem.opds.seed", "seed_opds")):
        try:
            module = __import__(module_name, fromlist=[func_name])
        except ModuleNotFoundError:
            continue
        getattr(module, func_name)(db.session)
    db.session.commit()
