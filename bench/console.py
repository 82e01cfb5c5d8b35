#!/usr/bin/env python3
"""The staff console's cost per page: dashboard and services page as an admin, and the log-in.

Run by hand from the repository root, never by the test suite::

    python bench/console.py --rounds 300

A fresh SQLite database in a temporary folder with every installed plugin; an admin logs in through
the form, then each page is asked ``--rounds`` times through the app's request path (Flask test
client in this process: cookie session, core session check, CSRF token, templates; no network).
Printed: p50/p95 per page in ms, and the log-in (argon2 verification included). Target: p95 of a
page < 100 ms (a person clicking; far below what anyone notices).

``--figures-json PATH`` also writes the figures as data (``bench/figures.py`` rows);
``python bench/all.py --only console`` runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import logging
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import figures  # noqa: E402  (bench/figures.py: the rows bench/all.py reads)

TARGET_P95_MS = 100.0
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile in ms (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Build the app, log in, time the pages, print the figures; 1 when a target is missed."""
    args = parser().parse_args(argv)
    return figures.finish(args, figure_rows(args))


def figure_rows(args: argparse.Namespace) -> list[dict]:
    """Run the measurement, print it and return the figures (``bench/figures.py`` rows)."""
    logging.disable(logging.WARNING)

    from ragem.app import create_app
    from ragem.database import create_all, seed_reference
    from ragem.extensions import db
    from ragem.testing import create_account

    folder = Path(tempfile.mkdtemp(prefix="ragem-bench-console-"))
    app = create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
                      "INSTANCE_PATH": str(folder), "LOG_JSON": False, "RATELIMIT_ENABLED": False})
    with app.app_context():
        create_all()
        seed_reference()
        db.session.commit()
    _uid, phone, password = create_account(app, "admin")
    client = app.test_client()

    token = TOKEN.search(client.get("/console/login").get_data(as_text=True)).group(1)
    started = time.perf_counter()
    answer = client.post("/console/login", data={"identifier": phone, "password": password, "csrf_token": token})
    login_ms = (time.perf_counter() - started) * 1000
    assert answer.status_code == 302, answer.status_code

    print(f"log-in (form post, argon2 included): {login_ms:.0f} ms")
    rows = []
    for path in ("/console/", "/console/services"):
        samples = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        p95 = percentile(samples, 95)
        verdict = "met" if p95 < TARGET_P95_MS else "NOT met"
        print(f"GET {path}: p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms "
              f"({args.rounds} rounds; target p95 < {TARGET_P95_MS:.0f} ms: {verdict})")
        rows.append(figures.figure(
            f"console `GET {path}` as an admin (SQLite, test client, {args.rounds} requests)",
            f"p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms", f"p95 < {TARGET_P95_MS:.0f} ms",
            p95 < TARGET_P95_MS, p95_ms=p95))
    rows.append(figures.figure("console log-in (form post, argon2 included), one", f"{login_ms:.0f} ms",
                               login_ms=login_ms))
    return rows


if __name__ == "__main__":
    sys.exit(main())
