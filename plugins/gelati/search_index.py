"""The full-text index over product names and descriptions, one per database.

- SQLite (the embedded default): an FTS5 table ``gelati_product_fts`` holding no copy of the text
  (``content=`` points at ``gelati_product``), kept in step by three triggers. A stock change does
  not touch it: the update trigger fires only when the name or description changes.
- PostgreSQL (production): a stored generated ``tsvector`` column ``search_vector`` (the name
  weighs more than the description) with a GIN index. The ``simple`` configuration: PostgreSQL has
  no Indonesian stemmer, and product names mix Indonesian, Javanese, Sundanese and brand words.

Neither is an ORM column: the model stays the same on both databases. The statements run when
``create_all`` creates the table (tests, development) and in the plugin's initial migration.
"""
from __future__ import annotations

from sqlalchemy import DDL, event

from plugins.gelati.models import Product

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS gelati_product_fts USING fts5("
    "name, description, content='gelati_product', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS gelati_product_fts_insert AFTER INSERT ON gelati_product BEGIN "
    "INSERT INTO gelati_product_fts(rowid, name, description) VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS gelati_product_fts_delete AFTER DELETE ON gelati_product BEGIN "
    "INSERT INTO gelati_product_fts(gelati_product_fts, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS gelati_product_fts_update AFTER UPDATE OF name, description ON gelati_product "
    "BEGIN INSERT INTO gelati_product_fts(gelati_product_fts, rowid, name, description) "
    "VALUES ('delete', old.id, old.name, old.description); "
    "INSERT INTO gelati_product_fts(rowid, name, description) VALUES (new.id, new.name, new.description); END",
)
SQLITE_DROP = (
    "DROP TRIGGER IF EXISTS gelati_product_fts_update",
    "DROP TRIGGER IF EXISTS gelati_product_fts_delete",
    "DROP TRIGGER IF EXISTS gelati_product_fts_insert",
    "DROP TABLE IF EXISTS gelati_product_fts",
)

POSTGRESQL = (
    "ALTER TABLE gelati_product ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS ix_gelati_product_search ON gelati_product USING GIN (search_vector)",
)
POSTGRESQL_DROP = (
    "DROP INDEX IF EXISTS ix_gelati_product_search",
    "ALTER TABLE gelati_product DROP COLUMN IF EXISTS search_vector",
)


def statements(dialect: str, *, drop: bool = False) -> tuple[str, ...]:
    """The statements that create (or ``drop``) the index on ``dialect``; none on other databases."""
    if dialect == "sqlite":
        return SQLITE_DROP if drop else SQLITE
    if dialect == "postgresql":
        return POSTGRESQL_DROP if drop else POSTGRESQL
    return ()


for _dialect in ("sqlite", "postgresql"):
    for _statement in statements(_dialect):
        event.listen(Product.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))
