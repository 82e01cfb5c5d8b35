"""Tools for RAGEM's own development (used by the test suite, never by a running app)."""
