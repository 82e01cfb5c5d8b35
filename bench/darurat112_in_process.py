#!/usr/bin/env python3
"""What raising a 112 incident costs in one process, without HTTP: time per request, the SQL it runs,
and optionally a pyinstrument profile. Run by hand from the repository root, never by the suite::

    python bench/darurat112_in_process.py --requests 300 --sql        # mean time, then one request's SQL
    python bench/darurat112_in_process.py --requests 300 --profile    # pyinstrument (pip install pyinstrument)

It recreates a dedicated PostgreSQL database (``--url``, dropped and created on every run), migrates
it with ``ragem db upgrade`` under ``bench/run.py``'s production settings, creates one citizen with a
token, and posts incidents through ``app.test_client()`` after 50 of warm-up.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import rabeg_data  # noqa: E402
import run as bench_run  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench_112_in_process"


def main(argv: list[str] | None = None) -> int:
    """Prepare, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a dedicated PostgreSQL database (recreated)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--sql", action="store_true", help="print the statements of one request")
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile")
    args = parser.parse_args(argv)

    import psycopg
    from sqlalchemy.engine import make_url

    name = rabeg_data.check_dedicated(args.url)
    admin = make_url(args.url).set(database="postgres")
    with psycopg.connect(rabeg_data.libpq_url(admin.render_as_string(hide_password=False)), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = bench_run.ragem_env(Path(tempfile.mkdtemp(prefix="ragem-bench-112-ip-")), None)
    env["RAGEM_DATABASE_URL"] = args.url
    os.environ.update(env)
    subprocess.run([str(Path(sys.executable).with_name("ragem")), "db", "upgrade"], env=env, cwd=bench_run.REPO,
                   check=True, capture_output=True)

    from ragem.app import create_app
    from ragem.auth.accounts import create_user
    from ragem.auth.models import User
    from ragem.auth.sessions import issue_tokens, start_session
    from ragem.extensions import db

    app = create_app()
    with app.app_context():
        user_id = create_user(name="Bench", phone="+6281299000111", password="Bench-Rahasia-123",
                              roles=("citizen",)).id
        db.session.commit()
    with app.test_request_context():
        user = db.session.get(User, user_id)
        session, refresh = start_session(user, device="bench", ip="127.0.0.1")
        token = issue_tokens(user, session, refresh)["access_token"]
        db.session.commit()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    body = {"type": "fire", "lat": -6.12, "lon": 106.15, "accuracy_m": 10.0}

    def one() -> None:
        answer = client.post("/api/v1/darurat112/incidents", json=body,
                             headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        assert answer.status_code == 201, answer.get_json()

    for _ in range(50):
        one()
    started = time.perf_counter()
    for _ in range(args.requests):
        one()
    print(f"mean {(time.perf_counter() - started) / args.requests * 1000:.2f} ms a request "
          f"({args.requests} requests, load average {bench_run.load_average()})")
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.requests):
            one()
        profiler.stop()
        print(profiler.output_text(unicode=False))
    if args.sql:
        from sqlalchemy import event

        statements: list[str] = []
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute",
                         lambda *a: statements.append(a[2].split("\n")[0][:120]))
        one()
        print(f"{len(statements)} statements:")
        print("\n".join(statements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
