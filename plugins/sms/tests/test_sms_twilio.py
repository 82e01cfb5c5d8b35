"""The Twilio profile speaks the Messages API as documented, validates X-Twilio-Signature on status
callbacks, and shows the WhatsApp -> SMS fallback end to end with the real gateways."""
from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from urllib.parse import urlencode

from ragem import toolkit
from ragem.testing import Reply, delivery_attempts, loopback_server, send_due_fallbacks

from plugins.sms.tests.conftest import ACCOUNT_SID, AUTH_TOKEN, CALLBACK

PHONE = "+6281234567890"
STATUS = "/api/v1/sms/twilio/status"
CREATED = {"sid": "SM1f0e8ae6ade43cb3c0ce4525424e404f", "status": "queued", "price": None, "error_code": None,
           "account_sid": ACCOUNT_SID, "to": PHONE, "from": "+15005550006", "body": "..."}


def twilio_signature(url: str, params: dict, token: str = AUTH_TOKEN) -> str:
    # Written out from Twilio's documented rule, independently of the plugin's code.
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def deliver(app, body="Kode RAGEM: 493817"):
    with app.app_context():
        ok = toolkit.deliver(toolkit.OutboundMessage(channel="sms", to=PHONE, body=body, purpose="otp.verify_phone"))
        toolkit.db.session.commit()
        return ok


def attempts(app):
    with app.app_context():
        return delivery_attempts()


def post_status(client, params: dict, signature: str | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return client.post(STATUS, data=urlencode(params), headers=headers)


def test_a_message_is_posted_to_the_messages_api_with_basic_auth(make_app, provider, twilio_settings):
    provider.reply(Reply(201, json=CREATED))
    app = make_app(**twilio_settings)
    assert deliver(app)
    [request] = provider.requests
    assert (request.method, request.path) == ("POST", f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json")
    assert request.headers["authorization"] == "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert request.form() == {"To": [PHONE], "From": ["+15005550006"], "Body": ["Kode RAGEM: 493817"],
                              "StatusCallback": [CALLBACK]}
    [attempt] = attempts(app)
    assert (attempt.provider, attempt.provider_message_id, attempt.status) == ("sms-twilio", CREATED["sid"], "sent")


def test_a_messaging_service_replaces_the_sender(make_app, provider, twilio_settings):
    app = make_app(**{**twilio_settings, "SMS_TWILIO_MESSAGING_SERVICE_SID": "MG9752274e9e519418a7406176694466fa"})
    provider.reply(Reply(201, json=CREATED))
    deliver(app)
    form = provider.requests[0].form()
    assert form["MessagingServiceSid"] == ["MG9752274e9e519418a7406176694466fa"] and "From" not in form


def test_twilio_errors_are_recorded_with_their_code(make_app, provider, twilio_settings):
    provider.reply(Reply(400, json={"code": 21211, "message": "The 'To' number +62 is not a valid phone number.",
                                    "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}))
    app = make_app(**twilio_settings)
    assert not deliver(app)
    [attempt] = attempts(app)
    assert attempt.status == "failed" and attempt.error.startswith("HTTP 400 21211:")


def test_a_signed_status_callback_moves_the_attempt_and_a_replay_changes_nothing(make_app, provider, twilio_settings):
    provider.reply(Reply(201, json=CREATED))
    app = make_app(**twilio_settings)
    deliver(app)
    client = app.test_client()
    params = {"MessageSid": CREATED["sid"], "MessageStatus": "delivered", "AccountSid": ACCOUNT_SID,
              "To": PHONE, "ApiVersion": "2010-04-01"}
    answer = post_status(client, params, twilio_signature(CALLBACK, params))
    assert answer.status_code == 200 and answer.get_json() == {"applied": True}
    first = attempts(app)[0]
    assert first.status == "delivered"
    assert post_status(client, params, twilio_signature(CALLBACK, params)).status_code == 200
    assert attempts(app)[0].updated_at == first.updated_at


def test_a_status_callback_with_a_bad_signature_is_refused_and_changes_nothing(make_app, provider, twilio_settings):
    provider.reply(Reply(201, json=CREATED))
    app = make_app(**twilio_settings)
    deliver(app)
    client = app.test_client()
    params = {"MessageSid": CREATED["sid"], "MessageStatus": "failed", "ErrorCode": "30003"}
    for signature in (None, "", twilio_signature(CALLBACK, params, token="other"),
                      twilio_signature("https://evil.example/status", params)):
        refused = post_status(client, params, signature)
        assert refused.status_code == 401, signature
    tampered = {**params, "MessageStatus": "delivered"}
    assert post_status(client, tampered, twilio_signature(CALLBACK, params)).status_code == 401
    assert attempts(app)[0].status == "sent"
    assert post_status(client, params, twilio_signature(CALLBACK, params)).status_code == 200
    assert (attempts(app)[0].status, attempts(app)[0].error) == ("failed", "Twilio error 30003")


def test_a_code_whatsapp_did_not_deliver_goes_by_twilio_end_to_end(make_app, provider, twilio_settings):
    """Registration with WhatsApp preferred: the code goes to the Cloud API, no receipt comes,
    the fallback job sends the same code through Twilio, and both attempts are recorded."""
    with loopback_server() as graph:
        graph.reply(Reply(200, json={"messaging_product": "whatsapp", "messages": [{"id": "wamid.E2E"}]}))
        provider.reply(Reply(201, json=CREATED))
        app = make_app(**twilio_settings, WHATSAPP_PHONE_NUMBER_ID="106540352242922", WHATSAPP_ACCESS_TOKEN="t",
                       WHATSAPP_APP_SECRET="s", WHATSAPP_VERIFY_TOKEN="v", WHATSAPP_API_URL=graph.url,
                       MESSAGES_CODE_FALLBACK_SECONDS=60)
        client = app.test_client()
        registered = client.post("/api/v1/auth/register", json={
            "name": "Warga Uji", "nik": "3673014507900001", "phone": "0812-3456-7890",
            "password": "Rahasia-Kuat-123", "preferred_channel": "whatsapp"})
        assert registered.status_code == 201
        [wa_request] = graph.requests
        code = wa_request.json()["template"]["components"][0]["parameters"][0]["text"]
        assert provider.requests == []
        with app.app_context():
            assert send_due_fallbacks(toolkit.utcnow() + timedelta(seconds=61)) == 1
        [sms_request] = provider.requests
        assert sms_request.form()["To"] == [PHONE] and code in sms_request.form()["Body"][0]
        first, second = attempts(app)
        assert (first.channel, first.provider, first.provider_message_id, first.status) == (
            "whatsapp", "whatsapp-cloud", "wamid.E2E", "sent")
        assert (second.channel, second.provider, second.fallback_of, second.status) == (
            "sms", "sms-twilio", first.id, "sent")
        verified = client.post("/api/v1/auth/verify-phone", json={"phone": "081234567890", "code": code})
        assert verified.status_code == 200
