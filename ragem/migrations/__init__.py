"""Alembic environment and templates shared by the core's and every plugin's migration history."""
