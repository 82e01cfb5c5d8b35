#!/usr/bin/env python3
"""GELATI at scale: product search over 100,000 products, and 200 buyers racing for the last 10
items, on PostgreSQL.

Run by hand from the repository root, never by the test suite::

    python bench/gelati.py                      # creates and fills ragem_bench_gelati on first run
    python bench/gelati.py --products 100000 --rounds 200 --buyers 200 --stock 10

1. Search: the database (``--url``) is migrated and topped up to ``--products`` active products
   spread over 50 verified shops in every kecamatan, named and described from a vocabulary of
   Kota Serang's UMKM goods (so a common word such as "batik" matches thousands of products and a
   rare one a handful). Each variant of ``GET /api/v1/gelati/products`` (full text with relevance,
   a prefix, two words, filters, price sort, no text) is asked ``--rounds`` times through the app's
   request path (Flask test client in this process: routing, schemas, SQL, JSON; no network), and
   its p50/p95 are printed. Target: p95 < 100 ms.
2. Race: one product with ``--stock`` items; ``--buyers`` citizens each with it in the cart check out
   at the same moment (a barrier) through a threaded HTTP server on the same database. Printed:
   the answers by status, the orders made and the stock left. Target: exactly ``--stock`` orders,
   no 500, stock 0 (no oversell).

``--figures-json PATH`` also writes the figures as data (``bench/figures.py`` rows);
``python bench/all.py --only gelati`` runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import secrets
import statistics
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
import figures  # noqa: E402  (bench/figures.py: the rows bench/all.py reads)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ragem_bench_gelati"
TARGET_SEARCH_P95_MS = 100.0
PATH = "/api/v1/gelati"

GOODS = ["sate bandeng", "emping melinjo", "otak-otak", "rabeg", "kue jojorong", "gipang", "kerupuk kulit",
         "sambal terasi", "kopi robusta", "keripik singkong", "dodol", "jahe merah", "madu hutan", "kain batik",
         "kemeja batik", "selendang batik", "tas anyaman", "gerabah", "golok sulangkar", "peci", "sandal kulit",
         "sabun herbal", "minyak kelapa", "beras organik", "telur asin", "ikan asin", "pepes", "bakso ikan",
         "nasi uduk", "kue cucur", "lapis legit", "bolu pandan", "es kelapa", "bandrek", "wedang jahe"]
ADJECTIVES = ["manis", "pedas", "gurih", "original", "spesial", "premium", "khas banten", "tradisional", "jumbo",
              "mini", "homemade", "tanpa pengawet", "motif surosowan", "motif datulaya", "tulis", "cap", "hias",
              "renyah", "lembut", "segar"]
WORDS = ["dibuat", "setiap", "hari", "oleh", "pengrajin", "kasemen", "walantaka", "cipocok", "taktakan", "curug",
         "serang", "resep", "keluarga", "bahan", "pilihan", "dikemas", "rapi", "cocok", "oleh-oleh", "hadiah"]


def percentile(samples: list[float], p: float) -> float:
    """The ``p``-th percentile in ms (nearest rank)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def build_app(url: str):
    """The app on ``url`` with production-like settings (no scheduler), migrated."""
    from ragem.app import create_app
    from ragem.migrate import upgrade_all
    from ragem.database import seed_reference

    instance = ROOT / "instance" / "bench-gelati"
    instance.mkdir(parents=True, exist_ok=True)
    keys_file = instance / "keys.json"
    if not keys_file.exists():
        keys_file.write_text(json.dumps({"SECRET_KEY": secrets.token_urlsafe(48), "DATA_KEY": secrets.token_urlsafe(32)}))
    keys = json.loads(keys_file.read_text())
    app = create_app({"ENV": "development", "DATABASE_URL": url, "INSTANCE_PATH": str(instance),
                      "SECRET_KEY": keys["SECRET_KEY"], "DATA_KEY": keys["DATA_KEY"], "SCHEDULER": False,
                      "JOBS_INLINE": True, "LOG_LEVEL": "WARNING", "PASSWORD_HASHING": "test-cheapest",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade_all(app)
        seed_reference()
    return app


def account(app, key: str, role: str = "citizen", opd: str | None = None):
    """A bench account (created once) and a fresh bearer header for it."""
    from ragem.auth.accounts import create_user
    from ragem.auth.models import User
    from ragem.auth.sessions import issue_tokens, start_session
    from ragem.extensions import db

    phone = f"+62812{abs(hash(('gelati-bench', key))) % 10**8:08d}"
    with app.test_request_context():
        user = db.session.query(User).filter_by(name=f"Bench {key}").one_or_none()
        if user is None:
            user = create_user(name=f"Bench {key}", phone=phone, password="Bench-Rahasia-123", roles=(role,),
                               opd_code=opd)
            db.session.commit()
        session, refresh = start_session(user, device="bench-gelati", ip="127.0.0.1")
        token = issue_tokens(user, session, refresh)["access_token"]
        db.session.commit()
        return user.id, {"Authorization": f"Bearer {token}"}


def fill(app, wanted: int) -> int:
    """Top the catalogue up to ``wanted`` active products in 50 verified shops; returns the count."""
    from sqlalchemy import func, insert, select, text

    from ragem.extensions import db
    from ragem.timeutil import utcnow
    from plugins.gelati.models import CATEGORIES, Product, Shop

    with app.app_context():
        kecamatan = [r for r in db.session.execute(text(
            "SELECT code, parent_code FROM region WHERE level = 'kelurahan' ORDER BY code")).all()]
        shops = list(db.session.scalars(select(Shop.id).where(Shop.name.like("Bench shop %"))))
        now = utcnow()
        for n in range(len(shops), 50):
            kelurahan, parent = kecamatan[n * 7 % len(kecamatan)]
            shop = Shop(name=f"Bench shop {n}", description="Toko untuk pengukuran.", category=CATEGORIES[n % 6],
                        kelurahan_code=kelurahan, kecamatan_code=parent, nib=f"{9120000000000 + n}",
                        status="verified", pickup_enabled=True, delivery_enabled=False, created_at=now,
                        changed_at=now)
            db.session.add(shop)
            db.session.flush()
            shops.append(shop.id)
        db.session.commit()
        parents = {s.id: s.kecamatan_code for s in db.session.scalars(select(Shop).where(Shop.id.in_(shops)))}
        have = db.session.scalar(select(func.count()).select_from(Product).where(Product.shop_id.in_(shops)))
        rng = random.Random(13 + have)
        for chunk in range(have, wanted, 5000):
            rows = []
            for n in range(chunk, min(chunk + 5000, wanted)):
                shop_id = shops[n % len(shops)]
                good = rng.choice(GOODS)
                name = f"{good.capitalize()} {rng.choice(ADJECTIVES)} {n}"
                description = " ".join([good, rng.choice(ADJECTIVES)] + rng.sample(WORDS, 8))
                rows.append(dict(shop_id=shop_id, name=name, description=description,
                                 category=CATEGORIES[n % len(CATEGORIES)], kecamatan_code=parents[shop_id],
                                 price=rng.randrange(5, 500) * 1000, stock=rng.randrange(0, 200),
                                 weight_grams=rng.randrange(100, 2000), status="active", created_at=now,
                                 changed_at=now))
            db.session.execute(insert(Product), rows)
            db.session.commit()
        db.session.execute(text("ANALYZE gelati_product"))
        db.session.commit()
        return db.session.scalar(select(func.count()).select_from(Product))


VARIANTS = {
    "common word, relevance (q=batik)": "q=batik",
    "rare word, relevance (q=jojorong)": "q=jojorong",
    "two words (q=sate bandeng)": "q=sate%20bandeng",
    "prefix while typing (q=emp)": "q=emp",
    "word + kecamatan + price range": "q=kopi&kecamatan={kecamatan}&min_price=20000&max_price=100000",
    "word sorted by price": "q=keripik&sort=price_asc",
    "category, newest, no text": "category=food",
    "no filter, newest": "",
    "second page of a common word": "q=batik&cursor={cursor}",
}


def search_bench(app, rounds: int) -> dict[str, tuple[float, float, int]]:
    """p50/p95 (ms) and the page size of each search variant."""
    client = app.test_client()
    kecamatan = "36.73.01"
    first = client.get(f"{PATH}/products?q=batik").get_json()
    results = {}
    for label, query in VARIANTS.items():
        url = f"{PATH}/products?" + query.format(kecamatan=kecamatan, cursor=first["next_cursor"])
        samples, size = [], 0
        for _ in range(rounds):
            started = time.perf_counter()
            answer = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.get_json()
            size = len(answer.get_json()["items"])
        results[label] = (statistics.median(samples), percentile(samples, 95), size)
    return results


def race_bench(app, buyers: int, stock: int) -> dict:
    """``buyers`` citizens check out the last ``stock`` items at once over HTTP."""
    from werkzeug.serving import make_server

    seller_id, seller = account(app, "seller-race")
    client = app.test_client()
    mine = client.get(f"{PATH}/my-shop", headers=seller)
    if mine.status_code == 404:
        body = {"name": "Bench race shop", "description": "Toko balapan stok.", "category": "food",
                "kelurahan_code": "36.73.01.1002", "address": "Jl. Bench 1", "phone": "081234500001",
                "nib": "9129999999999"}
        shop = client.post(f"{PATH}/my-shop", json=body, headers=seller).get_json()
        _officer_id, officer = account(app, "officer-umkm", role="officer", opd="DISKOPUKM")
        client.post(f"{PATH}/office/shops/{shop['id']}/verify", headers=officer)
    product = client.post(f"{PATH}/my-shop/products", headers=seller, json={
        "name": "Sate bandeng edisi terbatas", "category": "food", "price": 40000, "stock": stock,
        "status": "active"}).get_json()
    headers = []
    for n in range(buyers):
        _uid, buyer = account(app, f"buyer-{n}")
        client.delete(f"{PATH}/cart/items/{product['id']}", headers=buyer)
        assert client.put(f"{PATH}/cart/items/{product['id']}", json={"quantity": 1}, headers=buyer).status_code == 200
        headers.append(buyer)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    barrier = threading.Barrier(buyers)
    statuses: list[int] = [0] * buyers

    def buy(n: int) -> None:
        request = urllib.request.Request(
            f"http://127.0.0.1:{server.server_port}{PATH}/checkout", method="POST",
            data=json.dumps({"payment_method": "cod", "fulfilment": "pickup"}).encode(),
            headers={**headers[n], "Content-Type": "application/json", "Idempotency-Key": secrets.token_hex(8)})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as answer:
                statuses[n] = answer.status
        except urllib.error.HTTPError as error:
            statuses[n] = error.code

    started = time.perf_counter()
    threads = [threading.Thread(target=buy, args=(n,)) for n in range(buyers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    server.shutdown()
    left = client.get(f"{PATH}/my-shop/products?limit=100", headers=seller).get_json()["items"]
    remaining = next(p["stock"] for p in left if p["id"] == product["id"])
    orders = [o for o in client.get(f"{PATH}/my-shop/orders?limit=100", headers=seller).get_json()["items"]
              if o["items"][0]["product_id"] == product["id"]]
    return {"statuses": dict(Counter(statuses)), "orders": len(orders), "stock_left": remaining, "seconds": took}


def _span(values: list[float]) -> str:
    """``12.5-30.1``, or one figure when there is only one."""
    low, high = min(values), max(values)
    return f"{low:.1f}" if len(values) == 1 else f"{low:.1f}-{high:.1f}"


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("RAGEM_BENCH_GELATI_URL", DEFAULT_URL))
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--stock", type=int, default=10)
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, run both measurements, print the figures; 1 when a target is missed."""
    args = parser().parse_args(argv)
    return figures.finish(args, figure_rows(args))


def figure_rows(args: argparse.Namespace) -> list[dict]:
    """Run both measurements, print them and return the figures (``bench/figures.py`` rows)."""
    if args.url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        server_url, name = args.url.rsplit("/", 1)
        engine = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    app = build_app(args.url)
    started = time.perf_counter()
    total = fill(app, args.products)
    print(f"catalogue: {total} products ({time.perf_counter() - started:.0f} s to fill)")
    searched = search_bench(app, args.rounds)
    worst = 0.0
    for label, (p50, p95, size) in searched.items():
        worst = max(worst, p95)
        print(f"search {label:40s} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({size} items)")
    print(f"search worst p95 {worst:.1f} ms (target < {TARGET_SEARCH_P95_MS:.0f} ms: "
          f"{'met' if worst < TARGET_SEARCH_P95_MS else 'NOT met'})")
    race = race_bench(app, args.buyers, args.stock)
    ok = race["orders"] == args.stock and race["stock_left"] == 0 and 500 not in race["statuses"]
    print(f"race: {args.buyers} buyers for {args.stock} items in {race['seconds']:.1f} s: answers {race['statuses']}, "
          f"orders {race['orders']}, stock left {race['stock_left']} ({'met' if ok else 'NOT met'})")
    rows = []
    where = f"at {total:,} products, PostgreSQL, in process (test client, {args.rounds} requests each)"
    # Grouped by what the query asks: full text (first page), no text, a second page (cursor).
    groups = {"full-text variants, first page": [], "no text (category or everything, newest)": [],
              "second page of a common word (keyset on the relevance score)": []}
    for label, query in VARIANTS.items():
        kind = 2 if "cursor=" in query else (0 if "q=" in query else 1)
        groups[list(groups)[kind]].append(label)
    for name, labels in groups.items():
        p95 = [searched[k][1] for k in labels]
        p50 = [searched[k][0] for k in labels]
        rows.append(figures.figure(
            f"GELATI search, {name}, {where}",
            f"p95 {_span(p95)} ms (p50 {_span(p50)} ms)",
            f"p95 < {TARGET_SEARCH_P95_MS:.0f} ms", max(p95) < TARGET_SEARCH_P95_MS,
            p95_ms={k: round(searched[k][1], 2) for k in labels}))
    statuses = ", ".join(f"{count} x {status}" for status, count in sorted(race["statuses"].items()))
    rows.append(figures.figure(
        f"GELATI: {args.buyers} buyers check out the last {args.stock} items at once over HTTP, PostgreSQL",
        f"{race['orders']} orders, answers {statuses}, stock left {race['stock_left']}; "
        f"{race['seconds']:.1f} s for all",
        f"exactly {args.stock} orders, no 500, no oversell", ok, **race))
    return rows


if __name__ == "__main__":
    sys.exit(main())
