"""Alembic revisions of the rabeg service (`ragem db upgrade` runs them; see ragem_migrations)."""
