"""The core's tests use the same fixtures plugin authors get from ``ragem.testing``."""

pytest_plugins = ["ragem.testing"]
