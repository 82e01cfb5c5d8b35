"""Message delivery: gateways chosen by the citizen's preferred channel, every attempt recorded
(never the text), receipts, the SMS fallback of one-time codes WhatsApp did not deliver in time,
/readyz, and production refusing to start without a way to send codes.

The gateways here are throwaway plugins; the real ones (plugins/whatsapp, plugins/sms,
plugins/push) are tested against loopback servers in their own tests.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from ragem import toolkit
from ragem.app import create_app
from ragem.config import ConfigError
from ragem.extensions import db
from ragem.hooktypes import DeliveryResult, MessageGateway, OutboundMessage, PluginInfo
from ragem.messaging import fallback
from ragem.messaging.models import DeliveryAttempt, PendingFallback
from ragem.notifications.models import OutboxMessage
from ragem.testing import periodic_jobs
from ragem.timeutil import utcnow
from ragem.toolkit import hookimpl

NIK = "3673014507900001"
PASSWORD = "Rahasia-Kuat-123"


class Gateway:
    """A throwaway gateway plugin for one channel; ``fail`` makes it refuse, ``explode`` raise."""

    def __init__(self, slug: str, channel: str, provider: str):
        self.slug, self.channel, self.provider = slug, channel, provider
        self.sent: list[OutboundMessage] = []
        self.fail = self.explode = False

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(slug=self.slug, name={"id": "Gerbang", "en": "Gateway"},
                          description={"id": "Uji", "en": "Test"}, opd="DISKOMINFO", version="1")

    @hookimpl
    def ragem_message_gateways(self, settings):
        return [MessageGateway(self.provider, self.channel)]

    @hookimpl
    def ragem_deliver_message(self, message):
        if message.channel != self.channel:
            return None
        if self.explode:
            raise RuntimeError("provider SDK crashed")
        if self.fail:
            return DeliveryResult(self.provider, status="failed", error="131026: not a WhatsApp number")
        self.sent.append(message)
        return DeliveryResult(self.provider, provider_message_id=f"{self.provider}-{len(self.sent)}", cost_units=0.5)


@pytest.fixture
def gateways():
    return Gateway("wagw", "whatsapp", "wa-test"), Gateway("smsgw", "sms", "sms-test")


@pytest.fixture
def msg_app(make_app, gateways):
    wa, sms = gateways
    return make_app(extra_plugins=[("wagw", wa), ("smsgw", sms)], MESSAGES_CODE_FALLBACK_SECONDS=60)


def register(client, channel: str = "whatsapp", phone: str = "081234567890"):
    response = client.post("/api/v1/auth/register", json={
        "name": "Warga Uji", "nik": NIK, "phone": phone, "password": PASSWORD, "preferred_channel": channel})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["user_id"]


def attempts(app) -> list[DeliveryAttempt]:
    with app.app_context():
        rows = list(db.session.scalars(select(DeliveryAttempt).order_by(DeliveryAttempt.id)))
        db.session.expunge_all()
        return rows


def test_a_code_goes_by_the_preferred_channel_and_is_recorded_without_its_text(msg_app, gateways):
    wa, sms = gateways
    user_id = register(msg_app.test_client(), "whatsapp")

    assert [m.channel for m in wa.sent] == ["whatsapp"] and sms.sent == []
    code = wa.sent[0].data["code"]
    assert len(code) == 6 and code in wa.sent[0].body and wa.sent[0].to == "+6281234567890"
    [attempt] = attempts(msg_app)
    assert (attempt.channel, attempt.provider, attempt.provider_message_id, attempt.status, attempt.user_id,
            attempt.purpose, attempt.cost_units) == ("whatsapp", "wa-test", "wa-test-1", "sent", user_id,
                                                     "otp.verify_phone", 0.5)
    with msg_app.app_context():
        # The code and the number are nowhere in clear, not even in the waiting fallback.
        from ragem.testing import stored_text_containing
        assert stored_text_containing(code, "081234567890", "6281234567890") == []


def test_an_sms_preference_sends_by_sms_and_keeps_no_fallback(msg_app, gateways):
    wa, sms = gateways
    register(msg_app.test_client(), "sms")
    assert wa.sent == [] and [m.channel for m in sms.sent] == ["sms"]
    with msg_app.app_context():
        assert db.session.scalar(select(PendingFallback.attempt_id)) is None


def test_a_code_whatsapp_did_not_deliver_in_time_follows_by_sms(msg_app, gateways):
    wa, sms = gateways
    client = msg_app.test_client()
    user_id = register(client, "whatsapp")
    with msg_app.app_context():
        assert fallback.send_due(utcnow() + timedelta(seconds=30)) == 0  # not due yet
        assert fallback.send_due(utcnow() + timedelta(seconds=61)) == 1
        assert fallback.send_due(utcnow() + timedelta(seconds=120)) == 0  # sent once only
    assert len(sms.sent) == 1
    assert sms.sent[0].body == wa.sent[0].body and sms.sent[0].to == wa.sent[0].to
    first, second = attempts(msg_app)
    assert (first.channel, first.status) == ("whatsapp", "sent")
    assert (second.channel, second.status, second.fallback_of, second.user_id) == ("sms", "sent", first.id, user_id)

    # The SMS's code verifies the phone: the fallback carried the live code.
    code = sms.sent[0].data["code"]
    verified = client.post("/api/v1/auth/verify-phone", json={"phone": "081234567890", "code": code})
    assert verified.status_code == 200, verified.get_json()

    # Admins see both attempts, newest first, without the text or the number.
    admin = _admin_headers(msg_app)
    listed = client.get("/api/v1/admin/messages/attempts", headers=admin)
    assert listed.status_code == 200
    items = listed.get_json()["items"]
    assert [(i["channel"], i["fallback_of"]) for i in items] == [("sms", first.id), ("whatsapp", None)]
    text = json.dumps(listed.get_json())
    assert code not in text and "81234567890" not in text
    only_sms = client.get("/api/v1/admin/messages/attempts?channel=sms", headers=admin).get_json()["items"]
    assert [i["id"] for i in only_sms] == [second.id]


def _admin_headers(app):
    from ragem.testing import bearer, create_account

    user_id, _phone, _password = create_account(app, "admin")
    return bearer(app, user_id)


def test_a_delivered_receipt_cancels_the_fallback_and_receipts_are_idempotent(msg_app, gateways):
    wa, sms = gateways
    register(msg_app.test_client(), "whatsapp")
    with msg_app.app_context():
        assert toolkit.record_delivery_receipt("wa-test", "wa-test-1", "delivered")
        assert toolkit.record_delivery_receipt("wa-test", "wa-test-1", "delivered")  # the provider retried
        assert toolkit.record_delivery_receipt("wa-test", "wa-test-1", "sent")  # late and older: ignored
        assert not toolkit.record_delivery_receipt("wa-test", "someone-elses", "read")
        assert db.session.scalar(select(PendingFallback.attempt_id)) is None
        assert fallback.send_due(utcnow() + timedelta(hours=1)) == 0
        assert toolkit.record_delivery_receipt("wa-test", "wa-test-1", "read")
        with pytest.raises(ValueError):
            toolkit.record_delivery_receipt("wa-test", "wa-test-1", "exploded")
    [attempt] = attempts(msg_app)
    assert attempt.status == "read" and attempt.delivered_at and attempt.read_at and attempt.failed_at is None
    assert sms.sent == []


def test_a_failed_receipt_makes_the_fallback_due_at_once(msg_app, gateways):
    wa, sms = gateways
    register(msg_app.test_client(), "whatsapp")
    with msg_app.app_context():
        assert toolkit.record_delivery_receipt("wa-test", "wa-test-1", "failed", error="131047")
        assert fallback.send_due() == 1
    first, second = attempts(msg_app)
    assert (first.status, first.error) == ("failed", "131047") and second.fallback_of == first.id


@pytest.mark.parametrize("how", ["fail", "explode"])
def test_a_whatsapp_gateway_that_refuses_or_raises_hands_over_to_sms_at_once(msg_app, gateways, how):
    wa, sms = gateways
    setattr(wa, how, True)
    register(msg_app.test_client(), "whatsapp")
    assert [m.channel for m in sms.sent] == ["sms"]
    first, second = attempts(msg_app)
    assert (first.channel, first.status, second.channel, second.status) == ("whatsapp", "failed", "sms", "sent")
    assert second.fallback_of == first.id and first.error
    with msg_app.app_context():
        assert db.session.scalar(select(PendingFallback.attempt_id)) is None


def test_when_every_gateway_fails_the_message_is_not_delivered(msg_app, gateways):
    for gateway in gateways:
        gateway.fail = True
    with msg_app.app_context():
        assert not toolkit.deliver(OutboundMessage(channel="sms", to="+6281234567890", body="Halo", purpose="test"))
        db.session.commit()
        assert db.session.scalar(select(OutboxMessage.id)) is None  # no gateway outage fills the outbox
    assert [a.status for a in attempts(msg_app)] == ["failed", "failed"]


def test_push_never_falls_back_to_a_text(msg_app, gateways):
    with msg_app.app_context():
        assert toolkit.deliver(OutboundMessage(channel="push", to="user-1", body="Aduan dijawab", purpose="rabeg"))
        db.session.commit()
        assert db.session.scalar(select(OutboxMessage.channel)) == "push"  # no push gateway: the outbox
    assert all(not g.sent for g in gateways)


def test_the_fallback_runs_as_a_core_periodic_job(msg_app):
    with msg_app.app_context():
        job = periodic_jobs()["core.message-fallback"]
        assert job.every_seconds <= 30


def test_the_preferred_channel_is_part_of_the_profile(client, login_as):
    headers = login_as("citizen")
    assert client.get("/api/v1/me", headers=headers).get_json()["preferred_channel"] == "sms"
    changed = client.patch("/api/v1/me", json={"preferred_channel": "whatsapp"}, headers=headers)
    assert changed.status_code == 200 and changed.get_json()["preferred_channel"] == "whatsapp"
    refused = client.patch("/api/v1/me", json={"preferred_channel": "pigeon"},
                           headers={**headers, "Accept-Language": "en"})
    assert refused.status_code == 422 and "preferred_channel" in json.dumps(refused.get_json())
    assert client.get("/api/v1/me", headers=headers).get_json()["preferred_channel"] == "whatsapp"


def test_only_admins_list_attempts(client, login_as):
    assert client.get("/api/v1/admin/messages/attempts").status_code == 401
    assert client.get("/api/v1/admin/messages/attempts", headers=login_as("officer", opd="DISKOMINFO")).status_code == 403
    bad = client.get("/api/v1/admin/messages/attempts?status=lost", headers=login_as("admin"))
    assert bad.status_code == 422


def test_readyz_reports_a_gateway_whose_recent_attempts_all_failed(msg_app, gateways):
    wa, sms = gateways
    client = msg_app.test_client()
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["checks"]["gateway:sms-test"]["status"] == "ok"
    sms.fail = wa.fail = True
    with msg_app.app_context():
        for n in range(3):
            toolkit.deliver(OutboundMessage(channel="sms", to="+6281234567890", body=f"Halo {n}", purpose="test"))
        db.session.commit()
    answer = client.get("/readyz")
    assert answer.status_code == 200  # an SMS outage must not take the API out of the load balancer
    body = answer.get_json()
    assert body["status"] == "degraded"
    assert body["checks"]["gateway:sms-test"] == {**body["checks"]["gateway:sms-test"], "status": "failed", "advisory": True}
    sms.fail = False
    with msg_app.app_context():
        toolkit.deliver(OutboundMessage(channel="sms", to="+6281234567890", body="Halo lagi", purpose="test"))
        db.session.commit()
    assert client.get("/readyz").get_json()["checks"]["gateway:sms-test"]["status"] == "ok"


def _production(tmp_path, **extra):
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    return {"ENV": "production", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "p" * 40, "DATA_KEY": "d" * 44,
            "JWT_PRIVATE_KEY": pem, "PASSWORD_HASHING": "rfc9106-low-memory",
            "SSO_ISSUER": "https://ragem.example.id", **extra}


def test_production_refuses_to_start_without_an_sms_or_whatsapp_gateway(tmp_path, ragem_settings):
    settings = _production(tmp_path, DATABASE_URL=ragem_settings["DATABASE_URL"])
    with pytest.raises(ConfigError) as refused:
        create_app(settings, entry_points=False)
    message = str(refused.value)
    for name in ("RAGEM_SMS_URL", "RAGEM_WHATSAPP_PHONE_NUMBER_ID", "RAGEM_MESSAGES_WITHOUT_CODES"):
        assert name in message
    # A push gateway alone cannot carry a code.
    push = Gateway("pushgw", "push", "push-test")
    with pytest.raises(ConfigError):
        create_app(settings, entry_points=False, extra_plugins=[("pushgw", push)])
    assert create_app(settings, entry_points=False, extra_plugins=[("smsgw", Gateway("smsgw", "sms", "s"))])


def test_production_without_codes_starts_when_declared_and_refuses_codes(make_app, tmp_path, ragem_settings):
    app = make_app(entry_points=False, **_production(tmp_path, DATABASE_URL=ragem_settings["DATABASE_URL"],
                                                     MESSAGES_WITHOUT_CODES=True))
    client = app.test_client()
    refused = client.post("/api/v1/auth/register", headers={"Accept-Language": "en"}, json={
        "name": "Warga Uji", "nik": NIK, "phone": "081234567890", "password": PASSWORD})
    assert refused.status_code == 503 and refused.get_json()["error"]["code"] == "codes_unavailable"
    assert "SMS" in refused.get_json()["error"]["message"]
    with app.app_context():
        from ragem.auth.models import User
        assert db.session.scalar(select(User.id)) is None  # nothing kept


def test_send_test_names_the_missing_gateway(app):
    from ragem.testing import invoke_cli

    result = invoke_cli(app, ["messages", "send-test", "--channel", "whatsapp", "+6281234567890"])
    assert result.exit_code == 1 and "no gateway takes whatsapp" in result.output and "docs/messaging.md" in result.output


def test_send_test_goes_through_the_channels_gateway_only(msg_app, gateways):
    from ragem.testing import invoke_cli

    wa, sms = gateways
    wa.fail = True
    result = invoke_cli(msg_app, ["messages", "send-test", "--channel", "whatsapp", "081234567890"])
    assert result.exit_code == 1 and "131026" in result.output
    assert sms.sent == []  # a test of one gateway never falls back to another


def test_gateways_are_not_services_for_citizens_and_an_admin_can_switch_one_off(msg_app, gateways):
    wa, sms = gateways
    client = msg_app.test_client()
    slugs = [item["slug"] for item in client.get("/api/v1/services").get_json()["items"]]
    assert "wagw" not in slugs and "smsgw" not in slugs
    admin = _admin_headers(msg_app)
    assert client.patch("/api/v1/admin/services/wagw", json={"enabled": False, "reason": "provider misbehaves"},
                        headers=admin).status_code == 200
    register(client, "whatsapp")
    assert wa.sent == [] and [m.channel for m in sms.sent] == ["sms"]  # the SMS gateway took over


def test_the_citizens_export_shows_their_delivery_attempts(msg_app, gateways):
    client = msg_app.test_client()
    user_id = register(client, "whatsapp")
    code = gateways[0].sent[0].data["code"]
    tokens = client.post("/api/v1/auth/verify-phone", json={"phone": "081234567890", "code": code}).get_json()
    exported = client.get("/api/v1/me/export", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert exported.status_code == 200, exported.get_json()
    body = exported.get_json()
    assert [(a["channel"], a["provider"], a["purpose"]) for a in body["delivery_attempts"]] == [
        ("whatsapp", "wa-test", "otp.verify_phone")]
    assert code not in json.dumps(body["delivery_attempts"]) and user_id == body["account"]["id"]


def test_erasing_the_account_drops_its_waiting_fallback(msg_app, gateways):
    from ragem.profile.service import erase_user
    from ragem.auth.models import User

    wa, sms = gateways
    user_id = register(msg_app.test_client(), "whatsapp")
    with msg_app.app_context():
        erase_user(db.session.get(User, user_id), actor=None)
        assert db.session.scalar(select(PendingFallback.attempt_id)) is None
        assert fallback.send_due(utcnow() + timedelta(hours=1)) == 0
        assert [a.user_id for a in db.session.scalars(select(DeliveryAttempt))] == [None]  # unlinked, kept
    assert sms.sent == []
