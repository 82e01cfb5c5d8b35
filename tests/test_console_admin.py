"""The console's admin pages: accounts (find, roles, suspension), the audit log, failed jobs."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from console_helpers import console_login, post_form
from throwaway import throwaway_services

from ragem import toolkit
from ragem.audit.models import AuditEntry
from ragem.auth.accounts import create_user
from ragem.extensions import db
from ragem.jobs.models import FailedJob
from ragem.testing import audit_entries, bearer, create_account
from ragem.toolkit import hookimpl

NIK = "3673011708850001"
JOB_STATE = {"fixed": False, "done": []}


def fails_until_fixed(note):
    """A background job that fails until the test fixes it."""
    if not JOB_STATE["fixed"]:
        raise RuntimeError(f"not fixed yet: {note}")
    JOB_STATE["done"].append(note)


class Parks:
    """A throwaway service with two KPIs: visits (a count) and a share whose name tries markup."""

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(slug="taman", name={"id": "Taman", "en": "Parks"},
                                  description={"id": "Uji.", "en": "Test."}, opd="DLH", version="1")

    @hookimpl
    def ragem_kpis(self, period):
        return [toolkit.KpiValue("taman.visits", {"id": "Kunjungan taman", "en": "Park visits"}, 50.0, unit="orang"),
                toolkit.KpiValue("taman.share", {"id": "<b>Porsi</b>", "en": "<b>Share</b>"}, None)]


@pytest.fixture
def app(make_app):
    return make_app(extra_plugins=[*throwaway_services(), ("taman", Parks())], entry_points=False)


def _admin(app):
    user_id, phone, password = create_account(app, "admin")
    client = app.test_client()
    console_login(client, phone, password)
    return client, user_id


def _citizen_with_nik(app):
    with app.app_context():
        user = create_user(name="Siti Rahmawati", phone="081200000222", password="Rahasia-Kuat-123", nik=NIK)
        db.session.commit()
        return user.id


def _rows(page: str) -> list[str]:
    return re.findall(r'<tr data-id="([^"]+)"', page)


# -- accounts --------------------------------------------------------------------------------------

def _search(client, **fields):
    return post_form(client, "/console/accounts", fields, token_from="/console/accounts")


def test_an_admin_finds_an_account_by_name_phone_or_nik_with_the_nik_masked(app):
    client, _admin_id = _admin(app)
    siti = _citizen_with_nik(app)
    for query in ("rahmawati", "0812-0000-0222", "+6281200000222", NIK):
        page = _search(client, q=query).get_data(as_text=True)
        assert _rows(page) == [siti], query
        listed = page.split('id="accounts"')[1]
        assert NIK not in listed and "************0001" in listed and "*****222<" in listed
    assert _rows(_search(client, q="3673011708850009").get_data(as_text=True)) == []
    assert _search(client, q="x" * 121).status_code == 422
    assert _search(client, role="raja").status_code == 422
    assert _search(client, q="siti", cursor="rusak").status_code == 400
    # A search without its CSRF token is refused like any other form.
    assert client.post("/console/accounts", data={"q": NIK}).status_code == 400
    # The admin API finds by NIK too (one search, two doors), in the body.
    api = app.test_client().post("/api/v1/admin/users/search", json={"q": NIK}, headers=bearer(app, _admin_id))
    assert [item["id"] for item in api.get_json()["items"]] == [siti]


def test_a_nik_or_phone_number_never_travels_in_an_address(app):
    client, admin_id = _admin(app)
    siti = _citizen_with_nik(app)
    # Links may filter by role or name...
    assert _rows(client.get("/console/accounts", query_string={"q": "rahmawati"}).get_data(as_text=True)) == [siti]
    assert client.get("/console/accounts?role=raja").status_code == 422
    assert client.get("/console/accounts?cursor=rusak").status_code == 400
    # ...but a NIK or phone number in the address is refused, and finds nobody.
    for query in (NIK, "081200000222"):
        refused = client.get("/console/accounts", query_string={"q": query})
        assert refused.status_code == 422 and _rows(refused.get_data(as_text=True)) == []
        assert "formulir pencarian" in refused.get_data(as_text=True)
        api = app.test_client().get("/api/v1/admin/users", query_string={"q": query}, headers=bearer(app, admin_id))
        assert api.status_code == 422 and api.get_json()["error"]["code"] == "identifier_in_url"
    # The search form posts, so its results page has no NIK in its address or its links.
    page = _search(client, q=NIK).get_data(as_text=True)
    assert NIK not in page.split('id="accounts"')[1]


def test_roles_granted_and_revoked_in_the_console_are_audited_as_through_the_api(app):
    client, admin_id = _admin(app)
    siti = _citizen_with_nik(app)
    page = f"/console/accounts/{siti}"
    assert client.get(page).status_code == 200
    no_opd = post_form(client, f"{page}/roles", {"role": "officer", "opd": "", "reason": "petugas baru"}, token_from=page)
    assert no_opd.status_code == 422
    no_reason = post_form(client, f"{page}/roles", {"role": "officer", "opd": "DPUPR", "reason": ""}, token_from=page)
    assert no_reason.status_code == 422
    done = post_form(client, f"{page}/roles", {"role": "officer", "opd": "DPUPR", "reason": "petugas baru"}, token_from=page)
    assert done.status_code == 302
    assert 'id="account-opd">DPUPR<' in client.get(page).get_data(as_text=True)
    revoked = post_form(client, f"{page}/roles/officer/revoke", {"reason": "pindah tugas"}, token_from=page)
    assert revoked.status_code == 302
    # The same change through the admin API leaves the same kind of entry.
    headers = bearer(app, admin_id)
    api = app.test_client()
    assert api.post(f"/api/v1/admin/users/{siti}/roles", json={"role": "officer", "opd": "DPUPR", "reason": "petugas baru"},
                    headers=headers).status_code == 200
    with app.app_context():
        grants = audit_entries(action="role.grant", target_id=siti)
        revokes = audit_entries(action="role.revoke", target_id=siti)
        shape = [(e.actor_id, e.actor_role, e.before, e.after, e.reason) for e in grants]
    assert shape[0] == shape[1] == (admin_id, "admin", {"roles": ["citizen"], "opd": None},
                                    {"roles": ["citizen", "officer"], "opd": "DPUPR"}, "petugas baru")
    assert [(e.before["opd"], e.after, e.reason) for e in revokes] == [("DPUPR", {"roles": ["citizen"], "opd": None}, "pindah tugas")]


def test_the_last_admin_cannot_be_demoted_from_the_console(app):
    client, admin_id = _admin(app)
    page = f"/console/accounts/{admin_id}"
    refused = post_form(client, f"{page}/roles/admin/revoke", {"reason": "uji coba"}, token_from=page)
    assert refused.status_code == 422 and 'id="error"' in refused.get_data(as_text=True)
    assert client.get("/console/accounts").status_code == 200  # still an admin
    with app.app_context():
        assert audit_entries(action="role.revoke") == []


def test_a_suspended_account_loses_its_tokens_and_log_in_until_reinstated(app):
    client, admin_id = _admin(app)
    user_id, phone, password = create_account(app, "officer")
    headers = bearer(app, user_id)
    api = app.test_client()
    assert api.get("/api/v1/me", headers=headers).status_code == 200
    page = f"/console/accounts/{user_id}"
    assert post_form(client, f"{page}/suspend", {"reason": "ab"}, token_from=page).status_code == 422
    assert api.get("/api/v1/me", headers=headers).status_code == 200  # refused form: nothing changed
    assert post_form(client, f"{page}/suspend", {"reason": "laporan penyalahgunaan"}, token_from=page).status_code == 302
    assert 'id="account-state"' in client.get(page).get_data(as_text=True)
    assert api.get("/api/v1/me", headers=headers).status_code == 401
    assert api.post("/api/v1/auth/login", json={"identifier": phone, "password": password}).status_code in (401, 403)
    assert console_login(app.test_client(), phone, password).status_code in (401, 403)
    assert post_form(client, f"{page}/reinstate", {"reason": "sudah diperiksa"}, token_from=page).status_code == 302
    assert api.post("/api/v1/auth/login", json={"identifier": phone, "password": password}).status_code == 200
    with app.app_context():
        [suspended] = audit_entries(action="account.suspend")
        [reinstated] = audit_entries(action="account.reinstate")
    assert (suspended.actor_id, suspended.target_id, suspended.reason) == (admin_id, user_id, "laporan penyalahgunaan")
    assert suspended.after["is_active"] is False and reinstated.reason == "sudah diperiksa"


def test_the_admin_api_suspends_and_reinstates_with_a_reason(app, client, login_as):
    admin = login_as("admin")
    user_id, _phone, _password = create_account(app, "citizen")
    token = bearer(app, user_id)
    url = f"/api/v1/admin/users/{user_id}"
    assert client.post(f"{url}/suspend", json={}, headers=admin).status_code == 422
    assert client.post(f"{url}/suspend", json={"reason": "penipuan"}, headers=login_as("officer")).status_code == 403
    done = client.post(f"{url}/suspend", json={"reason": "penipuan"}, headers=admin)
    assert done.status_code == 200 and done.get_json()["is_active"] is False
    assert client.get("/api/v1/me", headers=token).status_code == 401
    myself = client.post(f"/api/v1/admin/users/{admin['X-Test-User-Id']}/suspend", json={"reason": "uji coba"}, headers=admin)
    assert myself.status_code == 409 and myself.get_json()["error"]["code"] == "cannot_suspend_self"
    assert client.post("/api/v1/admin/users/nobody/suspend", json={"reason": "uji coba"}, headers=admin).status_code == 404
    back = client.post(f"{url}/reinstate", json={"reason": "keliru"}, headers=admin)
    assert back.status_code == 200 and back.get_json()["is_active"] is True


def test_account_forms_need_their_csrf_token_and_officers_cannot_use_them(app):
    client, _admin_id = _admin(app)
    user_id, _phone, _password = create_account(app, "citizen")
    assert client.post(f"/console/accounts/{user_id}/suspend", data={"reason": "tanpa token"}).status_code == 400
    assert client.get("/console/accounts/nobody").status_code == 404
    assert post_form(client, "/console/accounts/nobody/suspend", {"reason": "uji coba"}, token_from="/console/accounts").status_code == 404
    _oid, phone, password = create_account(app, "officer")
    officer = app.test_client()
    console_login(officer, phone, password)
    assert post_form(officer, f"/console/accounts/{user_id}/suspend", {"reason": "uji coba"}).status_code == 403
    with app.app_context():
        assert audit_entries(action="account.suspend") == []


# -- audit log ---------------------------------------------------------------------------------------

def test_the_audit_page_filters_by_actor_action_and_wib_day(app):
    from datetime import datetime

    client, admin_id = _admin(app)
    with app.app_context():
        for at, action in ((datetime(2026, 10, 31, 16, 59), "demo.late"),    # 23:59 WIB on 31 October
                           (datetime(2026, 10, 31, 17, 0), "demo.first"),    # 00:00 WIB on 1 November
                           (datetime(2026, 11, 1, 16, 59), "demo.last")):    # 23:59 WIB on 1 November
            db.session.add(AuditEntry(at=at, action=action, target_type="demo", actor_id=admin_id, actor_role="admin", before=None, after=None))
        db.session.add(AuditEntry(action="demo.other", target_type="demo", actor_role="system", before=None, after=None))
        db.session.commit()
        ids = dict(db.session.execute(select(AuditEntry.action, AuditEntry.id)).all())
    day = client.get("/console/audit?date_from=2026-11-01&date_to=2026-11-01").get_data(as_text=True)
    assert _rows(day) == [str(ids["demo.last"]), str(ids["demo.first"])]  # newest first
    assert "2026-11-01 00:00 WIB" in day
    assert _rows(client.get("/console/audit?action=demo.late").get_data(as_text=True)) == [str(ids["demo.late"])]
    mine = _rows(client.get(f"/console/audit?actor={admin_id}").get_data(as_text=True))
    assert str(ids["demo.other"]) not in mine and str(ids["demo.first"]) in mine
    assert client.get("/console/audit?date_from=1-11-2026").status_code == 422
    assert client.get("/console/audit?cursor=%00").status_code == 400


# -- failed jobs ---------------------------------------------------------------------------------------

def test_a_failed_job_is_listed_and_retried_from_the_console(app):
    JOB_STATE.update(fixed=False, done=[])
    client, admin_id = _admin(app)
    with app.app_context():
        toolkit.enqueue(fails_until_fixed, "laporan-7")
        [job] = db.session.scalars(select(FailedJob)).all()
        job_id = job.id
        db.session.add(FailedJob(name="gone:job", args="()", error="Traceback\nKeyError: x", attempts=3))
        db.session.commit()
        stale = db.session.scalar(select(FailedJob.id).where(FailedJob.name == "gone:job"))
    page = client.get("/console/jobs").get_data(as_text=True)
    assert set(_rows(page)) == {str(job_id), str(stale)} and "not fixed yet: laporan-7" in page
    JOB_STATE["fixed"] = True
    assert post_form(client, f"/console/jobs/{job_id}/retry", {}, token_from="/console/jobs").status_code == 302
    assert JOB_STATE["done"] == ["laporan-7"]
    refused = post_form(client, f"/console/jobs/{stale}/retry", {}, token_from="/console/jobs")
    assert refused.status_code == 409 and 'id="error"' in refused.get_data(as_text=True)
    assert post_form(client, f"/console/jobs/{job_id}/retry", {}, token_from="/console/jobs").status_code == 404
    assert post_form(client, f"/console/jobs/{10**30}/retry", {}, token_from="/console/jobs").status_code == 404
    assert _rows(client.get("/console/jobs").get_data(as_text=True)) == [str(stale)]
    with app.app_context():
        [entry] = audit_entries(action="job.failure.retry")
    assert (entry.actor_id, entry.target_id) == (admin_id, str(job_id))


# -- evaluation --------------------------------------------------------------------------------------

def test_the_evaluation_page_charts_each_kpi_against_its_target_and_downloads_the_csv(app):
    client, admin_id = _admin(app)
    api = app.test_client()
    assert api.put("/api/v1/admin/kpi-targets/taman.visits/2026", json={"target": 100, "reason": "Renstra"},
                   headers=bearer(app, admin_id)).status_code == 200
    page = client.get("/console/evaluation?period=2026-11")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '<svg xmlns="http://www.w3.org/2000/svg" id="kpi-chart"' in html
    visits = html.split('data-status="off_track"')[1].split("</g>")[0]  # 50 of a 100 target: off track
    assert "Kunjungan taman" in visits and 'width="190.0"' in visits  # half of the 380-unit track
    assert 'x1="640.0"' in visits  # the target's tick at the end of the track
    assert "<b>Porsi</b>" not in html and "&lt;b&gt;Porsi&lt;/b&gt;" in html  # names are text, not markup
    assert "2026-11-01 00:00 WIB" in html
    csv_link = html.split('id="csv" href="')[1].split('"')[0]
    download = client.get(csv_link)
    assert download.mimetype == "text/csv" and 'filename="ragem-evaluation-2026-11.csv"' in download.headers["Content-Disposition"]
    rows = download.get_data(as_text=True).splitlines()
    assert rows[0].startswith("period,key,service") and any(r.startswith("2026-11,taman.visits,taman,Kunjungan taman,orang,50.0,100.0") for r in rows)
    post_form(client, "/console/language", {"lang": "en", "next": "/console/evaluation"})
    assert "Park visits" in client.get("/console/evaluation?period=2025-2029").get_data(as_text=True)
    refused = client.get("/console/evaluation?period=2026-13")
    assert refused.status_code == 422 and 'id="error"' in refused.get_data(as_text=True)
    assert client.get("/console/evaluation.csv?period=bukan").status_code == 422
    assert client.get("/console/evaluation").status_code == 200  # this month by default
