"""Alembic revisions of the darurat112 service (`ragem db upgrade` runs them; see ragem_migrations)."""
