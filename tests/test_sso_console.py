"""The console's SSO systems page: admins edit a system and issue it a new secret, audited, through
the same rules as the admin API (what the API refuses, the page refuses, changing nothing)."""
from __future__ import annotations

import json

import pytest
from joserfc.jwk import ECKey

from ragem.testing import audit_entries, bearer, console_client, console_csrf_token, create_account

OPD = "DISKOMINFO"
PAGE = "/console/sso-clients"


@pytest.fixture
def app(make_app):
    return make_app(entry_points=False)


@pytest.fixture
def admin(app):
    return bearer(app, create_account(app, "admin")[0])


def registered(app, admin, **overrides) -> dict:
    body = {"name": "Portal Perizinan", "opd": OPD, "redirect_uris": ["https://izin.example/cb"],
            "allowed_scopes": ["openid", "profile"], **overrides}
    answer = app.test_client().post("/api/v1/admin/sso-clients", json=body, headers=admin)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def api_view(app, admin, client_id) -> dict:
    return app.test_client().get(f"/api/v1/admin/sso-clients/{client_id}", headers=admin).get_json()


def test_admins_edit_a_system_in_the_console(app, admin):
    system = registered(app, admin)
    client_id = system["client_id"]
    console = console_client(app, "admin")
    page = console.get(PAGE).get_data(as_text=True)
    assert f'action="/console/sso-clients/{client_id}/edit"' in page
    token = console_csrf_token(console, PAGE)

    done = console.post(f"{PAGE}/{client_id}/edit", data={
        "csrf_token": token, "name": "Portal Izin Usaha", "redirect_uris": "https://izin.example/cb\nhttps://izin.example/cb2",
        "post_logout_redirect_uris": "https://izin.example/bye", "scopes": ["openid", "profile", "nik"],
        "nik_entitled": "1"})
    assert done.status_code == 302
    assert "Perubahan sistem sudah disimpan" in console.get(PAGE).get_data(as_text=True)
    changed = api_view(app, admin, client_id)
    assert changed["name"] == "Portal Izin Usaha" and changed["nik_entitled"] is True
    assert changed["redirect_uris"] == ["https://izin.example/cb", "https://izin.example/cb2"]
    assert changed["post_logout_redirect_uris"] == ["https://izin.example/bye"]
    assert changed["allowed_scopes"] == ["openid", "profile", "nik"]

    # What the API refuses the page refuses, and nothing changes: nik without the entitlement,
    # a plain-http redirect URI.
    for bad in ({"scopes": ["openid", "nik"]}, {"redirect_uris": "http://izin.example/cb", "nik_entitled": "1"}):
        form = {"csrf_token": token, "name": "Dirusak", "redirect_uris": "https://izin.example/cb", **bad}
        refused = console.post(f"{PAGE}/{client_id}/edit", data=form)
        assert refused.status_code == 422 and 'id="error"' in refused.get_data(as_text=True)
    assert api_view(app, admin, client_id)["name"] == "Portal Izin Usaha"

    # Taking the NIK away again (unticked) narrows the scopes too.
    console.post(f"{PAGE}/{client_id}/edit", data={"csrf_token": token, "name": "Portal Izin Usaha",
                                                   "redirect_uris": "https://izin.example/cb", "scopes": ["openid", "nik"]})
    assert api_view(app, admin, client_id)["allowed_scopes"] == ["openid", "profile", "nik"]  # refused: unchanged
    console.post(f"{PAGE}/{client_id}/edit", data={"csrf_token": token, "name": "Portal Izin Usaha",
                                                   "redirect_uris": "https://izin.example/cb", "scopes": ["openid"]})
    after = api_view(app, admin, client_id)
    assert after["allowed_scopes"] == ["openid"] and after["nik_entitled"] is False

    assert console.post(f"{PAGE}/no-such-system/edit", data={"csrf_token": token, "name": "Xy",
                                                             "redirect_uris": "https://x.example/cb"}).status_code == 404
    officer = console_client(app, "officer")
    assert officer.post(f"{PAGE}/{client_id}/edit", data={"csrf_token": console_csrf_token(officer, "/console/"),
                                                          "name": "Officer"}).status_code == 403
    with app.app_context():
        actions = [e.action for e in audit_entries(target_id=client_id)]
        assert actions == ["sso_client.create", "sso_client.update", "sso_client.update"]
        first = audit_entries(action="sso_client.update", target_id=client_id)[0]
        assert first.before["name"] == "Portal Perizinan" and first.after["name"] == "Portal Izin Usaha"


def test_a_new_secret_is_shown_once_and_the_old_one_stops_working(app, admin):
    system = registered(app, admin)
    client_id, old = system["client_id"], system["client_secret"]
    console = console_client(app, "admin")
    token = console_csrf_token(console, PAGE)
    answer = console.post(f"{PAGE}/{client_id}/secret", data={"csrf_token": token})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="secret"' in text and client_id in text
    shown = text.split('id="secret"')[1].split("</section>")[0]
    new = shown.split("<code>")[-1].split("</code>")[0]
    assert new and new != old
    # Shown once: the page does not show it again.
    assert new not in console.get(PAGE).get_data(as_text=True)

    http = app.test_client()
    revoke = {"token": "nothing-like-this"}
    assert http.post("/sso/revoke", data=revoke, auth=(client_id, old)).status_code == 401
    assert http.post("/sso/revoke", data=revoke, auth=(client_id, new)).status_code == 200
    with app.app_context():
        assert [e.action for e in audit_entries(target_id=client_id)][-1] == "sso_client.new_secret"

    # A public client has no secret to issue: refused, nothing changes.
    public = registered(app, admin, token_endpoint_auth_method="none")
    refused = console.post(f"{PAGE}/{public['client_id']}/secret", data={"csrf_token": token})
    assert refused.status_code == 422 and 'id="secret"' not in refused.get_data(as_text=True)


def test_a_system_with_its_own_key_is_registered_and_rekeyed_in_the_console(app, admin):
    first, second = (ECKey.generate_key("P-256", parameters={"kid": kid}) for kid in ("k1", "k2"))
    console = console_client(app, "admin")
    token = console_csrf_token(console, PAGE)
    form = {"csrf_token": token, "name": "Portal Sehat", "opd": OPD, "redirect_uris": "https://sehat.example/cb",
            "scopes": ["openid"], "method": "private_key_jwt"}
    refused = console.post(PAGE, data={**form, "jwks": "{not json"})
    assert refused.status_code == 422
    done = console.post(PAGE, data={**form, "jwks": json.dumps({"keys": [first.as_dict(private=False)]})})
    assert done.status_code == 200 and 'id="secret"' not in done.get_data(as_text=True)
    listed = app.test_client().get("/api/v1/admin/sso-clients", headers=admin).get_json()["items"]
    assert [c["token_endpoint_auth_method"] for c in listed] == ["private_key_jwt"]
    client_id = listed[0]["client_id"]
    # Left empty, the keys stay; given, they are replaced.
    edit = {"csrf_token": token, "name": "Portal Sehat", "redirect_uris": "https://sehat.example/cb", "scopes": ["openid"]}
    assert console.post(f"{PAGE}/{client_id}/edit", data=edit).status_code == 302
    assert [k["kid"] for k in api_view(app, admin, client_id)["jwks"]["keys"]] == ["k1"]
    rekeyed = console.post(f"{PAGE}/{client_id}/edit",
                           data={**edit, "jwks": json.dumps({"keys": [second.as_dict(private=False)]})})
    assert rekeyed.status_code == 302
    assert [k["kid"] for k in api_view(app, admin, client_id)["jwks"]["keys"]] == ["k2"]
    assert console.post(f"{PAGE}/{client_id}/secret", data={"csrf_token": token}).status_code == 422
