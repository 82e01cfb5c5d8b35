"""The citizen's data rights: GET /api/v1/me/export and DELETE /api/v1/me.

The export holds everything RAGEM keeps on the citizen (the NIK in full, only here), from the
core and from every service, switched-off ones included. Erasure needs a fresh log-in, reaches
every service, ends every session and leaves an audit entry with no personal data.
"""
from __future__ import annotations

import io
import json
from datetime import timedelta

from PIL import Image
from sqlalchemy import func, select, update

from ragem import toolkit
from ragem.audit.models import AuditEntry
from ragem.auth.models import AuthSession, User
from ragem.catalog.service import set_service_state
from ragem.extensions import db
from ragem.testing import bearer, create_account
from ragem.timeutil import utcnow
from ragem.toolkit import hookimpl

ME = "/api/v1/me"
EXPORT = "/api/v1/me/export"
NIK = "3673011503920003"


def info(slug):
    return toolkit.PluginInfo(
        slug=slug, name={"id": f"Layanan {slug}", "en": f"The {slug} service"},
        description={"id": "Uji.", "en": "Test."}, opd="DISKOMINFO", version="1.0.0",
    )


class KeepingService:
    """A service holding one record per citizen; it exports it and, on erasure, keeps it anonymised."""

    def __init__(self, slug):
        self.slug = slug
        self.erased = []

    @hookimpl
    def ragem_plugin_info(self):
        return info(self.slug)

    @hookimpl
    def ragem_profile_fields(self):
        return [toolkit.ProfileFieldUse("phone", {"id": "menghubungi pelapor", "en": "to call the reporter"})]

    @hookimpl
    def ragem_user_export(self, user):
        return {"calls": [{"caller": user.id, "at": utcnow()}]}

    @hookimpl
    def ragem_user_erase(self, user):
        self.erased.append(user.id)
        return toolkit.ErasureReport(anonymised=1, kept_reason=f"emergency call of {user.name} kept by law")


class BrokenEraser:
    @hookimpl
    def ragem_plugin_info(self):
        return info("rusak")

    @hookimpl
    def ragem_user_erase(self, user):
        raise RuntimeError("archive unreachable")


def log_in(client, phone, password):
    """Headers and refresh token of a real log-in (a fresh session)."""
    response = client.post("/api/v1/auth/login", json={"identifier": phone, "password": password})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['access_token']}"}, response.json["refresh_token"]


def age_sessions(app, user_id, minutes):
    """Pretend the account's password was last proved ``minutes`` ago."""
    with app.app_context():
        db.session.execute(
            update(AuthSession).where(AuthSession.user_id == user_id).values(auth_time=utcnow() - timedelta(minutes=minutes))
        )
        db.session.commit()


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return buffer.getvalue()


# --- export ------------------------------------------------------------------------------------

def test_the_export_holds_everything_with_the_nik_in_full_and_is_never_cached(make_app):
    service = KeepingService("darurat")
    app = make_app(extra_plugins=[("darurat", service)])
    client = app.test_client()
    user_id, phone, password = create_account(app)
    headers, _refresh = log_in(client, phone, password)
    assert client.patch(ME, headers=headers, json={"nik": NIK}).status_code == 200
    with app.app_context():
        user = db.session.get(User, user_id)
        user.email, user.email_verified_at = "warga@example.id", utcnow()  # verified (tests/test_email_verification.py)
        toolkit.notify(user_id, kind="test.export", title="Halo", body="Pesan untuk warga", service="darurat")
        toolkit.read_profile("darurat", user, ["phone"], "menelepon balik")
        toolkit.save_upload(png(), owner_id=user_id, purpose="complaint_photo")
        toolkit.audit("darurat.call", "user", user_id, after={"minutes": 3})
        db.session.commit()
        set_service_state("darurat", enabled=False, reason="pemeliharaan")  # data hooks keep running

    response = client.get(EXPORT, headers=headers)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename=ragem-export-{utcnow().date().isoformat()}.json"
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.get_data(as_text=True))

    assert data["account"]["id"] == user_id and data["account"]["nik"] == NIK  # the one unmasked place
    assert (data["account"]["birth_date"], data["account"]["sex"]) == ("1992-03-15", "M")
    assert data["account"]["email"] == "warga@example.id"
    assert [r["role"] for r in data["roles"]] == ["citizen"]
    [session] = data["sessions"]  # the log-in above
    assert session["created_at"].endswith("Z") and session["revoked_at"] is None
    assert [n["body"]["id"] for n in data["notifications"]] == ["Pesan untuk warga"]
    assert [(a["service"], a["purpose"]) for a in data["access_log"]] == [("darurat", "menelepon balik")]
    assert [(f["purpose"], f["content_type"]) for f in data["files"]] == [("complaint_photo", "image/png")]
    assert {"darurat.call", "user.export"} & {e["action"] for e in data["audit"]} == {"darurat.call"}
    # Built-in services add their own sections (RABEG: an empty complaint list); ours is exact.
    assert data["services"]["darurat"] == {"calls": [{"caller": user_id, "at": data["services"]["darurat"]["calls"][0]["at"]}]}
    assert data["exported_at"].endswith("Z")

    # Secrets that guard the account are not the citizen's data and never leave.
    text = response.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, user_id)
        secrets = [user.password_hash, user.nik_hash, user.nik_ciphertext]
        secrets += list(db.session.scalars(select(AuthSession.refresh_hash).where(AuthSession.user_id == user_id)))
    for secret in filter(None, secrets):
        assert secret not in text
    for key in ("password_hash", "refresh_hash", "code_hash", "nik_hash"):
        assert f'"{key}"' not in text

    # Taking the data away is audited, without the data.
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.export")).one()
        assert (entry.actor_id, entry.target_id, entry.before, entry.after) == (user_id, user_id, None, None)


def test_the_nik_is_masked_everywhere_but_the_export(make_app):
    app = make_app()
    client = app.test_client()
    _user_id, headers = (lambda uid: (uid, bearer(app, uid)))(create_account(app)[0])
    patched = client.patch(ME, headers=headers, json={"nik": NIK})
    for response in (patched, client.get(ME, headers=headers), client.get(f"{ME}/summary", headers=headers),
                     client.get(f"{ME}/access-log", headers=headers)):
        assert NIK not in response.get_data(as_text=True)
    assert client.get(ME, headers=headers).json["nik"] == "************0003"
    assert NIK in client.get(EXPORT, headers=headers).get_data(as_text=True)


def test_an_export_holds_nothing_of_another_citizen(make_app):
    app = make_app(extra_plugins=[("darurat", KeepingService("darurat"))])
    client = app.test_client()
    a_id, a_phone, _ = create_account(app)
    b_id, b_phone, _ = create_account(app)
    with app.app_context():
        toolkit.notify(b_id, kind="test.private", title="Rahasia B", body="Hanya untuk B")
        toolkit.read_profile("darurat", db.session.get(User, b_id), ["phone"], "urusan B")
        db.session.commit()

    text = client.get(f"{EXPORT}?user_id={b_id}", headers=bearer(app, a_id)).get_data(as_text=True)
    assert a_id in text
    for other in (b_id, b_phone, "Rahasia B", "urusan B"):
        assert other not in text


def test_exports_are_rate_limited_per_account(make_app):
    app = make_app()
    client = app.test_client()
    user_id, _phone, _password = create_account(app)
    headers = bearer(app, user_id)
    assert [client.get(EXPORT, headers=headers).status_code for _ in range(5)] == [200] * 5
    refused = client.get(EXPORT, headers=headers)
    assert refused.status_code == 429 and refused.json["error"]["code"] == "rate_limited"
    other_id, _phone, _password = create_account(app)  # another account (same address) is not held back
    assert client.get(EXPORT, headers=bearer(app, other_id)).status_code == 200


def test_an_export_is_complete_or_refused(make_app):
    class BrokenExporter:
        @hookimpl
        def ragem_plugin_info(self):
            return info("rusak")

        @hookimpl
        def ragem_user_export(self, user):
            raise RuntimeError("query failed")

    app = make_app(extra_plugins=[("rusak", BrokenExporter())])
    user_id, _phone, _password = create_account(app)
    response = app.test_client().get(EXPORT, headers=bearer(app, user_id))
    assert response.status_code == 503
    assert response.json["error"]["code"] == "export_failed" and response.json["error"]["details"] == {"service": "rusak"}


# --- erasure -----------------------------------------------------------------------------------

def count(app, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def test_erasure_needs_proof_of_the_owner_not_only_a_fresh_log_in(make_app):
    app = make_app()
    client = app.test_client()
    user_id, phone, password = create_account(app)
    headers, _refresh = log_in(client, phone, password)  # logged in a moment ago

    for body in (None, {}, {"password": "Bukan-Sandinya-1"}):
        refused = client.delete(ME, headers=headers, json=body)
        assert refused.status_code == 403
        assert refused.json["error"]["code"] in ("reauthentication_required", "wrong_password")
    assert client.get(ME, headers=headers).status_code == 200  # nothing happened
    assert count(app, select(func.count()).select_from(User).where(User.id == user_id)) == 1


def test_erasure_reaches_every_service_ends_every_session_and_audits_no_personal_data(make_app):
    service = KeepingService("darurat")
    app = make_app(extra_plugins=[("darurat", service)])
    client = app.test_client()
    user_id, phone, password = create_account(app)
    old_headers, old_refresh = log_in(client, phone, password)
    assert client.patch(ME, headers=old_headers, json={"nik": NIK, "name": "Budi Santoso"}).status_code == 200
    age_sessions(app, user_id, minutes=30)  # another device, logged in long ago
    headers, refresh = log_in(client, phone, password)
    with app.app_context():
        set_service_state("darurat", enabled=False, reason="pemeliharaan")

    response = client.delete(ME, headers=headers, json={"password": password})
    assert response.status_code == 204 and response.get_data() == b""

    assert service.erased == [user_id]  # switched off, still asked
    assert count(app, select(func.count()).select_from(User).where(User.id == user_id)) == 0
    assert count(app, select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user_id)) == 0
    for token_headers in (headers, old_headers):  # both devices' access tokens are dead
        assert client.get(ME, headers=token_headers).status_code == 401
    for token in (refresh, old_refresh):
        assert client.post("/api/v1/auth/refresh", json={"refresh_token": token}).status_code == 401
    assert client.post("/api/v1/auth/login", json={"identifier": phone, "password": password}).status_code == 401

    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.erase")).one()
        assert entry.target_id == user_id
        assert entry.after["services"]["darurat"] == {"deleted": 0, "anonymised": 1}
        # Every service's report is counts only (built-in services answer too).
        assert all(set(report) == {"deleted", "anonymised"} for report in entry.after["services"].values())
        written = json.dumps([entry.before, entry.after, entry.reason, entry.actor_role])
    for personal in ("Budi Santoso", phone, NIK, NIK[-4:]):
        assert personal not in written


def test_a_failed_erasure_changes_nothing(make_app):
    app = make_app(extra_plugins=[("rusak", BrokenEraser())])
    client = app.test_client()
    user_id, _phone, password = create_account(app)
    headers = bearer(app, user_id)
    response = client.delete(ME, headers=headers, json={"password": password})
    assert response.status_code == 503 and response.json["error"]["code"] == "erasure_failed"
    assert client.get(ME, headers=headers).json["id"] == user_id  # the session was not revoked either
    assert count(app, select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.erase")) == 0


def test_the_last_administrator_cannot_leave(make_app):
    app = make_app()
    client = app.test_client()
    admin_id, _phone, password = create_account(app, "admin")
    headers = bearer(app, admin_id)

    refused = client.delete(ME, headers=headers, json={"password": password})
    assert refused.status_code == 409 and refused.json["error"]["code"] == "last_admin"
    assert client.get(ME, headers=headers).status_code == 200

    create_account(app, "admin")  # once someone else can run the platform, the first may go
    assert client.delete(ME, headers=headers, json={"password": password}).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401


def test_an_officer_may_leave(make_app):
    app = make_app()
    officer_id, _phone, password = create_account(app, "officer", opd="DPUPR")
    client = app.test_client()
    headers = bearer(app, officer_id)
    assert client.delete(ME, headers=headers, json={"password": password}).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401


def test_erasure_removes_the_citizens_files_and_the_messages_sent_to_them(make_app):
    from ragem.notifications.models import OutboxMessage
    from ragem.storage.models import StoredFile

    app = make_app()
    client = app.test_client()
    user_id, phone, password = create_account(app)
    other_id, other_phone, _ = create_account(app)
    headers = bearer(app, user_id)
    upload = client.post(
        "/api/v1/files", headers=headers, content_type="multipart/form-data",
        data={"file": (io.BytesIO(png()), "foto.png")},
    )
    assert upload.status_code == 201
    with app.app_context():
        key = db.session.get(StoredFile, upload.json["id"]).storage_key
        for recipient, owner in ((phone, user_id), (other_phone, other_id)):
            toolkit.deliver(toolkit.OutboundMessage(channel="sms", to=recipient, body="Kode: 123456", user_id=owner))
        db.session.commit()
        assert toolkit.storage().exists(key)

    assert client.delete(ME, headers=headers, json={"password": password}).status_code == 204
    with app.app_context():
        assert db.session.get(StoredFile, upload.json["id"]) is None
        assert not toolkit.storage().exists(key)
        recipients = [m.recipient for m in db.session.scalars(select(OutboxMessage))]
        assert phone not in recipients and other_phone in recipients
