"""pytest fixtures for the core's tests and for plugin authors.

Use it from a plugin's ``conftest.py``::

    pytest_plugins = ["ragem.testing"]

Fixtures: ``make_app`` (an app factory, optionally with throwaway plugins), ``app``, ``client``,
``login_as`` (headers for a fresh account with a role), ``db_session``, ``fresh_database_url``
(an empty database of the test's own, for migrations or servers run in another process).

The database comes from ``RAGEM_TEST_DATABASE_URL`` (PostgreSQL: a private database is created for
the test session and dropped after it) or a SQLite file in a temporary folder. Every app starts
from empty tables with the reference data loaded (the core's and every plugin's
``ragem_reference_data``). ``RAGEM_TEST_REDIS_URL`` turns Redis on.

Helpers, inside an app context: ``run_due_jobs`` and ``periodic_jobs`` (the scheduler),
``invoke_cli`` (``ragem ...`` commands against an app), ``audit_entries`` and ``inbox`` (what was
recorded and who was told), ``account`` (an account row for a test's setup),
``stored_text_containing`` (personal data stored in clear anywhere), ``captured_logs`` and
``secrets_in_logs`` (what the logs would leak), ``openapi_spec``,
``load_demo`` and ``DEMO_PASSWORD``, and ``boundary_violations`` (a plugin imports only the toolkit).
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import itertools
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

import ragem.cli as _cli
from ragem import demo as _demo
from ragem.apidocs.spec import spec_dict
from ragem.app import create_app
from ragem.audit.models import AuditEntry
from ragem.auth.accounts import create_user
from ragem.auth.models import User
from ragem.auth.sessions import issue_tokens, start_session
from ragem.database import create_all, seed_reference, wipe_all
from ragem.demo import DEMO_PASSWORD  # noqa: F401  (the demo accounts' password, for plugin tests)
from ragem.extensions import db
from ragem.jobs import scheduler as _scheduler
from ragem.messaging.fallback import send_due
from ragem.messaging.gateways import providers
from ragem.messaging.models import DeliveryAttempt
from ragem.loopback import LoopbackServer, Recorded, Reply  # noqa: F401  (gateway tests: a provider on 127.0.0.1)
from ragem.notifications.models import Notification

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
    with app.app_context():
        yield db.session


def create_account(app, role: str = "citizen", *, opd: str | None = None, password: str = "Rahasia-Kuat-123"):
    """Create a verified account with ``role`` in ``app``; returns ``(user_id, phone, password)``."""
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
    with app.test_request_context():
        user = db.session.get(User, user_id)
        session, refresh_token = start_session(user, device="pytest", ip="127.0.0.1")
        token = issue_tokens(user, session, refresh_token)["access_token"]
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_csrf_token(client, path: str = "/console/login") -> str:
    """The CSRF token the console page at ``path`` carries in its forms (what a browser would post)."""
    page = client.get(path)
    found = _CSRF_FIELD.search(page.get_data(as_text=True))
    assert found, f"{path} carries no form ({page.status_code})"
    return found.group(1)


def console_client(app, role: str = "officer", *, opd: str | None = None):
    """A test client logged in to the console through its log-in form as a fresh ``role`` account.

    A citizen gets a client that is not logged in (the console refuses citizens).
    """
    _user_id, phone, password = create_account(app, role, opd=opd)
    client = app.test_client()
    token = console_csrf_token(client)
    client.post("/console/login", data={"identifier": phone, "password": password, "csrf_token": token})
    return client


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


# ---------------------------------------------------------------------------------------------
# Helpers for plugin tests: what a test needs to observe without reaching into the core.
# Each works inside an app context (``with app.app_context():`` or the ``db_session`` fixture).
# ---------------------------------------------------------------------------------------------

def run_due_jobs(now=None) -> list[str]:
    """Run the periodic jobs due at ``now`` (default: now) as the scheduler would; returns the names
    of the jobs that ran (``rabeg.escalate``...). Each slot runs once: a second call at the same
    moment runs nothing."""
    return _scheduler.run_due_jobs(now)


def periodic_jobs(app=None) -> dict[str, Any]:
    """The registered periodic jobs by full name (``<slug>.<name>``): each has ``every_seconds``
    and ``func``."""
    return {job.name: job for job in _scheduler.periodic_jobs(app)}


def invoke_cli(app, args: list[str], **kwargs):
    """Run ``ragem <args>`` against ``app`` (a plugin's commands are ``[slug, ...]``); returns click's
    ``Result`` with ``exit_code`` and ``output``. With ``app=None`` the command builds its app from
    the environment, as on a server: pass ``env={"RAGEM_DATABASE_URL": ...}``."""
    if app is None:
        return CliRunner().invoke(_cli.main, list(args), **kwargs)
    # The commands act on this app, not one built from the environment. Command modules that
    # imported build_app by name hold their own reference: load them all first (one imported
    # while patched would keep the patch for good), then patch it wherever it is.
    for name in _cli.COMMAND_MODULES:
        importlib.import_module(name)
    modules = [module for name, module in list(sys.modules.items())
               if (name == "ragem.cli" or name.startswith("ragem.cli.")) and hasattr(module, "build_app")]
    originals = [(module, module.build_app) for module in modules]
    for module in modules:
        module.build_app = lambda read_only=False: app
    try:
        return CliRunner().invoke(_cli.main, list(args), **kwargs)
    finally:
        for module, original in originals:
            module.build_app = original


def audit_entries(*, action: str | None = None, target_type: str | None = None,
                  target_id: str | None = None) -> list:
    """Audit entries, oldest first, optionally one ``action``/``target_type``/``target_id``; each
    has ``actor_id``, ``actor_role``, ``action``, ``target_type``, ``target_id``, ``before``,
    ``after``, ``reason`` and ``created_at``."""
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in ((AuditEntry.action, action), (AuditEntry.target_type, target_type),
                          (AuditEntry.target_id, target_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    return list(db.session.scalars(stmt))


def inbox(user_id: str | None = None) -> list:
    """In-app notifications, oldest first: one account's, or everyone's when ``user_id`` is
    ``None``; each has ``user_id``, ``service``, ``kind``, ``title_id``/``title_en``,
    ``body_id``/``body_en``, ``data`` and ``read_at``."""
    stmt = select(Notification).order_by(Notification.id)
    if user_id is not None:
        stmt = stmt.where(Notification.user_id == user_id)
    return list(db.session.scalars(stmt))


def account(user_id: str):
    """The account row of ``user_id`` (to read or change its profile in a test's setup)."""
    return db.session.get(User, user_id)


def stored_text_containing(*needles: str, whole: bool = False) -> list[str]:
    """``"table.column holds 'needle'"`` for every value stored in any table (the core's and every
    plugin's) that contains one of ``needles``, case-insensitively; ``[]`` when none does.

    For tests that personal data is not kept in clear: register a NIK, a phone number or an address,
    run the service, then ``assert stored_text_containing(nik, phone, address) == []``. Short
    pieces (the last four digits of a NIK, a birth date as ``DDMMYY``) turn up by chance inside
    hashes, ids and ciphertexts: look for them with ``whole=True``, which matches only a value that
    is the piece itself (a column holding it).
    """
    wanted = [needle.lower() for needle in needles]
    found = []
    with db.engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')).mappings():
                for column, value in row.items():
                    stored = "" if value is None else str(value).lower()
                    found += [f"{table}.{column} holds {needle!r}" for needle, lowered in zip(needles, wanted)
                              if (lowered == stored if whole else lowered in stored)]
    return found


def delivery_attempts() -> list:
    """Every recorded delivery attempt, oldest first (detached rows: read them after the request)."""
    rows = list(db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
    for row in rows:
        db.session.expunge(row)
    return rows


def message_gateways() -> list[tuple[str, str]]:
    """The ``(channel, provider)`` of every gateway this app declared."""
    return [(g.channel, g.provider) for g in providers()]


def send_due_fallbacks(now=None) -> int:
    """Send the SMS fallbacks of WhatsApp codes that are due at ``now`` (default now) as the
    ``core.message-fallback`` job does; returns how many were sent."""
    return send_due(now)


def loopback_server() -> LoopbackServer:
    """A local HTTP server that records each request and answers what the test queued
    (``Reply(status, json=..., headers=..., delay=...)``): ``with loopback_server() as server:``,
    then ``server.url`` and ``server.requests``. Gateway plugins test their provider's contract on it."""
    return LoopbackServer()


@contextlib.contextmanager
def captured_logs() -> Iterator[list[str]]:
    """Every log line written while the block runs, as the JSON lines production writes (each
    record formatted with RAGEM's ``JsonFormatter``, extras included): ``with captured_logs() as
    lines:``. The ``ragem`` and ``plugins`` loggers are captured down to DEBUG, all others (the
    libraries') from INFO, whatever the app's ``LOG_LEVEL``."""
    import logging

    from ragem.logs import JsonFormatter

    lines: list[str] = []

    class _Keep(logging.Handler):
        last: logging.LogRecord | None = None

        def emit(self, record: logging.LogRecord) -> None:
            if record is not self.last:  # a record that propagates reaches the handler twice in a row
                self.last = record
                lines.append(self.format(record))

    handler = _Keep(logging.DEBUG)
    handler.setFormatter(JsonFormatter())
    # "ragem" does not propagate to the root (it has its own stream handler): attach to both.
    watched = {"": logging.INFO, "ragem": logging.DEBUG, "plugins": logging.DEBUG}
    levels = {}
    for name, level in watched.items():
        logger = logging.getLogger(name)
        levels[name] = logger.level
        logger.setLevel(level)
        logger.addHandler(handler)
    try:
        yield lines
    finally:
        for name in watched:
            logging.getLogger(name).removeHandler(handler)
            logging.getLogger(name).setLevel(levels[name])


def secrets_in_logs(lines: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """The log lines that carry any of ``secrets`` (in clear, or JSON-escaped as a log line would
    hold it), each prefixed with the secret it leaks; empty when the logs are clean."""
    import json

    found = []
    for secret in {s for s in secrets if s}:
        forms = {secret, json.dumps(secret, ensure_ascii=False)[1:-1]}
        found += [f"{secret[:12]}...: {line}" for line in lines if any(form in line for form in forms)]
    return found


def openapi_spec(app) -> dict[str, Any]:
    """The OpenAPI document ``app`` serves, as a dict (``["paths"]``, ``["components"]``)."""
    return spec_dict(app)


def load_demo() -> list[dict]:
    """Load the demo accounts and every service's demo data (``ragem demo load``); returns the
    log-ins (``key``, ``role``, ``phone``...). Their password is ``DEMO_PASSWORD``."""
    return _demo.load_demo()



#: What a plugin may import from the core: the toolkit, and in its tests this module too.
PLUGIN_SOURCE_IMPORTS = frozenset({"ragem.toolkit"})
PLUGIN_TEST_IMPORTS = frozenset({"ragem.toolkit", "ragem.testing"})


def _core_imports(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """``(line, module)`` for every import of ``ragem`` or ``ragem.*`` anywhere in ``tree`` (in
    functions too, and ``importlib.import_module("ragem...")`` with a literal name)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from ragem import toolkit`` imports the module ragem.toolkit.
            names = [f"{node.module}.{alias.name}" for alias in node.names] if node.module == "ragem" else [node.module]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None)) in ("import_module", "__import__")):
            names = [node.args[0].value]
        else:
            continue
        for name in names:
            if name == "ragem" or name.startswith("ragem."):
                yield node.lineno, name


def _allowed(name: str, allowed: frozenset[str]) -> bool:
    return any(name == module or name.startswith(f"{module}.") for module in allowed)


def boundary_violations(package_dir) -> list[str]:
    """Imports of the RAGEM core a plugin may not make, as ``path:line imports module``.

    A plugin imports only ``ragem.toolkit`` from the core; its tests (files under a ``tests``
    folder, ``test_*.py`` and ``conftest.py``) may also import ``ragem.testing``. Assert that the
    answer is empty in a plugin's own tests: ``assert boundary_violations(Path(__file__).parents[1]) == []``.
    """
    root = Path(package_dir)
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        is_test = "tests" in relative.parts or path.name.startswith("test_") or path.name == "conftest.py"
        allowed = PLUGIN_TEST_IMPORTS if is_test else PLUGIN_SOURCE_IMPORTS
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found += [f"{relative}:{line} imports {name}" for line, name in _core_imports(tree)
                  if not _allowed(name, allowed)]
    return found
