"""``ragem serve`` and ``ragem demo load`` as a person runs them: the installed console script."""
from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import create_engine, func, inspect, select, table

from ragem.demo import DEMO_PASSWORD

RAGEM = Path(sys.executable).with_name("ragem")


def _env(**settings: str) -> dict[str, str]:
    """The environment without the caller's RAGEM_* settings, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAGEM_") and k != "PROMETHEUS_MULTIPROC_DIR"}
    env.update({f"RAGEM_{key}": value for key, value in settings.items()})
    env.setdefault("RAGEM_LOG_LEVEL", "WARNING")
    return env


def _ragem(*args: str, cwd: Path, **settings: str) -> subprocess.CompletedProcess:
    assert RAGEM.is_file(), f"the console script is not installed beside {sys.executable}"
    return subprocess.run([str(RAGEM), *args], cwd=cwd, env=_env(**settings), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def _row_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = inspect(conn).get_table_names()
            return {name: conn.scalar(select(func.count()).select_from(table(name))) for name in names}
    finally:
        engine.dispose()


def test_serve_help_lists_its_options(tmp_path):
    result = _ragem("serve", "--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for option in ("--bind", "--workers", "--demo", "127.0.0.1:5000"):
        assert option in result.stdout


def test_demo_load_twice_prints_the_logins_and_changes_nothing_the_second_time(tmp_path, fresh_database_url):
    settings = {"DATABASE_URL": fresh_database_url, "INSTANCE_PATH": str(tmp_path / "instance")}
    first = _ragem("demo", "load", cwd=tmp_path, **settings)
    assert first.returncode == 0, first.stderr
    counts = _row_counts(fresh_database_url)
    assert counts["user_account"] > 4 and counts["opd"] > 0
    second = _ragem("demo", "load", cwd=tmp_path, **settings)
    assert second.returncode == 0, second.stderr
    assert _row_counts(fresh_database_url) == counts
    assert second.stdout == first.stdout
    for expected in (DEMO_PASSWORD, "admin", "citizen1", "officer-DPUPR", "+6281100000001"):
        assert expected in first.stdout


def test_demo_load_is_refused_in_production(tmp_path, fresh_database_url):
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    result = _ragem(
        "demo", "load", cwd=tmp_path, ENV="production", DATABASE_URL=fresh_database_url,
        INSTANCE_PATH=str(tmp_path / "instance"), SECRET_KEY="s" * 40, DATA_KEY="d" * 44, JWT_PRIVATE_KEY=pem,
        SSO_ISSUER="https://ragem.example.id",
        MESSAGES_WITHOUT_CODES="true",  # production needs a gateway or this; the demo's refusal is the point here
    )
    assert result.returncode == 1
    assert "demo" in result.stderr.lower() and "RAGEM_ENV=production" in result.stderr and "Traceback" not in result.stderr
    assert _row_counts(fresh_database_url) == {}  # refused before migrating: not even a table


def test_serve_demo_starts_the_embedded_default_and_stops_on_ctrl_c(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    process = subprocess.Popen(
        [str(RAGEM), "serve", "--demo", "--workers", "1", "--bind", f"fd://{listener.fileno()}"],
        cwd=tmp_path, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, pass_fds=(listener.fileno(),), start_new_session=True,
    )
    listener.close()
    try:
        # The socket listens already: the request waits in its backlog until gunicorn's worker is up
        # (retrying instead would leave abandoned connections for the worker to answer into).
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/services", timeout=90) as response:
                body = json.load(response)
        except OSError:
            body = None  # reported below with the server's output
    finally:
        with contextlib.suppress(ProcessLookupError):  # already gone: its output says why
            os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
        try:
            out, err = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    assert body is not None, err
    assert {"rabeg", "gelati", "sikondang", "darurat112", "wifi"} <= {item["slug"] for item in body["items"]}
    # The embedded default: a SQLite file under instance/, created and migrated on first start.
    assert (tmp_path / "instance" / "ragem.db").is_file()
    assert process.returncode == 0, err
    assert DEMO_PASSWORD in out and "citizen1" in out and "/api/docs" in out and "/openapi.yaml" in out
    assert "Traceback" not in err, err
