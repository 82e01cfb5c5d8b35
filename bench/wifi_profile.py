#!/usr/bin/env python3
"""Where one Wi-Fi authorize request spends its time, in process: no network, no HTTP server.

Run by hand from the repository root, never by the test suite::

    python bench/wifi_profile.py                    # SQLite in a temporary folder
    python bench/wifi_profile.py --url postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench_wifi_profile
    python bench/wifi_profile.py --profile 25       # and cProfile's 25 biggest cumulative entries
    python bench/wifi_profile.py --gc-pauses 30000  # and the collector's pauses, before and after freezing

It builds the app with production settings, registers ``--devices`` devices (each with the current
terms accepted and a session today), then calls ``POST /api/v1/wifi/radius/authorize`` through
``app.wsgi_app`` ``--requests`` times (after a warm-up), each with a random device's rlm_rest body.
It prints the time per request, the SQL statements per request, and the same for the bare Flask
app (``bench/bare_app.py``), whose cost is the floor of any route.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for folder in (str(REPO), str(BENCH)):
    if folder not in sys.path:
        sys.path.insert(0, folder)

import run as bench_run  # noqa: E402

NAS = "bench-taman-digital"
SECRET = "bench-radius-secret-0123456789abcdef"


def prepare(app, devices: int) -> list[str]:
    """The hotspot, the devices, their acceptances and sessions; the devices' MACs."""
    from sqlalchemy import func, select

    from ragem.extensions import db
    from ragem.timeutil import utcnow
    from plugins.wifi.models import AccountingSession, Device, Hotspot, HotspotNas, TermsAcceptance
    from plugins.wifi.services.registration import current_terms

    with app.app_context():
        hotspot = db.session.scalar(select(Hotspot).where(Hotspot.name == "Bench Taman Digital"))
        if hotspot is None:
            hotspot = Hotspot(name="Bench Taman Digital", ssids=["Bench"], status="active", quiet_hours=24,
                              created_at=utcnow(), updated_at=utcnow())
            db.session.add(hotspot)
            db.session.flush()
            db.session.add(HotspotNas(hotspot_id=hotspot.id, identifier=NAS))
            db.session.commit()
        version, now = current_terms().version, utcnow()
        for n in range(db.session.scalar(select(func.count()).select_from(Device)), devices):
            mac = "02:01:%02X:%02X:%02X:%02X" % ((n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255)
            device = Device(user_id=str(uuid.uuid4()), mac=mac, created_at=now)
            db.session.add(device)
            db.session.flush()
            db.session.add(TermsAcceptance(user_id=device.user_id, terms_version=version, accepted_at=now))
            db.session.add(AccountingSession(
                unique_id=uuid.uuid4().hex, user_id=device.user_id, device_id=device.id, hotspot_id=hotspot.id,
                state="stopped", started_at=now - timedelta(hours=1), updated_at=now - timedelta(minutes=30),
                stopped_at=now - timedelta(minutes=30), session_seconds=1800, input_bytes=10**6,
                output_bytes=5 * 10**6, packets=3))
        db.session.commit()
        return [d.mac for d in db.session.scalars(select(Device).order_by(Device.id).limit(devices))]


def environ(mac: str | None) -> dict:
    """A WSGI environ: the authorize call for ``mac``, or the bare app's ``GET /`` without one."""
    from werkzeug.test import EnvironBuilder

    if mac is None:
        return EnvironBuilder(path="/").get_environ()
    body = {"User-Name": {"type": "string", "value": [mac]}, "User-Password": {"type": "string", "value": [mac]},
            "NAS-Identifier": {"type": "string", "value": [NAS]},
            "Calling-Station-Id": {"type": "string", "value": [mac]}}
    return EnvironBuilder(path="/api/v1/wifi/radius/authorize", method="POST", data=json.dumps(body),
                          content_type="application/json", headers={"Authorization": f"Bearer {SECRET}"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()


def call(wsgi, env: dict) -> str:
    """One request through the WSGI callable; its status line."""
    status = []
    for _ in wsgi(dict(env, **{"wsgi.input": io.BytesIO(env["_body"])}) if "_body" in env else env,
                  lambda s, h, e=None: status.append(s)):
        pass
    return status[0]


def run(wsgi, envs: list[dict], requests: int) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of this process per request over ``requests`` calls. On a
    shared machine the CPU time is the steadier figure (the wall clock waits for other processes)."""
    start, cpu = time.perf_counter(), time.process_time()
    for n in range(requests):
        status = call(wsgi, envs[n % len(envs)])
        if not status.startswith("200"):
            raise SystemExit(f"expected 200, got {status}")
    return ((time.perf_counter() - start) * 1000 / requests, (time.process_time() - cpu) * 1000 / requests)


def collector_pauses(wsgi, envs: list[dict], requests: int) -> None:
    """Print the slowest requests and the garbage collector's pauses over ``requests`` calls, first
    as the app was built, then with its start-up objects frozen as ``ragem.gunicorn_conf`` does."""
    for label in ("as built", "start-up objects frozen (ragem.gunicorn_conf)"):
        if label != "as built":
            gc.collect()
            gc.freeze()
        pauses: dict[int, list[float]] = {}
        started = [0.0]

        def watch(phase: str, info: dict) -> None:
            if phase == "start":
                started[0] = time.perf_counter()
            else:
                pauses.setdefault(info["generation"], []).append((time.perf_counter() - started[0]) * 1000)

        latencies = []
        gc.callbacks.append(watch)
        try:
            for n in range(requests):
                begun = time.perf_counter()
                call(wsgi, envs[n % len(envs)])
                latencies.append((time.perf_counter() - begun) * 1000)
        finally:
            gc.callbacks.remove(watch)
        latencies.sort()
        # A full collection on demand: when one comes by itself depends on how many objects survived
        # since the last, so a run may see none; this is what each one costs.
        begun = time.perf_counter()
        gc.collect()
        full_ms = (time.perf_counter() - begun) * 1000
        print(f"- {label}: {gc.get_freeze_count():,} objects frozen; a full collection {full_ms:.1f} ms; "
              f"request p50 {latencies[len(latencies) // 2]:.2f} ms, p99.9 {latencies[int(len(latencies) * 0.999)]:.2f} ms, "
              f"max {latencies[-1]:.1f} ms")
        for generation, times in sorted(pauses.items()):
            print(f"  - generation {generation}: {len(times)} collections, the longest {max(times):.1f} ms")
    gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    """Prepare, time, count, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="a dedicated database (default: SQLite in a temporary folder)")
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="print this many cProfile entries")
    parser.add_argument("--gc-pauses", type=int, default=0, metavar="N",
                        help="also time N requests one by one with the collector's pauses, before and after "
                             "freezing the start-up objects (a full collection is rare: use 20000 or more)")
    args = parser.parse_args(argv)

    # A fixed folder: its data key must stay the one the devices were sealed with on the first run.
    root = Path(tempfile.gettempdir()) / "ragem-wifi-profile"
    root.mkdir(exist_ok=True)
    env = bench_run.ragem_env(root, None)
    env["RAGEM_WIFI_RADIUS_SECRET"] = SECRET
    if args.url:
        if args.url.startswith("postgresql"):
            import rabeg_data
            import wifi

            wifi.create_database(args.url, rabeg_data.check_dedicated(args.url))
        env["RAGEM_DATABASE_URL"] = args.url
    os.environ.update(env)
    from sqlalchemy import event

    from ragem.app import create_app
    from ragem.cli.db import load_reference_data
    from ragem.extensions import db
    from ragem.migrate import upgrade_all

    app = create_app()
    upgrade_all(app)
    load_reference_data(app)
    macs = prepare(app, args.devices)
    rng = random.Random(7)
    envs = []
    for mac in rng.sample(macs, min(len(macs), 500)):
        built = environ(mac)
        built["_body"] = built["wsgi.input"].read()
        envs.append(built)
    import bare_app

    bare_env = environ(None)
    run(bare_app.app.wsgi_app, [bare_env], 200)
    bare_ms = run(bare_app.app.wsgi_app, [bare_env], args.requests)
    run(app.wsgi_app, envs, 200)
    counted = [0]
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a, **k: counted.__setitem__(0, counted[0] + 1))
    ms = run(app.wsgi_app, envs, args.requests)
    print(f"- database: {engine.url.get_backend_name()}; {len(macs):,} devices; {args.requests:,} requests")
    print(f"- authorize: {ms[0]:.3f} ms a request ({ms[1]:.3f} ms CPU in this process), "
          f"{counted[0] / args.requests:.2f} SQL statements a request")
    print(f"- bare Flask `GET /`: {bare_ms[0]:.3f} ms a request ({bare_ms[1]:.3f} ms CPU); authorize costs "
          f"{ms[0] / bare_ms[0]:.1f}x the wall clock, {ms[1] / bare_ms[1]:.1f}x the CPU")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(run, app.wsgi_app, envs, args.requests)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.profile)
        print(out.getvalue())
    if args.gc_pauses:
        collector_pauses(app.wsgi_app, envs, args.gc_pauses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
