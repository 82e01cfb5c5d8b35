"""The ``http`` profile shapes its request from the settings, exactly, and takes token-checked receipts."""
from __future__ import annotations

import base64
from pathlib import Path

from ragem import toolkit
from ragem.testing import Reply, boundary_violations, delivery_attempts, message_gateways

from plugins.sms.tests.conftest import RECEIPT_TOKEN

PHONE = "+6281234567890"
RECEIPTS = "/api/v1/sms/receipts"


def deliver(app, body="Kode RAGEM: 493817"):
    with app.app_context():
        ok = toolkit.deliver(toolkit.OutboundMessage(channel="sms", to=PHONE, body=body, purpose="otp.verify_phone"))
        toolkit.db.session.commit()
        return ok


def attempts(app):
    with app.app_context():
        return delivery_attempts()


def test_the_plugin_imports_only_the_toolkit():
    assert boundary_violations(Path(__file__).resolve().parents[1]) == []


def test_a_form_post_with_basic_auth(make_app, provider):
    provider.reply(Reply(200, json={"data": {"id": "MSG-77"}}))
    app = make_app(SMS_URL=f"{provider.url}/api/send", SMS_AUTH="basic", SMS_USERNAME="diskominfo",
                   SMS_PASSWORD="rahasia", SMS_FROM="RAGEM", SMS_PARAM_TO="msisdn", SMS_PARAM_TEXT="message",
                   SMS_PARAM_FROM="sender", SMS_EXTRA_PARAMS="type=otp,route=premium",
                   SMS_MESSAGE_ID_FIELD="data.id", SMS_NUMBER_FORMAT="62")
    with app.app_context():
        assert message_gateways() == [("sms", "sms-http")]
    assert deliver(app)
    [request] = provider.requests
    assert (request.method, request.path) == ("POST", "/api/send")
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"diskominfo:rahasia").decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form() == {"type": ["otp"], "route": ["premium"], "msisdn": ["6281234567890"],
                              "message": ["Kode RAGEM: 493817"], "sender": ["RAGEM"]}
    [attempt] = attempts(app)
    assert (attempt.provider, attempt.provider_message_id, attempt.status) == ("sms-http", "MSG-77", "sent")


def test_a_json_post_with_a_bearer_token(make_app, provider):
    app = make_app(SMS_URL=f"{provider.url}/v2/sms", SMS_BODY_FORMAT="json", SMS_AUTH="bearer", SMS_TOKEN="tok-1")
    assert deliver(app)
    request = provider.requests[0]
    assert request.headers["authorization"] == "Bearer tok-1"
    assert request.json() == {"to": "+6281234567890", "text": "Kode RAGEM: 493817"}


def test_a_get_with_an_api_key_header_and_a_local_number(make_app, provider):
    app = make_app(SMS_URL=f"{provider.url}/kirim", SMS_METHOD="get", SMS_AUTH="header", SMS_AUTH_HEADER="X-Api-Key",
                   SMS_TOKEN="key-9", SMS_NUMBER_FORMAT="0")
    assert deliver(app)
    request = provider.requests[0]
    assert (request.method, request.path, request.body) == ("GET", "/kirim", b"")
    assert request.headers["x-api-key"] == "key-9"
    assert request.query == {"to": ["081234567890"], "text": ["Kode RAGEM: 493817"]}


def test_a_gateway_error_is_retried_when_it_says_so_and_recorded_when_it_refuses(make_app, provider):
    app = make_app(SMS_URL=f"{provider.url}/send")
    provider.reply(Reply(502, body=b"bad gateway"), Reply(200, json={"message_id": "A1"}))
    assert deliver(app)
    assert len(provider.requests) == 2
    provider.reply(Reply(401, json={"error": "bad credentials"}))
    assert not deliver(app, body="Halo")
    assert len(provider.requests) == 3  # a refusal is not retried
    assert [(a.status, a.error) for a in attempts(app)] == [("sent", None), ("failed", "HTTP 401")]


def test_a_half_configured_profile_is_refused_with_the_settings_named(make_app):
    from ragem.testing import invoke_cli

    app = make_app(SMS_URL="https://sms.example.id/send", SMS_AUTH="basic")
    listed = invoke_cli(app, ["plugins", "list"]).output
    assert "RAGEM_SMS_USERNAME" in listed and "RAGEM_SMS_PASSWORD" in listed
    with app.app_context():
        assert message_gateways() == []


def test_receipts_need_the_token_and_a_replay_changes_nothing(make_app, provider):
    provider.reply(Reply(200, json={"message_id": "A1"}))
    app = make_app(SMS_URL=f"{provider.url}/send", SMS_RECEIPT_TOKEN=RECEIPT_TOKEN)
    deliver(app)
    client = app.test_client()
    refused = client.post(RECEIPTS, data={"message_id": "A1", "status": "DELIVRD", "token": "guess"})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_receipt_token"
    assert client.post(RECEIPTS, data={"message_id": "A1", "status": "DELIVRD"}).status_code == 401
    assert attempts(app)[0].status == "sent"
    ok = client.get(f"{RECEIPTS}?message_id=A1&status=DELIVRD&token={RECEIPT_TOKEN}")
    assert ok.status_code == 200 and ok.get_json() == {"applied": True}
    first = attempts(app)[0]
    assert first.status == "delivered"
    again = client.post(RECEIPTS, json={"message_id": "A1", "status": "DELIVRD"}, headers={"X-Receipt-Token": RECEIPT_TOKEN})
    assert again.status_code == 200 and attempts(app)[0].updated_at == first.updated_at
    unknown = client.post(RECEIPTS, data={"message_id": "nope", "status": "DELIVRD", "token": RECEIPT_TOKEN})
    assert unknown.status_code == 200 and unknown.get_json() == {"applied": False}
    odd = client.post(RECEIPTS, data={"message_id": "A1", "status": "???", "token": RECEIPT_TOKEN})
    assert odd.status_code == 200 and odd.get_json() == {"applied": False}


def test_without_a_receipt_token_no_receipt_is_taken(make_app, provider):
    app = make_app(SMS_URL=f"{provider.url}/send")
    answer = app.test_client().post(RECEIPTS, data={"message_id": "A1", "status": "DELIVRD", "token": ""})
    assert answer.status_code == 401


def test_an_operator_checks_the_gateway_with_send_test(make_app, provider):
    from ragem.testing import invoke_cli

    provider.reply(Reply(200, json={"message_id": "T-1"}), Reply(500, body=b"down"))
    app = make_app(SMS_URL=f"{provider.url}/send")
    ok = invoke_cli(app, ["messages", "send-test", "--channel", "sms", "0812-3456-7890"])
    assert ok.exit_code == 0, ok.output
    assert "provider: sms-http" in ok.output and "provider message id: T-1" in ok.output
    form = provider.requests[0].form()
    assert form["to"] == ["+6281234567890"] and "pesan uji" in form["text"][0]
    failed = invoke_cli(app, ["messages", "send-test", "+6281234567890"])
    assert failed.exit_code == 1 and "not accepted: HTTP 500" in failed.output
    bad = invoke_cli(app, ["messages", "send-test", "12345"])
    assert bad.exit_code == 2 and "Indonesian mobile number" in bad.output
    assert [(a.purpose, a.status) for a in attempts(app)] == [("messages.send-test", "sent"),
                                                              ("messages.send-test", "failed")]
