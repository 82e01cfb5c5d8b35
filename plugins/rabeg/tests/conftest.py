"""The fixtures of ragem.testing (app, client, login_as...) for the RABEG tests.

Not ``pytest_plugins``: pytest refuses it outside the top-level conftest when the whole suite runs,
and tests/conftest.py is not loaded when only this folder runs. Importing the fixtures works both ways.
"""
from ragem.testing import (  # noqa: F401
    app,
    client,
    db_session,
    fresh_database_url,
    login_as,
    make_app,
    ragem_database_url,
    ragem_instance_path,
    ragem_settings,
)
