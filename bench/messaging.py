"""What the message dispatcher costs per text, and how fast the SMS fallback job drains a backlog.

Run by hand, never by the suite: ``python bench/messaging.py [--messages 2000] [--fallbacks 1000]``
(SQLite in a temporary folder unless ``--url`` or RAGEM_DATABASE_URL names a database; its tables
are emptied, so give it a dedicated one such as ``ragem_bench_messaging``, created when missing).
The gateway is a throwaway plugin that answers at once, so the figures are RAGEM's own cost
(choosing the gateway, recording the attempt, keeping a sealed fallback), not a provider's latency.
``--figures-json PATH`` also writes the figures as data; ``python bench/all.py --only messaging``
runs it as part of the one-run table of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from ragem import toolkit
from ragem.app import create_app
from ragem.database import create_all, seed_reference, wipe_all
from ragem.hooktypes import DeliveryResult, MessageGateway, OutboundMessage, PluginInfo
from ragem.messaging.fallback import send_due
from ragem.timeutil import utcnow
from ragem.toolkit import hookimpl

sys.path.insert(0, str(Path(__file__).resolve().parent))
import figures  # noqa: E402  (bench/figures.py: the rows bench/all.py reads)
import rabeg_data  # noqa: E402  (its database helpers)


class NullGateway:
    """Takes WhatsApp and SMS and answers at once."""

    def __init__(self):
        self.count = 0

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug="nullgw", name={"id": "Nol", "en": "Null"}, description={"id": "B", "en": "B"},
                          opd="DISKOMINFO", version="1")

    @hookimpl
    def ragem_message_gateways(self, settings):
        return [MessageGateway("null-wa", "whatsapp"), MessageGateway("null-sms", "sms")]

    @hookimpl
    def ragem_deliver_message(self, message):
        self.count += 1
        return DeliveryResult("null-wa" if message.channel == "whatsapp" else "null-sms",
                              provider_message_id=f"m{self.count}")


def timed(app, messages, channel, purpose, data):
    """Per-message seconds of deliver + commit."""
    took = []
    with app.app_context():
        for n in range(messages):
            start = time.perf_counter()
            toolkit.deliver(OutboundMessage(channel=channel, to="+6281234567890", body=f"Kode RAGEM: {n:06d}",
                                            purpose=purpose, data=data))
            toolkit.db.session.commit()
            took.append(time.perf_counter() - start)
    return took


def report(label, took) -> dict:
    """Print p50/p95 of ``took`` (seconds) and return them as a figure row."""
    took = sorted(took)
    p50, p95 = statistics.median(took) * 1000, took[int(len(took) * 0.95) - 1] * 1000
    print(f"{label}: p50 {p50:.2f} ms, p95 {p95:.2f} ms ({len(took)} messages)")
    return figures.figure(label, f"p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(took)} messages)", p50_ms=p50, p95_ms=p95)


def parser() -> argparse.ArgumentParser:
    """The options of this benchmark (``--help`` lists them)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--fallbacks", type=int, default=1000)
    parser.add_argument("--url", default=os.environ.get("RAGEM_DATABASE_URL"),
                        help="a dedicated database, emptied (default: SQLite in a temporary folder)")
    figures.add_argument(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Time the dispatcher and the fallback job, print the figures."""
    args = parser().parse_args(argv)
    return figures.finish(args, figure_rows(args))


def figure_rows(args: argparse.Namespace) -> list[dict]:
    """Run every measurement, print it and return the figures (``bench/figures.py`` rows)."""
    folder = tempfile.mkdtemp(prefix="ragem-bench-messaging-")
    settings = {"ENV": "testing", "INSTANCE_PATH": folder, "LOG_LEVEL": "WARNING", "PASSWORD_HASHING": "test-cheapest"}
    database = "SQLite"
    if args.url:
        settings["DATABASE_URL"] = args.url
        if args.url.startswith("postgresql"):
            rabeg_data.ensure_database(args.url)  # a dedicated one: every table is emptied below
            database = "PostgreSQL"
    outbox_app = create_app(settings, entry_points=False)
    with outbox_app.app_context():
        create_all()
        wipe_all()
        seed_reference()
    rows = [report("no gateway (development outbox)", timed(outbox_app, args.messages, "sms", "bench", {}))]
    gateway = NullGateway()
    app = create_app(settings, entry_points=False, extra_plugins=[("nullgw", gateway)])
    with app.app_context():
        wipe_all()
        seed_reference()
    rows.append(report("SMS notice through a gateway, attempt recorded", timed(app, args.messages, "sms", "bench", {})))
    rows.append(report("WhatsApp code, attempt + sealed fallback kept",
                       timed(app, args.fallbacks, "whatsapp", "otp.verify_phone", {"code": "123456"})))
    with app.app_context():
        start = time.perf_counter()
        sent = send_due(utcnow() + timedelta(hours=1))
        took = time.perf_counter() - start
    print(f"fallback job: {sent} codes sent by SMS in {took:.2f} s ({took / max(sent, 1) * 1000:.2f} ms each)")
    rows.append(figures.figure("SMS fallback job draining the due codes",
                               f"{sent} codes in {took:.2f} s, {took / max(sent, 1) * 1000:.1f} ms a code",
                               seconds=took, codes=sent))
    for row in rows:
        row["figure"] = f"messages: {row['figure']}, {database}"
    return rows


if __name__ == "__main__":
    sys.exit(main())
