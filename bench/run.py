#!/usr/bin/env python3
"""RAGEM's speed against a bare Flask app, under the same gunicorn, driven by the same wrk load.

Run by hand from the repository root, never by the test suite::

    python bench/run.py                      # 10 s per measurement, 3 rounds, 2 sync workers, 8 connections
    python bench/run.py --duration 5 --plugins 50

In one run it:

1. prints the machine (cores, CPU model, Python, gunicorn, wrk);
2. serves ``bench/bare_app.py`` under gunicorn (target ``GET /``);
3. prepares RAGEM on a fresh SQLite database in a temporary instance folder (migrations, reference
   data, an admin and its access token), serves it under gunicorn with the same settings and
   measures ``GET /api/v1/services``, the authenticated ``GET /api/v1/admin/services``, a
   plugin route (``GET /api/v1/rabeg/health``), the authenticated ``GET /api/v1/me`` (ES256
   token, session check, account) and ``POST /api/v1/auth/login`` (argon2id, each request a
   different account from a different address, ``LOGIN_ACCOUNTS`` accounts);
4. generates N trivial plugins (a module plus a ``.dist-info`` folder with the ``ragem.plugins``
   entry point) in a temporary folder put on ``PYTHONPATH`` - nothing is installed in the
   virtualenv - and measures the catalog and the plugin route again;
5. measures every GET target in ``--rounds`` interleaved rounds with all servers up at once, so
   load that comes and goes on a shared machine hits every app alike (medians are reported, and
   ratios are medians of figures taken in the same round); the log-in is measured once, last;
6. times start-up (``create_app()`` in a fresh interpreter) with none and with N extra plugins;
7. prints the figures against their targets (catalog, authenticated routes, plugins, start-up).

Servers bind 127.0.0.1 on free ports and are always stopped; every wrk run is bounded by
``--duration``. Needs ``wrk`` (``apt-get install -y wrk``).

``python bench/run.py --rabeg [options]`` runs the RABEG scale benchmark instead
(``bench/rabeg.py`` on a PostgreSQL database filled by ``bench/rabeg_data.py``; options go to it).

``--figures-json PATH`` also writes the figures as data (``bench/figures.py`` rows);
``python bench/all.py --only run`` runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import figures  # noqa: E402  (bench/figures.py: the rows bench/all.py reads)

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
ADMIN_PHONE = "+6281200000001"
BENCH_PASSWORD = "Bench-Rahasia-123"
# Citizens the log-in measurement cycles through (each logs in at most a few times a minute).
LOGIN_ACCOUNTS = 400
CITIZEN_PHONE = "+62813{:08d}"

TARGET_CATALOG_SHARE = 0.60  # catalog rps / bare rps
TARGET_AUTHENTICATED_SHARE = 0.50  # authenticated GET /api/v1/me (and admin/services) rps / bare rps
TARGET_PLUGIN_SHARE = 0.90  # catalog rps with N extra plugins / without
TARGET_STARTUP_SECONDS = 3.0


# -- the machine ---------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = []  # the RABEG benchmark (bench/rabeg.py) needs no wrk
    if shutil.which("wrk"):
        wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    from importlib.metadata import version

    return {
        "cores (nproc)": str(os.cpu_count()),
        "CPU": model,
        "memory": _memory(),
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "gunicorn": version("gunicorn"),
        "Flask": version("flask"),
        "wrk": wrk_version[0] if wrk_version else "unknown",
        "load average at start": load_average(),
    }


def load_average() -> str:
    """The 1/5/15-minute load: other work on the machine skews every figure."""
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def _memory() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return "unknown"


# -- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (bound to port 0, then released for gunicorn)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_argv(app_spec: str, port: int, workers: int, worker_class: str, *extra: str) -> list[str]:
    """The same gunicorn command line for both apps."""
    from gunicorn.config import KNOWN_SETTINGS

    argv = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", worker_class, "--log-level", "warning", "--graceful-timeout", "5", *extra,
    ]
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        argv.append("--no-control-socket")  # two servers in one run must not fight over it
    return [*argv, app_spec]


class Server:
    """A gunicorn process group, started on entry and always stopped on exit."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, ready_path: str, log: Path):
        self.argv, self.env, self.cwd, self.ready_path, self.log = argv, env, cwd, ready_path, log
        self.port = int(argv[argv.index("--bind") + 1].rsplit(":", 1)[1])
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "Server":
        self._log_handle = self.log.open("wb")
        self.process = subprocess.Popen(
            self.argv, env=self.env, cwd=self.cwd, stdout=self._log_handle, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops every worker
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + self.ready_path, timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer {self.ready_path} within 60 s; see {self.log}")

    def __exit__(self, *exc_info) -> None:
        process = self.process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        self._log_handle.close()


# -- load ----------------------------------------------------------------------------------------


@dataclass
class Result:
    """One wrk measurement."""

    label: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad: int  # non-2xx answers plus socket errors: any makes the figure meaningless

    def row(self) -> str:
        flag = "" if self.bad == 0 else f" ({self.bad} non-2xx/errors!)"
        return f"| {self.label} | {self.rps:,.0f} | {self.p50_ms:.2f} | {self.p99_ms:.2f} |{flag}"


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * _UNITS_MS[unit]


def wrk(
    label: str, url: str, args, headers: dict[str, str] | None = None, duration: int | None = None,
    script: Path | None = None,
) -> Result:
    """Drive ``url`` with wrk for ``duration`` seconds (``script``: a wrk Lua script) and parse its report."""
    duration = duration or args.duration
    argv = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    if script is not None:
        argv += ["-s", str(script)]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run(argv + [url], capture_output=True, text=True, timeout=duration + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses:\s+(\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors:
        # sync workers close every connection after answering; wrk counts those as read errors.
        bad += int(errors.group(1)) + int(errors.group(4))
    return Result(label, rps, p50, p99, requests, bad)


def measure(label: str, url: str, args, headers: dict[str, str] | None = None, script: Path | None = None) -> Result:
    """A short warm-up (workers fill their caches), then the measured run."""
    wrk("warm-up", url, args, headers, duration=args.warmup, script=script)
    result = wrk(label, url, args, headers, script=script)
    print("  " + result.row(), flush=True)
    return result


# -- RAGEM set-up --------------------------------------------------------------------------------

PREPARE = textwrap.dedent(
    """
    import json, statistics, time
    from ragem.app import create_app
    from ragem.database import create_all, seed_reference
    from ragem.extensions import db

    app = create_app()
    schema = "models"
    try:
        from ragem.migrate import upgrade_all
    except ImportError:
        upgrade_all = None
    if upgrade_all is not None:
        upgrade_all(app)
        schema = "migrations"
    with app.app_context():
        try:  # every mapped table and column must be there, or the figures measure errors
            for table in db.metadata.sorted_tables:
                db.session.execute(table.select().limit(0))
        except Exception as exc:
            db.session.rollback()
            db.drop_all()
            schema = "models (the migrations lag behind them: " + str(exc).splitlines()[0][:120] + ")"
        create_all()
        seed_reference()
        from ragem.auth.models import User
        from ragem.auth.passwords import hash_password, verify_password
        from ragem.auth.accounts import create_user
        shared_hash = hash_password(%(password)r)  # one hash for every account: argon2 once, not N times
        user = db.session.query(User).filter_by(phone=%(phone)r).one_or_none()
        if user is None:
            user = create_user(name="Bench Admin", phone=%(phone)r, password=%(password)r, password_hash=shared_hash, roles=("admin",))
        known = {account.phone for account in db.session.query(User)}  # sealed: read on the row
        for n in range(%(citizens)d):
            phone = %(citizen_phone)r.format(n)
            if phone not in known:
                create_user(name="Bench Warga", phone=phone, password=%(password)r, password_hash=shared_hash)
        db.session.commit()
        user_id = user.id
        # What one log-in costs: argon2id with the parameters stored in the hash itself.
        argon2_params = shared_hash.split("$")[3]
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            verify_password(shared_hash, %(password)r)
            timings.append(time.perf_counter() - started)
    from ragem.auth.sessions import issue_tokens, start_session
    with app.test_request_context():
        admin = db.session.get(User, user_id)
        session, refresh_token = start_session(admin, device="bench", ip="127.0.0.1")
        token = issue_tokens(admin, session, refresh_token)["access_token"]
        db.session.commit()
    with app.app_context():
        services = len(app.extensions["ragem.plugins"].services())
    print("BENCH-RESULT " + json.dumps({
        "token": token, "services": services, "schema": schema,
        "argon2": argon2_params, "argon2_verify_ms": statistics.median(timings) * 1000,
    }))
    """
) % {
    "phone": ADMIN_PHONE, "password": BENCH_PASSWORD, "citizens": LOGIN_ACCOUNTS, "citizen_phone": CITIZEN_PHONE,
}

# wrk script for the log-in figure: every request logs a different bench account in, from a
# different client address (X-Forwarded-For, trusted with RAGEM_PROXY_COUNT=1), so the per-IP and
# per-identifier limits and the failure back-off stay out of the way while still being checked.
LOGIN_LUA = """
local counter = 0
local thread_id = 0
local threads = 0

function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

function request()
  counter = counter + 1
  local n = (thread_id * 97 + counter) %% %(accounts)d
  local body = string.format('{"identifier": "%(phone_format)s", "password": "%(password)s", "device": "wrk"}', n)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["X-Forwarded-For"] = string.format("10.%%d.%%d.%%d", thread_id, math.floor(counter / 250) %% 250, counter %% 250 + 1)
  return wrk.format("POST", "/api/v1/auth/login", headers, body)
end
""" % {"accounts": LOGIN_ACCOUNTS, "phone_format": "+62813%08d", "password": BENCH_PASSWORD}

STARTUP = textwrap.dedent(
    """
    import json, time
    started = time.perf_counter()
    from ragem.app import create_app
    app = create_app()
    took = time.perf_counter() - started
    print("BENCH-RESULT " + json.dumps({"seconds": took, "services": len(app.extensions["ragem.plugins"].services())}))
    """
)


def ragem_env(root: Path, plugin_path: Path | None) -> dict[str, str]:
    """Production settings on a fresh SQLite database; rate limits out of the way of one client."""
    instance = root / "instance"
    instance.mkdir(exist_ok=True)
    key_path = root / "jwt.pem"
    if not key_path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        key_path.write_bytes(ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ))
    secrets_path = root / "secrets.json"
    if not secrets_path.exists():
        secrets_path.write_text(json.dumps({"SECRET_KEY": secrets.token_urlsafe(48), "DATA_KEY": secrets.token_urlsafe(32)}))
    keys = json.loads(secrets_path.read_text())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAGEM_", "PROMETHEUS_"))}
    env.update({
        "RAGEM_ENV": "production",
        "RAGEM_INSTANCE_PATH": str(instance),
        "RAGEM_DATABASE_URL": f"sqlite:///{instance / 'ragem.db'}",
        "RAGEM_SECRET_KEY": keys["SECRET_KEY"],
        "RAGEM_DATA_KEY": keys["DATA_KEY"],
        "RAGEM_JWT_PRIVATE_KEY": str(key_path),
        "RAGEM_ACCESS_TOKEN_MINUTES": "240",
        "RAGEM_SSO_ISSUER": "https://ragem.example.id",
        # One wrk client is one address: a real limit would answer 429 after a second. The limiter
        # still runs (and costs what it costs); it just never says no.
        "RAGEM_RATE_LIMIT": "1000000000 per minute",
        "RAGEM_LOG_LEVEL": "WARNING",
        "RAGEM_SCHEDULER": "false",
        # As behind a load balancer: the log-in measurement sends each request from its own
        # address (X-Forwarded-For), so the per-IP log-in limit does not turn it into 429s.
        "RAGEM_PROXY_COUNT": "1",
        # The benchmarks send no SMS or WhatsApp: production refuses to start without a gateway
        # unless told that no one-time code is needed.
        "RAGEM_MESSAGES_WITHOUT_CODES": "true",
        # Production refuses to start the Wi-Fi plugin without FreeRADIUS's bearer secret: without
        # it the platform measured would lack a service (bench/wifi.py sets its own).
        "RAGEM_WIFI_RADIUS_SECRET": secrets.token_hex(24),
    })
    if plugin_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugin_path), env.get("PYTHONPATH")]))
    return env


def status_of(url: str, headers: dict[str, str]) -> int:
    """The HTTP status of one GET (to see which routes this checkout has)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def python_json(code: str, env: dict[str, str], cwd: Path) -> dict:
    """Run ``code`` in a fresh interpreter and return the JSON it printed after BENCH-RESULT."""
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    for line in done.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    raise RuntimeError(f"subprocess failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def make_plugins(folder: Path, count: int) -> None:
    """``count`` trivial plugins, discoverable through their ``.dist-info`` entry points."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        slug = f"bench{n:02d}"
        module = f"ragem_bench_plugin_{n:02d}"
        (folder / f"{module}.py").write_text(textwrap.dedent(f'''\
            """Trivial benchmark plugin {n}: describes itself and serves a health route."""
            from ragem import toolkit
            from ragem.toolkit import hookimpl


            @hookimpl
            def ragem_plugin_info():
                return toolkit.PluginInfo(
                    slug="{slug}", name={{"id": "Uji {n}", "en": "Bench {n}"}},
                    description={{"id": "Plugin uji kecepatan.", "en": "A benchmark plugin."}},
                    opd="DISKOMINFO", version="0.0.0",
                )


            @hookimpl
            def ragem_blueprints():
                return [toolkit.health_blueprint("{slug}")]
            '''))
        dist = folder / f"ragem_bench_plugin_{n:02d}-0.0.0.dist-info"
        dist.mkdir(exist_ok=True)
        (dist / "METADATA").write_text(f"Metadata-Version: 2.1\nName: ragem-bench-plugin-{n:02d}\nVersion: 0.0.0\n")
        (dist / "entry_points.txt").write_text(f"[ragem.plugins]\n{slug} = {module}\n")


def startup_seconds(env: dict[str, str], cwd: Path, runs: int) -> tuple[float, float, int]:
    """Median seconds of imports + ``create_app()``, and of the whole fresh interpreter, over ``runs``."""
    inner, outer, services = [], [], 0
    for _ in range(runs):
        started = time.perf_counter()
        answer = python_json(STARTUP, env, cwd)
        outer.append(time.perf_counter() - started)
        inner.append(answer["seconds"])
        services = answer["services"]
    return statistics.median(inner), statistics.median(outer), services


# -- the run -------------------------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rabeg", action="store_true",
                        help="run the RABEG scale benchmark (bench/rabeg.py; see its --help) instead")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up before each run")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both apps)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (both apps)")
    parser.add_argument("--plugins", type=int, default=50, help="extra trivial plugins for the second round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds over all targets (medians reported)")
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, database)")
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Measure, print the report; 1 when a target is missed (``--rabeg``: the RABEG benchmark)."""
    argv = sys.argv[1:] if argv is None else argv
    if "--rabeg" in argv:
        import rabeg  # bench/rabeg.py: its own options, these server helpers

        return rabeg.main([a for a in argv if a != "--rabeg"])
    args = parser().parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    return figures.finish(args, figure_rows(args))


def figure_rows(args: argparse.Namespace) -> list[dict]:
    """Run the whole benchmark, print its report and return its figures (``bench/figures.py`` rows)."""
    if os.getloadavg()[0] > 1.0:
        print(f"WARNING: the machine is busy (load {load_average()}); the figures will be low and uneven.\n",
              file=sys.stderr)
    root = Path(tempfile.mkdtemp(prefix="ragem-bench-"))
    print("# RAGEM benchmark\n")
    for key, value in machine().items():
        print(f"- {key}: {value}")
    print(f"\ngunicorn: {args.workers} `{args.worker_class}` workers for both apps; "
          f"wrk: {args.threads} thread(s), {args.connections} connections, {args.duration} s per run, "
          f"{args.rounds} interleaved rounds after {args.warmup} s of warm-up per target.\n")
    try:
        results = run(args, root)
        print(f"\nload average at the end: {load_average()}")
    finally:
        if args.keep:
            print(f"\nkept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return report(args, results)


def run(args, root: Path) -> dict:
    """Start every server at once, then measure them in interleaved rounds.

    The machine may be shared: load that comes and goes would favour whichever app happened to be
    measured in a quiet minute. All servers stay up (an idle gunicorn costs nothing), every round
    measures every target once in a rotating order, and the report takes medians over rounds.
    """
    results: dict = {"rounds": {}}
    server_args = (args.workers, args.worker_class)
    bare_env = {k: v for k, v in os.environ.items() if not k.startswith(("RAGEM_", "PROMETHEUS_"))}
    targets: list[tuple[str, str, str, dict | None]] = []  # (key, label, url, headers)
    with contextlib.ExitStack() as stack:
        bare = gunicorn_argv("bare_app:app", free_port(), *server_args, "--pythonpath", str(BENCH))
        server = stack.enter_context(Server(bare, bare_env, root, "/", root / "bare.log"))
        targets.append(("bare", "bare Flask app `GET /`", server.base + "/", None))

        ragem = {}
        for plugins in (0, args.plugins):
            plugin_path = None
            if plugins:
                plugin_path = root / "plugins"
                make_plugins(plugin_path, plugins)
            env = ragem_env(root, plugin_path)
            prepared = python_json(PREPARE, env, root)
            if not plugins:
                print(f"(RAGEM schema created from the {prepared['schema']})\n")
                results["prepared"] = prepared
            metrics_dir = root / f"prometheus-{plugins}"
            metrics_dir.mkdir()
            env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)  # as `ragem serve` runs it
            argv = gunicorn_argv("ragem.app:create_app()", free_port(), *server_args)
            ragem[plugins] = stack.enter_context(Server(argv, env, root, "/healthz", root / f"ragem-{plugins}.log"))
            results[("services", plugins)] = prepared["services"]

        prepared = results["prepared"]
        auth = {"Authorization": f"Bearer {prepared['token']}"}
        base0, base_n = ragem[0].base, ragem[args.plugins].base
        suffix_n = f", {args.plugins} extra plugins ({results[('services', args.plugins)]} services)"
        # The authenticated path: token (ES256, kid), session check, account.
        me_path = "/api/v1/me" if status_of(base0 + "/api/v1/me", auth) == 200 else "/api/v1/auth/sessions"
        if me_path != "/api/v1/me":
            print("(GET /api/v1/me is not there yet: measuring GET /api/v1/auth/sessions instead)\n")
        results["me_path"] = me_path
        targets += [
            ((0, "catalog"), "RAGEM `GET /api/v1/services`", base0 + "/api/v1/services", None),
            ((args.plugins, "catalog"), f"RAGEM `GET /api/v1/services`{suffix_n}", base_n + "/api/v1/services", None),
            ((0, "plugin"), "RAGEM `GET /api/v1/rabeg/health`", base0 + "/api/v1/rabeg/health", None),
            ((args.plugins, "plugin"), f"RAGEM `GET /api/v1/rabeg/health`{suffix_n}", base_n + "/api/v1/rabeg/health", None),
            ((0, "admin"), "RAGEM `GET /api/v1/admin/services` with a bearer token", base0 + "/api/v1/admin/services", auth),
            ((0, "me"), f"RAGEM `GET {me_path}` with a bearer token", base0 + me_path, auth),
        ]

        for _key, _label, url, headers in targets:  # workers fill their caches before any round
            wrk("warm-up", url, args, headers, duration=args.warmup)
        for number in range(args.rounds):
            shift = number % len(targets)
            for key, label, url, headers in targets[shift:] + targets[:shift]:
                results["rounds"].setdefault(key, []).append(wrk(label, url, args, headers))
            print(f"round {number + 1}/{args.rounds} done (load {load_average()})", flush=True)

        print(f"\n| what (median of {args.rounds} interleaved rounds) | requests/s | p50 ms | p99 ms | requests/s per round |"
              "\n|---|---:|---:|---:|---|")
        for key, label, _url, _headers in targets:
            runs = results["rounds"][key]
            middle = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
            results[key] = middle
            spread = ", ".join(f"{r.rps:,.0f}" for r in runs)
            print(middle.row() + f" {spread} |")

        # Log-in writes (sessions) and takes a worker for ~150 ms a request: measured once, last.
        script = root / "login.lua"
        script.write_text(LOGIN_LUA)
        results["argon2"] = (prepared["argon2"], prepared["argon2_verify_ms"])
        results[(0, "login")] = measure(
            f"RAGEM `POST /api/v1/auth/login` (argon2id {prepared['argon2']}, "
            f"{prepared['argon2_verify_ms']:.0f} ms per verification)",
            base0 + "/api/v1/auth/login", args, script=script,
        )

    print("\n| start-up (`create_app()` in a fresh interpreter) | imports + create_app, s | whole process, s |\n|---|---:|---:|")
    for plugins in (0, args.plugins):
        env = ragem_env(root, root / "plugins" if plugins else None)
        inner, outer, services = startup_seconds(env, root, args.startup_runs)
        results[("startup", plugins)] = (inner, outer)
        print(f"| {plugins} extra plugins ({services} services), median of {args.startup_runs} | {inner:.2f} | {outer:.2f} |")
    return results


def _median_ratio(results: dict, top, bottom) -> float:
    """The median over rounds of ``top / bottom`` measured in the same round."""
    pairs = zip(results["rounds"][top], results["rounds"][bottom])
    return statistics.median(a.rps / b.rps for a, b in pairs)


def report(args, results: dict) -> list[dict]:
    """Print the figures against the targets and return them as rows (``bench/figures.py``)."""
    n = args.plugins
    bare = results["bare"]
    baseline = f"{bare.rps:,.0f} req/s, p99 {bare.p99_ms:.1f} ms"
    startup_0, startup_n = results[("startup", 0)][1], results[("startup", n)][1]
    catalog_share = _median_ratio(results, (0, "catalog"), "bare")
    me_share = _median_ratio(results, (0, "me"), "bare")
    admin_share = _median_ratio(results, (0, "admin"), "bare")
    catalog_n_share = _median_ratio(results, (n, "catalog"), (0, "catalog"))
    plugin_n_share = _median_ratio(results, (n, "plugin"), (0, "plugin"))
    checks = [
        (f"catalog at >= {TARGET_CATALOG_SHARE:.0%} of the bare app", catalog_share, catalog_share >= TARGET_CATALOG_SHARE),
        (f"authenticated `GET {results['me_path']}` at >= {TARGET_AUTHENTICATED_SHARE:.0%} of the bare app", me_share,
         me_share >= TARGET_AUTHENTICATED_SHARE),
        (f"authenticated `GET /api/v1/admin/services` at >= {TARGET_AUTHENTICATED_SHARE:.0%} of the bare app",
         admin_share, admin_share >= TARGET_AUTHENTICATED_SHARE),
        (f"catalog with {n} plugins within 10% of none", catalog_n_share, catalog_n_share >= TARGET_PLUGIN_SHARE),
        (f"plugin route with {n} plugins within 10% of none (per-request overhead)", plugin_n_share,
         plugin_n_share >= TARGET_PLUGIN_SHARE),
    ]
    print("\n| target (ratios: median over rounds of the two figures of one round) | measured | met |\n|---|---:|---|")
    for label, ratio, met in checks:
        print(f"| {label} | {ratio:.0%} | {'yes' if met else 'NO'} |")
    met_startup = startup_n < TARGET_STARTUP_SECONDS
    print(f"| start-up with {n} plugins < {TARGET_STARTUP_SECONDS:.0f} s | {startup_n:.2f} s | {'yes' if met_startup else 'NO'} |")
    login = results[(0, "login")]
    params, verify_ms = results["argon2"]
    print(f"\nlog-in: {login.rps:,.1f} per second with {args.workers} workers (argon2id {params}, "
          f"{verify_ms:.0f} ms per verification, so at most about {args.workers * 1000 / verify_ms:,.0f}/s); "
          f"bare app: {bare.rps:,.0f} requests/s")
    measured = [r for runs in results["rounds"].values() for r in runs] + [login]
    dirty = sorted({r.label for r in measured if r.bad})
    if dirty:
        print(f"\nWARNING: non-2xx answers or connection errors in: {dirty}")

    setup = (f"{args.workers} `{args.worker_class}` workers, wrk {args.connections} connections, "
             f"median of {args.rounds} rounds")

    def rps(key) -> str:
        return f"{results[key].rps:,.0f} req/s, p99 {results[key].p99_ms:.1f} ms"

    rows = [figures.figure(f"bare Flask app `GET /` ({setup})", rps("bare"), "baseline", None, None,
                           rps=bare.rps, p99_ms=bare.p99_ms)]
    names = [
        ((0, "catalog"), "catalog `GET /api/v1/services`"),
        ((0, "me"), f"authenticated `GET {results['me_path']}` with a bearer token"),
        ((0, "admin"), "authenticated `GET /api/v1/admin/services` with a bearer token"),
        ((n, "catalog"), f"catalog with {n} extra plugins"),
        ((n, "plugin"), f"plugin route `GET /api/v1/rabeg/health` with {n} extra plugins"),
    ]
    targets = [f">= {TARGET_CATALOG_SHARE:.0%} of bare", f">= {TARGET_AUTHENTICATED_SHARE:.0%} of bare",
               f">= {TARGET_AUTHENTICATED_SHARE:.0%} of bare", f">= {TARGET_PLUGIN_SHARE:.0%} of none",
               f">= {TARGET_PLUGIN_SHARE:.0%} of none"]
    for (key, name), target, (_label, ratio, met) in zip(names, targets, checks):
        of = "none" if key[0] else "bare"
        rows.append(figures.figure(f"{name} ({setup})", f"{ratio:.0%} of {of} ({rps(key)})", target, met,
                                   baseline, share=ratio, rps=results[key].rps))
    rows.append(figures.figure(f"start-up (`create_app()` in a fresh interpreter) with {n} extra plugins, "
                               f"median of {args.startup_runs}", f"{startup_n:.2f} s (none: {startup_0:.2f} s)",
                               f"< {TARGET_STARTUP_SECONDS:.0f} s", met_startup, None, seconds=startup_n))
    rows.append(figures.figure(f"log-in `POST /api/v1/auth/login` (argon2id {params}), {args.workers} workers",
                               f"{login.rps:,.1f} /s, {verify_ms:.0f} ms a verification", "none", None, baseline,
                               rps=login.rps, verify_ms=verify_ms))
    rows.append(figures.figure("non-2xx answers or connection errors in the runs above",
                               ", ".join(dirty) or "none", "no errors", not dirty))
    return rows


if __name__ == "__main__":
    sys.exit(main())
