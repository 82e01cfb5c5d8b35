"""SIKONDANG's rows of the authorisation matrix: every route, as each of the six actors, on a
published dataset, a draft and a withdrawn one.

Datasets belong to an OPD, not to a citizen: citizens A and B (and nobody) are the same to them,
so the rows act on datasets of DISKOMINFO, the OPD of the "own" officer; the "other" officer is of
DPUPR. A draft exists only for its OPD's officers and admins (404 for everyone else, whatever they
may do elsewhere); a published dataset is everyone's to read and its OPD's to change (403 for the
other OPD). The matrix is played three times: with DPUPR's officer as the outsider, with an officer
of no OPD, and with a citizen a policy plugin granted ``sikondang.manage`` (holding the permission
reaches no further than the OPD rule). The core's coverage test reads the rows of this file.
"""
from __future__ import annotations

import io
import json
import uuid

import pytest

from ragem import toolkit
from ragem.testing import (LOGIN, AccessRow, access_world, account, bearer, create_account, matrix_gaps,
                           plugin_routes, run_access_matrix)

from plugins.sikondang.tests.support import DATASETS, INTERNET_CSV, internet_definition

URL = "/api/v1/sikondang"
CKAN = "/satudata/api/3/action"
CKAN_UNVERSIONED = "/satudata/api/action"
ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
EVERYONE = dict.fromkeys(ACTORS, 200)
#: A draft (or an id that is not this dataset's): its OPD's officers and admins; nobody else learns it exists.
SEES_DRAFT = {**dict.fromkeys(ACTORS, 404), "officer_own": 200, "admin": 200}
#: A withdrawn dataset: its name was public, so the public is told it is gone (410); its OPD still reads it.
SEES_WITHDRAWN = {**dict.fromkeys(ACTORS, 410), "officer_own": 200, "admin": 200}


def manage(status: int, outsider: int) -> dict:
    """Changing a dataset: its OPD's officers and admins get ``status``; a citizen has no permission
    (403); the other OPD's officer gets ``outsider`` (403 on a published dataset, 404 on a draft)."""
    return {"anonymous": 401, "citizen_a": 403, "citizen_b": 403, "officer_own": status, "officer_other": outsider,
            "admin": status}


def console(status, outsider) -> dict:
    """A console page or form of a dataset: citizens and the anonymous are sent to log in."""
    return {"anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN, "officer_own": status,
            "officer_other": outsider, "admin": status}


# --- resources --------------------------------------------------------------------------------------

def _make(world, state: str, opd: str) -> dict:
    """A dataset of ``opd`` holding INTERNET_CSV in ``state`` (defined and loaded by an admin)."""
    client, admin = world.app.test_client(), world.headers["admin"]
    name = f"uji-{uuid.uuid4().hex[:10]}"
    assert client.post(DATASETS, json=internet_definition(name, opd=opd), headers=admin).status_code == 201
    job = client.post(f"{DATASETS}/{name}/imports", data={"file": (io.BytesIO(INTERNET_CSV.encode()), "t.csv")},
                      headers=admin, content_type="multipart/form-data").get_json()
    assert job["status"] == "succeeded", job
    if state in ("published", "withdrawn"):
        assert client.patch(f"{DATASETS}/{name}", json={"state": "published"}, headers=admin).status_code == 200
    if state == "withdrawn":
        assert client.delete(f"{DATASETS}/{name}", headers=admin).status_code == 204
    return {"name": name, "import_id": job["id"]}


def dataset(state: str, *, fresh: bool = False, opd: str = "own"):
    """A resource factory: a dataset of the own (or other) OPD in ``state``; shared by the rows
    that leave it as it was, a new one per cell for those that change its state (``fresh``)."""

    def make(world, owner):
        code = world.opd_own if opd == "own" else world.opd_other
        if fresh:
            return _make(world, state, code)
        shared = world.__dict__.setdefault("sikondang_datasets", {})
        if (state, code) not in shared:
            shared[(state, code)] = _make(world, state, code)
        return shared[(state, code)]

    return make


def foreign_import(state: str):
    """The own OPD's dataset in ``state`` with the id of an import of the other OPD's dataset."""

    def make(world, owner):
        return {**dataset(state)(world, owner), "import_id": dataset("published", opd="other")(world, owner)["import_id"]}

    return make


def page(state: str, action: str | None = None, *, fresh: bool = False):
    """A resource factory: the console page of a dataset in ``state`` (and one of its forms)."""

    def make(world, owner):
        values = {"slug": "sikondang", "name": "dataset", "tail": dataset(state, fresh=fresh)(world, owner)["name"]}
        return {**values, "action": action} if action else values

    return make


def new_definition(world, values) -> dict:
    """A new dataset of the own OPD (a fresh name per call)."""
    return internet_definition(f"baru-{uuid.uuid4().hex[:10]}", opd=world.opd_own)


def table(world, values) -> dict:
    """The upload form: the whole table as a CSV file."""
    return {"file": (io.BytesIO(INTERNET_CSV.encode()), "tabel.csv")}


def by_name(world, values) -> dict:
    """CKAN's ``id`` parameter: the dataset's name."""
    return {"id": values["name"]}


ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/health", EVERYONE),
    AccessRow("GET", f"{URL}/datasets", EVERYONE),
    AccessRow("GET", f"{URL}/datasets", EVERYONE, query={"include_drafts": "true"}),
    AccessRow("POST", f"{URL}/datasets", manage(201, 403), body=new_definition),
    AccessRow("GET", f"{URL}/datasets/<string:name>", EVERYONE, resource=dataset("published")),
    AccessRow("GET", f"{URL}/datasets/<string:name>", SEES_DRAFT, resource=dataset("draft")),
    AccessRow("GET", f"{URL}/datasets/<string:name>", SEES_WITHDRAWN, resource=dataset("withdrawn")),
    AccessRow("PATCH", f"{URL}/datasets/<string:name>", manage(200, 403), resource=dataset("published"),
              body={"source": "BPS"}),
    AccessRow("PATCH", f"{URL}/datasets/<string:name>", manage(200, 404), resource=dataset("draft"),
              body={"source": "BPS"}),
    AccessRow("DELETE", f"{URL}/datasets/<string:name>", manage(204, 403), resource=dataset("published", fresh=True)),
    AccessRow("DELETE", f"{URL}/datasets/<string:name>", manage(204, 404), resource=dataset("draft", fresh=True)),
    AccessRow("POST", f"{URL}/datasets/<string:name>/imports", manage(202, 403), resource=dataset("published"),
              body=table, multipart=True),
    AccessRow("POST", f"{URL}/datasets/<string:name>/imports", manage(202, 404), resource=dataset("draft"),
              body=table, multipart=True),
    AccessRow("GET", f"{URL}/datasets/<string:name>/imports/<int:import_id>", manage(200, 403),
              resource=dataset("published")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/imports/<int:import_id>", manage(200, 404),
              resource=dataset("draft")),
    # Another OPD's import, asked for through the own OPD's dataset: not found there, even for an admin.
    AccessRow("GET", f"{URL}/datasets/<string:name>/imports/<int:import_id>", manage(404, 403),
              resource=foreign_import("published")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/imports/<int:import_id>", manage(404, 404),
              resource=foreign_import("draft")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/revisions", EVERYONE, resource=dataset("published")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/revisions", SEES_DRAFT, resource=dataset("draft")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/revisions/<int:number>/data.csv", EVERYONE,
              resource=lambda world, owner: {**dataset("published")(world, owner), "number": 1}),
    AccessRow("GET", f"{URL}/datasets/<string:name>/revisions/<int:number>/data.csv", SEES_DRAFT,
              resource=lambda world, owner: {**dataset("draft")(world, owner), "number": 1}),
    AccessRow("GET", f"{URL}/datasets/<string:name>/data", EVERYONE, resource=dataset("published"),
              query={"year": 2020}),
    AccessRow("GET", f"{URL}/datasets/<string:name>/data", SEES_DRAFT, resource=dataset("draft"), query={"year": 2020}),
    AccessRow("GET", f"{URL}/datasets/<string:name>/series", EVERYONE, resource=dataset("published"),
              query={"measure": "percent", "by": "region_code"}),
    AccessRow("GET", f"{URL}/datasets/<string:name>/series", SEES_DRAFT, resource=dataset("draft"),
              query={"measure": "percent", "by": "region_code"}),
    AccessRow("GET", f"{URL}/datasets/<string:name>/download.csv", EVERYONE, resource=dataset("published")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/download.csv", SEES_DRAFT, resource=dataset("draft")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/download.csv", SEES_WITHDRAWN, resource=dataset("withdrawn")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/download.json", EVERYONE, resource=dataset("published")),
    AccessRow("GET", f"{URL}/datasets/<string:name>/download.json", SEES_DRAFT, resource=dataset("draft")),
    # The CKAN Action API knows no log-in: a draft does not exist there, for anyone.
    AccessRow("GET", f"{CKAN}/<path:action>", EVERYONE, query=by_name,
              resource=lambda world, owner: {**dataset("published")(world, owner), "action": "package_show"}),
    AccessRow("GET", f"{CKAN}/<path:action>", dict.fromkeys(ACTORS, 404), query=by_name,
              resource=lambda world, owner: {**dataset("draft")(world, owner), "action": "package_show"}),
    AccessRow("POST", f"{CKAN}/<path:action>", EVERYONE, body=by_name,
              resource=lambda world, owner: {**dataset("published")(world, owner), "action": "package_show"}),
    AccessRow("POST", f"{CKAN}/<path:action>", dict.fromkeys(ACTORS, 404), body=by_name,
              resource=lambda world, owner: {**dataset("draft")(world, owner), "action": "package_show"}),
    AccessRow("GET", f"{CKAN_UNVERSIONED}/<path:action>", EVERYONE, query=by_name,
              resource=lambda world, owner: {**dataset("published")(world, owner), "action": "package_show"}),
    AccessRow("GET", f"{CKAN_UNVERSIONED}/<path:action>", dict.fromkeys(ACTORS, 404), query=by_name,
              resource=lambda world, owner: {**dataset("draft")(world, owner), "action": "package_show"}),
    AccessRow("POST", f"{CKAN_UNVERSIONED}/<path:action>", EVERYONE, body=by_name,
              resource=lambda world, owner: {**dataset("published")(world, owner), "action": "package_show"}),
    AccessRow("POST", f"{CKAN_UNVERSIONED}/<path:action>", dict.fromkeys(ACTORS, 404), body=by_name,
              resource=lambda world, owner: {**dataset("draft")(world, owner), "action": "package_show"}),
    # The console (core routes, SIKONDANG's values): the list for every officer (each sees what
    # they manage), a dataset's page and its forms for its OPD's officers and admins.
    AccessRow("GET", "/console/p/<slug>/<name>", console(200, 200), values={"slug": "sikondang", "name": "datasets"}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", console(200, 403), resource=page("published")),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", console(200, 404), resource=page("draft")),
    # The validation report of another OPD's upload, asked for on the own OPD's page: not found there.
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", console(404, 403), resource=page("published"),
              query=lambda world, values: {"import_id": dataset("published", opd="other")(world, "a")["import_id"]}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", console(404, 404), resource=page("draft"),
              query=lambda world, values: {"import_id": dataset("published", opd="other")(world, "a")["import_id"]}),
    # A successful form redirects back to the dataset's page (302).
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", console(302, 403),
              resource=page("published", "upload"), body=table),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", console(302, 404),
              resource=page("draft", "upload"), body=table),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", console(302, 404),
              resource=page("draft", "publish", fresh=True)),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", console(302, 403),
              resource=page("published", "withdraw", fresh=True)),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", console(302, 404),
              resource=page("draft", "withdraw", fresh=True)),
]


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
def matrix_world(make_app):
    """An app with the policy plugin (granting nobody yet) and the six actors; no rate limits."""
    policy = PolicyPlugin()
    world = access_world(make_app(extra_plugins=[("zzpolicy", policy)], RATELIMIT_ENABLED=False),
                         opd_own="DISKOMINFO", opd_other="DPUPR")
    world.policy = policy
    return world


def test_every_sikondang_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "sikondang"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(matrix_world):
    findings = run_access_matrix(matrix_world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)


def test_an_officer_of_no_opd_is_an_outsider_to_every_dataset(matrix_world):
    """An officer holds ``sikondang.manage`` by role; without an OPD they manage nothing."""
    world = matrix_world
    outsider = create_account(world.app, "officer")[0]
    with world.app.app_context():
        account(outsider).opd_code = None
        toolkit.db.session.commit()
    world.user_ids["officer_other"], world.headers["officer_other"] = outsider, bearer(world.app, outsider)
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)


def test_a_citizen_a_policy_grants_the_permission_is_an_outsider_too(matrix_world):
    """The permission from a policy plugin opens the API's doors, not another OPD's datasets (the
    console stays closed to a citizen, so only the API rows are played)."""
    world = matrix_world
    holder = create_account(world.app, "citizen")[0]
    world.policy.holder = holder
    world.user_ids["officer_other"], world.headers["officer_other"] = holder, bearer(world.app, holder)
    findings = run_access_matrix(world, [row for row in ACCESS_MATRIX if not row.rule.startswith("/console")])
    assert findings == [], "\n".join(findings)


def _names(answer) -> set[str]:
    assert answer.status_code == 200, answer.get_json()
    return {item["name"] for item in answer.get_json()["items"]}


def test_drafts_are_listed_only_for_the_officers_of_their_opd_and_admins(matrix_world):
    world = matrix_world
    own = {state: dataset(state)(world, "a")["name"] for state in ("published", "draft")}
    other = {state: dataset(state, opd="other")(world, "a")["name"] for state in ("published", "draft")}
    client = world.app.test_client()
    published = {own["published"], other["published"]}
    drafts = {"officer_own": {own["draft"]}, "officer_other": {other["draft"]}, "admin": {own["draft"], other["draft"]}}
    for actor in ACTORS:
        listed = _names(client.get(f"{DATASETS}?include_drafts=true&limit=100", headers=world.headers[actor]))
        assert listed == published | drafts.get(actor, set()), actor
        assert _names(client.get(f"{DATASETS}?limit=100", headers=world.headers[actor])) == published, actor
    # The console's list: the drafts the officer manages, never another OPD's.
    for actor, expected in drafts.items():
        shown = world.console(actor).get("/console/p/sikondang/datasets").get_data(as_text=True)
        assert all(name in shown for name in published | expected), actor
        assert not any(name in shown for name in {own["draft"], other["draft"]} - expected), actor


def test_other_opds_ids_and_names_reveal_nothing(matrix_world):
    world = matrix_world
    client, officer, admin = world.app.test_client(), world.headers["officer_own"], world.headers["admin"]
    own = dataset("published")(world, "a")["name"]
    other = {state: dataset(state, opd="other")(world, "a") for state in ("published", "draft")}
    # An officer cannot hand their dataset to another OPD, nor an admin to an unknown one.
    assert client.patch(f"{DATASETS}/{own}", json={"opd": world.opd_other}, headers=officer).status_code == 403
    assert client.patch(f"{DATASETS}/{own}", json={"opd": "TIDAKADA"}, headers=admin).status_code == 422
    # Nor take another OPD's dataset for their own (published: not theirs; a draft: not there).
    for state, status in (("published", 403), ("draft", 404)):
        taken = client.patch(f"{DATASETS}/{other[state]['name']}", json={"opd": world.opd_own}, headers=officer)
        assert taken.status_code == status, state
    # The revisions list names the uploader only to the dataset's OPD (and admins).
    url = f"{DATASETS}/{other['published']['name']}/revisions"
    outside = client.get(url, headers=officer).get_json()["items"][0]
    inside = client.get(url, headers=world.headers["officer_other"]).get_json()["items"][0]
    assert outside["created_by"] is None and inside["created_by"] == world.user_ids["admin"]
    # The CKAN API never shows a draft, whoever asks, however it is named.
    published = sorted([own, other["published"]["name"]])
    for actor in ("admin", "officer_own", "officer_other"):
        found = client.get(f"{CKAN}/package_search?q=*:*&rows=100", headers=world.headers[actor]).get_json()
        assert sorted(p["name"] for p in found["result"]["results"]) == published, actor
    listed = client.get(f"{CKAN}/package_list").get_json()["result"]
    assert listed == published
    assert other["draft"]["name"] not in json.dumps(listed)
    # ...and says so in CKAN's own envelope, on every path and method a harvester may use.
    for root in (CKAN, CKAN_UNVERSIONED):
        for actor in ("anonymous", "admin"):
            name, headers = other["draft"]["name"], world.headers[actor]
            for hidden in (client.get(f"{root}/package_show?id={name}", headers=headers),
                           client.post(f"{root}/package_show", json={"id": name}, headers=headers)):
                assert hidden.status_code == 404 and hidden.get_json()["success"] is False, (root, actor)

