"""The staff console: log-in, sessions, CSRF, the pages each role may open, the service switches."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import delete

from console_helpers import console_login, csrf_token, post_form
from throwaway import CRITICAL_SERVICE, SERVICE, ThrowawayService, throwaway_services

from ragem import toolkit
from ragem.auth.models import User, UserRole
from ragem.auth.sessions import revoke_user_sessions
from ragem.console import pages as console_pages
from ragem.extensions import db
from ragem.testing import audit_entries, create_account
from ragem.toolkit import hookimpl

PAGES_SERVICE = "zzpages"
TEMPLATES = Path(__file__).parent / "console_templates"


class PagesService(ThrowawayService):
    """A throwaway service with two console pages: one for admins (a permission), one for all staff."""

    @hookimpl
    def ragem_permissions(self):
        return [toolkit.Permission(f"{PAGES_SERVICE}.manage", {"id": "Kelola", "en": "Manage"}, ("admin",))]

    @hookimpl
    def ragem_console_pages(self):
        return [
            toolkit.ConsolePage("queue", {"id": "Antrean uji", "en": "Test queue"},
                                lambda account: {"who": account.id}, "queue.html", str(TEMPLATES)),
            toolkit.ConsolePage("broken", {"id": "Rusak", "en": "Broken"}, _broken_view, "queue.html", str(TEMPLATES),
                                permission=f"{PAGES_SERVICE}.manage"),
            {"name": "not-a-page"},  # dropped, with a warning: the plugin's other pages stay
            toolkit.ConsolePage("queue", {"id": "Dua kali", "en": "Twice"}, _broken_view, "queue.html", str(TEMPLATES)),
            toolkit.ConsolePage("manage", {"id": "Kelola uji", "en": "Test manage"},
                                lambda account: {"who": account.id}, "queue.html", str(TEMPLATES),
                                permission=f"{PAGES_SERVICE}.manage"),
        ]


class QueueService(ThrowawayService):
    """A throwaway service whose queue holds 3 items for officers of OPD "DPUPR" and 12 city-wide."""

    @hookimpl
    def ragem_open_items(self, user):
        if user.has_role("admin"):
            return toolkit.OpenItems(12, {"id": "Berkas menunggu", "en": "Files waiting"})
        return toolkit.OpenItems(3, {"id": "Berkas menunggu", "en": "Files waiting"}) if user.opd_code == "DPUPR" else None


class BrokenQueueService(ThrowawayService):
    """A throwaway service whose count fails."""

    @hookimpl
    def ragem_open_items(self, user):
        raise RuntimeError("the plugin's count has a bug")


def _broken_view(account):
    raise RuntimeError("the plugin's page has a bug")


@pytest.fixture
def app(make_app):
    """The throwaway services and the pages service only: the pages of this file are all there is."""
    return make_app(extra_plugins=[*throwaway_services(), (PAGES_SERVICE, PagesService(PAGES_SERVICE))],
                    entry_points=False)


@pytest.fixture
def installed_app(make_app):
    """Every installed plugin too (their pages included), as production has it."""
    return make_app(extra_plugins=[*throwaway_services(), (PAGES_SERVICE, PagesService(PAGES_SERVICE))])


def _logged_in(app, role):
    user_id, phone, password = create_account(app, role)
    client = app.test_client()
    response = console_login(client, phone, password)
    return client, user_id, response


def _page_urls(app):
    with app.test_request_context():
        return {(page.endpoint, tuple(page.kwargs.values())): page for page in console_pages.all_pages()}


EXPECTED = {  # page -> roles that may open it
    ("console.dashboard", ()): {"officer", "admin"},
    ("console.services", ()): {"admin"},
    ("console.accounts", ()): {"admin"},
    ("console.audit", ()): {"admin"},
    ("console.failed_jobs", ()): {"admin"},
    ("console.evaluation", ()): {"admin"},
    ("console.sso_clients", ()): {"admin"},
    ("console.plugin_page", (PAGES_SERVICE, "queue")): {"officer", "admin"},
    ("console.plugin_page", (PAGES_SERVICE, "manage")): {"admin"},
    ("console.plugin_page", (PAGES_SERVICE, "broken")): {"admin"},
}
URLS = {
    ("console.dashboard", ()): "/console/",
    ("console.services", ()): "/console/services",
    ("console.accounts", ()): "/console/accounts",
    ("console.audit", ()): "/console/audit",
    ("console.failed_jobs", ()): "/console/jobs",
    ("console.evaluation", ()): "/console/evaluation",
    ("console.sso_clients", ()): "/console/sso-clients",
    ("console.plugin_page", (PAGES_SERVICE, "queue")): f"/console/p/{PAGES_SERVICE}/queue",
    ("console.plugin_page", (PAGES_SERVICE, "manage")): f"/console/p/{PAGES_SERVICE}/manage",
    ("console.plugin_page", (PAGES_SERVICE, "broken")): f"/console/p/{PAGES_SERVICE}/broken",
}
STATUS_WHEN_ALLOWED = {("console.plugin_page", (PAGES_SERVICE, "broken")): 503}  # a failing page is a notice, not a 500


def test_every_registered_page_is_served_and_listed_only_to_the_roles_it_names(app):
    registered = _page_urls(app)
    assert set(registered) == set(EXPECTED), "a page was added: say here who may open it"
    anonymous = app.test_client()
    for key in registered:
        response = anonymous.get(URLS[key])
        assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    citizen, _uid, refused = _logged_in(app, "citizen")
    assert refused.status_code == 403
    for key in registered:
        assert citizen.get(URLS[key]).status_code == 302
    for role in ("officer", "admin"):
        client, _uid, response = _logged_in(app, role)
        assert response.status_code == 302
        home = client.get("/console/").get_data(as_text=True)
        for key in registered:
            status = client.get(URLS[key]).status_code
            may = role in EXPECTED[key]
            assert status == (STATUS_WHEN_ALLOWED.get(key, 200) if may else 403), (role, key, status)
            assert (f'href="{URLS[key]}"' in home) == may, (role, key)


def test_every_page_of_every_installed_plugin_is_served_exactly_to_whom_it_is_listed(installed_app):
    app = installed_app
    with app.test_request_context():
        urls = [url_for(page.endpoint, **page.kwargs) for page in console_pages.all_pages()]
    assert f"/console/p/{PAGES_SERVICE}/queue" in urls
    anonymous = app.test_client()
    citizen, _uid, _refused = _logged_in(app, "citizen")
    for url in urls:
        assert anonymous.get(url).status_code == 302
        assert citizen.get(url).status_code == 302
    for role in ("officer", "admin"):
        client, _uid, _response = _logged_in(app, role)
        home = client.get("/console/").get_data(as_text=True)
        for url in urls:
            status = client.get(url).status_code
            listed = f'href="{url}"' in home
            # Listed: served (503 is a switched-off or failing page's notice). Not listed: 403.
            assert status in ((200, 503) if listed else (403,)), (role, url, status, listed)


def test_a_citizen_is_told_to_use_the_app_and_gets_no_session(app):
    client, _uid, response = _logged_in(app, "citizen")
    assert response.status_code == 403
    assert "gunakan aplikasi" in response.get_data(as_text=True).lower() or "menggunakan aplikasi" in response.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_wrong_password_is_refused_and_counts_toward_the_api_lockout(app):
    _uid, phone, _password = create_account(app, "admin")
    client = app.test_client()
    statuses = [console_login(client, phone, "salah-sekali-123").status_code for _ in range(12)]
    assert statuses[0] == 401 and 429 in statuses
    # The lock is the API's: the right password through the API is refused too while it holds.
    api = app.test_client().post("/api/v1/auth/login", json={"identifier": phone, "password": "Rahasia-Kuat-123"})
    assert api.status_code == 429


def test_the_cookie_is_httponly_lax_console_only_and_secure_behind_tls(make_app):
    app = make_app(extra_plugins=throwaway_services(), PROXY_COUNT=1)
    _uid, phone, password = create_account(app, "admin")
    client = app.test_client()
    token = csrf_token(client)
    plain = client.post("/console/login", data={"identifier": phone, "password": password, "csrf_token": token})
    cookie = plain.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie and "Secure" not in cookie
    tls = app.test_client()
    token = csrf_token(tls)
    secure = tls.post("/console/login", data={"identifier": phone, "password": password, "csrf_token": token},
                      headers={"X-Forwarded-Proto": "https", "Referer": "https://localhost/console/login"})
    assert "Secure" in secure.headers["Set-Cookie"]


def test_the_json_api_keeps_no_cookie_and_needs_no_csrf_token(client, login_as):
    headers = login_as("admin")
    response = client.patch(f"/api/v1/admin/services/{SERVICE}", json={"enabled": False, "reason": "uji"}, headers=headers)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_a_form_post_without_its_csrf_token_is_refused_and_changes_nothing(app):
    client, _uid, _response = _logged_in(app, "admin")
    response = client.post(f"/console/services/{SERVICE}", data={"enabled": "0", "reason": "tanpa token"})
    assert response.status_code == 400
    assert client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    assert client.post("/console/logout").status_code == 400
    assert client.get("/console/").status_code == 200  # still logged in


def test_an_admin_switches_a_service_off_and_its_api_answers_503_audited(app):
    client, user_id, _response = _logged_in(app, "admin")
    missing = post_form(client, f"/console/services/{SERVICE}", {"enabled": "0", "reason": ""}, token_from="/console/services")
    assert missing.status_code == 422 and client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    done = post_form(client, f"/console/services/{SERVICE}", {"enabled": "0", "reason": "perbaikan server"},
                     token_from="/console/services")
    assert done.status_code == 302
    assert app.test_client().get(f"/api/v1/{SERVICE}/health").status_code == 503
    with app.app_context():
        entries = audit_entries(action="service.disable")
    assert [(e.target_id, e.actor_id, e.reason) for e in entries] == [(SERVICE, user_id, "perbaikan server")]
    post_form(client, f"/console/services/{SERVICE}", {"enabled": "1", "reason": "selesai"}, token_from="/console/services")
    assert app.test_client().get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_a_critical_service_needs_the_confirmation_box(app):
    client, _uid, _response = _logged_in(app, "admin")
    form = {"enabled": "0", "reason": "uji"}
    refused = post_form(client, f"/console/services/{CRITICAL_SERVICE}", form, token_from="/console/services")
    assert refused.status_code == 422 and "konfirmasi" in refused.get_data(as_text=True)
    assert client.get(f"/api/v1/{CRITICAL_SERVICE}/health").status_code == 200
    confirmed = post_form(client, f"/console/services/{CRITICAL_SERVICE}", {**form, "confirm": "1"}, token_from="/console/services")
    assert confirmed.status_code == 302 and client.get(f"/api/v1/{CRITICAL_SERVICE}/health").status_code == 503


def test_an_officer_cannot_switch_a_service(app):
    client, _uid, _response = _logged_in(app, "officer")
    response = post_form(client, f"/console/services/{SERVICE}", {"enabled": "0", "reason": "x"})
    assert response.status_code == 403 and client.get(f"/api/v1/{SERVICE}/health").status_code == 200


def test_log_out_ends_the_core_session_so_a_copied_cookie_is_worthless(app):
    client, _uid, _response = _logged_in(app, "officer")
    copied = client.get_cookie("ragem_console", path="/console").value
    assert post_form(client, "/console/logout", {}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("ragem_console", copied, path="/console")
    assert thief.get("/console/").status_code == 302


def test_revoking_the_session_or_the_role_elsewhere_ends_the_console_log_in(app):
    client, user_id, _response = _logged_in(app, "admin")
    with app.app_context():
        revoke_user_sessions(user_id, reason="admin_revoke")
        db.session.commit()
    assert client.get("/console/").status_code == 302
    assert "berakhir" in client.get("/console/login").get_data(as_text=True)


@pytest.mark.parametrize("change", ["roles_removed", "suspended"])
def test_losing_the_staff_role_or_being_suspended_logs_out_at_the_next_request(app, change):
    client, user_id, _response = _logged_in(app, "admin")
    _other_admin = _logged_in(app, "admin")
    copied = client.get_cookie("ragem_console", path="/console").value
    with app.app_context():
        if change == "roles_removed":
            db.session.execute(delete(UserRole).where(UserRole.user_id == user_id))
            db.session.add(UserRole(user_id=user_id, role="citizen"))
        else:
            db.session.get(User, user_id).is_active = False
        db.session.commit()
    response = client.get("/console/services")
    assert response.status_code == 302 and "/console/login" in response.headers["Location"]
    assert "berakhir" in client.get("/console/login").get_data(as_text=True)
    with app.app_context():  # the core session behind the cookie is revoked, not just forgotten
        if change == "roles_removed":
            db.session.execute(delete(UserRole).where(UserRole.user_id == user_id, UserRole.role == "citizen"))
            db.session.add(UserRole(user_id=user_id, role="admin"))
        else:
            db.session.get(User, user_id).is_active = True
        db.session.commit()
    thief = app.test_client()
    thief.set_cookie("ragem_console", copied, path="/console")
    assert thief.get("/console/").status_code == 302


def test_the_per_account_log_in_limit_is_shared_by_the_api_and_the_console(make_app):
    app = make_app(extra_plugins=throwaway_services(), entry_points=False, PROXY_COUNT=1)
    _uid, phone, password = create_account(app, "admin")
    api = app.test_client()
    for n in range(10):  # no password: refused by validation, but counted per account
        assert api.post("/api/v1/auth/login", json={"identifier": phone},
                        headers={"X-Forwarded-For": f"10.8.0.{n}"}).status_code == 422
    browser = app.test_client()
    token = csrf_token(browser)
    limited = browser.post("/console/login", data={"identifier": phone, "password": password, "csrf_token": token},
                           headers={"X-Forwarded-For": "10.8.1.1"})
    assert limited.status_code == 429 and "Terlalu banyak" in limited.get_data(as_text=True)
    assert browser.get("/console/").status_code == 302  # not logged in
    other = browser.post("/console/login", data={"identifier": "+6281200000001", "password": "x" * 12,
                                                 "csrf_token": token}, headers={"X-Forwarded-For": "10.8.1.1"})
    assert other.status_code == 401  # another account from the same address is not limited


def test_an_idle_log_in_ends_and_its_session_is_revoked(app):
    client, _uid, _response = _logged_in(app, "officer")
    copied = client.get_cookie("ragem_console", path="/console").value
    with client.session_transaction("/console/") as session:
        session["seen"] -= 31 * 60  # RAGEM_CONSOLE_IDLE_MINUTES is 30 by default
    response = client.get("/console/")
    assert response.status_code == 302
    thief = app.test_client()
    thief.set_cookie("ragem_console", copied, path="/console")
    assert thief.get("/console/").status_code == 302  # the core session was revoked, not just forgotten
    assert "berakhir" in client.get("/console/login").get_data(as_text=True)


def test_a_plugin_page_says_its_service_is_off_instead_of_failing(app):
    client, _uid, _response = _logged_in(app, "admin")
    page = client.get(f"/console/p/{PAGES_SERVICE}/queue")
    assert page.status_code == 200 and "plugin-page-body" in page.get_data(as_text=True)
    post_form(client, f"/console/services/{PAGES_SERVICE}", {"enabled": "0", "reason": "uji"}, token_from="/console/services")
    off = client.get(f"/console/p/{PAGES_SERVICE}/queue")
    assert off.status_code == 503 and 'id="service-off"' in off.get_data(as_text=True)
    assert client.get(f"/console/p/{PAGES_SERVICE}/nothing").status_code == 404


def test_indonesian_first_english_by_choice(app):
    client, _uid, _response = _logged_in(app, "officer")
    assert "Dasbor" in client.get("/console/").get_data(as_text=True)
    assert post_form(client, "/console/language", {"lang": "en", "next": "/console/"}).status_code == 302
    assert "Dashboard" in client.get("/console/").get_data(as_text=True)
    away = post_form(client, "/console/language", {"lang": "id", "next": "https://evil.example/"})
    assert away.headers["Location"].endswith("/console/")


def test_log_in_goes_back_to_the_page_asked_for_but_never_off_site(app):
    _uid, phone, password = create_account(app, "admin")
    client = app.test_client()
    assert console_login(client, phone, password, next_path="/console/services").headers["Location"] == "/console/services"
    other = app.test_client()
    assert console_login(other, phone, password, next_path="//evil.example/x").headers["Location"] == "/console/"


def test_hostile_input_gets_a_page_never_a_500(app):
    client, _uid, _response = _logged_in(app, "admin")
    unknown = post_form(client, "/console/services/nosuchservice", {"enabled": "0", "reason": "x"}, token_from="/console/services")
    assert unknown.status_code == 422
    nul = post_form(client, f"/console/services/{SERVICE}", {"enabled": "0", "reason": "a\x00b"}, token_from="/console/services")
    assert nul.status_code == 400 and client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    for reason in ("x" * 501, "ab", "   "):  # the admin API's limits: 3 to 500 characters
        refused = post_form(client, f"/console/services/{SERVICE}", {"enabled": "0", "reason": reason}, token_from="/console/services")
        assert refused.status_code == 422 and client.get(f"/api/v1/{SERVICE}/health").status_code == 200
    broken = client.get(f"/console/p/{PAGES_SERVICE}/broken")
    assert broken.status_code == 503 and "bermasalah" in broken.get_data(as_text=True)
    for target in ("/console/../api/v1/services", "/\\evil.example", "https://evil.example/console/"):
        moved = post_form(client, "/console/language", {"lang": "en", "next": target})
        assert moved.headers["Location"] == "/console/", target


def test_a_cookie_signed_with_another_secret_key_is_ignored(make_app):
    ours = make_app(extra_plugins=throwaway_services(), SECRET_KEY="k" * 40)
    theirs = make_app(extra_plugins=throwaway_services(), SECRET_KEY="z" * 40)
    _uid, phone, password = create_account(theirs, "admin")
    forger = theirs.test_client()
    console_login(forger, phone, password)
    forged = forger.get_cookie("ragem_console", path="/console").value
    victim = ours.test_client()
    victim.set_cookie("ragem_console", forged, path="/console")
    assert victim.get("/console/").status_code == 302


def test_the_services_page_lists_past_switches_newest_first_a_page_at_a_time(app):
    from ragem.catalog import service as catalog

    client, user_id, _response = _logged_in(app, "admin")
    post_form(client, f"/console/services/{SERVICE}", {"enabled": "0", "reason": "perbaikan pertama"},
              token_from="/console/services")
    with app.app_context():
        for n in range(13):  # 26 more switches by the system: more than one page
            catalog.set_service_state(SERVICE, enabled=True, reason=f"nyala {n}")
            catalog.set_service_state(SERVICE, enabled=False, reason=f"mati {n}")
    first = client.get("/console/services").get_data(as_text=True)
    history = first.split('id="history"')[1]
    assert history.count("<tr>") == 1 + 25  # header and a full page
    assert history.index("mati 12") < history.index("nyala 12") < history.index("mati 11")
    assert "perbaikan pertama" not in history
    older = history.split('id="older" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True).split('id="history"')[1]
    assert "perbaikan pertama" in second and "Nonaktif" in second
    assert 'id="older"' not in second
    assert client.get("/console/services?cursor=bukan-kursor").status_code == 400


def test_the_dashboard_shows_each_services_open_items_for_the_users_opd_or_everywhere(make_app):
    app = make_app(extra_plugins=[*throwaway_services(), ("zzqueue", QueueService("zzqueue")),
                                  ("zzbroken", BrokenQueueService("zzbroken"))], entry_points=False)
    admin, _uid, _response = _logged_in(app, "admin")
    page = admin.get("/console/").get_data(as_text=True)
    items = page.split('id="open-items"')[1].split("</section>")[0]
    assert '<tr data-slug="zzqueue">' in items and "Berkas menunggu" in items and "<strong>12</strong>" in items
    assert '<tr data-slug="zzbroken">' in items and "tidak tersedia" in items  # a failing count, not a 500
    _uid, phone, password = create_account(app, "officer", opd="DPUPR")
    officer = app.test_client()
    console_login(officer, phone, password)
    items = officer.get("/console/").get_data(as_text=True).split('id="open-items"')[1].split("</section>")[0]
    assert "<strong>3</strong>" in items and "DPUPR" in items
    other, _uid, _response = _logged_in(app, "officer")  # another OPD: nothing waits for it
    items = other.get("/console/").get_data(as_text=True).split('id="open-items"')[1].split("</section>")[0]
    assert 'data-slug="zzqueue"' not in items
