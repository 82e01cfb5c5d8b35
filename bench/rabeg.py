#!/usr/bin/env python3
"""RABEG at scale: latency of the officer queue, the public list and map, and the KPIs on PostgreSQL.

Run by hand from the repository root, never by the test suite, after filling the database with
``bench/rabeg_data.py``::

    python bench/rabeg_data.py                 # 1,000,000 complaints into ragem_bench (a few minutes)
    python bench/rabeg.py                      # or: python bench/run.py --rabeg
    python bench/rabeg.py --explain            # also EXPLAIN ANALYZE the SQL behind each route

It serves ``ragem.app:create_app()`` under gunicorn on that database (the same server helpers and
production settings as ``bench/run.py``), gives the generator's DPUPR officer and admin an access
token each (a real session, as a log-in makes), then sends each route many sequential requests
over one HTTP client (``http.client``; a sync worker closes the connection after each answer, so
the client reconnects, a loopback connect costing some 0.1 ms) and prints p50/p95/p99 against the
targets of issue 4: officer queue and public list under 50 ms at p95, a month of KPIs under 500 ms.
Requests are measured in interleaved rounds (every route once per round, in rotating order), so
load that comes and goes on a shared machine hits every route alike.

``--figures-json PATH`` also writes the figures as data (``bench/figures.py`` rows);
``python bench/all.py --only rabeg`` runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import rabeg_data  # noqa: E402  (bench/ is not a package)
import run as bench_run  # noqa: E402
import figures  # noqa: E402

TARGET_LIST_P95_MS = 50.0  # officer queue and public list (issue 4)
TARGET_KPI_P95_MS = 500.0  # the KPIs of one month

# In a fresh interpreter with the server's settings: the bench accounts, a token each, and what
# the routes are measured with (a busy kecamatan and kelurahan, the last full month).
PREPARE = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, %(bench)r)
    import rabeg_data
    from sqlalchemy import func, select
    from ragem.app import create_app
    from ragem.extensions import db
    from ragem.auth.models import User
    from ragem.auth.sessions import issue_tokens, start_session
    from ragem.auth.models import SigningKey
    from plugins.rabeg.models import Complaint

    app = create_app()
    with app.app_context():
        # Each run has fresh secrets (bench/run.py's ragem_env): the signing key a previous run stored
        # is encrypted with another RAGEM_DATA_KEY. This database is the benchmark's own, so the old
        # keys go; the first token imports this run's RAGEM_JWT_PRIVATE_KEY.
        db.session.query(SigningKey).delete()
        db.session.commit()
        ids = rabeg_data.ensure_accounts()
        complaints = db.session.scalar(select(func.count()).select_from(Complaint))
        newest = db.session.scalar(select(func.max(Complaint.created_at)))
        kelurahan = db.session.execute(
            select(Complaint.kelurahan_code, Complaint.kecamatan_code)
            .where(Complaint.opd_code == rabeg_data.OFFICER_OPD)
            .group_by(Complaint.kelurahan_code, Complaint.kecamatan_code).order_by(func.count().desc()).limit(1)
        ).first()
    tokens = {}
    for key, user_id in ids.items():
        with app.test_request_context():
            user = db.session.get(User, user_id)
            session, refresh_token = start_session(user, device="bench-rabeg", ip="127.0.0.1")
            tokens[key] = issue_tokens(user, session, refresh_token)["access_token"]
            db.session.commit()
    print("BENCH-RESULT " + json.dumps({
        "tokens": tokens, "complaints": complaints, "newest": newest.isoformat() if newest else None,
        "kelurahan": kelurahan[0] if kelurahan else None, "kecamatan": kelurahan[1] if kelurahan else None,
    }))
    """
)

# In a fresh interpreter: call each route through the test client, catch the SQL it runs on the
# complaint tables and EXPLAIN ANALYZE it (whatever the services build, the plan of what they run).
EXPLAIN = textwrap.dedent(
    """
    import json, sys
    from sqlalchemy import event
    from ragem.app import create_app
    from ragem.extensions import db

    targets = json.loads(sys.stdin.read())
    app = create_app()
    client = app.test_client()
    with app.app_context():
        engine = db.engine
        caught = []

        @event.listens_for(engine, "before_cursor_execute")
        def catch(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT") and "rabeg_complaint" in statement:
                caught.append((statement, parameters))

        for target in targets:
            del caught[:]
            answer = client.get(target["path"], headers=target["headers"])
            found = list(caught)
            print(f"\\n### {target['label']}\\n\\n`GET {target['path'][:160]}` -> {answer.status_code}; "
                  f"{len(found)} statement(s) on rabeg_complaint\\n")
            seen = set()
            for statement, parameters in found:
                if statement in seen:
                    continue
                seen.add(statement)
                with engine.connect() as conn:
                    plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).scalars().all()
                print("```sql\\n" + statement.strip() + "\\n-- " + repr(parameters)[:400] + "\\n```\\n```\\n"
                      + "\\n".join(plan) + "\\n```")
    """
)


@dataclass
class Target:
    """One route to measure and its target p95 (``None``: reported, no target)."""

    key: str
    label: str
    path: str
    who: str | None  # "officer", "admin" or None (public)
    target_ms: float | None
    samples: list[float] = field(default_factory=list)
    bad: int = 0
    items: int | None = None

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile of the samples in ms (nearest rank)."""
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Client:
    """Sequential GETs over one ``http.client`` connection (reopened when the server closes it)."""

    def __init__(self, port: int, tokens: dict[str, str]):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.tokens = tokens

    def headers(self, who: str | None) -> dict[str, str]:
        """The request headers, with the bearer token of ``who`` (officer, admin) or none (public)."""
        base = {"Accept": "application/json", "Connection": "keep-alive"}
        if who:
            base["Authorization"] = f"Bearer {self.tokens[who]}"
        return base

    def get(self, path: str, who: str | None) -> tuple[int, bytes, float]:
        """``(status, body, seconds)`` of one GET, timed from sending to the last byte read."""
        headers = self.headers(who)
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request("GET", path, headers=headers)
                response = self.conn.getresponse()
                body = response.read()
                took = time.perf_counter() - started
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    self.conn.close()  # sync workers answer one request per connection
                return response.status, body, took
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()  # the server closed an idle connection: reconnect once
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def json(self, path: str, who: str | None) -> dict:
        """The JSON answer of one GET; anything but a 200 stops the run."""
        status, body, _ = self.get(path, who)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
        return json.loads(body)


def _q(path: str, **params) -> str:
    """``path`` with the non-empty ``params`` as its query string."""
    query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    return f"{path}?{query}" if query else path


def _cursor_after(client: Client, path: str, who: str | None, pages: int) -> str | None:
    """The cursor of page ``pages + 1`` of ``path`` (walked page by page, as a client would)."""
    cursor = None
    for _ in range(pages):
        page = client.json(_with_cursor(path, cursor), who)
        cursor = page.get("next_cursor")
        if not cursor:
            return None
    return cursor


def _with_cursor(path: str, cursor: str | None) -> str:
    """``path`` with ``cursor`` added to its query string (unchanged when ``None``)."""
    return path + ("&" if "?" in path else "?") + urllib.parse.urlencode({"cursor": cursor}) if cursor else path


def targets(client: Client, prepared: dict, month: tuple[date, date]) -> list[Target]:
    """The routes measured, with cursors for the deep pages found by walking there first."""
    queue = "/api/v1/rabeg/complaints"
    public = "/api/v1/rabeg/public/complaints"
    kecamatan, kelurahan = prepared["kecamatan"] or "36.73.01", prepared["kelurahan"] or "36.73.01.1001"
    # About 1 km x 1 km in the middle of Kecamatan Serang (the city centre).
    bbox = "106.140,-6.125,106.150,-6.115"
    wide_bbox = "106.10,-6.16,106.20,-6.08"  # most of the city
    empty_bbox = "106.26,-6.005,106.27,-6.000"  # no complaint there: the worst case of a newest-first walk
    frm, to = (d.isoformat() for d in month)
    queue_page = _q(queue, scope="my-opd", state="all")  # the default is the open states
    queue_open = _q(queue, scope="my-opd", state="assigned,in_progress,reopened")
    L, K = TARGET_LIST_P95_MS, TARGET_KPI_P95_MS
    found = [
        Target("queue-1", "queue, first page (DPUPR officer, all states, nearest resolution deadline)", queue_page,
               "officer", L),
        Target("queue-20", "queue, page 20 (cursor after 19 pages)",
               _with_cursor(queue_page, _cursor_after(client, queue_page, "officer", 19)), "officer", L),
        Target("queue-open", "queue, open states (state=assigned,in_progress,reopened)", queue_open, "officer", L),
        Target("queue-open-20", "queue, open states, page 20",
               _with_cursor(queue_open, _cursor_after(client, queue_open, "officer", 19)), "officer", L),
        Target("queue-category", "queue, category=BANJIR", _q(queue, scope="my-opd", category="BANJIR", state="all"), "officer", L),
        Target("queue-kecamatan", f"queue, kecamatan={kecamatan}", _q(queue, scope="my-opd", kecamatan=kecamatan, state="all"),
               "officer", L),
        Target("queue-kelurahan", f"queue, open, kelurahan={kelurahan}",
               _q(queue, scope="my-opd", state="assigned,in_progress,reopened", kelurahan=kelurahan), "officer", L),
        Target("queue-breached", "queue, sla=breached", _q(queue, scope="my-opd", sla="breached", state="all"), "officer", L),
        Target("queue-at-risk", "queue, sla=at_risk", _q(queue, scope="my-opd", sla="at_risk", state="all"), "officer", L),
        Target("queue-month", f"queue, filed in {frm[:7]}, newest first",
               _q(queue, scope="my-opd", filed_from=frm, filed_to=to, sort="created_at", state="all"), "officer", L),
        Target("queue-all", "queue, scope=all (admin), first page", _q(queue, scope="all", state="all"), "admin", L),
        Target("public-1", "public list, first page", public, None, L),
        Target("public-50", "public list, page 50 (cursor after 49 pages)",
               _with_cursor(public, _cursor_after(client, public, None, 49)), None, L),
        Target("public-category", "public list, category=SAMPAH, state=in_progress",
               _q(public, category="SAMPAH", state="in_progress"), None, L),
        Target("public-kelurahan", f"public list, kelurahan={kelurahan}", _q(public, kelurahan=kelurahan), None, L),
        Target("public-bbox", "public list, bbox of about 1 km2 in the centre", _q(public, bbox=bbox), None, L),
        Target("public-bbox-wide", "public list, bbox over most of the city", _q(public, bbox=wide_bbox), None, L),
        Target("public-bbox-empty", "public list, bbox with no complaints (north-east edge)",
               _q(public, bbox=empty_bbox), None, L),
        Target("map", "map feed, newest 2,000 points", "/api/v1/rabeg/public/map", None, None),
        Target("map-bbox", "map feed, bbox of about 1 km2", _q("/api/v1/rabeg/public/map", bbox=bbox), None, None),
        Target("kpi", f"KPIs, one month ({frm} to {to}), overall", _q("/api/v1/rabeg/kpis", **{"from": frm, "to": to}),
               "admin", K),
        Target("kpi-opd", "KPIs, one month, group_by=opd",
               _q("/api/v1/rabeg/kpis", **{"from": frm, "to": to, "group_by": "opd"}), "admin", K),
        Target("kpi-category", "KPIs, one month, group_by=category",
               _q("/api/v1/rabeg/kpis", **{"from": frm, "to": to, "group_by": "category"}), "admin", K),
        Target("kpi-officer", "KPIs, one month, DPUPR officer (own OPD)",
               _q("/api/v1/rabeg/kpis", **{"from": frm, "to": to}), "officer", K),
    ]
    return found


def last_full_month(newest_iso: str | None) -> tuple[date, date]:
    """The last complete calendar month before the newest complaint (the KPI period)."""
    newest = date.fromisoformat(newest_iso[:10]) if newest_iso else date.today()
    end = newest.replace(day=1)
    start = (end - timedelta(days=1)).replace(day=1)
    return start, end


def measure(client: Client, found: list[Target], requests: int, warmup: int, rounds: int, heavy_requests: int) -> None:
    """Warm every route up, then ``rounds`` interleaved rounds of sequential GETs."""
    for target in found:
        for _ in range(warmup):
            client.get(target.path, target.who)
    for number in range(rounds):
        shift = number % len(found)
        for target in found[shift:] + found[:shift]:
            count = (heavy_requests if target.key.startswith(("kpi", "map")) else requests) // rounds
            for _ in range(max(1, count)):
                status, body, took = client.get(target.path, target.who)
                target.samples.append(took * 1000)
                if status != 200:
                    target.bad += 1
        print(f"round {number + 1}/{rounds} done (load {bench_run.load_average()})", flush=True)
    for target in found:
        status, body, _ = client.get(target.path, target.who)
        if status == 200:
            answer = json.loads(body)
            target.items = len(answer.get("items", answer.get("features", [])) or []) if isinstance(answer, dict) else None
            if target.key.startswith("kpi"):
                target.items = answer.get("overall", {}).get("received")


def report(found: list[Target]) -> bool:
    """Print the figures; ``True`` when every target is met and every answer was a 200."""
    print("\n| route | p50 ms | p95 ms | p99 ms | requests | items | target p95 | met |\n|---|---:|---:|---:|---:|---:|---:|---|")
    ok = True
    for t in found:
        p95 = t.percentile(95)
        met = "" if t.target_ms is None else ("yes" if p95 < t.target_ms else "NO")
        if t.target_ms is not None and p95 >= t.target_ms:
            ok = False
        flag = f" ({t.bad} non-200!)" if t.bad else ""
        if t.bad:
            ok = False
        target = "-" if t.target_ms is None else f"< {t.target_ms:.0f}"
        items = "" if t.items is None else f"{t.items:,}"
        print(f"| {t.label} | {t.percentile(50):.1f} | {p95:.1f} | {t.percentile(99):.1f} | {len(t.samples)} | "
              f"{items} | {target} | {met}{flag} |")
    return ok


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=rabeg_data.DEFAULT_URL, help="the database bench/rabeg_data.py filled")
    parser.add_argument("--requests", type=int, default=500, help="measured requests per list route")
    parser.add_argument("--heavy-requests", type=int, default=100,
                        help="measured requests per KPI and map route (each takes 10x a list page)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up requests per route")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds the requests are spread over")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--only", help="comma-separated route keys (queue-1, public-bbox, kpi, ...)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the SQL behind each route")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (server log)")
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Serve, measure, print the table (and the plans with ``--explain``); 1 when a target is missed."""
    args = parser().parse_args(argv)
    rows = figure_rows(args)
    if rows is None:
        return 2
    return figures.finish(args, rows)


def figure_rows(args: argparse.Namespace) -> list[dict] | None:
    """Run the benchmark, print its report and return its figures (``None``: the database is empty)."""
    rabeg_data.check_dedicated(args.url)  # its signing keys are replaced below
    root = Path(tempfile.mkdtemp(prefix="ragem-bench-rabeg-"))
    try:
        env = bench_run.ragem_env(root, None)
        env["RAGEM_DATABASE_URL"] = args.url
        prepared = bench_run.python_json(PREPARE % {"bench": str(BENCH)}, env, bench_run.REPO)
        if not prepared["complaints"]:
            print("no complaints in the database: run bench/rabeg_data.py first", file=sys.stderr)
            return None
        print("# RABEG at scale\n")
        for key, value in bench_run.machine().items():
            if key != "wrk":
                print(f"- {key}: {value}")
        print(f"- PostgreSQL: {server_version(args.url)}")
        print(f"- complaints: {prepared['complaints']:,} (newest {prepared['newest']})")
        print(f"\ngunicorn: {args.workers} `{args.worker_class}` workers; one sequential client; "
              f"{args.requests} requests per list route and {args.heavy_requests} per KPI or map route over "
              f"{args.rounds} interleaved rounds, after {args.warmup} warm-up requests each.\n", flush=True)
        metrics_dir = root / "prometheus"
        metrics_dir.mkdir()
        env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)  # as `ragem serve` runs it
        argv_ = bench_run.gunicorn_argv("ragem.app:create_app()", bench_run.free_port(), args.workers,
                                        args.worker_class)
        with bench_run.Server(argv_, env, bench_run.REPO, "/healthz", root / "ragem.log") as server:
            client = Client(server.port, prepared["tokens"])
            found = targets(client, prepared, last_full_month(prepared["newest"]))
            if args.only:
                keys = set(args.only.split(","))
                found = [t for t in found if t.key in keys]
            measure(client, found, args.requests, args.warmup, args.rounds, args.heavy_requests)
        print(f"\nload average at the end: {bench_run.load_average()}")
        report(found)
        if args.explain:
            explain(found, prepared["tokens"], env)
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return group_rows(found, prepared["complaints"], f"{args.workers} `{args.worker_class}` workers")


#: How the routes are grouped into rows of docs/benchmarks.md: key prefix, what the rows say.
GROUPS = (("queue", "officer queue"), ("public", "public list"), ("map", "public map feed"),
          ("kpi", "KPIs of one month"))


def group_rows(found: list[Target], complaints: int, workers: str) -> list[dict]:
    """One row per group of routes: the range of their p95 and whether every one met its target."""
    rows = []
    for prefix, name in GROUPS:
        group = [t for t in found if t.key.startswith(prefix)]
        if not group:
            continue
        p95 = [t.percentile(95) for t in group]
        worst = group[p95.index(max(p95))]
        bad = sum(t.bad for t in group)
        target = group[0].target_ms
        met = False if bad else (None if target is None else all(p < target for p in p95))
        value = (f"p95 {min(p95):.1f}-{max(p95):.1f} ms over {len(group)} variant(s) (slowest: {worst.label}, "
                 f"p50 {worst.percentile(50):.1f} ms)" + (f"; {bad} non-200!" if bad else ""))
        rows.append(figures.figure(
            f"RABEG {name} at {complaints:,} complaints, every variant, PostgreSQL, {workers}",
            value, "none" if target is None else f"p95 < {target:.0f} ms", met,
            p95_ms={t.key: round(t.percentile(95), 2) for t in group}))
    return rows


def server_version(url: str) -> str:
    """The PostgreSQL server's version string."""
    import psycopg

    with psycopg.connect(rabeg_data.libpq_url(url)) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def explain(found: list[Target], tokens: dict[str, str], env: dict[str, str]) -> None:
    """EXPLAIN ANALYZE the statements each route runs on the complaint tables."""
    payload = [{"label": t.label, "path": t.path,
                "headers": {"Authorization": f"Bearer {tokens[t.who]}"} if t.who else {}} for t in found]
    done = subprocess.run([sys.executable, "-c", EXPLAIN], input=json.dumps(payload), env=env, cwd=bench_run.REPO,
                          capture_output=True, text=True, timeout=600)
    print("\n## EXPLAIN ANALYZE\n" + done.stdout)
    if done.returncode:
        print(done.stderr[-3000:], file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
