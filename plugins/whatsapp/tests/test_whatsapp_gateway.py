"""The WhatsApp gateway speaks the Cloud API's documented contract to a loopback server: the exact
request, success, provider errors, time-outs and retries, the webhook's verification and signed
receipts (a bad signature refused, a replay idempotent)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
from pathlib import Path

from ragem import toolkit
from ragem.testing import (Reply, boundary_violations, delivery_attempts, invoke_cli, loopback_server,
                           message_gateways)

from plugins.whatsapp.tests.conftest import APP_SECRET, PHONE_NUMBER_ID, TOKEN, VERIFY_TOKEN

PHONE = "+6281234567890"
WEBHOOK = "/api/v1/whatsapp/webhook"
ACCEPTED = {"messaging_product": "whatsapp", "contacts": [{"input": "6281234567890", "wa_id": "6281234567890"}],
            "messages": [{"id": "wamid.HBgNNjI4MTIzNDU2Nzg5MBUCABEYEjQ1"}]}


def deliver(app, **fields):
    message = toolkit.OutboundMessage(**{"channel": "whatsapp", "to": PHONE, "body": "Kode RAGEM: 493817",
                                         "purpose": "otp.verify_phone", "data": {"code": "493817"}, **fields})
    with app.app_context():
        ok = toolkit.deliver(message)
        toolkit.db.session.commit()
    return ok


def attempts(app):
    with app.app_context():
        return delivery_attempts()


def signed(body: dict, secret: str = APP_SECRET) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return raw, {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def receipt(status: str, wamid: str = ACCEPTED["messages"][0]["id"], **extra) -> dict:
    item = {"id": wamid, "status": status, "timestamp": "1764979200", "recipient_id": "6281234567890", **extra}
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [
        {"field": "messages", "value": {"messaging_product": "whatsapp",
                                        "metadata": {"phone_number_id": PHONE_NUMBER_ID}, "statuses": [item]}}]}]}


def test_the_plugin_imports_only_the_toolkit():
    assert boundary_violations(Path(__file__).resolve().parents[1]) == []


def test_a_code_goes_as_the_authentication_template_with_the_copy_code_button(wa_app, graph, caplog):
    graph.reply(Reply(200, json=ACCEPTED))
    caplog.set_level(logging.DEBUG)
    assert deliver(wa_app)
    [request] = graph.requests
    assert (request.method, request.path) == ("POST", f"/v21.0/{PHONE_NUMBER_ID}/messages")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.json() == {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": "6281234567890", "type": "template",
        "template": {"name": "ragem_kode", "language": {"code": "id"}, "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "493817"}]},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "493817"}]},
        ]},
    }
    [attempt] = attempts(wa_app)
    assert (attempt.provider, attempt.provider_message_id, attempt.status) == (
        "whatsapp-cloud", ACCEPTED["messages"][0]["id"], "sent")
    assert TOKEN not in caplog.text and "493817" not in caplog.text


def test_a_notice_goes_as_the_notice_template_with_its_text(wa_app, graph):
    graph.reply(Reply(200, json=ACCEPTED))
    assert deliver(wa_app, body="Aduan Anda sudah dijawab.", purpose="rabeg.answered", data={})
    assert graph.requests[0].json()["template"] == {
        "name": "ragem_pemberitahuan", "language": {"code": "id"},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": "Aduan Anda sudah dijawab."}]}]}


def test_a_provider_error_is_a_failed_attempt_with_its_reason(wa_app, graph):
    graph.reply(Reply(400, json={"error": {"message": "(#131030) Recipient phone number not in allowed list",
                                           "type": "OAuthException", "code": 131030, "fbtrace_id": "A1"}}))
    assert not deliver(wa_app)  # no SMS gateway here: nothing else to try
    [attempt] = attempts(wa_app)
    assert attempt.status == "failed" and "131030" in attempt.error and len(graph.requests) == 1  # 400: no retry


def test_a_busy_provider_is_retried_and_then_accepted(wa_app, graph):
    graph.reply(Reply(503, json={"error": {"message": "busy", "code": 2}}),
                Reply(429, json={"error": {"message": "rate", "code": 130429}}, headers={"Retry-After": "0"}),
                Reply(200, json=ACCEPTED))
    assert deliver(wa_app)
    assert len(graph.requests) == 3
    assert graph.requests[0].body == graph.requests[2].body
    assert [a.status for a in attempts(wa_app)] == ["sent"]


def test_an_answer_that_times_out_is_not_sent_again(make_app):
    # A slow answer may mean the message went: sending it again would give the citizen two codes.
    with loopback_server() as slow:
        slow.reply(Reply(200, json=ACCEPTED, delay=2))
        app = make_app(WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN=TOKEN,
                       WHATSAPP_APP_SECRET=APP_SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN, WHATSAPP_API_URL=slow.url,
                       WHATSAPP_TIMEOUT_SECONDS=1)
        assert not deliver(app)
        assert len(slow.requests) == 1
    [attempt] = attempts(app)
    assert attempt.status == "failed" and attempt.error == "timed out: ReadTimeout"


def test_an_unreachable_provider_is_a_failed_attempt(make_app):
    with loopback_server() as gone:
        url = gone.url
    app = make_app(WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID, WHATSAPP_ACCESS_TOKEN=TOKEN,
                   WHATSAPP_APP_SECRET=APP_SECRET, WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN, WHATSAPP_API_URL=url)
    assert not deliver(app)
    assert "unreachable" in attempts(app)[0].error


def test_meta_verifies_the_webhook_with_our_token_only(wa_app):
    client = wa_app.test_client()
    ok = client.get(f"{WEBHOOK}?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444")
    assert ok.status_code == 200 and ok.get_data(as_text=True) == "1158201444"
    wrong = client.get(f"{WEBHOOK}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "invalid_verify_token"
    assert client.get(WEBHOOK).status_code == 403


def test_signed_receipts_move_the_attempt_and_a_replay_changes_nothing(wa_app, graph):
    graph.reply(Reply(200, json=ACCEPTED))
    deliver(wa_app)
    client = wa_app.test_client()
    raw, headers = signed(receipt("delivered", pricing={"billable": True, "category": "authentication"}))
    first = client.post(WEBHOOK, data=raw, headers=headers)
    assert first.status_code == 200 and first.get_json() == {"applied": 1}
    [attempt] = attempts(wa_app)
    assert attempt.status == "delivered" and attempt.cost_units == 1.0 and attempt.delivered_at is not None
    assert client.post(WEBHOOK, data=raw, headers=headers).status_code == 200  # Meta repeats itself
    assert attempts(wa_app)[0].updated_at == attempt.updated_at
    raw, headers = signed(receipt("read"))
    client.post(WEBHOOK, data=raw, headers=headers)
    assert attempts(wa_app)[0].status == "read"
    raw, headers = signed(receipt("sent"))  # late: never moves it back
    client.post(WEBHOOK, data=raw, headers=headers)
    assert attempts(wa_app)[0].status == "read"


def test_a_failed_receipt_keeps_the_providers_reason(wa_app, graph):
    graph.reply(Reply(200, json=ACCEPTED))
    deliver(wa_app)
    raw, headers = signed(receipt("failed", errors=[{"code": 131047, "title": "Re-engagement message"}]))
    assert wa_app.test_client().post(WEBHOOK, data=raw, headers=headers).status_code == 200
    attempt = attempts(wa_app)[0]
    assert attempt.status == "failed" and attempt.error == "131047: Re-engagement message"


def test_a_receipt_with_a_bad_or_missing_signature_is_refused_and_changes_nothing(wa_app, graph):
    graph.reply(Reply(200, json=ACCEPTED))
    deliver(wa_app)
    client = wa_app.test_client()
    raw, headers = signed(receipt("delivered"), secret="not-the-app-secret")
    refused = client.post(WEBHOOK, data=raw, headers={**headers, "Accept-Language": "en"})
    assert refused.status_code == 401 and refused.get_json()["error"]["code"] == "invalid_signature"
    assert client.post(WEBHOOK, data=raw, headers={"Content-Type": "application/json"}).status_code == 401
    assert attempts(wa_app)[0].status == "sent"


def test_hostile_receipts_get_an_envelope_never_a_500(wa_app):
    client = wa_app.test_client()
    for body in (b"not json", b"[]", b'{"entry": 5}', b'{"entry": [{"changes": [{"value": {"statuses": [{"id": 1}]}}]}]}',
                 json.dumps(receipt("delivered", wamid="wamid.unknown")).encode()):
        digest = hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
        answer = client.post(WEBHOOK, data=body, headers={"X-Hub-Signature-256": f"sha256={digest}",
                                                          "Content-Type": "application/json"})
        assert answer.status_code in (200, 400, 422), (body, answer.status_code)
        assert answer.is_json


def test_without_settings_the_gateway_is_off_and_texts_stay_in_the_outbox(app):
    with app.app_context():
        assert message_gateways() == []


def test_a_half_configured_gateway_names_the_missing_settings(make_app):
    app = make_app(WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID)
    client = app.test_client()
    listed = invoke_cli(app, ["plugins", "list"]).output
    assert "RAGEM_WHATSAPP_ACCESS_TOKEN" in listed and "RAGEM_WHATSAPP_APP_SECRET" in listed
    assert client.get(f"{WEBHOOK}?hub.mode=subscribe").status_code == 404  # a failed plugin mounts nothing
