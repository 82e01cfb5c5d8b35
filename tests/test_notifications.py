"""The notifications inbox, message delivery through gateway plugins, and the development outbox."""
from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from ragem import toolkit
from ragem.extensions import db
from ragem.hooktypes import OutboundMessage, PluginInfo
from ragem.notifications.models import Notification, OutboxMessage
from ragem.toolkit import hookimpl

INBOX = "/api/v1/me/notifications"


def use_app_for_cli(monkeypatch, app):
    """Make ``ragem ...`` commands act on ``app`` for this test.

    Every command module is imported first: some bind ``build_app`` when imported, and would keep
    this test's app for the rest of the session if their first import happened while it is patched.
    """
    from ragem.cli import main

    main.list_commands(None)
    monkeypatch.setattr("ragem.cli.build_app", lambda read_only=False: app)


def _notify(app, user_id, n=1, **kwargs):
    """Store ``n`` notifications for ``user_id`` the way a plugin does, and commit."""
    with app.app_context():
        for i in range(n):
            toolkit.notify(
                user_id,
                kind=kwargs.get("kind", "complaint.answered"),
                title=kwargs.get("title", {"id": f"Aduan {i} dijawab", "en": f"Complaint {i} answered"}),
                body=kwargs.get("body", {"id": "Dinas telah menjawab.", "en": "The agency has answered."}),
                data=kwargs.get("data", {"complaint_id": i}),
                service=kwargs.get("service", "rabeg"),
                channels=kwargs.get("channels", ("inbox",)),
            )
        db.session.commit()


def _outbox(app):
    with app.app_context():
        return [(m.channel, m.recipient, m.body, m.purpose) for m in db.session.scalars(select(OutboxMessage))]


# -- the inbox --------------------------------------------------------------------------------

def test_inbox_lists_own_notifications_newest_first_in_the_request_language(app, client, login_as):
    citizen = login_as("citizen")
    _notify(app, citizen["X-Test-User-Id"], 2)

    page = client.get(INBOX, headers=citizen)
    assert page.status_code == 200
    assert page.json["unread_count"] == 2 and page.json["next_cursor"] is None
    first = page.json["items"][0]
    assert first["title"] == "Aduan 1 dijawab" and first["body"] == "Dinas telah menjawab."
    assert first["service"] == "rabeg" and first["kind"] == "complaint.answered"
    assert first["data"] == {"complaint_id": 1}
    assert first["read"] is False and first["read_at"] is None and first["created_at"].endswith("Z")

    english = client.get(INBOX, headers={**citizen, "Accept-Language": "en"})
    assert english.json["items"][0]["title"] == "Complaint 1 answered"


def test_plain_string_texts_serve_both_languages(app, client, login_as):
    citizen = login_as("citizen")
    _notify(app, citizen["X-Test-User-Id"], title="RAGEM", body="Selamat datang")
    for lang in ("id", "en"):
        item = client.get(INBOX, headers={**citizen, "Accept-Language": lang}).json["items"][0]
        assert (item["title"], item["body"]) == ("RAGEM", "Selamat datang")


def test_cursor_pagination_walks_every_notification_once(app, client, login_as):
    citizen = login_as("citizen")
    _notify(app, citizen["X-Test-User-Id"], 5)
    seen, cursor = [], None
    for _ in range(5):
        url = f"{INBOX}?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url, headers=citizen).json
        seen += [item["data"]["complaint_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [4, 3, 2, 1, 0]


def test_read_one_is_idempotent_and_unread_filter_follows(app, client, login_as):
    citizen = login_as("citizen")
    _notify(app, citizen["X-Test-User-Id"], 3)
    target = client.get(INBOX, headers=citizen).json["items"][1]

    first = client.post(f"{INBOX}/{target['id']}/read", headers=citizen)
    assert first.status_code == 200 and first.json["read"] is True and first.json["read_at"].endswith("Z")
    again = client.post(f"{INBOX}/{target['id']}/read", headers=citizen)
    assert again.status_code == 200 and again.json["read_at"] == first.json["read_at"]

    unread = client.get(f"{INBOX}?unread=true", headers=citizen).json
    assert unread["unread_count"] == 2
    assert target["id"] not in [item["id"] for item in unread["items"]] and len(unread["items"]) == 2
    assert len(client.get(f"{INBOX}?unread=false", headers=citizen).json["items"]) == 3


def test_read_all_returns_the_new_unread_count(app, client, login_as):
    citizen = login_as("citizen")
    _notify(app, citizen["X-Test-User-Id"], 3)
    done = client.post(f"{INBOX}/read-all", headers=citizen)
    assert done.status_code == 200 and done.json == {"marked": 3, "unread_count": 0}
    assert client.post(f"{INBOX}/read-all", headers=citizen).json == {"marked": 0, "unread_count": 0}
    assert all(item["read"] for item in client.get(INBOX, headers=citizen).json["items"])


def test_citizens_never_see_or_touch_each_others_notifications(app, client, login_as):
    alice, budi = login_as("citizen"), login_as("citizen")
    _notify(app, alice["X-Test-User-Id"], 2)
    alice_ids = [item["id"] for item in client.get(INBOX, headers=alice).json["items"]]

    assert client.get(INBOX, headers=budi).json == {"items": [], "next_cursor": None, "unread_count": 0}
    refused = client.post(f"{INBOX}/{alice_ids[0]}/read", headers=budi)
    assert refused.status_code == 404 and refused.json["error"]["code"] == "not_found"
    assert client.post(f"{INBOX}/read-all", headers=budi).json["marked"] == 0
    assert client.get(INBOX, headers=alice).json["unread_count"] == 2


def test_inbox_needs_a_login(client):
    for method, url in (("get", INBOX), ("post", f"{INBOX}/1/read"), ("post", f"{INBOX}/read-all")):
        response = getattr(client, method)(url)
        assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_bad_inbox_requests_get_the_envelope(client, login_as):
    citizen = login_as("citizen")
    cases = [
        (f"{INBOX}?cursor=not-a-cursor", 400, "invalid_cursor"),
        (f"{INBOX}?limit=0", 422, "validation_error"),
        (f"{INBOX}?unread=maybe", 422, "validation_error"),
    ]
    for url, status, code in cases:
        response = client.get(url, headers=citizen)
        assert (response.status_code, response.json["error"]["code"]) == (status, code), url
    for notification_id in ("99999999999999999999999", "0", "abc"):
        response = client.post(f"{INBOX}/{notification_id}/read", headers=citizen)
        assert response.status_code == 404 and response.json["error"]["code"] == "not_found"


def test_notify_refuses_malformed_arguments(app, login_as):
    user_id = login_as("citizen")["X-Test-User-Id"]
    with app.app_context():
        good = {"kind": "k", "title": "t", "body": "b"}
        with pytest.raises(ValueError, match="channels"):
            toolkit.notify(user_id, channels=("pigeon",), **good)
        with pytest.raises(ValueError, match="title"):
            toolkit.notify(user_id, **{**good, "title": {"id": "hanya bahasa Indonesia"}})
        with pytest.raises(ValueError, match="JSON"):
            toolkit.notify(user_id, data={"when": object()}, **good)
        with pytest.raises(ValueError, match="no account"):
            toolkit.notify("no-such-user", **good)
        assert db.session.scalar(select(Notification.id)) is None


# -- delivery: gateway plugins first, the outbox last -------------------------------------------

class SmsGateway:
    """A throwaway gateway plugin that takes SMS only."""

    def __init__(self):
        self.sent: list[OutboundMessage] = []

    @hookimpl
    def ragem_plugin_info(self):
        return PluginInfo(
            slug="smsgateway", name={"id": "Gerbang SMS", "en": "SMS gateway"},
            description={"id": "Uji", "en": "Test"}, opd="DISKOMINFO", version="1.0",
        )

    @hookimpl
    def ragem_deliver_message(self, message):
        if message.channel != "sms":
            return None  # not ours: the next gateway (or the outbox) gets it
        self.sent.append(message)
        return True


def test_a_gateway_plugin_wins_over_the_outbox_and_other_channels_fall_back(make_app, login_as):
    gateway = SmsGateway()
    app = make_app(extra_plugins=[("sms-gateway", gateway)])
    user_id = login_as("citizen", target_app=app)["X-Test-User-Id"]

    _notify(app, user_id, title={"id": "Aduan dijawab", "en": "Complaint answered"},
            body={"id": "Lihat jawabannya.", "en": "See the answer."}, channels=("inbox", "sms", "push"))

    assert len(gateway.sent) == 1
    sms = gateway.sent[0]
    assert sms.channel == "sms" and sms.to.startswith("+62") and sms.user_id == user_id
    assert sms.body == "Aduan dijawab\nLihat jawabannya."  # the user's language (Indonesian by default)
    assert sms.purpose == "rabeg.complaint.answered" and "notification_id" in sms.data
    # Push has no gateway here: the core keeps it in the outbox; the SMS never reaches it.
    assert _outbox(app) == [("push", user_id, "Aduan dijawab\nLihat jawabannya.", "rabeg.complaint.answered")]
    with app.app_context():
        assert db.session.scalar(select(Notification.kind)) == "complaint.answered"


def test_without_a_gateway_messages_land_in_the_outbox(app):
    with app.app_context():
        assert toolkit.deliver(OutboundMessage(channel="sms", to="+6281234567890", body="Kode OTP: 123456", purpose="otp"))
        db.session.commit()
    assert _outbox(app) == [("sms", "+6281234567890", "Kode OTP: 123456", "otp")]


def test_notify_without_inbox_sends_only(app, login_as):
    user_id = login_as("citizen")["X-Test-User-Id"]
    with app.app_context():
        assert toolkit.notify(user_id, kind="otp", title="RAGEM", body="Kode 1", channels=("whatsapp",)) is None
        db.session.commit()
        assert db.session.scalar(select(Notification.id)) is None
    assert [row[0] for row in _outbox(app)] == ["whatsapp"]


def test_nothing_is_sent_when_the_notifying_transaction_rolls_back(app, login_as):
    user_id = login_as("citizen")["X-Test-User-Id"]
    with app.app_context():
        toolkit.notify(user_id, kind="k", title="t", body="b", channels=("inbox", "sms"))
        db.session.rollback()
        assert db.session.scalar(select(Notification.id)) is None
    assert _outbox(app) == []


def test_deliver_refuses_malformed_messages(app):
    with app.app_context():
        for bad in (
            OutboundMessage(channel="fax", to="+6281234567890", body="x"),
            OutboundMessage(channel="sms", to="", body="x"),
            OutboundMessage(channel="sms", to="+6281234567890", body="  "),
        ):
            with pytest.raises(ValueError, match="cannot deliver"):
                toolkit.deliver(bad)
    assert _outbox(app) == []


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        extras = {k: v for k, v in record.__dict__.items() if k in ("channel", "purpose", "to", "body")}
        self.lines.append(f"{record.getMessage()} {extras}")


@pytest.fixture
def delivery_log():
    logger = logging.getLogger("ragem.delivery")
    handler, level = _Records(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def _pretend_production(app):
    """The same app, judged as production by the outbox (building a real one needs real secrets)."""
    app.config["RAGEM"] = {**app.config["RAGEM"], "ENV": "production"}
    return app


def test_one_time_codes_reach_the_log_only_outside_production(make_app, delivery_log):
    otp = OutboundMessage(channel="sms", to="+6281234567890", body="Kode OTP RAGEM: 493817", purpose="otp")
    app = make_app()
    with app.app_context():
        toolkit.deliver(otp)
        db.session.commit()
    assert any("493817" in line for line in delivery_log)

    delivery_log.clear()
    prod = _pretend_production(make_app())
    with prod.app_context():
        toolkit.deliver(otp)
        db.session.commit()
        kept = db.session.scalar(select(OutboxMessage))
    assert delivery_log and all("493817" not in line and "+6281234567890" not in line for line in delivery_log)
    assert any("sms" in line and "otp" in line for line in delivery_log)
    assert "493817" not in kept.body and kept.purpose == "otp"


def test_ragem_dev_outbox_prints_the_newest_messages(make_app, monkeypatch):
    from ragem.cli import main

    app = make_app()
    with app.app_context():
        for n in range(3):
            toolkit.deliver(OutboundMessage(channel="sms", to="+6281200000000", body=f"Kode {n}", purpose="otp"))
        db.session.commit()
    use_app_for_cli(monkeypatch, app)

    result = CliRunner().invoke(main, ["dev", "outbox", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "Kode 2" in result.output and "Kode 1" in result.output and "Kode 0" not in result.output
    assert result.output.index("Kode 2") < result.output.index("Kode 1")
    assert "+6281200000000" in result.output and "otp" in result.output

    _pretend_production(app)
    refused = CliRunner().invoke(main, ["dev", "outbox"])
    assert refused.exit_code != 0 and "production" in refused.output
