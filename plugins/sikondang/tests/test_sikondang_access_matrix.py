"""Who may do what: every role against every SIKONDANG route, on a published dataset and a draft.

The routes are read from the app's URL map, so a route added without a row here fails
``test_every_route_has_a_row``. Each row says, for each role and each target dataset, the status
that role must get; the datasets belong to DISKOMINFO, so the DPUPR officer is "another OPD".
Import ids and names of another OPD's datasets are tried too (``test_other_opds_ids_...``).
"""
from __future__ import annotations

import io
import itertools
import json

import pytest

from ragem import toolkit
from ragem.testing import account

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV, internet_definition

ROLES = ("anonymous", "citizen", "officer", "other_officer", "officer_without_opd", "policy_granted", "admin")
#: Roles that manage DISKOMINFO's datasets.
MANAGERS = {"officer", "admin"}
_names = itertools.count(1)


class PolicyPlugin:
    """A policy plugin that grants ``sikondang.manage`` to one citizen (a plugin-specific role):
    holding the permission must not reach past the OPD rule."""

    def __init__(self):
        self.holder: str | None = None

    @toolkit.hookimpl
    def ragem_plugin_info(self):
        """A plain plugin with no routes."""
        return toolkit.PluginInfo(slug="zzpolicy", name={"id": "Kebijakan", "en": "Policy"},
                                  description={"id": "Uji", "en": "Test"}, opd="DISKOMINFO", version="1.0")

    @toolkit.hookimpl
    def ragem_permission_check(self, user, permission, resource):
        """Grant the SIKONDANG permission to the chosen citizen."""
        if permission == "sikondang.manage" and user.id == self.holder:
            return True
        return None


@pytest.fixture
def world(make_app, login_as):
    """An app with DISKOMINFO's published dataset ``pub`` and draft ``draft``, DPUPR's draft
    ``dpupr-draft`` and published ``dpupr-pub``, and a header set per role."""
    policy = PolicyPlugin()
    app = make_app(extra_plugins=[("zzpolicy", policy)])
    client = app.test_client()
    headers = {"anonymous": {}, "citizen": login_as("citizen", target_app=app),
               "officer": login_as("officer", opd="DISKOMINFO", target_app=app),
               "other_officer": login_as("officer", opd="DPUPR", target_app=app),
               "officer_without_opd": login_as("officer", target_app=app),
               "policy_granted": login_as("citizen", target_app=app),
               "admin": login_as("admin", target_app=app)}
    policy.holder = headers["policy_granted"]["X-Test-User-Id"]
    with app.app_context():
        account(headers["officer_without_opd"]["X-Test-User-Id"]).opd_code = None
        toolkit.db.session.commit()
    admin = headers["admin"]
    imports = {}
    for name, opd, publish in (("pub", "DISKOMINFO", True), ("draft", "DISKOMINFO", False),
                               ("dpupr-pub", "DPUPR", True), ("dpupr-draft", "DPUPR", False)):
        assert client.post(DATASETS, json=internet_definition(name, opd=opd), headers=admin).status_code == 201
        job = _upload(client, name, admin).get_json()
        assert job["status"] == "succeeded", job
        imports[name] = job["id"]
        if publish:
            assert client.patch(f"{DATASETS}/{name}", json={"state": "published"}, headers=admin).status_code == 200
    return client, headers, imports


def _upload(client, name, headers):
    return client.post(f"{DATASETS}/{name}/imports", data={"file": (io.BytesIO(INTERNET_CSV.encode()), "t.csv")},
                       headers=headers, content_type="multipart/form-data")


def _public_read(role, target):
    """Published: everyone; a draft: its OPD's officers and admins, a 404 for everyone else."""
    return 200 if target == "pub" or role in MANAGERS else 404


def _manage(ok):
    def expected(role, target):
        if role == "anonymous":
            return 401
        if role == "citizen":
            return 403  # no permission at all
        if role in MANAGERS:
            return ok
        # Holds the permission (or is an officer) but not of this OPD: a draft is not revealed.
        return 403 if target == "pub" else 404
    return expected


def _create(role, target):
    return {"anonymous": 401, "admin": 201, "officer": 201}.get(role, 403)


def _ckan(role, target):
    """The CKAN API knows no log-in: drafts do not exist there, for anyone."""
    return 200 if target == "pub" else 404


def _always(status):
    return lambda role, target: status


def _delete(role, target):
    if role in MANAGERS:
        return 204
    return _manage(204)(role, target)


# (method, rule) -> (request builder (client, headers, dataset name, import ids) -> response, expected)
ROWS = {
    ("GET", "/api/v1/sikondang/health"): (lambda c, h, n, i: c.get("/api/v1/sikondang/health", headers=h), _always(200)),
    ("GET", "/api/v1/sikondang/datasets"): (lambda c, h, n, i: c.get(DATASETS, headers=h), _always(200)),
    ("POST", "/api/v1/sikondang/datasets"): (
        lambda c, h, n, i: c.post(DATASETS, json=internet_definition(f"baru-{next(_names)}", opd="DISKOMINFO"), headers=h),
        _create),
    ("GET", "/api/v1/sikondang/datasets/<string:name>"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}", headers=h), _public_read),
    ("PATCH", "/api/v1/sikondang/datasets/<string:name>"): (
        lambda c, h, n, i: c.patch(f"{DATASETS}/{n}", json={"source": "BPS"}, headers=h), _manage(200)),
    ("DELETE", "/api/v1/sikondang/datasets/<string:name>"): (
        lambda c, h, n, i: c.delete(f"{DATASETS}/{n}", headers=h), _delete),
    ("POST", "/api/v1/sikondang/datasets/<string:name>/imports"): (
        lambda c, h, n, i: _upload(c, n, h), _manage(202)),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/imports/<int:import_id>"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/imports/{i[n]}", headers=h), _manage(200)),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/revisions"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/revisions", headers=h), _public_read),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/revisions/<int:number>/data.csv"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/revisions/1/data.csv", headers=h), _public_read),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/data"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/data?year=2020", headers=h), _public_read),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/series"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/series?measure=percent&by=region_code", headers=h), _public_read),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/download.csv"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/download.csv", headers=h), _public_read),
    ("GET", "/api/v1/sikondang/datasets/<string:name>/download.json"): (
        lambda c, h, n, i: c.get(f"{DATASETS}/{n}/download.json", headers=h), _public_read),
    ("GET", "/satudata/api/3/action/<path:action>"): (
        lambda c, h, n, i: c.get(f"/satudata/api/3/action/package_show?id={n}", headers=h), _ckan),
    ("POST", "/satudata/api/3/action/<path:action>"): (
        lambda c, h, n, i: c.post("/satudata/api/3/action/package_show", json={"id": n}, headers=h), _ckan),
    ("GET", "/satudata/api/action/<path:action>"): (
        lambda c, h, n, i: c.get(f"/satudata/api/action/package_show?id={n}", headers=h), _ckan),
    ("POST", "/satudata/api/action/<path:action>"): (
        lambda c, h, n, i: c.post("/satudata/api/action/package_show", json={"id": n}, headers=h), _ckan),
}


def _sikondang_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("sikondang_"):
            routes |= {(method, rule.rule) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_route_has_a_row(app):
    assert _sikondang_routes(app) == set(ROWS)


@pytest.mark.parametrize("route", sorted(ROWS), ids=lambda route: f"{route[0]} {route[1]}")
def test_every_role_gets_what_it_may_on_every_route(world, route):
    client, headers, imports = world
    send, expected = ROWS[route]
    found, wanted = {}, {}
    # The deletion row last in each target: it removes what the other roles' requests need.
    for target in ("pub", "draft"):
        for role in sorted(ROLES, key=lambda r: r in MANAGERS):
            answer = send(client, headers[role], target, imports)
            answer.get_data()  # read the body (a download streams) as any client does
            found[(role, target)] = answer.status_code
            wanted[(role, target)] = expected(role, target)
            if answer.status_code >= 400:
                body = answer.get_json()
                assert body is not None and ("error" in body or body.get("success") is False), (role, target, body)
            if route[0] == "DELETE" and answer.status_code == 204:
                break  # gone (or withdrawn): the next manager would find nothing to delete
    assert found == {key: wanted[key] for key in found}


def test_drafts_are_listed_only_for_the_officers_of_their_opd_and_admins(world):
    client, headers, _ = world
    expected_drafts = {"officer": {"draft"}, "other_officer": {"dpupr-draft"}, "admin": {"draft", "dpupr-draft"}}
    for role in ROLES:
        answer = client.get(f"{DATASETS}?include_drafts=true", headers=headers[role])
        assert answer.status_code == 200
        names = {d["name"] for d in answer.get_json()["items"]}
        assert names == {"pub", "dpupr-pub"} | expected_drafts.get(role, set()), role


def test_other_opds_ids_and_names_reveal_nothing(world):
    client, headers, imports = world
    officer = headers["officer"]
    # An import of DPUPR's dataset, asked for through DISKOMINFO's own dataset: not found there.
    assert client.get(f"{DATASETS}/pub/imports/{imports['dpupr-pub']}", headers=officer).status_code == 404
    assert client.get(f"{DATASETS}/draft/imports/{imports['dpupr-draft']}", headers=officer).status_code == 404
    # DPUPR's own datasets: the draft does not exist for this officer, the published one is not theirs.
    for name, status in (("dpupr-draft", 404), ("dpupr-pub", 403)):
        assert client.get(f"{DATASETS}/{name}/imports/{imports[name]}", headers=officer).status_code == status
        assert client.patch(f"{DATASETS}/{name}", json={"opd": "DISKOMINFO"}, headers=officer).status_code == status
        assert _upload(client, name, officer).status_code == status
        assert client.delete(f"{DATASETS}/{name}", headers=officer).status_code == status
    assert client.get(f"{DATASETS}/dpupr-draft/revisions/1/data.csv", headers=officer).status_code == 404
    # An officer cannot hand their dataset to another OPD, nor an admin to an unknown one.
    moved = client.patch(f"{DATASETS}/pub", json={"opd": "DPUPR"}, headers=officer)
    assert moved.status_code == 403
    assert client.patch(f"{DATASETS}/pub", json={"opd": "TIDAKADA"}, headers=headers["admin"]).status_code == 422
    # The revisions list names the uploader only to the dataset's OPD.
    public = client.get(f"{DATASETS}/dpupr-pub/revisions", headers=officer).get_json()["items"][0]
    own = client.get(f"{DATASETS}/dpupr-pub/revisions", headers=headers["admin"]).get_json()["items"][0]
    assert public["created_by"] is None and own["created_by"] == headers["admin"]["X-Test-User-Id"]
    # The CKAN API never shows a draft, whoever asks, however it is named.
    for role in ("admin", "officer"):
        found = client.get("/satudata/api/3/action/package_search?q=*:*&rows=100", headers=headers[role]).get_json()
        assert sorted(p["name"] for p in found["result"]["results"]) == ["dpupr-pub", "pub"]
    listed = client.get("/satudata/api/3/action/package_list").get_json()["result"]
    assert listed == ["dpupr-pub", "pub"]
    assert json.dumps(listed).count("draft") == 0
