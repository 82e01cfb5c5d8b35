"""pytest fixtures for the core's tests and for plugin authors.

Use it from a plugin's ``conftest.py``::

    pytest_plugins = ["ragem.testing"]

Fixtures: ``make_app`` (an app factory, optionally with throwaway plugins), ``app``, ``client``,
``login_as`` (headers for a fresh account with a role), ``db_session``, ``unmigrated_app`` (for
upgrade tests, with ``migrate``), ``fresh_database_url``
(an empty database of the test's own, for migrations or servers run in another process);
``postgresql_under_test`` and ``drop_database_connections`` (what a PostgreSQL restart does to the
pool).

The database comes from ``RAGEM_TEST_DATABASE_URL`` (PostgreSQL: a private database is created for
the test session and dropped after it) or a SQLite file in a temporary folder. Every app starts
from empty tables with the reference data loaded (the core's and every plugin's
``ragem_reference_data``). ``RAGEM_TEST_REDIS_URL`` turns Redis on. ``RAGEM_TEST_STORAGE=s3`` keeps every test app's uploads
in a bucket of its own on a real S3-compatible server (``s3_server``: moto's standalone server on
loopback, started once per session) instead of the instance folder.

Helpers, inside an app context: ``run_due_jobs`` and ``periodic_jobs`` (the scheduler),
``invoke_cli`` (``ragem ...`` commands against an app), ``migrate`` (upgrade tests), ``audit_entries`` and ``inbox`` (what was
recorded and who was told), ``account`` (an account row for a test's setup),
``stored_text_containing`` (personal data stored in clear anywhere), ``captured_logs`` and
``secrets_in_logs`` (what the logs would leak), ``openapi_spec``,
``load_demo`` and ``DEMO_PASSWORD``, ``png_claiming`` (a decompression bomb's shape, for upload
tests), and ``boundary_violations`` (a plugin imports only the toolkit).
Access matrix: ``AccessRow``, ``access_world``, ``run_access_matrix``, ``matrix_gaps``,
``plugin_routes`` (who may call each route; see docs/plugins.md).
Console: ``console_client`` (a test client logged in through the form), ``console_post`` (a form
post with its CSRF token), ``live_server`` and ``headless_chromium`` (a real browser journey).
"""
from __future__ import annotations

import ast
import contextlib
import dataclasses
import importlib
import itertools
import logging
import os
import re
import shutil
import struct
import sys
import uuid
import zlib
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

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
from ragem.migrate import _config, _history, upgrade_all
from ragem.logs import JsonFormatter
from ragem.loopback import LoopbackServer, Recorded, Reply  # noqa: F401  (gateway tests: a provider on 127.0.0.1)
from ragem.notifications.models import Notification, OutboxMessage
from ragem.objectstore_server import ObjectStoreServer

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


def postgresql_under_test() -> bool:
    """Whether the tests run on PostgreSQL (``RAGEM_TEST_DATABASE_URL``), not SQLite."""
    return (os.environ.get("RAGEM_TEST_DATABASE_URL") or "").startswith("postgresql")


def drop_database_connections(app, timeout: float = 10.0) -> list[int]:
    """End every server connection to ``app``'s PostgreSQL database but the one asking, as a
    PostgreSQL restart does to a pool's connections; the ended backends' pids, once all are gone."""
    import time

    with app.app_context():
        url = db.engine.url
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            others = ("FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
            pids = list(conn.execute(text(f"SELECT pid {others}")).scalars())
            conn.execute(text(f"SELECT pg_terminate_backend(pid) {others}"))
            deadline = time.monotonic() + timeout
            # pg_terminate_backend only signals: wait until the backends have closed their sockets.
            while conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:p)"), {"p": pids}).scalar():
                if time.monotonic() > deadline:
                    raise AssertionError(f"backends {pids} still alive after {timeout} s")
                time.sleep(0.05)
    finally:
        admin.dispose()
    return pids


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


def storage_under_test() -> str:
    """``s3`` when ``RAGEM_TEST_STORAGE=s3`` asks for the object store, else ``local``."""
    wanted = (os.environ.get("RAGEM_TEST_STORAGE") or "local").strip().lower()
    if wanted not in ("local", "s3"):
        raise pytest.UsageError(f"RAGEM_TEST_STORAGE must be local or s3, not {wanted!r}")
    return wanted


@pytest.fixture(scope="session")
def s3_server() -> Iterator[ObjectStoreServer]:
    """A real S3-compatible server on 127.0.0.1 for the session (``.url``, ``.new_bucket()``,
    ``.settings(bucket)`` for an app, ``.stop()``); stopped afterwards."""
    server = ObjectStoreServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_settings(s3_server) -> dict[str, Any]:
    """Settings that keep an app's uploads in a fresh bucket of ``s3_server``."""
    return s3_server.settings(s3_server.new_bucket())


@pytest.fixture
def ragem_settings(ragem_database_url, ragem_instance_path, request) -> dict[str, Any]:
    """Settings every test app starts from; tests may copy and change them."""
    storage = request.getfixturevalue("s3_settings") if storage_under_test() == "s3" else {}
    return {
        **storage,
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
def unmigrated_app(ragem_settings, fresh_database_url):
    """An app on an empty database of its own, no tables made: for upgrade tests with ``migrate``."""
    app = create_app({**ragem_settings, "DATABASE_URL": fresh_database_url})
    yield app
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


def console_post(client, path: str, data: dict | None = None, *, token_from: str | None = None):
    """Post a console form to ``path`` as a browser would: with the CSRF token of the page the form
    sits on (``token_from``; default: the page ``path`` posts back to, ``.../act/<action>`` cut off)."""
    page = token_from or path.split("/act/")[0]
    return client.post(path, data={**(data or {}), "csrf_token": console_csrf_token(client, page)})


def console_client(app, role: str = "officer", *, opd: str | None = None):
    """A test client logged in to the console through its log-in form as a fresh ``role`` account.

    A citizen gets a client that is not logged in (the console refuses citizens).
    """
    _user_id, phone, password = create_account(app, role, opd=opd)
    client = app.test_client()
    token = console_csrf_token(client)
    client.post("/console/login", data={"identifier": phone, "password": password, "csrf_token": token})
    return client


@contextlib.contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` with a threaded werkzeug server on a free port for the block; yields its base URL
    (``http://127.0.0.1:<port>``) and stops the server after it."""
    import threading  # noqa: PLC0415 - only browser tests need it

    from werkzeug.serving import make_server  # noqa: PLC0415

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


#: Debian's headless browser and its driver (``chromium``, ``chromium-driver``; ``.ci/run`` installs them).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chromium_missing() -> bool:
    """Whether Chromium or its driver is absent (browser tests skip then, except in CI where they fail)."""
    return not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER))


@contextlib.contextmanager
def headless_chromium(profile_dir, width: int = 1366, height: int = 768, downloads_dir=None):
    """A Selenium driver of a headless Chromium at an office screen's size, quit after the block.

    With ``downloads_dir``, files the page downloads (a CSV export) land there without asking."""
    from selenium import webdriver  # noqa: PLC0415 - a test dependency, for browser tests only

    assert not chromium_missing(), "install Debian's chromium and chromium-driver"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                     f"--user-data-dir={profile_dir}"):
        options.add_argument(argument)
    # The browser's console log: where Chromium reports what a Content-Security-Policy blocked.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if downloads_dir is not None:
        options.add_experimental_option("prefs", {"download.default_directory": str(downloads_dir),
                                                  "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


def click_and_load(driver, element, timeout: float = 30) -> None:
    """Click ``element`` and wait until the browser shows the NEXT page, fully loaded.

    The old page is marked with a property of ``window``; the wait ends when a document without the
    mark is complete. (Waiting for the old ``<html>`` to go stale races with Chromium: asking about a
    node mid-navigation can fail with "Node ... does not belong to the document".)"""
    from selenium.webdriver.support.wait import WebDriverWait  # noqa: PLC0415 - browser tests only

    driver.execute_script("window.__ragemLeftPage = true;")
    element.click()

    def arrived(browser) -> bool:
        try:
            return bool(browser.execute_script(
                "return window.__ragemLeftPage !== true && document.readyState === 'complete';"))
        except Exception:  # noqa: BLE001 - mid-navigation the script may not run yet: keep waiting
            return False

    WebDriverWait(driver, timeout).until(arrived)


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


def migrate(app, history: str | None = None, revision: str = "heads") -> None:
    """Upgrade ``app``'s database (the ``unmigrated_app`` fixture's: its tables made by migrations).

    With ``history`` (``"core"`` or a plugin's slug) only that history, to ``revision``; without it
    every history to its head, as ``ragem db upgrade`` does. For upgrade tests: build the database
    at an old revision, store rows the old way, then migrate the rest and read what became of them.
    """
    from alembic import command

    if history is None:
        upgrade_all(app)
        return
    with app.app_context():
        with db.engine.begin() as connection:
            command.upgrade(_config(app, _history(app, history), connection), revision)
        db.engine.dispose()


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


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG (a few hundred bytes) whose header claims ``width`` x ``height`` pixels: the shape
    of a decompression bomb, for testing that an upload route refuses it (413 ``image_too_large``)
    before anything is decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def delivery_attempts() -> list:
    """Every recorded delivery attempt, oldest first (detached rows: read them after the request)."""
    rows = list(db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
    for row in rows:
        db.session.expunge(row)
    return rows


def dev_outbox() -> list:
    """The messages no gateway took (``ragem dev outbox``), oldest first; each has ``channel``,
    ``recipient`` (in clear), ``body``, ``purpose`` and ``user_id``."""
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


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


# --- The authorisation matrix: every route, every actor, the outcome each gets -------------------

#: The six callers every row of an access matrix states an outcome for.
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
#: Who owns the resource a row acts on: citizen A, citizen B, or nobody (an anonymous report, a
#: city-wide record).
OWNERS = ("a", "b", "nobody")
#: The outcome "the guard let the caller through": any answer below 500 but 401, 403 and 404 (a 422
#: for a body the view refuses still means the caller was allowed to ask).
ALLOWED = "allowed"
#: The console's answer to a caller without a staff session: a redirect to its log-in page.
LOGIN = "login"
_REFUSALS = (401, 403, 404)
_ACTOR_ROLES = {"citizen_a": ("citizen", None), "citizen_b": ("citizen", None), "officer_own": ("officer", "own"),
                "officer_other": ("officer", "other"), "admin": ("admin", None)}
_SAFE_METHODS = frozenset({"GET", "HEAD"})
_RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


@dataclasses.dataclass(frozen=True)
class AccessRow:
    """One route's row of an access matrix.

    ``expect`` maps each of ``ACTORS`` to its outcome (``ALLOWED``, ``LOGIN``, 401, 403, 404 or any
    exact status) for the resource owned by citizen A, or for the route itself when it acts on no
    resource. ``resource(world, owner)`` creates a resource owned by ``owner`` (``"a"``, ``"b"`` or
    ``"nobody"``) and returns the values of the rule's ``<arguments>``; it is called once per owner
    for a GET, and afresh for every actor otherwise (a DELETE must not spoil the next actor's cell).
    For B's resource citizens A and B swap outcomes; for nobody's, both citizens get what citizen B
    gets for A's resource unless ``unowned`` says otherwise. ``body`` (a dict, or
    ``body(world, values)``) is the JSON sent, or the form fields of a console post; with
    ``multipart`` it goes as a multipart form instead (a file field as ``(stream, filename)``).
    ``query`` (a dict, or ``query(world, values)``) is the query string.
    """

    method: str
    rule: str
    expect: dict
    resource: Callable[..., dict] | None = None
    unowned: dict | None = None
    body: Any = None
    values: dict | None = None  # fixed argument values when the row needs no resource
    own_account: bool = False  # the caller acts on itself (log out, erase): a throwaway of its role per cell
    headers: Any = None  # extra request headers, or ``headers()`` (a fresh Idempotency-Key per call)
    query: Any = None  # the query string's values, or ``query(world, values)``
    multipart: bool = False  # an API row's body goes as a multipart form (an upload), not JSON

    def outcome(self, actor: str, owner: str) -> Any:
        """The outcome ``actor`` must get for the resource of ``owner``."""
        if owner == "b" and actor in ("citizen_a", "citizen_b"):
            actor = "citizen_b" if actor == "citizen_a" else "citizen_a"
        if owner == "nobody":
            if self.unowned is not None and actor in self.unowned:
                return self.unowned[actor]
            if actor in ("citizen_a", "citizen_b"):
                actor = "citizen_b"
        return self.expect[actor]


@dataclasses.dataclass
class AccessWorld:
    """The actors of a matrix run in one app: their account ids, API headers and console clients."""

    app: Any
    opd_own: str
    opd_other: str
    user_ids: dict
    headers: dict
    _consoles: dict = dataclasses.field(default_factory=dict)

    def throwaway(self, actor: str) -> str:
        """A new account with ``actor``'s role and OPD (for rows where the caller changes itself)."""
        role, opd = _ACTOR_ROLES[actor]
        opd = {"own": self.opd_own, "other": self.opd_other}.get(opd)
        return create_account(self.app, role, opd=opd)[0]

    def console(self, actor: str, *, fresh: bool = False):
        """A test client of the console for ``actor`` (logged in through the form when staff);
        ``fresh``: a new one, of a throwaway account of the actor's role (it may log itself out)."""
        if fresh or actor not in self._consoles:
            client = self.app.test_client()
            if actor != "anonymous":
                user = self.throwaway(actor) if fresh else self.user_ids[actor]
                with self.app.app_context():
                    phone = db.session.get(User, user).phone
                token = console_csrf_token(client)
                client.post("/console/login", data={"identifier": phone, "password": "Rahasia-Kuat-123",
                                                    "csrf_token": token})
            if fresh:
                return client
            self._consoles[actor] = client
        return self._consoles[actor]


def access_world(app, *, opd_own: str = "DPUPR", opd_other: str = "DLH") -> AccessWorld:
    """Create the six actors in ``app``: two citizens, an officer of ``opd_own`` (the OPD that owns
    the resources), one of ``opd_other``, and an admin."""
    user_ids, headers = {}, {"anonymous": {}}
    for actor, (role, opd) in _ACTOR_ROLES.items():
        user_ids[actor] = create_account(app, role, opd={"own": opd_own, "other": opd_other}.get(opd))[0]
        headers[actor] = bearer(app, user_ids[actor])
    return AccessWorld(app, opd_own, opd_other, user_ids, headers)


def _url(rule: str, values: dict) -> str:
    return _RULE_ARGUMENT.sub(lambda match: str(values[match.group(1)]), rule)


def _judge(expected: Any, response) -> bool:
    status = response.status_code
    if status >= 500:
        return False
    if expected == ALLOWED:
        return status not in _REFUSALS and status != 405 and not _to_login(response)
    if expected == LOGIN:
        return _to_login(response)
    return status == expected


def _error_envelope(response) -> bool:
    """Whether a refusal of the API carries its JSON error envelope (``{"error": {"code", "message"}}``)."""
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    return isinstance(error, dict) and bool(error.get("code")) and bool(error.get("message"))


def _to_login(response) -> bool:
    return response.status_code == 302 and "/console/login" in response.headers.get("Location", "")


def _call(world: AccessWorld, row: AccessRow, actor: str, values: dict):
    body = row.body(world, values) if callable(row.body) else row.body
    url = _url(row.rule, values)
    query = row.query(world, values) if callable(row.query) else row.query
    if query:
        url = f"{url}?{urlencode(query, doseq=True)}"
    if row.rule.startswith("/console"):
        client = world.console(actor, fresh=row.own_account)
        if row.method in _SAFE_METHODS:
            return client.get(url)
        page = url.split("/act/")[0]
        fields = dict(body or {})
        # The session's token, from the form's page or (a caller that page refuses) another one:
        # the guard, not the CSRF check, must be what refuses the caller.
        for source in (page, "/console/login", "/console/"):
            token = _CSRF_FIELD.search(client.get(source).get_data(as_text=True))
            if token:
                fields["csrf_token"] = token.group(1)
                break
        return client.open(url, method=row.method, data=fields)
    client = world.app.test_client()
    kwargs = {"json": body} if body is not None else {}
    if row.multipart:
        kwargs = {"data": dict(body or {}), "content_type": "multipart/form-data"}
    headers = world.headers[actor]
    if row.own_account and actor != "anonymous":
        headers = bearer(world.app, world.throwaway(actor))
    extra = row.headers() if callable(row.headers) else row.headers
    headers = {**headers, **(extra or {})}
    return client.open(url, method=row.method, headers=headers, **kwargs)


def run_access_matrix(world: AccessWorld, rows: Iterable[AccessRow]) -> list[str]:
    """Play every cell of ``rows`` (each actor, each owner); the cells whose outcome differs from
    the row's, one line each (empty when the matrix holds). Any 5xx is a finding, and so is a
    refusal of an ``/api/`` route without the JSON error envelope. Console posts
    also go without their CSRF token, as a logged-in admin: that must be refused with 400."""
    findings = []
    for row in rows:
        owners = OWNERS if row.resource is not None else (None,)
        for owner in owners:
            shared = None
            for actor in ACTORS:
                if row.resource is None:
                    values = dict(row.values or {})
                elif row.method in _SAFE_METHODS:
                    shared = shared if shared is not None else row.resource(world, owner)
                    values = shared
                else:
                    values = row.resource(world, owner)
                expected = row.outcome(actor, owner or "a")
                response = _call(world, row, actor, values)
                response.get_data()  # read a streamed body now, as a client does, before the next call
                if not _judge(expected, response):
                    findings.append(f"{row.method} {row.rule} as {actor} on {owner or '-'}'s: expected {expected}, "
                                    f"got {response.status_code} {response.get_data()[:160]!r}")
                elif row.rule.startswith("/api/") and response.status_code >= 400 and not _error_envelope(response):
                    findings.append(f"{row.method} {row.rule} as {actor} on {owner or '-'}'s: {response.status_code} "
                                    f"without the JSON error envelope {response.get_data()[:160]!r}")
        if row.rule.startswith("/console") and row.method not in _SAFE_METHODS:
            values = row.resource(world, "a") if row.resource is not None else dict(row.values or {})
            body = row.body(world, values) if callable(row.body) else row.body
            response = world.console("admin").open(_url(row.rule, values), method=row.method, data=dict(body or {}))
            if response.status_code != 400:
                findings.append(f"{row.method} {row.rule} without its CSRF token: expected 400, got {response.status_code}")
    return findings


def route_keys(app, blueprints: Iterable[str] | None = None) -> set[tuple[str, str]]:
    """``(method, rule)`` of every route of ``app`` (of the named blueprints only, when given);
    HEAD and OPTIONS, which Flask adds to every route, are left out."""
    wanted = set(blueprints) if blueprints is not None else None
    keys = set()
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rpartition(".")[0]
        if wanted is not None and blueprint not in wanted:
            continue
        keys |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return keys


def plugin_blueprints(app) -> dict[str, set[str]]:
    """The blueprint names each started plugin mounted, by plugin slug."""
    registry = app.extensions["ragem.plugins"]
    return {record.slug: {blueprint.name for blueprint in record.blueprints}
            for record in registry.records.values() if record.blueprints}


def plugin_routes(app, slug: str) -> set[tuple[str, str]]:
    """``(method, rule)`` of every route the plugin ``slug`` mounted."""
    return route_keys(app, plugin_blueprints(app).get(slug, set()))


def matrix_gaps(app, rows: Iterable[AccessRow], routes: set[tuple[str, str]]) -> tuple[set, set]:
    """``(routes without a row, rows naming no route)`` of ``rows`` against ``routes``."""
    covered = {(row.method, row.rule) for row in rows}
    return routes - covered, covered - route_keys(app)


def rows_declared_in(path) -> set[tuple[str, str]]:
    """The ``(method, rule)`` of every ``AccessRow("METHOD", "/rule", ...)`` written in the file at
    ``path``, read from its source without importing it (the core's test finds plugins' rows so)."""
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=str(path))
    # Module-level string constants, so that f"{URL}/items" reads as the rule it spells.
    names = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
             and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
             for target in node.targets if isinstance(target, ast.Name)}

    def text(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):
            parts = [text(part.value) if isinstance(part, ast.FormattedValue) else text(part) for part in node.values]
            return None if None in parts else "".join(parts)
        if isinstance(node, ast.Name):
            return names.get(node.id)
        return None

    found = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "AccessRow"
                and len(node.args) >= 2):
            method, rule = text(node.args[0]), text(node.args[1])
            if method and rule:
                found.add((method, rule))
    return found


def access_matrix_files(module) -> list[Path]:
    """A plugin's access-matrix test files: ``tests/test_*access_matrix*.py`` inside its package
    folder or beside it (a scaffolded project keeps ``tests/`` next to the package)."""
    source = getattr(module, "__file__", None) or getattr(sys.modules.get(type(module).__module__), "__file__", None)
    if not source:
        return []
    package = Path(source).parent
    found = []
    for folder in (package / "tests", package.parent / "tests"):
        found += sorted(folder.glob("test_*access_matrix*.py")) if folder.is_dir() else []
    return found
