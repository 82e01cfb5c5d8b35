"""SIKONDANG - City Statistics (sikondang): a RAGEM service plugin."""
