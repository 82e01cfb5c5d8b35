"""Alembic revisions of the SIKONDANG service (`ragem db upgrade` runs them; see ragem_migrations)."""
