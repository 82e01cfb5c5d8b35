"""Single sign-on: a real OpenID Connect client (Authlib's) against a live RAGEM server.

The relying party is an OPD's web system; the browser is the citizen's. Everything goes over
HTTP: discovery, the redirect with PKCE, log-in and consent through the pages' forms, the code
exchange, the ID token checked through the JWKS, userinfo, refresh, logout.
"""
from __future__ import annotations

import pytest
import requests
from authlib.integrations.base_client import OAuthError

from sso_helpers import LOGOUT_URI, REDIRECT_URI, Browser, RelyingParty, consent_action, live, query_of

from ragem.testing import audit_entries, bearer, create_account

OPD = "DISKOMINFO"


@pytest.fixture
def app(make_app):
    """The core alone: single sign-on depends on no service plugin."""
    return make_app(entry_points=False)


@pytest.fixture
def admin(app):
    return bearer(app, create_account(app, "admin")[0])


@pytest.fixture
def citizen(app):
    user_id, phone, password = create_account(app)
    return {"id": user_id, "phone": phone, "password": password, "auth": bearer(app, user_id)}


def register(client, admin, **overrides) -> dict:
    body = {"name": "Portal Perizinan", "opd": OPD, "redirect_uris": [REDIRECT_URI],
            "post_logout_redirect_uris": [LOGOUT_URI], "allowed_scopes": ["openid", "profile", "phone"], **overrides}
    answer = client.post("/api/v1/admin/sso-clients", json=body, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def sign_in(browser: Browser, rp: RelyingParty, citizen, *, consent: bool = True, **extra):
    """The citizen's way through the pages; returns the callback URL the browser was sent to."""
    url, state = rp.authorization_url(**extra)
    page = browser.open(url)
    if "/sso/login" in page.url:
        page = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
    if consent:
        assert page.status_code == 200 and 'id="allow"' in page.text, page.text[:400]
        answer = browser.submit(page, {"decision": "allow"}, action=consent_action(page))
    else:
        answer = page
    assert answer.status_code == 302, answer.text[:400]
    callback = answer.headers["Location"]
    assert callback.startswith(REDIRECT_URI) and "code" in query_of(callback), callback
    assert query_of(callback)["state"] == state
    return callback


def test_a_real_client_signs_a_citizen_in_and_out(app, admin, citizen):
    client = app.test_client()
    registered = register(client, admin)
    assert registered["client_secret"]
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"], scope="openid profile phone")
        assert rp.config["issuer"] == base
        assert rp.config["code_challenge_methods_supported"] == ["S256"]
        assert rp.config["response_types_supported"] == ["code"]
        browser = Browser(base)

        url, _state = rp.authorization_url()
        login_page = browser.open(url)
        assert "/sso/login" in login_page.url and "Portal Perizinan" in login_page.text
        consent = browser.submit(login_page, {"identifier": citizen["phone"], "password": citizen["password"]})
        # The consent page names the system, its OPD and each claim, in Indonesian first.
        assert "Portal Perizinan" in consent.text and "Dinas Komunikasi" in consent.text
        assert 'data-scope="profile"' in consent.text and 'data-scope="phone"' in consent.text
        assert "Nomor HP" in consent.text and "Izinkan" in consent.text
        answer = browser.submit(consent, {"decision": "allow"}, action=consent_action(consent))
        assert answer.status_code == 302
        callback = answer.headers["Location"]

        token = rp.exchange(callback)
        assert token["token_type"].lower() == "bearer" and token["refresh_token"]
        claims = rp.verify_id_token(token["id_token"], token["access_token"])
        assert claims["sub"] == citizen["id"]
        assert claims["name"].startswith("Test Citizen") and claims["phone_number"] == citizen["phone"]
        assert isinstance(claims["auth_time"], int) and claims["exp"] > claims["iat"]

        info = rp.session.get(rp.config["userinfo_endpoint"]).json()
        assert info["sub"] == citizen["id"] and info["phone_number"] == citizen["phone"]

        # The system's access token is not a RAGEM API token, and an app token opens no userinfo.
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 401
        refused = requests.get(rp.config["userinfo_endpoint"], headers=citizen["auth"], timeout=10)
        assert refused.status_code == 401 and refused.json()["error"] == "invalid_token"

        # Refresh rotates; the used refresh token presented again ends the whole sign-in.
        old_refresh = token["refresh_token"]
        renewed = rp.session.refresh_token(rp.config["token_endpoint"], refresh_token=old_refresh)
        assert renewed["refresh_token"] != old_refresh
        assert rp.session.get(rp.config["userinfo_endpoint"]).status_code == 200
        with pytest.raises(OAuthError):
            rp.session.refresh_token(rp.config["token_endpoint"], refresh_token=old_refresh)
        assert requests.get(rp.config["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {renewed['access_token']}"}).status_code == 401

        # The consent is remembered: the next sign-in goes straight back with a code.
        callback = sign_in(browser, rp, citizen, consent=False)
        token = rp.exchange(callback)
        rp.verify_id_token(token["id_token"], token["access_token"])

        # RP-initiated logout with the ID token: the RAGEM sign-in and its tokens end.
        out = browser.http.get(rp.config["end_session_endpoint"], allow_redirects=False, timeout=10, params={
            "id_token_hint": token["id_token"], "post_logout_redirect_uri": LOGOUT_URI, "state": "bye"})
        assert out.status_code == 302 and out.headers["Location"] == f"{LOGOUT_URI}?state=bye"
        assert requests.get(rp.config["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 401
        again = browser.open(rp.authorization_url()[0])
        assert "/sso/login" in again.url

    # Every release is in the citizen's access log, naming the system and its OPD.
    log = client.get("/api/v1/me/access-log", headers=citizen["auth"]).get_json()["items"]
    ours = [e for e in log if e["service"]["slug"] == f"sso:{registered['client_id']}"]
    assert len(ours) >= 3  # two ID tokens and a userinfo answer carried profile fields
    assert "Portal Perizinan" in ours[0]["service"]["name"]
    assert {f["field"] for f in ours[0]["fields"]} >= {"name", "phone_number"}
    apps = client.get("/api/v1/me/connected-apps", headers=citizen["auth"]).get_json()["items"]
    assert [a["client_id"] for a in apps] == [registered["client_id"]]
    assert [s["scope"] for s in apps[0]["scopes"]] == ["openid", "profile", "phone"]
    exported = client.get("/api/v1/me/export", headers=citizen["auth"]).get_json()
    assert [(a["system"], a["scopes"]) for a in exported["connected_apps"]] == [
        ("Portal Perizinan", ["openid", "profile", "phone"])]


def test_a_public_client_signs_in_with_pkce_alone(app, admin, citizen):
    registered = register(app.test_client(), admin, token_endpoint_auth_method="none", allowed_scopes=["openid"])
    assert registered["client_secret"] is None
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], None, scope="openid")
        token = rp.exchange(sign_in(Browser(base), rp, citizen))
        claims = rp.verify_id_token(token["id_token"], token["access_token"])
        assert "name" not in claims and claims["sub"] == citizen["id"]
    # openid alone releases no profile field: nothing to record.
    log = app.test_client().get("/api/v1/me/access-log", headers=citizen["auth"]).get_json()["items"]
    assert not [e for e in log if e["service"]["slug"].startswith("sso:")]


def test_the_pages_speak_english_when_asked(app, admin, citizen):
    registered = register(app.test_client(), admin)
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"])
        browser = Browser(base, lang="en")
        page = browser.open(rp.authorization_url()[0])
        assert "Sign in with your RAGEM account" in page.text
        consent = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
        assert "Allow" in consent.text and "Phone number" not in consent.text and "Izinkan" not in consent.text
        assert "Name, date of birth and sex" in consent.text


def test_refused_requests(app, admin, citizen):
    client = app.test_client()
    registered = register(client, admin)
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"])
        browser = Browser(base)

        # A redirect URI not registered exactly: an error page, never a redirect there.
        url, _ = rp.session.create_authorization_url(rp.config["authorization_endpoint"], nonce="n",
                                                     code_verifier=rp.verifier, redirect_uri=REDIRECT_URI + "/x")
        page = browser.open(url.replace("redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback",
                                        "redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback%2Fx"))
        assert page.status_code == 400 and "Location" not in page.headers

        # Without PKCE: back to the client with invalid_request.
        plain = RelyingParty(base, registered["client_id"], registered["client_secret"])
        plain.session.code_challenge_method = None
        url, _ = plain.session.create_authorization_url(plain.config["authorization_endpoint"], nonce="n")
        answer = browser.open(url)
        assert answer.status_code == 302 and query_of(answer.headers["Location"])["error"] == "invalid_request"

        # A scope the system may not ask for (nik without the entitlement): invalid_scope.
        url, _ = rp.authorization_url(scope="openid nik")
        answer = browser.open(url)
        assert answer.status_code == 302 and query_of(answer.headers["Location"])["error"] == "invalid_scope"

        # A wrong or missing PKCE verifier: invalid_grant / invalid_request, and the code is spent.
        callback = sign_in(browser, rp, citizen)
        with pytest.raises(OAuthError) as wrong:
            rp.exchange(callback, code_verifier="x" * 50)
        assert wrong.value.error == "invalid_grant"
        callback = sign_in(browser, rp, citizen, consent=False)
        missing = requests.post(rp.config["token_endpoint"], auth=(registered["client_id"], registered["client_secret"]),
                                data={"grant_type": "authorization_code", "code": query_of(callback)["code"],
                                      "redirect_uri": REDIRECT_URI}, timeout=10)
        assert missing.status_code == 400 and missing.json()["error"] == "invalid_request"

        # A replayed code is refused, and the tokens its first use gave are revoked.
        callback = sign_in(browser, rp, citizen, consent=False)
        token = rp.exchange(callback)
        with pytest.raises(OAuthError) as replay:
            rp.exchange(callback)
        assert replay.value.error == "invalid_grant"
        assert requests.get(rp.config["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 401

        # A wrong secret: invalid_client.
        callback = sign_in(browser, rp, citizen, consent=False)
        bad = requests.post(rp.config["token_endpoint"], auth=(registered["client_id"], "not-the-secret"),
                            data={"grant_type": "authorization_code", "code": query_of(callback)["code"],
                                  "redirect_uri": REDIRECT_URI, "code_verifier": rp.verifier}, timeout=10)
        assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"

        # Revoking the consent in the app ends the system's tokens and asks again next time.
        token = rp.exchange(sign_in(browser, rp, citizen, consent=False))
        assert client.delete(f"/api/v1/me/connected-apps/{registered['client_id']}", headers=citizen["auth"]).status_code == 204
        assert requests.get(rp.config["userinfo_endpoint"], timeout=10,
                            headers={"Authorization": f"Bearer {token['access_token']}"}).status_code == 401
        with pytest.raises(OAuthError):
            rp.session.refresh_token(rp.config["token_endpoint"], refresh_token=token["refresh_token"])
        page = browser.open(rp.authorization_url()[0])
        assert 'id="allow"' in page.text
        # prompt=none cannot show the page: consent_required, back to the system.
        answer = browser.open(rp.authorization_url(prompt="none")[0])
        assert query_of(answer.headers["Location"])["error"] == "consent_required"
        # Denying the consent: access_denied, no code.
        answer = browser.submit(page, {"decision": "deny"}, action=consent_action(page))
        assert query_of(answer.headers["Location"])["error"] == "access_denied"
    assert client.delete("/api/v1/me/connected-apps/unknown", headers=citizen["auth"]).status_code == 404


def test_every_form_of_the_pages_refuses_a_post_without_its_own_token(app, admin, citizen):
    """Log-in, consent and language forms: no token, a made-up one or another browser's token is the
    refusal page, and nothing happens; the same post with the page's own token goes through."""
    from sso_helpers import csrf_of

    client = app.test_client()
    registered = register(client, admin)
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"])
        browser, stranger = Browser(base), Browser(base)
        strangers_token = csrf_of(stranger.open(f"{base}/sso/login"))

        def forged(page, data: dict, action: str | None = None) -> list:
            """The form posted three ways without its own token: each answer."""
            target = action or page.url
            target = base + target if target.startswith("/") else target
            return [browser.http.post(target, data={**data, **token}, allow_redirects=False, timeout=10)
                    for token in ({}, {"csrf_token": "dibuat-buat"}, {"csrf_token": strangers_token})]

        # The log-in form: refused, and the browser is still not signed in.
        url, _ = rp.authorization_url()
        login = browser.open(url)
        assert "/sso/login" in login.url
        for answer in forged(login, {"identifier": citizen["phone"], "password": citizen["password"]}):
            assert answer.status_code == 400 and "Location" not in answer.headers
            assert "Formulir kedaluwarsa atau tidak sah" in answer.text
        assert "/sso/login" in browser.open(url).url

        # The consent form: refused, no code for the system, no consent remembered.
        consent = browser.submit(browser.open(url), {"identifier": citizen["phone"], "password": citizen["password"]})
        assert 'id="allow"' in consent.text
        for answer in forged(consent, {"decision": "allow"}, consent_action(consent)):
            assert answer.status_code == 400 and "Location" not in answer.headers
        assert client.get("/api/v1/me/connected-apps", headers=citizen["auth"]).get_json()["items"] == []
        assert 'id="allow"' in browser.open(url).text  # still asked

        # The language switch: refused, the pages stay in Indonesian.
        for answer in forged(consent, {"lang": "en", "next": "/sso/login"}, "/sso/language"):
            assert answer.status_code == 400
        assert 'lang="id"' in browser.open(f"{base}/sso/login").text

        # With the page's own token the same consent goes through.
        page = browser.open(url)
        answer = browser.submit(page, {"decision": "allow"}, action=consent_action(page))
        assert answer.status_code == 302 and "code" in query_of(answer.headers["Location"])


def test_the_log_in_page_shares_the_api_lockout(app, admin, citizen):
    registered = register(app.test_client(), admin)
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"])
        browser = Browser(base)
        page = browser.open(rp.authorization_url()[0])
        for _ in range(5):
            page = browser.submit(page, {"identifier": citizen["phone"], "password": "salah-sekali"})
            assert page.status_code == 401
        page = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
        assert page.status_code == 429 and "Retry-After" in page.headers
    # The API's log-in is locked too: one counter.
    locked = app.test_client().post("/api/v1/auth/login", json={"identifier": citizen["phone"], "password": citizen["password"]})
    assert locked.status_code == 429


def test_admins_register_change_and_remove_systems(app, admin, citizen):
    client = app.test_client()
    assert client.post("/api/v1/admin/sso-clients", json={}, headers=citizen["auth"]).status_code == 403
    registered = register(client, admin, nik_entitled=True, allowed_scopes=["openid", "nik"])
    assert registered["allowed_scopes"] == ["openid", "nik"]
    listed = client.get("/api/v1/admin/sso-clients", headers=admin).get_json()["items"]
    assert [c["client_id"] for c in listed] == [registered["client_id"]] and "client_secret" not in listed[0]

    for bad in ({"redirect_uris": ["http://portal.example/cb"]}, {"opd": "NOPE"},
                {"allowed_scopes": ["openid", "nik"]}, {"redirect_uris": ["https://p.example/cb#x"]},
                {"allowed_scopes": ["email"]}, {"name": "x" * 200}):
        body = {"name": "Portal", "opd": OPD, "redirect_uris": ["https://portal.example/cb"], **bad}
        answer = client.post("/api/v1/admin/sso-clients", json=body, headers=admin)
        assert answer.status_code == 422, (bad, answer.get_json())

    changed = client.patch(f"/api/v1/admin/sso-clients/{registered['client_id']}", headers=admin,
                           json={"nik_entitled": False, "name": "Portal Izin"}).get_json()
    assert changed["allowed_scopes"] == ["openid"] and changed["name"] == "Portal Izin"
    renewed = client.post(f"/api/v1/admin/sso-clients/{registered['client_id']}/secret", headers=admin).get_json()
    assert renewed["client_secret"] and renewed["client_secret"] != registered["client_secret"]
    assert client.delete(f"/api/v1/admin/sso-clients/{registered['client_id']}", headers=admin).status_code == 204
    assert client.get(f"/api/v1/admin/sso-clients/{registered['client_id']}", headers=admin).status_code == 404
    with app.app_context():
        actions = [e.action for e in audit_entries(target_type="sso_client")]
    assert sorted(actions) == ["sso_client.create", "sso_client.delete", "sso_client.new_secret", "sso_client.update"]


@pytest.mark.parametrize("path", [
    "/sso/authorize", "/sso/authorize?client_id=nope&response_type=code",
    "/sso/authorize?client_id=%00&redirect_uri=x", "/sso/authorize?response_type=token&client_id=x",
    "/sso/login?next=https://evil.example/", "/sso/logout?id_token_hint=junk", "/sso/logout?post_logout_redirect_uri=x",
])
def test_the_pages_answer_junk_with_a_page_never_a_5xx(app, path):
    client = app.test_client()
    answer = client.get(path)
    assert answer.status_code < 500
    # A page, or the core's JSON envelope where the edge guards refuse first (a NUL in the URL).
    assert answer.mimetype == "text/html" or set(answer.get_json()["error"]) >= {"code", "message"}
    posted = client.post(path, data={"x": "1"})
    if path.startswith("/sso/logout"):
        assert posted.status_code < 500 and 'id="done"' not in posted.get_data(as_text=True)  # not confirmed
    else:
        assert posted.status_code == 400  # no CSRF token: refused, nothing done
    assert answer.status_code != 302 or "evil" not in answer.headers["Location"]


def test_the_token_endpoints_answer_junk_with_oauth_errors(app):
    client = app.test_client()
    for path, data in (("/sso/token", {}), ("/sso/token", {"grant_type": "password", "username": "x"}),
                       ("/sso/token", {"grant_type": "authorization_code", "code": "x" * 5000, "client_id": "y"}),
                       ("/sso/token", {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "y"}),
                       ("/sso/revoke", {"token": "x"}), ("/sso/userinfo", {"access_token": "x"})):
        answer = client.post(path, data=data)
        assert 400 <= answer.status_code < 500 and "error" in answer.get_json(), (path, data, answer.data[:200])


def test_an_entitled_system_receives_the_nik_and_the_release_is_recorded(app, admin):
    from ragem.auth.accounts import create_user
    from ragem.extensions import db

    with app.app_context():
        user = create_user(name="Siti Aminah", phone="+6281299887766", password="Rahasia-Kuat-123",
                           nik="3673011708850001")
        user.address = "Jl. Ki Mas Jong No. 7, Serang"
        db.session.commit()
        citizen = {"id": user.id, "phone": "+6281299887766", "password": "Rahasia-Kuat-123"}
    citizen["auth"] = bearer(app, citizen["id"])
    client = app.test_client()
    registered = register(client, admin, nik_entitled=True, allowed_scopes=["openid", "address", "nik"])
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"], scope="openid address nik")
        browser = Browser(base)
        url, _ = rp.authorization_url()
        page = browser.open(url)
        consent = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
        assert "NIK (Nomor Induk Kependudukan)" in consent.text and "Alamat" in consent.text
        answer = browser.submit(consent, {"decision": "allow"}, action=consent_action(consent))
        token = rp.exchange(answer.headers["Location"])
        claims = rp.verify_id_token(token["id_token"], token["access_token"])
        assert claims["nik"] == "3673011708850001" and claims["address"]["formatted"].startswith("Jl. Ki Mas Jong")
        info = rp.session.get(rp.config["userinfo_endpoint"]).json()
        assert info["nik"] == "3673011708850001" and "name" not in info
    log = client.get("/api/v1/me/access-log", headers=citizen["auth"]).get_json()["items"]
    releases = [e for e in log if e["service"]["slug"] == f"sso:{registered['client_id']}"]
    assert len(releases) == 2  # the ID token, then the userinfo answer
    assert all({f["field"] for f in e["fields"]} == {"address", "nik"} for e in releases)
    assert "userinfo" in releases[0]["purpose"] and "id_token" in releases[1]["purpose"]


def test_admins_register_a_system_in_the_console(app, admin):
    from ragem.testing import console_client, console_csrf_token

    officer = console_client(app, "officer")
    assert officer.get("/console/sso-clients").status_code == 403
    console = console_client(app, "admin")
    page = console.get("/console/sso-clients")
    assert page.status_code == 200 and 'id="register"' in page.get_data(as_text=True)
    token = console_csrf_token(console, "/console/sso-clients")
    refused = console.post("/console/sso-clients", data={
        "csrf_token": token, "name": "Portal", "opd": OPD, "redirect_uris": "http://portal.example/cb",
        "scopes": ["openid"]})
    assert refused.status_code == 422 and "https" in refused.get_data(as_text=True)
    done = console.post("/console/sso-clients", data={
        "csrf_token": token, "name": "Portal Kesehatan", "opd": "dinkes",
        "redirect_uris": "https://sehat.example/cb\nhttps://sehat.example/cb2", "scopes": ["openid", "phone"]})
    text = done.get_data(as_text=True)
    assert done.status_code == 200 and 'id="secret"' in text and "Portal Kesehatan" in text
    listed = app.test_client().get("/api/v1/admin/sso-clients", headers=admin).get_json()["items"]
    assert len(listed) == 1 and listed[0]["opd"]["code"] == "DINKES"
    assert listed[0]["redirect_uris"] == ["https://sehat.example/cb", "https://sehat.example/cb2"]
    assert listed[0]["allowed_scopes"] == ["openid", "phone"]
    # The secret is shown once: the list page never shows it again.
    assert 'id="secret"' not in console.get("/console/sso-clients").get_data(as_text=True)
    removed = console.post(f"/console/sso-clients/{listed[0]['client_id']}/delete", data={"csrf_token": token})
    assert removed.status_code == 302
    assert app.test_client().get("/api/v1/admin/sso-clients", headers=admin).get_json()["items"] == []
    with app.app_context():
        assert [e.action for e in audit_entries(target_type="sso_client")].count("sso_client.create") == 1


def test_ended_codes_and_tokens_are_purged_nightly(app, admin, citizen):
    from datetime import timedelta

    from ragem.extensions import db
    from ragem.sso.models import SsoAuthorizationCode, SsoToken
    from ragem.sso.purge import purge_dead
    from ragem.testing import periodic_jobs, run_due_jobs
    from ragem.timeutil import utcnow

    registered = register(app.test_client(), admin)
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"])
        browser = Browser(base)
        first = rp.exchange(sign_in(browser, rp, citizen))
        rp.session.refresh_token(rp.config["token_endpoint"], refresh_token=first["refresh_token"])
    with app.app_context():
        assert periodic_jobs()["core.sso-purge"].at == "03:10"
        assert db.session.query(SsoToken).count() == 2 and db.session.query(SsoAuthorizationCode).count() == 1
        assert "core.sso-purge" in run_due_jobs()
        # Ended only moments ago: the rotated token is still remembered (a copy is still recognised).
        db.session.expire_all()
        assert db.session.query(SsoToken).count() == 2
        # Three days on, the rotated token and the code are gone; the live one stays for its 30 days.
        purged = purge_dead(now=utcnow() + timedelta(days=3))
        assert purged == 2
        assert db.session.query(SsoToken).count() == 1 and db.session.query(SsoAuthorizationCode).count() == 0


def test_prompt_login_and_max_age_ask_for_the_password_again(app, admin, citizen):
    registered = register(app.test_client(), admin)
    with live(app) as base:
        rp = RelyingParty(base, registered["client_id"], registered["client_secret"])
        browser = Browser(base)
        sign_in(browser, rp, citizen)
        # Signed in a moment ago: max_age=3600 is satisfied, straight back with a code.
        assert browser.open(rp.authorization_url(max_age="3600")[0]).status_code == 302
        assert "/sso/login" in browser.open(rp.authorization_url(max_age="0")[0]).url
        none = browser.open(rp.authorization_url(max_age="0", prompt="none")[0])
        assert query_of(none.headers["Location"])["error"] == "login_required"
        # prompt=login: the password again, and the fresh log-in then satisfies it (no loop).
        page = browser.open(rp.authorization_url(prompt="login")[0])
        assert "/sso/login" in page.url
        answer = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
        assert answer.status_code == 302 and "code" in query_of(answer.headers["Location"])
        # max_age=0 too: one log-in, then back with a code.
        page = browser.open(rp.authorization_url(max_age="0")[0])
        answer = browser.submit(page, {"identifier": citizen["phone"], "password": citizen["password"]})
        assert answer.status_code == 302 and "code" in query_of(answer.headers["Location"])
