"""The citizen's profile as services see it: summary sections, export, erasure, user events, field gate.

Each test registers throwaway plugins implementing the profile hooks, exactly as an OPD would.
"""
from __future__ import annotations

from datetime import datetime

import pytest
from marshmallow import fields
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select

from ragem import toolkit
from ragem.audit.models import AuditEntry
from ragem.auth.models import User, UserRole
from ragem.catalog.service import set_service_state
from ragem.extensions import db
from ragem.notifications.models import Notification
from ragem.profile import service as profile
from ragem.testing import bearer, create_account
from ragem.toolkit import hookimpl


def plugin_info(slug: str) -> toolkit.PluginInfo:
    """A valid description for a throwaway service."""
    return toolkit.PluginInfo(
        slug=slug,
        name={"id": f"Layanan {slug}", "en": f"The {slug} service"},
        description={"id": "Layanan uji.", "en": "A test service."},
        opd="DISKOMINFO",
        version="1.0.0",
    )


class ThrowawayPlugin:
    """A plugin object: pluggy finds the ``@hookimpl`` methods, inherited ones included."""

    def __init__(self, slug: str):
        self.slug = slug

    @hookimpl
    def ragem_plugin_info(self):
        return plugin_info(self.slug)


def account(app, role="citizen"):
    """``(user_id, headers)`` of a fresh account in ``app``."""
    user_id, _phone, _password = create_account(app, role)
    return user_id, bearer(app, user_id)


# --- ragem_profile_summary --------------------------------------------------------------------

class SummaryPlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_profile_summary(self, user):
        return {"open_reports": 2, "latest_at": datetime(2026, 11, 3, 8, 30), "user": user.id}


class EmptySummaryPlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_profile_summary(self, user):
        return None


class BrokenSummaryPlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_profile_summary(self, user):
        raise RuntimeError("summary table missing")


def test_summary_has_one_section_per_available_service(make_app):
    # Only the throwaway plugins (no built-in services), so the expected sections are exact.
    app = make_app(extra_plugins=[
        ("sumone", SummaryPlugin("sumone")),
        ("sumnone", EmptySummaryPlugin("sumnone")),
        ("sumbroken", BrokenSummaryPlugin("sumbroken")),
    ], entry_points=False)
    client = app.test_client()
    user_id, headers = account(app)

    response = client.get("/api/v1/me/summary", headers=headers)
    assert response.status_code == 200
    # Nothing to show and a failing section are both left out; the page still answers.
    assert response.json == {
        "sections": {"sumone": {"open_reports": 2, "latest_at": "2026-11-03T08:30:00Z", "user": user_id}}
    }

    with app.app_context():
        set_service_state("sumone", enabled=False, reason="pemeliharaan")
    assert client.get("/api/v1/me/summary", headers=headers).json == {"sections": {}}


def test_summary_needs_a_log_in(make_app):
    response = make_app().test_client().get("/api/v1/me/summary")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


# --- ragem_user_export ------------------------------------------------------------------------

class ExportPlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_user_export(self, user):
        return {"reports": [{"owner": user.id, "filed_at": datetime(2026, 1, 2, 3, 4, 5)}]}


class BrokenExportPlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_user_export(self, user):
        raise RuntimeError("export query failed")


def test_export_holds_the_account_and_every_service_even_when_switched_off(make_app):
    app = make_app(extra_plugins=[("expone", ExportPlugin("expone"))], entry_points=False)
    user_id, _headers = account(app)
    with app.app_context():
        set_service_state("expone", enabled=False, reason="pemeliharaan")
        exported = profile.export_user(db.session.get(User, user_id))

    assert exported["account"]["id"] == user_id
    assert exported["account"]["roles"] == ["citizen"]
    assert "password_hash" not in exported["account"]
    assert exported["services"] == {"expone": {"reports": [{"owner": user_id, "filed_at": "2026-01-02T03:04:05Z"}]}}
    assert exported["exported_at"].endswith("Z")


def test_export_is_complete_or_refused(make_app):
    app = make_app(extra_plugins=[("expone", ExportPlugin("expone")), ("expbad", BrokenExportPlugin("expbad"))])
    user_id, _headers = account(app)
    with app.app_context():
        with pytest.raises(profile.DataRightsFailed) as failed:
            profile.export_user(db.session.get(User, user_id))
    assert failed.value.code == "export_failed" and failed.value.status == 503
    assert failed.value.details == {"service": "expbad"}


# --- ragem_user_erase and ragem_user_event -----------------------------------------------------

@pytest.fixture
def notes_table(make_app):
    """A table a throwaway plugin owns (outside the shared metadata, so no other test sees it)."""
    metadata = MetaData()
    table = Table(
        "erasetest_note", metadata,
        Column("id", Integer, primary_key=True),
        Column("user_id", String(36), nullable=False),
        Column("text", String(200)),
    )
    app = make_app(entry_points=False)
    with app.app_context():
        metadata.drop_all(db.engine)
        metadata.create_all(db.engine)
    yield table
    with app.app_context():
        metadata.drop_all(db.engine)


def erase_plugin(slug, table):
    class ErasePlugin(ThrowawayPlugin):
        @hookimpl
        def ragem_user_erase(self, user):
            deleted = db.session.execute(table.delete().where(table.c.user_id == user.id)).rowcount
            return toolkit.ErasureReport(deleted=deleted, anonymised=1, kept_reason=f"retained for {user.name}")

    return ErasePlugin(slug)


class FailingErasePlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_user_erase(self, user):
        raise RuntimeError("archive server unreachable")


class EventPlugin(ThrowawayPlugin):
    def __init__(self, slug):
        super().__init__(slug)
        self.events = []

    @hookimpl
    def ragem_user_event(self, event):
        self.events.append(event)
        toolkit.audit(f"{self.slug}.saw_event", "user", event.user_id, after={"event": event.name})


class FailingEventPlugin(ThrowawayPlugin):
    @hookimpl
    def ragem_user_event(self, event):
        toolkit.audit("evbad.saw_event", "user", event.user_id)  # rolled back with its failure
        raise RuntimeError("webhook down")


def _add_notes(app, table, user_id, count):
    with app.app_context():
        for n in range(count):
            db.session.execute(table.insert().values(user_id=user_id, text=f"catatan {n}"))
        db.session.commit()


def _count(app, stmt):
    with app.app_context():
        return db.session.scalar(stmt)


def test_erasure_runs_every_service_then_deletes_the_account_and_audits_counts_only(make_app, notes_table):
    watcher = EventPlugin("evwatch")
    app = make_app(extra_plugins=[("erasenotes", erase_plugin("erasenotes", notes_table)), ("evwatch", watcher)],
                   entry_points=False)
    user_id, headers = account(app)
    other_id, _ = account(app)
    _add_notes(app, notes_table, user_id, 2)
    _add_notes(app, notes_table, other_id, 1)
    with app.app_context():  # core rows that point at the account (required foreign key)
        for owner in (user_id, other_id):
            toolkit.notify(owner, kind="test.erase", title="Halo", body="Pesan uji")
        db.session.commit()

    with app.app_context():
        # Switched off: its data hooks keep running.
        set_service_state("erasenotes", enabled=False, reason="pemeliharaan")
        user = db.session.get(User, user_id)
        name, phone = user.name, user.phone
        report = profile.erase_user(user)

    assert report == {"user_id": user_id, "services": {"erasenotes": {"deleted": 2, "anonymised": 1}}}
    assert _count(app, select(func.count()).select_from(notes_table).where(notes_table.c.user_id == user_id)) == 0
    assert _count(app, select(func.count()).select_from(notes_table).where(notes_table.c.user_id == other_id)) == 1
    assert _count(app, select(func.count()).select_from(User).where(User.id == user_id)) == 0
    assert _count(app, select(func.count()).select_from(UserRole).where(UserRole.user_id == user_id)) == 0
    assert _count(app, select(Notification.user_id)) == other_id  # the other account's stays
    assert app.test_client().get("/api/v1/me/summary", headers=headers).status_code == 401

    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.erase")).one()
        assert entry.target_id == user_id
        assert entry.after == {"services": {"erasenotes": {"deleted": 2, "anonymised": 1}}}
        stored = str(entry.before) + str(entry.after) + str(entry.reason)
        assert name not in stored and phone not in stored  # the kept_reason named the person

    assert [(e.name, e.user_id) for e in watcher.events] == [("deleted", user_id)]


def test_a_failing_erasure_rolls_everything_back(make_app, notes_table):
    app = make_app(extra_plugins=[
        ("erasenotes", erase_plugin("erasenotes", notes_table)),
        ("erasezlast", FailingErasePlugin("erasezlast")),  # slug order: runs after erasenotes deleted
    ])
    user_id, headers = account(app)
    _add_notes(app, notes_table, user_id, 3)

    with app.app_context():
        with pytest.raises(profile.DataRightsFailed) as failed:
            profile.erase_user(db.session.get(User, user_id))
        db.session.commit()  # a caller that carries on commits nothing of the failed erasure
    assert failed.value.code == "erasure_failed" and failed.value.details == {"service": "erasezlast"}

    # The other service's deletions, the account deletion and the audit entry are all undone.
    assert _count(app, select(func.count()).select_from(notes_table)) == 3
    assert _count(app, select(func.count()).select_from(User).where(User.id == user_id)) == 1
    assert _count(app, select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "user.erase")) == 0
    assert app.test_client().get("/api/v1/me/summary", headers=headers).status_code == 200


def test_user_events_reach_every_plugin_even_when_one_fails(make_app):
    first, last = EventPlugin("evfirst"), EventPlugin("evlast")
    app = make_app(extra_plugins=[("evfirst", first), ("evbad", FailingEventPlugin("evbad")), ("evlast", last)])
    user_id, _headers = account(app)
    with app.app_context():
        set_service_state("evlast", enabled=False, reason="pemeliharaan")
        outcome = profile.emit_user_event("verified", user_id, {"method": "nik"})

    # Installed services may listen to the same events (RABEG links complaints on "verified"):
    # the outcome is judged on this test's plugins only.
    ours = {"evfirst", "evbad", "evlast"}
    assert {key: [slug for slug in slugs if slug in ours] for key, slugs in outcome.items()} == {
        "delivered": ["evfirst", "evlast"], "failed": ["evbad"]}
    for plugin in (first, last):
        [event] = plugin.events
        assert (event.name, event.user_id, dict(event.data)) == ("verified", user_id, {"method": "nik"})
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEntry.action)))
    # Each plugin's own writes are committed on their own; the failing one's are rolled back.
    assert {"evfirst.saw_event", "evlast.saw_event"} <= actions and "evbad.saw_event" not in actions


# --- ragem_profile_fields ----------------------------------------------------------------------

class ProfileReader(ThrowawayPlugin):
    @hookimpl
    def ragem_profile_fields(self):
        return [
            toolkit.ProfileFieldUse("name", {"id": "menyapa warga", "en": "to greet the citizen"}),
            toolkit.ProfileFieldUse("phone", {"id": "menghubungi pelapor", "en": "to call the reporter"}),
            toolkit.ProfileFieldUse("password_hash", {"id": "tidak boleh", "en": "never allowed"}),
        ]

    @hookimpl
    def ragem_blueprints(self):
        blp = toolkit.Blueprint("reader_api", __name__)

        @blp.route("/whoami")
        @toolkit.login_required
        @blp.response(200, ReaderSchema)
        def whoami():
            return {"profile": toolkit.read_profile("reader", toolkit.current_user(), ["name", "email"], "greeting")}

        return [blp]


class ReaderSchema(toolkit.BaseSchema):
    profile = fields.Dict()


class NameOnlyReader(ThrowawayPlugin):
    @hookimpl
    def ragem_profile_fields(self):
        return [toolkit.ProfileFieldUse("name", {"id": "menyapa warga", "en": "to greet the citizen"})]


def test_plugins_read_only_the_profile_fields_they_declared(make_app):
    app = make_app(extra_plugins=[("reader", ProfileReader("reader")), ("namereader", NameOnlyReader("namereader"))])
    user_id, headers = account(app)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert toolkit.read_profile("reader", user, ["name", "phone"], "notify the reporter") == {
            "name": user.name, "phone": user.phone,
        }
        with pytest.raises(PermissionError):
            toolkit.read_profile("reader", user, ["name", "email"], "newsletter")  # email not declared
        with pytest.raises(PermissionError):
            toolkit.read_profile("reader", user, "password_hash", "declared, but not a profile field")
        with pytest.raises(PermissionError):
            toolkit.read_profile("namereader", user, ["phone"], "another service declared the phone, not this one")
        assert toolkit.read_profile("namereader", user, ["name"], "greeting") == {"name": user.name}
        with pytest.raises(ValueError):
            toolkit.read_profile("reader", user, ["name"], " ")

    refused = app.test_client().get("/api/v1/reader/whoami", headers=headers)
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "profile_field_not_declared"
    assert refused.json["error"]["details"] == {"service": "reader", "fields": ["email"]}
