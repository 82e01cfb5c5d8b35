"""pytest fixtures for the core's tests and for plugin authors.

Use it from a plugin's ``conftest.py``::

    pytest_plugins = ["ragem.testing"]

Fixtures: ``make_app`` (an app factory, optionally with throwaway plugins), ``app``, ``client``,
``login_as`` (headers for a fresh account with a role), ``db_session``, ``fresh_database_url``
(an empty database of the test's own, for migrations or servers run in another process).

The database comes from ``RAGEM_TEST_DATABASE_URL`` (PostgreSQL: a private database is created for
the test session and dropped after it) or a SQLite file in a temporary folder. Every app starts
from empty tables with the reference data loaded. ``RAGEM_TEST_REDIS_URL`` turns Redis on.
"""
from __future__ import annotations

import contextlib
import itertools
import os
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ragem.app import create_app
from ragem.database import create_all, seed_reference, wipe_all

_counter = itertools.count(1)


@contextlib.contextmanager
def private_database(sqlite_folder, prefix: str = "ragem_test") -> Iterator[str]:
    """An empty database of its own: a new PostgreSQL database on ``RAGEM_TEST_DATABASE_URL``'s
    server (dropped afterwards), else a SQLite file in ``sqlite_folder``."""
    configured = os.environ.get("RAGEM_TEST_DATABASE_URL") or ""
    if not configured.startswith("postgresql"):
        yield f"sqlite:///{Path(sqlite_folder) / f'{prefix}.db'}"
        return
    base = make_url(configured)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n AND pid <> pg_backend_pid()"
            ), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def ragem_database_url(tmp_path_factory) -> Iterable[str]:
    """The URL of the test database for this session (a private PostgreSQL database, or SQLite)."""
    configured = os.environ.get("RAGEM_TEST_DATABASE_URL")
    if configured and not configured.startswith("postgresql"):
        yield configured
        return
    with private_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture
def fresh_database_url(tmp_path) -> Iterable[str]:
    """An empty database for one test, with no tables: for migrations and out-of-process servers."""
    with private_database(tmp_path, prefix="ragem_fresh") as url:
        yield url


@pytest.fixture(scope="session")
def ragem_instance_path(tmp_path_factory) -> str:
    """An instance folder for the session (development keys, uploads)."""
    return str(tmp_path_factory.mktemp("instance"))


@pytest.fixture
def ragem_settings(ragem_database_url, ragem_instance_path) -> dict[str, Any]:
    """Settings every test app starts from; tests may copy and change them."""
    return {
        "ENV": "testing",
        "DATABASE_URL": ragem_database_url,
        "INSTANCE_PATH": ragem_instance_path,
        "REDIS_URL": os.environ.get("RAGEM_TEST_REDIS_URL") or None,
        "LOG_JSON": False,
        "LOG_LEVEL": "WARNING",
        "SCHEDULER": False,
        "JOBS_INLINE": True,
        # Argon2 at full cost is ~0.2 s a hash; tests create hundreds of accounts. The password
        # tests that care about the production profile set it back explicitly.
        "PASSWORD_HASHING": "test-cheapest",
        # A fresh rate-limit namespace per app, so counts never leak between tests on Redis.
        "RATELIMIT_KEY_PREFIX": f"ragem-test-{uuid.uuid4().hex[:8]}",
    }


@pytest.fixture
def make_app(ragem_settings) -> Callable[..., Any]:
    """Build an app on empty tables: ``make_app(extra_plugins=[("name", module)], **settings)``."""
    built = []

    def factory(extra_plugins: Iterable[tuple[str, Any]] = (), entry_points: bool = True, **overrides):
        settings = {**ragem_settings, **overrides}
        app = create_app(settings, extra_plugins=extra_plugins, entry_points=entry_points)
        with app.app_context():
            create_all()
            wipe_all()
            seed_reference()
        built.append(app)
        return app

    yield factory
    for app in built:
        with app.app_context():
            from ragem.extensions import db

            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    """A RAGEM app with every installed plugin, on empty tables."""
    return make_app()


@pytest.fixture
def client(app):
    """A test client of ``app``."""
    return app.test_client()


@pytest.fixture
def db_session(app):
    """The SQLAlchemy session of ``app``, inside an app context."""
    from ragem.extensions import db

    with app.app_context():
        yield db.session


def create_account(app, role: str = "citizen", *, opd: str | None = None, password: str = "Rahasia-Kuat-123"):
    """Create a verified account with ``role`` in ``app``; returns ``(user_id, phone, password)``."""
    from ragem.auth.accounts import create_user
    from ragem.extensions import db

    n = next(_counter)
    with app.app_context():
        user = create_user(
            name=f"Test {role.title()} {n}",
            phone=f"+62812{uuid.uuid4().int % 10**8:08d}",
            password=password,
            roles=(role,),
            opd_code=opd or ("DISKOMINFO" if role == "officer" else None),
        )
        db.session.commit()
        return user.id, user.phone, password


def bearer(app, user_id: str) -> dict[str, str]:
    """An ``Authorization`` header with a fresh access token for ``user_id`` (a new session of its own)."""
    from ragem.auth.models import User
    from ragem.auth.sessions import issue_tokens, start_session
    from ragem.extensions import db

    with app.test_request_context():
        user = db.session.get(User, user_id)
        session, refresh_token = start_session(user, device="pytest", ip="127.0.0.1")
        token = issue_tokens(user, session, refresh_token)["access_token"]
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def login_as(app) -> Callable[..., dict[str, str]]:
    """``login_as("admin")`` -> headers of a fresh account with that role (``opd=`` for officers)."""

    def factory(role: str = "citizen", *, opd: str | None = None, target_app=None) -> dict[str, str]:
        target = target_app or app
        user_id, _phone, _password = create_account(target, role, opd=opd)
        headers = bearer(target, user_id)
        headers["X-Test-User-Id"] = user_id  # handy for assertions; ignored by the API
        return headers

    return factory
