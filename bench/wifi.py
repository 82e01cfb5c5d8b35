#!/usr/bin/env python3
"""Wi-Fi at speed: FreeRADIUS's authorize call (rlm_rest JSON) under load, as a city's worth of
phones reconnecting at once would send it, on PostgreSQL.

Run by hand from the repository root, never by the test suite::

    python bench/wifi.py                        # creates and fills ragem_bench_wifi on first run
    python bench/wifi.py --devices 5000 --connections 64 --duration 20

It migrates a dedicated PostgreSQL database (``--url``), registers ``--devices`` devices (MAC
log-in) with a day of accounting sessions each (so the quota sums have rows to add), one hotspot,
then serves ``ragem.app:create_app()`` under gunicorn with production settings (``bench/run.py``'s)
and drives ``POST /api/v1/wifi/radius/authorize`` with wrk: every request a different device's
rlm_rest JSON body and the bearer secret, as FreeRADIUS sends it. Every answer must be 200 (an
accept with its reply attributes). Target (the service's): 1,000 requests per second or more with
p99 under 20 ms.

``--figures-json PATH`` also writes the figures as data (``bench/figures.py`` rows);
``python bench/all.py --only wifi`` runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import rabeg_data  # noqa: E402  (bench/ is not a package; its helpers are shared)
import run as bench_run  # noqa: E402
import figures  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench_wifi"
TARGET_RPS = 1000.0
TARGET_P99_MS = 20.0
NAS = "bench-taman-digital"

# In a fresh interpreter with the server's settings: the hotspot, the devices and their sessions.
PREPARE = textwrap.dedent(
    """
    import json, uuid
    from datetime import timedelta
    from sqlalchemy import func, insert, select
    from ragem.app import create_app
    from ragem.extensions import db
    from ragem.timeutil import utcnow
    from plugins.wifi.models import AccountingSession, Device, Hotspot, HotspotNas, TermsAcceptance
    from plugins.wifi.services.registration import current_terms

    wanted = %(devices)d
    app = create_app()
    with app.app_context():
        hotspot = db.session.scalar(select(Hotspot).where(Hotspot.name == "Bench Taman Digital"))
        if hotspot is None:
            hotspot = Hotspot(name="Bench Taman Digital", ssids=["Bench"], status="active", quiet_hours=24,
                              created_at=utcnow(), updated_at=utcnow())
            db.session.add(hotspot)
            db.session.flush()
            db.session.add(HotspotNas(hotspot_id=hotspot.id, identifier=%(nas)r))
            db.session.commit()
        have = db.session.scalar(select(func.count()).select_from(Device))
        now = utcnow()
        # Every citizen accepted the terms in force, else authorize refuses their devices.
        version = current_terms().version
        for user_id in db.session.scalars(select(Device.user_id).where(Device.user_id.not_in(
                select(TermsAcceptance.user_id).where(TermsAcceptance.terms_version == version)))):
            db.session.add(TermsAcceptance(user_id=user_id, terms_version=version, accepted_at=now))
        for n in range(have, wanted):
            mac = "02:00:%%02X:%%02X:%%02X:%%02X" %% ((n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255)
            device = Device(user_id=str(uuid.uuid4()), mac=mac, created_at=now)
            db.session.add(device)
            db.session.flush()
            db.session.add(TermsAcceptance(user_id=device.user_id, terms_version=version, accepted_at=now))
            db.session.add(AccountingSession(
                unique_id=uuid.uuid4().hex, user_id=device.user_id, device_id=device.id, hotspot_id=hotspot.id,
                state="stopped", started_at=now - timedelta(hours=1), updated_at=now - timedelta(minutes=30),
                stopped_at=now - timedelta(minutes=30), session_seconds=1800, input_bytes=10**6,
                output_bytes=5 * 10**6, packets=3))
            if n %% 500 == 0:
                db.session.commit()
        db.session.commit()
        macs = [d.mac for d in db.session.scalars(select(Device).order_by(Device.id).limit(wanted))]
    print("BENCH-RESULT " + json.dumps({"macs": macs}))
    """
)

# wrk: each request a random device's authorize body, as rlm_rest posts it.
LUA = textwrap.dedent(
    """
    local macs = {%(macs)s}
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
    wrk.headers["Authorization"] = "Bearer %(secret)s"
    math.randomseed(os.time())
    request = function()
      local mac = macs[math.random(#macs)]
      local body = '{"User-Name":{"type":"string","value":["' .. mac .. '"]},' ..
        '"User-Password":{"type":"string","value":["' .. mac .. '"]},' ..
        '"NAS-Identifier":{"type":"string","value":["%(nas)s"]},' ..
        '"Calling-Station-Id":{"type":"string","value":["' .. mac .. '"]},' ..
        '"NAS-Port-Type":{"type":"integer","value":["Wireless-802.11"]}}'
      return wrk.format(nil, nil, nil, body)
    end
    """
)


def create_database(url: str, name: str) -> None:
    """Create the benchmark's database on first use."""
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=DEFAULT_URL, help="a dedicated PostgreSQL database (created if missing)")
    parser.add_argument("--devices", type=int, default=2000, help="registered devices (each with a session today)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", default="sync")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (FreeRADIUS's pool)")
    parser.add_argument("--duration", type=int, default=20, help="seconds measured")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up")
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Prepare, serve, measure, print; 1 when the target is missed."""
    args = parser().parse_args(argv)
    return figures.finish(args, figure_rows(args))


def figure_rows(args: argparse.Namespace) -> list[dict]:
    """Run the benchmark, print its report and return its figures (``bench/figures.py`` rows)."""

    name = rabeg_data.check_dedicated(args.url)
    create_database(args.url, name)
    # A fixed folder: its data key must stay the one the devices were sealed with on the first run.
    root = Path(tempfile.gettempdir()) / "ragem-bench-wifi"
    root.mkdir(exist_ok=True)
    secret = secrets.token_hex(24)
    env = bench_run.ragem_env(root, None)
    env.update({"RAGEM_DATABASE_URL": args.url, "RAGEM_WIFI_RADIUS_SECRET": secret})
    subprocess.run([str(Path(sys.executable).with_name("ragem")), "db", "upgrade"], env=env, cwd=bench_run.REPO,
                   check=True)
    prepared = bench_run.python_json(PREPARE % {"devices": args.devices, "nas": NAS}, env, bench_run.REPO)
    script = root / "authorize.lua"
    script.write_text(LUA % {"macs": ",".join(json.dumps(m) for m in prepared["macs"]), "secret": secret, "nas": NAS})
    print("# Wi-Fi authorize at speed\n")
    for key, value in bench_run.machine().items():
        print(f"- {key}: {value}")
    print(f"- devices: {len(prepared['macs']):,}; gunicorn {args.workers} `{args.worker_class}` workers; "
          f"wrk {args.threads} threads, {args.connections} connections, {args.duration} s\n")
    print("| figure | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    # The bare Flask app under the same gunicorn and load: what this machine allows at all right now.
    bare_env = {k: v for k, v in env.items() if not k.startswith("RAGEM_")}
    bare = bench_run.gunicorn_argv("bare_app:app", bench_run.free_port(), args.workers, args.worker_class,
                                   "--pythonpath", str(BENCH))
    with bench_run.Server(bare, bare_env, BENCH, "/", root / "bare.log") as server:
        bare_result = bench_run.measure("bare Flask `GET /` (baseline)", server.base + "/", args)
    argv_ = bench_run.gunicorn_argv("ragem.app:create_app()", bench_run.free_port(), args.workers, args.worker_class)
    with bench_run.Server(argv_, env, bench_run.REPO, "/healthz", root / "ragem.log") as server:
        url = f"{server.base}/api/v1/wifi/radius/authorize"
        result = bench_run.measure("authorize (MAC log-in, accept)", url, args, script=script)
    print(f"\nload average at the end: {bench_run.load_average()}")
    met = result.bad == 0 and result.rps >= TARGET_RPS and result.p99_ms < TARGET_P99_MS
    print(f"target >= {TARGET_RPS:,.0f} req/s with p99 < {TARGET_P99_MS:.0f} ms: {'met' if met else 'NOT met'}")
    setup = (f"{len(prepared['macs']):,} devices, PostgreSQL, {args.workers} `{args.worker_class}` workers, "
             f"wrk {args.connections} connections")
    flag = f"; {result.bad} non-2xx/errors!" if result.bad else ""
    return [figures.figure(
        f"Wi-Fi authorize (FreeRADIUS rlm_rest JSON, MAC log-in accepted), {setup}",
        f"{result.rps:,.0f} req/s, p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms{flag}",
        f">= {TARGET_RPS:,.0f} req/s with p99 < {TARGET_P99_MS:.0f} ms", met,
        f"{bare_result.rps:,.0f} req/s, p99 {bare_result.p99_ms:.1f} ms (same workers and load)",
        rps=result.rps, p50_ms=result.p50_ms, p99_ms=result.p99_ms, bare_rps=bare_result.rps)]


if __name__ == "__main__":
    sys.exit(main())
