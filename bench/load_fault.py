#!/usr/bin/env python3
"""Load and faults: a mixed load on RAGEM under gunicorn while PostgreSQL, Redis and a worker fail,
then a reconciliation that every write a client saw acknowledged is in the database exactly once.

Run by hand from the repository root, as root or as a user who may run PostgreSQL's ``initdb``
(never by the test suite; it takes a few minutes)::

    python bench/load_fault.py                      # 150 s of load, the faults at fixed points
    python bench/load_fault.py --duration 60 --clients 8

It disturbs nothing else on the machine: it creates its own PostgreSQL cluster (``initdb`` in a
temporary folder, on a free port) and its own Redis, so it can stop and start them at will, and
serves ``ragem.app:create_app()`` under gunicorn (``ragem.gunicorn_conf``, ``--workers`` x
``--threads``) with production settings, plus one ``ragem worker`` for the job queue.

The load: ``--clients`` citizens, each on its own connection, loop over a mix of catalog reads,
profile reads, RABEG complaints, 112 incidents, GELATI checkouts (one item of a product, a few of
which have little stock, so buyers race for the last items) and Wi-Fi authorisations from
FreeRADIUS. Every write carries an Idempotency-Key; when its answer is lost (a reset connection, a
timeout) or says "try again" (5xx, 429), the client sends the same request again, as the app does,
until it gets an answer or gives up after ``--give-up`` seconds. A share of acknowledged writes is
sent again as if the answer had been lost: it must answer 200 with the same record.

The faults, at fixed fractions of ``--duration``: PostgreSQL stopped for ``--pg-down`` seconds and
started again; Redis stopped for ``--redis-down`` seconds and started again; one gunicorn worker
killed with SIGKILL. A session revoked before the load must stay refused throughout.

The reconciliation, read straight from the database afterwards: every acknowledged write exists
once with the id the client was given (lost must be 0), no key made two records and no record lacks
its key (duplicates must be 0), every product's stock is >= 0 and equals its starting stock less
what was ordered, the gunicorn master and the job worker are the processes started at the
beginning (RAGEM was not restarted), and ``/readyz`` answers 200. It prints the summary (requests,
throughput, errors by kind and phase, latency per phase, recovery after each fault) and exits 1
when anything was lost, duplicated or oversold, or RAGEM did not recover by itself.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import run as bench_run  # noqa: E402  (bench/ is not a package; its server helpers are shared)

NAS = "load-taman-digital"
HOT_STOCK = 15  # the products buyers race for
PLENTY_STOCK = 100_000
#: What a client does, and how often (weights).
MIX = {"catalog": 20, "profile": 15, "complaint": 15, "incident": 10, "checkout": 15, "wifi": 25}
#: The answers that mean "try the same request again" (the others are final).
RETRYABLE = {429, 500, 502, 503, 504}
#: After a fault ends, RAGEM has recovered once this many requests in a row were answered well.
RECOVERED_AFTER = 20

# In a fresh interpreter with the server's settings: the citizens and their tokens, a shop with
# products, a hotspot with a device per citizen, and one revoked session.
PREPARE = textwrap.dedent(
    """
    import json, uuid
    from sqlalchemy import select
    from ragem.app import create_app
    from ragem.extensions import db
    from ragem.auth.accounts import create_user
    from ragem.auth.models import User
    from ragem.auth.passwords import hash_password
    from ragem.auth.sessions import issue_tokens, revoke_session, start_session
    from ragem.timeutil import utcnow
    from plugins.gelati.models import Product, Shop
    from plugins.rabeg.models import Category
    from plugins.rabeg.seed import ensure_categories
    from plugins.wifi.models import Device, Hotspot, HotspotNas, TermsAcceptance
    from plugins.wifi.services.registration import current_terms

    clients, hot, plenty = %(clients)d, %(hot)d, %(plenty)d
    app = create_app()
    with app.app_context():
        ensure_categories()
        category = db.session.scalar(select(Category.code).where(Category.active, Category.complaints_public)
                                     .order_by(Category.code))
        now = utcnow()
        shared = hash_password("Beban-Rahasia-123")
        users = {}
        for n in range(clients + 1):
            key = f"c{n}" if n < clients else "revoked"
            users[key] = create_user(name=f"Beban {key}", phone=f"+6281377{n:06d}", password="Beban-Rahasia-123",
                                     password_hash=shared)
        shop = Shop(name="Toko Uji Beban", description="Toko untuk uji beban.", category="food",
                    kelurahan_code="36.73.01.1002", kecamatan_code="36.73.01", nib="9120000000099", status="verified",
                    pickup_enabled=True, delivery_enabled=False, created_at=now, changed_at=now)
        db.session.add(shop)
        db.session.flush()
        products = {}
        for n in range(6):
            stock = hot if n < 2 else plenty
            product = Product(shop_id=shop.id, name=f"Produk uji {n}", description="Barang untuk uji beban.",
                              category="food", kecamatan_code="36.73.01", price=10000 + n * 1000, stock=stock,
                              weight_grams=500, status="active", created_at=now, changed_at=now)
            db.session.add(product)
            db.session.flush()
            products[product.id] = stock
        hotspot = Hotspot(name="Taman Digital (uji beban)", ssids=["Uji"], status="active", quiet_hours=24,
                          created_at=now, updated_at=now)
        db.session.add(hotspot)
        db.session.flush()
        db.session.add(HotspotNas(hotspot_id=hotspot.id, identifier=%(nas)r))
        version = current_terms().version
        macs = {}
        for n in range(clients):
            user = users[f"c{n}"]
            mac = "02:00:00:00:%%02X:%%02X" %% (n >> 8, n & 255)
            db.session.add(Device(user_id=user.id, mac=mac, created_at=now))
            db.session.add(TermsAcceptance(user_id=user.id, terms_version=version, accepted_at=now))
            macs[f"c{n}"] = mac
        db.session.commit()
        ids = {key: user.id for key, user in users.items()}
    tokens = {}
    for key, user_id in ids.items():
        with app.test_request_context():
            user = db.session.get(User, user_id)
            session, refresh_token = start_session(user, device="load-fault", ip="127.0.0.1")
            tokens[key] = issue_tokens(user, session, refresh_token)["access_token"]
            if key == "revoked":
                revoke_session(session.id, reason="logout")
            db.session.commit()
    print("BENCH-RESULT " + json.dumps({"tokens": tokens, "ids": ids, "macs": macs, "products": products,
                                        "category": category}))
    """
)


# -- the dependencies, private to this run ---------------------------------------------------------


def _as_postgres(argv: list[str]) -> list[str]:
    """PostgreSQL's tools refuse to run as root: run them as the ``postgres`` user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


class PrivatePostgres:
    """A PostgreSQL cluster of this run's own, on a free port, stopped and started at will."""

    def __init__(self, folder: Path):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        if not bins:
            raise SystemExit("PostgreSQL's server binaries are not in /usr/lib/postgresql/*/bin")
        self.bin, self.folder, self.port = bins[-1], folder, bench_run.free_port()
        self.data = folder / "data"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/ragem"

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.data), *args]), check=True,
                       stdout=subprocess.DEVNULL)

    def create(self) -> None:
        """``initdb``, start, and create the database ``ragem``."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        subprocess.run(_as_postgres([str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
                                     "--no-sync"]), check=True, stdout=subprocess.DEVNULL)
        self.start()
        subprocess.run(_as_postgres([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                                     "postgres", "ragem"]), check=True)

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on"
        self._pg_ctl("-o", options, "-l", str(self.folder / "postgres.log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: open transactions are rolled back and every connection is cut."""
        self._pg_ctl("-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        """Stop the cluster if it runs (its folder is removed with the run's)."""
        if (self.data / "postmaster.pid").exists():
            self._pg_ctl("-m", "immediate", "-w", "stop")


class PrivateRedis:
    """A Redis of this run's own, on a free port, keeping nothing on disk."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, bench_run.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start ``redis-server`` and wait for its PONG."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not answer within 10 s")

    def stop(self) -> None:
        """Kill it: whatever it held is gone, as after a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def gunicorn_workers(master: int) -> list[int]:
    """The pids of the gunicorn master's worker processes."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master:
            children.append(int(stat.parent.name))
    return children


def busiest(pids: list[int]) -> int:
    """The process that used the most CPU over the next half second: likely answering a request."""
    def cpu(pid: int) -> int:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0
        return int(fields[11]) + int(fields[12])  # utime + stime

    before = {pid: cpu(pid) for pid in pids}
    time.sleep(0.5)
    return max(pids, key=lambda pid: cpu(pid) - before[pid])


# -- the clients -----------------------------------------------------------------------------------


@dataclass
class Sample:
    """One HTTP exchange as a client saw it."""

    op: str
    started: float  # seconds since the load began
    ms: float
    outcome: str  # "2xx", "expected 4xx", or the error's kind
    ok: bool


@dataclass
class Ledger:
    """What the clients saw, shared by their threads."""

    samples: list[Sample] = field(default_factory=list)
    acknowledged: list[dict] = field(default_factory=list)  # {"op", "user", "key", "ids"}
    abandoned: list[dict] = field(default_factory=list)  # writes never acknowledged before giving up
    replay_mismatches: list[str] = field(default_factory=list)
    revoked_accepted: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client:
    """One citizen's HTTP connection; every exchange is recorded in the ledger."""

    def __init__(self, port: int, token: str | None, ledger: Ledger, t0: float, timeout: float):
        self.port, self.token, self.ledger, self.t0, self.timeout = port, token, ledger, t0, timeout
        self.conn: http.client.HTTPConnection | None = None

    def exchange(self, op: str, method: str, path: str, body: dict | None = None, headers: dict | None = None,
                 expected: tuple[int, ...] = ()) -> tuple[int | None, dict | None, dict]:
        """Send once: ``(status or None when the answer was lost, json, response headers)``."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if self.token and "Authorization" not in all_headers:
            all_headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        status, answer, answer_headers, outcome = None, None, {}, ""
        try:
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=all_headers)
            except (BrokenPipeError, ConnectionResetError):
                if not reused:
                    raise
                # The server had closed this idle keep-alive connection (gunicorn does after a few
                # seconds): the request never left, so send it on a new one, as every HTTP client does.
                self._close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
                self.conn.request(method, path, body=data, headers=all_headers)
            response = self.conn.getresponse()
            raw = response.read()
            status, answer_headers = response.status, dict(response.getheaders())
            try:
                answer = json.loads(raw) if raw else None
            except ValueError:
                answer = None
            if response.will_close:
                self._close()
        except (TimeoutError, socket.timeout):
            outcome = "timeout"
            self._close()
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            outcome = {ConnectionRefusedError: "connection refused", ConnectionResetError: "connection reset",
                       http.client.RemoteDisconnected: "connection closed"}.get(type(exc), type(exc).__name__)
            self._close()
        took = (time.perf_counter() - started) * 1000
        if status is not None:
            if 200 <= status < 300:
                outcome = "2xx"
            elif status in expected:
                outcome = "expected 4xx"
            else:
                code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
                outcome = f"{status} {code or ''}".strip()
        ok = outcome in ("2xx", "expected 4xx")
        with self.ledger.lock:
            self.ledger.samples.append(Sample(op, started - self.t0, took, outcome, ok))
        return status, answer, answer_headers

    def _close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def write_until_answered(client: Client, op: str, path: str, body: dict, key: str, give_up: float,
                         created: tuple[int, ...] = (201,), final: tuple[int, ...] = ()) -> tuple[int | None, dict | None]:
    """Send a write with its Idempotency-Key until it is answered for good (a 2xx, or a 4xx that is
    final), retrying lost answers and "try again"s with the same key and body; ``(None, None)`` when
    ``give_up`` seconds passed without an answer."""
    deadline = time.monotonic() + give_up
    pause = 0.1
    while True:
        status, answer, headers = client.exchange(op, "POST", path, body, {"Idempotency-Key": key}, expected=final)
        if status is not None and status not in RETRYABLE:
            return status, answer
        if time.monotonic() > deadline:
            return None, None
        wait = pause
        if status is not None and headers.get("Retry-After", "").isdigit():
            wait = min(float(headers["Retry-After"]), 1.0)
        time.sleep(wait)
        pause = min(pause * 2, 1.0)


def citizen_loop(index: int, world: dict, port: int, ledger: Ledger, t0: float, stop_at: float,
                 args: argparse.Namespace) -> None:
    """One citizen's session: the mix of MIX until ``stop_at``."""
    user = f"c{index}"
    client = Client(port, world["tokens"][user], ledger, t0, args.timeout)
    radius = Client(port, None, ledger, t0, args.timeout)
    rng = random.Random(index)
    ops, weights = list(MIX), list(MIX.values())
    products = [int(p) for p in world["products"]]
    mac = world["macs"][user]

    def acknowledged(op: str, key: str, ids: list[int], path: str, body: dict, replay_status: int = 200) -> None:
        with ledger.lock:
            ledger.acknowledged.append({"op": op, "user": world["ids"][user], "key": key, "ids": ids})
        if rng.random() < args.replay_share:  # the answer "was lost": the app sends the same request again
            status, answer = write_until_answered(client, op, path, body, key, args.give_up, final=(409, 422))
            again = _ids(op, answer) if status == replay_status else None
            if again != ids:
                with ledger.lock:
                    ledger.replay_mismatches.append(f"{op} {key}: first {ids}, replay {status} {again}")

    while time.monotonic() < stop_at:
        op = rng.choices(ops, weights)[0]
        key = uuid.uuid4().hex
        if op == "catalog":
            client.exchange(op, "GET", "/api/v1/services", headers={"Authorization": ""})
        elif op == "profile":
            client.exchange(op, "GET", "/api/v1/me")
        elif op == "wifi":
            radius.exchange(op, "POST", "/api/v1/wifi/radius/authorize", _radius_body(mac),
                            {"Authorization": f"Bearer {world['radius_secret']}"})
        elif op == "complaint":
            path = "/api/v1/rabeg/complaints"
            body = {"category": world["category"], "description": f"Uji beban {key}: lampu jalan padam.",
                    "lat": -6.12 + rng.random() / 100, "lon": 106.15 + rng.random() / 100}
            status, answer = write_until_answered(client, op, path, body, key, args.give_up)
            _settle(ledger, op, key, status, answer, acknowledged, path, body)
        elif op == "incident":
            path = "/api/v1/darurat112/incidents"
            body = {"type": rng.choice(("fire", "medical", "crime")), "lat": -6.12 + rng.random() / 100,
                    "lon": 106.15 + rng.random() / 100, "accuracy_m": 10.0}
            status, answer = write_until_answered(client, op, path, body, key, args.give_up)
            _settle(ledger, op, key, status, answer, acknowledged, path, body)
        elif op == "checkout":
            product = products[0] if rng.random() < 0.5 else rng.choice(products)
            put = f"/api/v1/gelati/cart/items/{product}"
            for _attempt in range(int(args.give_up * 5)):
                status, _answer, _ = client.exchange("cart", "PUT", put, {"quantity": 1}, expected=(409,))
                if status is not None and status not in RETRYABLE:
                    break
                time.sleep(0.2)
            if status != 200:
                continue  # sold out, or never answered: nothing to check out
            path, body = "/api/v1/gelati/checkout", {"payment_method": "cod", "fulfilment": "pickup"}
            status, answer = write_until_answered(client, op, path, body, key, args.give_up, final=(409, 422))
            _settle(ledger, op, key, status, answer, acknowledged, path, body)
        # Check the revoked session now and then: it must never come back, whatever is down.
        if rng.random() < 0.05:
            other = Client(port, world["tokens"]["revoked"], ledger, t0, args.timeout)
            status, _answer, _ = other.exchange("revoked session", "GET", "/api/v1/me", expected=(401,))
            other._close()
            if status == 200:
                with ledger.lock:
                    ledger.revoked_accepted += 1
        time.sleep(args.think)


def _radius_body(mac: str) -> dict:
    """FreeRADIUS rlm_rest's JSON for a MAC log-in at the load's hotspot."""
    def attribute(kind: str, value: str) -> dict:
        return {"type": kind, "value": [value]}

    return {"User-Name": attribute("string", mac), "User-Password": attribute("string", mac),
            "NAS-Identifier": attribute("string", NAS), "Calling-Station-Id": attribute("string", mac),
            "NAS-Port-Type": attribute("integer", "Wireless-802.11")}


def _ids(op: str, answer: dict | None) -> list[int] | None:
    """The record ids an acknowledged write answered."""
    if not isinstance(answer, dict):
        return None
    if op == "checkout":
        return sorted(order["id"] for order in answer.get("orders", []))
    return [answer["id"]] if "id" in answer else None


def _settle(ledger: Ledger, op: str, key: str, status: int | None, answer: dict | None, acknowledged, path: str,
            body: dict) -> None:
    """File a write's final answer in the ledger: acknowledged (2xx), refused (a final 4xx) or abandoned."""
    if status is None:
        with ledger.lock:
            ledger.abandoned.append({"op": op, "key": key})
    elif 200 <= status < 300:
        acknowledged(op, key, _ids(op, answer) or [], path, body, replay_status=200)


# -- the faults ------------------------------------------------------------------------------------


@dataclass
class Fault:
    """A fault as it happened: when it began and when its cause was gone (seconds into the load)."""

    name: str
    began: float
    ended: float = 0.0


def inject_faults(args, postgres: PrivatePostgres, redis: PrivateRedis, master: int, t0: float,
                  faults: list[Fault]) -> None:
    """Stop and start PostgreSQL, then Redis, then kill a gunicorn worker, at fixed points."""
    def at(fraction: float) -> None:
        time.sleep(max(0.0, t0 + args.duration * fraction - time.monotonic()))

    def now() -> float:
        return time.monotonic() - t0

    at(0.15)
    fault = Fault(f"PostgreSQL stopped for {args.pg_down:g} s", now())
    faults.append(fault)
    postgres.stop()
    time.sleep(args.pg_down)
    postgres.start()
    fault.ended = now()

    at(0.4)
    fault = Fault(f"Redis killed for {args.redis_down:g} s", now())
    faults.append(fault)
    redis.stop()
    time.sleep(args.redis_down)
    redis.start()
    fault.ended = now()

    at(0.65)
    victim = busiest(gunicorn_workers(master))
    fault = Fault(f"gunicorn worker {victim} killed (SIGKILL)", now())
    faults.append(fault)
    os.kill(victim, signal.SIGKILL)
    fault.ended = fault.began


# -- the reconciliation ----------------------------------------------------------------------------


def reconcile(url: str, world: dict, ledger: Ledger) -> dict:
    """Read the database: lost and duplicated writes, and the stock of every product."""
    import psycopg
    from sqlalchemy.engine import make_url

    users = [user_id for key, user_id in world["ids"].items() if key != "revoked"]
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    found: dict[tuple[str, str, str], list[int]] = {}
    duplicates: dict[str, int] = {}
    with psycopg.connect(libpq) as conn:
        for op, records, column, table, owner in (
                ("complaint", "rabeg_idempotency_record", "complaint_id", "rabeg_complaint", "reporter_id"),
                ("incident", "darurat112_idempotency_record", "incident_id", "darurat112_incident", "reporter_id")):
            for user_id, key, record_id in conn.execute(
                    f"SELECT r.user_id, r.key, t.id FROM {records} r JOIN {table} t ON t.id = r.{column} "
                    "WHERE r.user_id = ANY(%s)", (users,)):
                found[(op, user_id, key)] = [record_id]
            made = conn.execute(f"SELECT count(*) FROM {table} WHERE {owner} = ANY(%s)", (users,)).fetchone()[0]
            keyed = conn.execute(f"SELECT count(DISTINCT {column}) FROM {records} WHERE user_id = ANY(%s)",
                                 (users,)).fetchone()[0]
            duplicates[op] = made - keyed  # records no key accounts for
        for buyer, key, order_id in conn.execute(
                "SELECT c.buyer_id, c.key, o.id FROM gelati_checkout c JOIN gelati_order o ON o.checkout_id = c.id "
                "WHERE c.buyer_id = ANY(%s)", (users,)):
            found.setdefault(("checkout", buyer, key), []).append(order_id)
        orders = conn.execute("SELECT count(*) FROM gelati_order WHERE buyer_id = ANY(%s)", (users,)).fetchone()[0]
        checkouts = conn.execute("SELECT count(*) FROM gelati_checkout c WHERE buyer_id = ANY(%s) AND EXISTS "
                                 "(SELECT 1 FROM gelati_order o WHERE o.checkout_id = c.id)", (users,)).fetchone()[0]
        duplicates["checkout"] = orders - checkouts  # one product a checkout: one order each
        stock = {}
        for product_id, left, sold in conn.execute(
                "SELECT p.id, p.stock, COALESCE(sum(i.quantity), 0) FROM gelati_product p "
                "LEFT JOIN gelati_order_item i ON i.product_id = p.id LEFT JOIN gelati_order o ON o.id = i.order_id "
                "AND o.status NOT IN ('cancelled', 'expired') WHERE p.id = ANY(%s) GROUP BY p.id",
                ([int(p) for p in world["products"]],)):
            stock[product_id] = {"start": world["products"][str(product_id)], "left": left, "sold": int(sold)}
    lost = []
    for ack in ledger.acknowledged:
        ids = sorted(found.get((ack["op"], ack["user"], ack["key"]), []))
        if ids != sorted(ack["ids"]) or not ids:
            lost.append(f"{ack['op']} {ack['key']}: acknowledged {ack['ids']}, in the database {ids}")
    return {"lost": lost, "duplicates": duplicates, "stock": stock}


# -- the summary -----------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); NaN for no samples."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else float("nan")


def phases(faults: list[Fault], seconds: float) -> list[tuple[str, float, float]]:
    """The load's phases as ``(name, start, end)``: before the faults, each fault while it lasts (a
    second at least), and the time after it until the next."""
    windows, start = [], 0.0
    for n, fault in enumerate(faults):
        windows.append(("steady" if n == 0 else f"after: {faults[n - 1].name}", start, fault.began))
        start = max(fault.ended, fault.began + 1)
        windows.append((fault.name, fault.began, start))
    windows.append((f"after: {faults[-1].name}" if faults else "steady", start, seconds))
    return windows


def phase_of(sample: Sample, windows: list[tuple[str, float, float]]) -> str:
    """The phase in which a request was answered (or its answer was lost)."""
    done = sample.started + sample.ms / 1000
    for name, _start, end in windows:
        if done < end:
            return name
    return windows[-1][0]


def recovery_seconds(samples: list[Sample], fault: Fault) -> float | None:
    """Seconds from the end of a fault until RECOVERED_AFTER requests in a row were answered well."""
    after = sorted((s for s in samples if s.started >= fault.ended), key=lambda s: s.started)
    run_start, run = None, 0
    for sample in after:
        if sample.ok:
            run_start = sample.started if run == 0 else run_start
            run += 1
            if run >= RECOVERED_AFTER:
                return max(0.0, run_start - fault.ended)
        else:
            run = 0
    return None


def report(args, ledger: Ledger, faults: list[Fault], checks: dict, seconds: float) -> bool:
    """Print the summary; whether every promise held."""
    samples = ledger.samples
    print("# Load and faults\n")
    for key, value in bench_run.machine().items():
        if key not in ("wrk", "load average at start"):
            print(f"- {key}: {value}")
    print(f"- gunicorn: {args.workers} gthread workers x {args.threads} threads; one `ragem worker`; "
          f"{args.clients} clients for {args.duration} s; load average before the load {args.load_before}, "
          f"at the end {bench_run.load_average()}\n")
    good = sum(s.ok for s in samples)
    print(f"{len(samples):,} requests in {seconds:.0f} s ({len(samples) / seconds:.0f} req/s), "
          f"{good:,} answered as expected\n")
    print("| phase | seconds | requests | req/s | errors | p50 ms | p99 ms | errors by kind |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    windows = phases(faults, seconds)
    by_phase: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_phase[phase_of(sample, windows)].append(sample)
    for phase, start, end in windows:
        rows = by_phase.get(phase, [])
        kinds = Counter(s.outcome for s in rows if not s.ok)
        times = [s.ms for s in rows]
        print(f"| {phase} | {end - start:.1f} | {len(rows):,} | {len(rows) / max(end - start, 0.001):.0f} | "
              f"{sum(kinds.values()):,} | {percentile(times, 50):.1f} | {percentile(times, 99):.1f} | "
              f"{', '.join(f'{kind}: {n}' for kind, n in kinds.most_common()) or '-'} |")
    print("\n| operation | requests | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    by_op: dict[str, list[float]] = defaultdict(list)
    for sample in samples:
        by_op[sample.op].append(sample.ms)
    for op, times in sorted(by_op.items()):
        print(f"| {op} | {len(times):,} | {percentile(times, 50):.1f} | {percentile(times, 99):.1f} |")
    print("\n| fault | at s | recovered after s |\n|---|---:|---:|")
    recovered = True
    for fault in faults:
        took = recovery_seconds(samples, fault)
        recovered &= took is not None
        print(f"| {fault.name} | {fault.began:.1f} | {'never' if took is None else f'{took:.1f}'} |")
    acks = Counter(a["op"] for a in ledger.acknowledged)
    duplicates = sum(checks["duplicates"].values()) + len(ledger.replay_mismatches)
    oversold = [f"product {p}: {s}" for p, s in checks["stock"].items()
                if s["left"] < 0 or s["left"] + s["sold"] != s["start"]]
    print(f"\nacknowledged writes: {sum(acks.values()):,} ({', '.join(f'{op} {n}' for op, n in sorted(acks.items()))}); "
          f"abandoned after {args.give_up:g} s: {len(ledger.abandoned)}")
    print(f"lost writes: {len(checks['lost'])} (must be 0)")
    print(f"duplicates: {duplicates} (must be 0; by kind {checks['duplicates']}, "
          f"replays answered differently {len(ledger.replay_mismatches)})")
    hot = ", ".join(f"product {p}: {s['left']} left of {s['start']}" for p, s in sorted(checks["stock"].items())[:2])
    print(f"stock: {hot}; negative or not adding up: {len(oversold)} (must be 0)")
    print(f"revoked session accepted: {ledger.revoked_accepted} (must be 0)")
    print(f"RAGEM restarted: {'no' if checks['same_processes'] else 'YES'}; /readyz at the end: {checks['ready']}")
    for line in (checks["lost"] + ledger.replay_mismatches + oversold)[:10]:
        print("  -", line)
    return (not checks["lost"] and duplicates == 0 and not oversold and ledger.revoked_accepted == 0 and recovered
            and checks["same_processes"] and checks["ready"] == 200)


# -- main ------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Prepare, load, inject, reconcile, print; 1 when a promise did not hold."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=150, help="seconds of load")
    parser.add_argument("--clients", type=int, default=16, help="concurrent citizens")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--pg-down", type=float, default=5, help="seconds PostgreSQL stays down")
    parser.add_argument("--redis-down", type=float, default=10, help="seconds Redis stays down")
    parser.add_argument("--give-up", type=float, default=60, help="seconds a client retries one write")
    parser.add_argument("--replay-share", type=float, default=0.1, help="share of acknowledged writes sent again")
    parser.add_argument("--think", type=float, default=0.02, help="seconds between a client's requests")
    parser.add_argument("--timeout", type=float, default=10, help="seconds a client waits for an answer")
    args = parser.parse_args(argv)

    root = Path(tempfile.mkdtemp(prefix="ragem-load-fault-"))
    os.chmod(root, 0o755)  # the postgres user walks through it to its cluster
    postgres, redis = PrivatePostgres(root / "postgres"), PrivateRedis(root)
    worker = None
    try:
        postgres.create()
        redis.start()
        env = bench_run.ragem_env(root, None)
        radius_secret = secrets.token_hex(24)
        env.update({"RAGEM_DATABASE_URL": postgres.url, "RAGEM_REDIS_URL": redis.url,
                    "RAGEM_WIFI_RADIUS_SECRET": radius_secret, "RAGEM_LOG_LEVEL": "ERROR"})
        ragem = str(Path(sys.executable).with_name("ragem"))
        subprocess.run([ragem, "db", "upgrade"], env=env, cwd=bench_run.REPO, check=True, stdout=subprocess.DEVNULL)
        world = bench_run.python_json(PREPARE % {"clients": args.clients, "hot": HOT_STOCK, "plenty": PLENTY_STOCK,
                                                 "nas": NAS}, env, bench_run.REPO)
        world["radius_secret"] = radius_secret
        worker_log = (root / "worker.log").open("wb")
        worker = subprocess.Popen([ragem, "worker"], env=env, cwd=bench_run.REPO, stdout=worker_log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        argv_ = bench_run.gunicorn_argv("ragem.app:create_app()", bench_run.free_port(), args.workers, "gthread",
                                        "--threads", str(args.threads), "--config", "python:ragem.gunicorn_conf")
        ledger, faults = Ledger(), []
        args.load_before = bench_run.load_average()
        with bench_run.Server(argv_, env, bench_run.REPO, "/readyz", root / "ragem.log") as server:
            master = server.process.pid
            t0 = time.monotonic()
            stop_at = t0 + args.duration
            threads = [threading.Thread(target=citizen_loop, args=(i, world, server.port, ledger, t0, stop_at, args))
                       for i in range(args.clients)]
            threads.append(threading.Thread(target=inject_faults, args=(args, postgres, redis, master, t0, faults)))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            seconds = time.monotonic() - t0
            ready = bench_run.status_of(server.base + "/readyz", {})
            same = server.process.poll() is None and worker.poll() is None
        checks = reconcile(postgres.url, world, ledger)
        checks.update(ready=ready, same_processes=same)
        held = report(args, ledger, faults, checks, seconds)
        print(f"\nall promises held: {'yes' if held else 'NO'} (logs in {root})" if not held else
              "\nall promises held: yes")
        return 0 if held else 1
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        redis.stop()
        postgres.destroy()
        if "held" in locals() and held:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
