"""What the message dispatcher costs per text, and how fast the SMS fallback job drains a backlog.

Run by hand, never by the suite: ``python bench/messaging.py [--messages 2000] [--fallbacks 1000]``
(SQLite in a temporary folder unless RAGEM_DATABASE_URL is set). The gateway is a throwaway plugin
that answers at once, so the figures are RAGEM's own cost (choosing the gateway, recording the
attempt, keeping a sealed fallback), not a provider's latency.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import timedelta

from ragem import toolkit
from ragem.app import create_app
from ragem.database import create_all, seed_reference, wipe_all
from ragem.hooktypes import DeliveryResult, MessageGateway, OutboundMessage, PluginInfo
from ragem.messaging.fallback import send_due
from ragem.timeutil import utcnow
from ragem.toolkit import hookimpl


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


def report(label, took):
    took = sorted(took)
    p95 = took[int(len(took) * 0.95) - 1]
    print(f"{label}: p50 {statistics.median(took) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms ({len(took)} messages)")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--fallbacks", type=int, default=1000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="ragem-bench-messaging-")
    settings = {"ENV": "testing", "INSTANCE_PATH": folder, "LOG_LEVEL": "WARNING", "PASSWORD_HASHING": "test-cheapest"}
    if os.environ.get("RAGEM_DATABASE_URL"):
        settings["DATABASE_URL"] = os.environ["RAGEM_DATABASE_URL"]
    outbox_app = create_app(settings, entry_points=False)
    with outbox_app.app_context():
        create_all()
        wipe_all()
        seed_reference()
    report("no gateway (development outbox)", timed(outbox_app, args.messages, "sms", "bench", {}))
    gateway = NullGateway()
    app = create_app(settings, entry_points=False, extra_plugins=[("nullgw", gateway)])
    with app.app_context():
        wipe_all()
        seed_reference()
    report("SMS notice through a gateway, attempt recorded", timed(app, args.messages, "sms", "bench", {}))
    report("WhatsApp code, attempt + sealed fallback kept",
           timed(app, args.fallbacks, "whatsapp", "otp.verify_phone", {"code": "123456"}))
    with app.app_context():
        start = time.perf_counter()
        sent = send_due(utcnow() + timedelta(hours=1))
        took = time.perf_counter() - start
    print(f"fallback job: {sent} codes sent by SMS in {took:.2f} s ({took / max(sent, 1) * 1000:.2f} ms each)")


if __name__ == "__main__":
    main()
