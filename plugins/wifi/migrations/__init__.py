"""Alembic revisions of the wifi service (`ragem db upgrade` runs them; see ragem_migrations)."""
