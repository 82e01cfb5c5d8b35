#!/usr/bin/env python3
"""112 at speed: raising incidents from the app under 50 concurrent clients (with retries injected),
and the command centre's change feed with 100,000 incidents on record, on PostgreSQL.

Run by hand from the repository root, never by the test suite::

    python bench/darurat112.py                       # creates and fills ragem_bench_112 on first run
    python bench/darurat112.py --clients 50 --requests 40 --retry-share 0.2

It migrates a dedicated PostgreSQL database (``--url``), tops it up to ``--incidents`` incidents (a
bulk INSERT spread over 30 days), creates the benchmark's citizens and call-taker through the app's
own functions and gives each a token, then serves ``ragem.app:create_app()`` under gunicorn (the
server helpers and production settings of ``bench/run.py``) and measures:

1. ``POST /api/v1/darurat112/incidents``: ``--clients`` threads, each its own citizen and HTTP
   connection, each raising ``--requests`` incidents with a fresh Idempotency-Key. After a share of
   them (``--retry-share``) the client sends the very same request again at once, as an app does
   when the answer is lost: it must answer 200 with the same incident. Every answer's latency counts.
   Errors are answers other than 201 (first) or 200 (retry); duplicates are incidents in the database
   beyond the number of distinct keys. Targets (the issue): p99 < 100 ms, no error, no duplicate.
2. ``GET /api/v1/darurat112/queue/changes``: one call-taker polling, each poll with the previous
   answer's cursor, while nothing changes (the steady state of a screen polling every two seconds).
   Target: p99 < 20 ms.

``--figures-json PATH`` also writes the figures as data (``bench/figures.py`` rows);
``python bench/all.py --only darurat112`` runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import rabeg_data  # noqa: E402  (bench/ is not a package; its database helpers are shared)
import run as bench_run  # noqa: E402
import figures  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench_112"
TARGET_RAISE_P99_MS = 100.0
TARGET_FEED_P99_MS = 20.0
PATH = "/api/v1/darurat112"

# In a fresh interpreter with the server's settings: migrate, top up the incidents, the accounts and
# a token each.
PREPARE = textwrap.dedent(
    """
    import json, random, sys
    from datetime import timedelta
    from sqlalchemy import func, insert, select, update
    from ragem.app import create_app
    from ragem.extensions import db
    from ragem.auth.accounts import create_user
    from ragem.auth.models import SigningKey, User
    from ragem.auth.passwords import hash_password
    from ragem.auth.sessions import issue_tokens, start_session
    from ragem.timeutil import utcnow
    from plugins.darurat112.models import Incident, TYPES

    wanted, clients = %(incidents)d, %(clients)d
    app = create_app()
    with app.app_context():
        # This run's secrets differ from the last (bench/run.py's ragem_env): drop the old signing keys.
        db.session.query(SigningKey).delete()
        db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Incident))
        now = utcnow()
        rng = random.Random(112)
        start = db.session.scalar(select(func.max(Incident.id))) or 0
        for chunk in range(have, wanted, 10000):
            rows = []
            for n in range(chunk, min(chunk + 10000, wanted)):
                at = now - timedelta(days=30) + timedelta(seconds=rng.randrange(30 * 86400 - 600))
                closed = rng.random() < 0.97
                rows.append(dict(number=f"112-B-{start + n + 1:07d}", channel=rng.choice(("phone", "phone", "app", "sms")),
                                 type=rng.choice(TYPES), priority=rng.randint(1, 4),
                                 state="closed" if closed else "new", flagged=False, lat=-6.12, lon=106.15,
                                 location_verified=False, outcome=rng.choice(("prank", "silent", "resolved")) if closed else None,
                                 created_at=at, changed_at=min(at + timedelta(minutes=rng.randint(0, 60)), now - timedelta(seconds=5)),
                                 closed_at=at + timedelta(minutes=30) if closed else None))
            db.session.execute(insert(Incident), rows)
            db.session.commit()
        # No change is stamped in the future: the feed's steady state is "nothing new since the last poll".
        db.session.execute(update(Incident).where(Incident.changed_at > now - timedelta(seconds=5))
                           .where(Incident.number.like("112-B-%%")).values(changed_at=now - timedelta(seconds=5)))
        db.session.commit()
        shared = hash_password("Bench-Rahasia-123")
        ids = {}
        for key, phone, roles, opd in ([("taker", "+6281299112000", ("officer",), "DISKOMINFO")]
                                       + [(f"c{i}", f"+6281299{112100 + i:06d}", ("citizen",), None) for i in range(clients)]):
            user = db.session.query(User).filter_by(phone=phone).one_or_none()
            if user is None:
                user = create_user(name=f"Bench {key}", phone=phone, password="Bench-Rahasia-123",
                                   password_hash=shared, roles=roles, opd_code=opd)
            ids[key] = user.id
        db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(Incident))
    tokens = {}
    for key, user_id in ids.items():
        with app.test_request_context():
            user = db.session.get(User, user_id)
            session, refresh_token = start_session(user, device="bench-112", ip="127.0.0.1")
            tokens[key] = issue_tokens(user, session, refresh_token)["access_token"]
            db.session.commit()
    print("BENCH-RESULT " + json.dumps({"tokens": tokens, "incidents": total}))
    """
)

COUNT = textwrap.dedent(
    """
    import json
    from sqlalchemy import func, select
    from ragem.app import create_app
    from ragem.extensions import db
    from plugins.darurat112.models import Incident, IncidentIdempotencyRecord
    app = create_app()
    with app.app_context():
        print("BENCH-RESULT " + json.dumps({
            "incidents": db.session.scalar(select(func.count()).select_from(Incident)),
            "keys": db.session.scalar(select(func.count()).select_from(IncidentIdempotencyRecord))}))
    """
)


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile in ms (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


class Connection:
    """Requests over one ``http.client`` connection, reopened when a sync worker closes it."""

    def __init__(self, port: int, token: str):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        """``(status, json, ms)``, timed from sending to the last byte read."""
        data = json.dumps(body).encode() if body is not None else None
        all_headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json",
                       "Content-Type": "application/json", **(headers or {})}
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
                response = self.conn.getresponse()
                raw = response.read()
                took = (time.perf_counter() - started) * 1000
                if response.will_close:
                    self.conn.close()
                return response.status, (json.loads(raw) if raw else None), took
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def raise_load(port: int, tokens: dict[str, str], clients: int, requests: int, retry_share: float,
               interval: float = 0.0) -> dict:
    """Every client raises its incidents at once (a barrier starts them together); with ``interval``
    each client starts its next incident that many seconds after the previous one started (a paced,
    open load: ``clients / interval`` incidents a second offered), else at once (closed loop)."""
    barrier = threading.Barrier(clients)
    samples: list[float] = []
    errors: list[str] = []
    mismatches = [0]
    lock = threading.Lock()

    def client(index: int) -> None:
        conn = Connection(port, tokens[f"c{index}"])
        rng = random.Random(index)
        mine, bad = [], []
        barrier.wait()
        if interval:
            time.sleep(rng.random() * interval)  # spread the clients' starts over one interval
        for _ in range(requests):
            started = time.perf_counter()
            body = {"type": rng.choice(("fire", "medical", "crime")), "lat": -6.12 + rng.random() / 100,
                    "lon": 106.15 + rng.random() / 100, "accuracy_m": 10.0}
            headers = {"Idempotency-Key": uuid.uuid4().hex}
            status, answer, took = conn.send("POST", f"{PATH}/incidents", body, headers)
            mine.append(took)
            if status != 201:
                bad.append(f"{status} {str(answer)[:120]}")
                continue
            if rng.random() < retry_share:  # the answer was "lost": the app sends it again
                again, second, took = conn.send("POST", f"{PATH}/incidents", body, headers)
                mine.append(took)
                if again != 200:
                    bad.append(f"retry {again} {str(second)[:120]}")
                elif second["id"] != answer["id"]:
                    with lock:
                        mismatches[0] += 1
            if interval:
                time.sleep(max(0.0, interval - (time.perf_counter() - started)))
        with lock:
            samples.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"samples": samples, "errors": errors, "mismatches": mismatches[0],
            "seconds": time.perf_counter() - started}


def feed_load(port: int, token: str, polls: int) -> list[float]:
    """One screen polling the change feed with each answer's cursor."""
    conn = Connection(port, token)
    status, answer, _ = conn.send("GET", f"{PATH}/queue/changes")
    if status != 200:
        raise RuntimeError(f"the feed answered {status}: {answer}")
    cursor, samples = answer["cursor"], []
    for _ in range(polls):
        status, answer, took = conn.send("GET", f"{PATH}/queue/changes?changed_since={cursor}")
        if status != 200:
            raise RuntimeError(f"the feed answered {status}: {answer}")
        cursor = answer["cursor"]
        samples.append(took)
    return samples


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a dedicated PostgreSQL database (created if missing)")
    parser.add_argument("--incidents", type=int, default=100_000, help="incidents on record before measuring")
    parser.add_argument("--clients", type=int, default=50, help="concurrent citizens raising incidents")
    parser.add_argument("--requests", type=int, default=20, help="incidents raised per client")
    parser.add_argument("--retry-share", type=float, default=0.2, help="share of requests sent twice")
    parser.add_argument("--interval", type=float, default=0.0,
                        help="seconds from one incident of a client to its next (0: back to back, a closed loop)")
    parser.add_argument("--polls", type=int, default=500, help="change-feed polls measured")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Prepare, serve, measure, print; 1 when a target is missed."""
    args = parser().parse_args(argv)
    return figures.finish(args, figure_rows(args))


def figure_rows(args: argparse.Namespace) -> list[dict]:
    """Run the benchmark, print its report and return its figures (``bench/figures.py`` rows)."""
    name = rabeg_data.check_dedicated(args.url)
    create_database(args.url, name)
    root = Path(tempfile.mkdtemp(prefix="ragem-bench-112-"))
    try:
        env = bench_run.ragem_env(root, None)
        env["RAGEM_DATABASE_URL"] = args.url
        subprocess.run([str(Path(sys.executable).with_name("ragem")), "db", "upgrade"], env=env, cwd=bench_run.REPO,
                       check=True)
        prepared = bench_run.python_json(PREPARE % {"incidents": args.incidents, "clients": args.clients}, env,
                                         bench_run.REPO)
        before = bench_run.python_json(COUNT, env, bench_run.REPO)
        print("# 112 at speed\n")
        for key, value in bench_run.machine().items():
            if key != "wrk":
                print(f"- {key}: {value}")
        print(f"- PostgreSQL: {rabeg_server_version(args.url)}; incidents on record: {prepared['incidents']:,}")
        extra = ["--threads", str(args.threads)] if args.worker_class == "gthread" else []
        argv_ = bench_run.gunicorn_argv("ragem.app:create_app()", bench_run.free_port(), args.workers,
                                        args.worker_class, *extra)
        with bench_run.Server(argv_, env, bench_run.REPO, "/healthz", root / "ragem.log") as server:
            feed = feed_load(server.port, prepared["tokens"]["taker"], args.polls)
            raised = raise_load(server.port, prepared["tokens"], args.clients, args.requests, args.retry_share,
                                args.interval)
        after = bench_run.python_json(COUNT, env, bench_run.REPO)
        new_incidents = after["incidents"] - before["incidents"]
        new_keys = after["keys"] - before["keys"]
        duplicates = new_incidents - new_keys + raised["mismatches"]
        samples = raised["samples"]
        print(f"\ngunicorn: {args.workers} `{args.worker_class}` workers"
              f"{f' x {args.threads} threads' if extra else ''}; load average at the end {bench_run.load_average()}\n")
        print("| measurement | requests | p50 ms | p95 ms | p99 ms | target p99 | errors | duplicates |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        pace = f", one every {args.interval:g} s each" if args.interval else ", back to back"
        print(f"| raise an incident, {args.clients} clients{pace}, {args.retry_share:.0%} retried | {len(samples)} | "
              f"{percentile(samples, 50):.1f} | {percentile(samples, 95):.1f} | {percentile(samples, 99):.1f} | "
              f"< {TARGET_RAISE_P99_MS:.0f} | {len(raised['errors'])} | {duplicates} |")
        print(f"| change feed, {prepared['incidents']:,} incidents | {len(feed)} | {percentile(feed, 50):.1f} | "
              f"{percentile(feed, 95):.1f} | {percentile(feed, 99):.1f} | < {TARGET_FEED_P99_MS:.0f} | 0 | - |")
        print(f"\n{new_incidents} incidents raised for {new_keys} keys in {raised['seconds']:.1f} s "
              f"({len(samples) / raised['seconds']:.0f} requests/s)")
        for error in raised["errors"][:5]:
            print("error:", error)
        setup = (f"PostgreSQL, {args.workers} `{args.worker_class}` workers"
                 f"{f' x {args.threads} threads' if extra else ''}")
        p50, p95, p99 = (percentile(samples, p) for p in (50, 95, 99))
        rows = [
            figures.figure(
                f"112: raise an incident, {args.clients} clients{pace}, {args.retry_share:.0%} retried, {setup}",
                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms ({len(samples) / raised['seconds']:.0f} req/s)",
                f"p99 < {TARGET_RAISE_P99_MS:.0f} ms", p99 < TARGET_RAISE_P99_MS, p50_ms=p50, p95_ms=p95, p99_ms=p99,
                rps=len(samples) / raised["seconds"]),
            figures.figure(
                "112: the same requests, errors and duplicate incidents",
                f"{len(raised['errors'])} errors, {duplicates} duplicates", "0 errors, 0 duplicates",
                not raised["errors"] and duplicates == 0, errors=len(raised["errors"]), duplicates=duplicates),
            figures.figure(
                f"112: change feed, a poll with the last cursor, {prepared['incidents']:,} incidents",
                f"p50 {percentile(feed, 50):.1f} ms, p99 {percentile(feed, 99):.1f} ms",
                f"p99 < {TARGET_FEED_P99_MS:.0f} ms", percentile(feed, 99) < TARGET_FEED_P99_MS,
                p50_ms=percentile(feed, 50), p99_ms=percentile(feed, 99)),
        ]
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


def create_database(url: str, name: str) -> None:
    """Create the benchmark's database on first use."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(database="postgres")
    with psycopg.connect(rabeg_data.libpq_url(admin.render_as_string(hide_password=False)), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def rabeg_server_version(url: str) -> str:
    """The PostgreSQL server's version string."""
    import psycopg

    with psycopg.connect(rabeg_data.libpq_url(url)) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


if __name__ == "__main__":
    sys.exit(main())
