"""The push gateway: devices registered by the app, the service account's OAuth token fetched from a
configurable token endpoint, FCM's HTTP v1 request exactly as documented, and never a code."""
from __future__ import annotations

from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from ragem import toolkit
from ragem.testing import Reply, boundary_violations, delivery_attempts, message_gateways, stored_text_containing

from plugins.push.tests.conftest import PROJECT

DEVICES = "/api/v1/push/devices"
FCM_TOKEN = "fcm-registration-token-" + "x" * 40
TOKEN_ANSWER = {"access_token": "ya29.loopback-access-token", "expires_in": 3599, "token_type": "Bearer"}


def notify(app, user_id, body="Aduan dijawab\nLihat jawabannya.", purpose="rabeg.complaint.answered"):
    with app.app_context():
        ok = toolkit.deliver(toolkit.OutboundMessage(channel="push", to=user_id, body=body, purpose=purpose,
                                                     user_id=user_id, data={"complaint_id": 12}))
        toolkit.db.session.commit()
        return ok


def attempts(app):
    with app.app_context():
        return delivery_attempts()


def test_the_plugin_imports_only_the_toolkit():
    assert boundary_violations(Path(__file__).resolve().parents[1]) == []


def test_a_notification_reaches_every_device_through_fcm_v1(push_app, google, login_as, signing_key: RSAPrivateKey):
    client = push_app.test_client()
    headers = login_as("citizen", target_app=push_app)
    user_id = headers["X-Test-User-Id"]
    registered = client.post(DEVICES, json={"token": FCM_TOKEN, "platform": "android"}, headers=headers)
    assert registered.status_code == 201 and "token" not in registered.get_json()
    google.reply(Reply(200, json=TOKEN_ANSWER), Reply(200, json={"name": f"projects/{PROJECT}/messages/0:1500415314455276%31bd1c9631bd1c96"}))

    assert notify(push_app, user_id)

    token_request, send_request = google.requests
    assert (token_request.method, token_request.path) == ("POST", "/token")
    form = token_request.form()
    assert form["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    claims = jwt.decode(form["assertion"][0], signing_key.public_key(), algorithms=["RS256"],
                        audience="https://oauth2.googleapis.com/token")  # Google's, wherever it is posted
    assert claims["iss"] == f"fcm-sender@{PROJECT}.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"

    assert (send_request.method, send_request.path) == ("POST", f"/v1/projects/{PROJECT}/messages:send")
    assert send_request.headers["authorization"] == "Bearer ya29.loopback-access-token"
    assert send_request.json() == {"message": {
        "token": FCM_TOKEN, "notification": {"title": "Aduan dijawab", "body": "Lihat jawabannya."},
        "data": {"complaint_id": "12", "purpose": "rabeg.complaint.answered"}}}
    [attempt] = attempts(push_app)
    assert (attempt.channel, attempt.provider, attempt.status) == ("push", "push-fcm", "sent")
    assert attempt.provider_message_id.startswith(f"projects/{PROJECT}/messages/")

    # The access token is reused while valid: a second notification asks FCM only.
    google.reply(Reply(200, json={"name": f"projects/{PROJECT}/messages/2"}))
    assert notify(push_app, user_id)
    assert [r.path for r in google.requests[2:]] == [f"/v1/projects/{PROJECT}/messages:send"]
    with push_app.app_context():
        assert stored_text_containing(FCM_TOKEN) == []  # sealed at rest


def test_a_one_time_code_never_goes_by_push(push_app, google, login_as):
    headers = login_as("citizen", target_app=push_app)
    push_app.test_client().post(DEVICES, json={"token": FCM_TOKEN, "platform": "ios"}, headers=headers)
    assert not notify(push_app, headers["X-Test-User-Id"], body="Kode RAGEM: 493817", purpose="otp.verify_phone")
    assert google.requests == []
    assert attempts(push_app)[0].error == "push never carries a one-time code"


def test_an_unregistered_token_is_forgotten(push_app, google, login_as):
    client = push_app.test_client()
    headers = login_as("citizen", target_app=push_app)
    client.post(DEVICES, json={"token": FCM_TOKEN, "platform": "android"}, headers=headers)
    google.reply(Reply(200, json=TOKEN_ANSWER),
                 Reply(404, json={"error": {"code": 404, "message": "Requested entity was not found.",
                                            "status": "NOT_FOUND", "details": [{"errorCode": "UNREGISTERED"}]}}))
    assert not notify(push_app, headers["X-Test-User-Id"])
    assert attempts(push_app)[0].error == "HTTP 404 NOT_FOUND"
    assert not notify(push_app, headers["X-Test-User-Id"])  # the token is gone: FCM is not asked again
    assert len(google.requests) == 2 and attempts(push_app)[1].error == "no device registered"


def test_a_refused_service_account_is_a_failed_attempt(push_app, google, login_as):
    headers = login_as("citizen", target_app=push_app)
    push_app.test_client().post(DEVICES, json={"token": FCM_TOKEN, "platform": "android"}, headers=headers)
    google.reply(Reply(400, json={"error": "invalid_grant", "error_description": "Invalid JWT Signature."}))
    assert not notify(push_app, headers["X-Test-User-Id"])
    assert attempts(push_app)[0].error.startswith("access token:")


def test_devices_belong_to_the_caller(push_app, login_as):
    client = push_app.test_client()
    first, second = login_as("citizen", target_app=push_app), login_as("citizen", target_app=push_app)
    assert client.post(DEVICES, json={"token": FCM_TOKEN, "platform": "android"}).status_code == 401
    assert client.post(DEVICES, json={"token": "short", "platform": "android"}, headers=first).status_code == 422
    assert client.post(DEVICES, json={"token": FCM_TOKEN, "platform": "fax"}, headers=first).status_code == 422
    client.post(DEVICES, json={"token": FCM_TOKEN, "platform": "android"}, headers=first)
    # Someone else cannot forget my phone's token...
    assert client.delete(DEVICES, json={"token": FCM_TOKEN}, headers=second).status_code == 204
    with push_app.app_context():
        from plugins.push.services.devices import tokens_of
        assert len(tokens_of(first["X-Test-User-Id"])) == 1
    # ...but the phone logging in as them moves it (one phone, one account).
    client.post(DEVICES, json={"token": FCM_TOKEN, "platform": "android"}, headers=second)
    with push_app.app_context():
        assert tokens_of(first["X-Test-User-Id"]) == [] and len(tokens_of(second["X-Test-User-Id"])) == 1


def test_without_a_service_account_push_stays_in_the_outbox(app):
    with app.app_context():
        assert ("push", "push-fcm") not in message_gateways()


def test_a_bad_key_is_refused_at_start_up(make_app):
    from ragem.testing import invoke_cli

    app = make_app(PUSH_FCM_SERVICE_ACCOUNT='{"type": "service_account"}')
    assert "RAGEM_PUSH_FCM_SERVICE_ACCOUNT" in invoke_cli(app, ["plugins", "list"]).output
