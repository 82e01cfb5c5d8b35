"""Every form of the console needs its CSRF token: core forms and every installed plugin's actions.

The forms are found from the app's URL map (a plugin page's actions from its registered pages), so a
form added tomorrow is checked here without a word written for it. Each is posted by a logged-in
admin, and by an officer of the plugin's OPD where the page is an officer's, three ways: without the
token, with a made-up one, and with the token of another console session. Each post must be the
console's CSRF refusal (400), the form's view must not have run, and nothing may have changed: not
a row of any table (the audit log, accounts, sessions, the plugin's own), not the log-in or the
language of the session. Posted with its own token, the same form reaches its view: the refusal
is the token's doing, not the values'.
"""
from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from throwaway import SERVICE, throwaway_services

from ragem.auth.guards import can
from ragem.auth.models import User
from ragem.extensions import db
from ragem.jobs.models import FailedJob
from ragem.testing import bearer, console_csrf_token, create_account

#: The console's refusal of a form without a valid token (``console.texts``: "csrf_refused").
REFUSAL_TEXT = "Formulir kedaluwarsa atau tidak sah"
#: The endpoints that serve every plugin page's actions (expanded into one form per action).
PLUGIN_ACTION_ENDPOINTS = {"console.plugin_action", "console.plugin_detail_action"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
#: A placeholder per converter, for path values no real record is needed for (the token is checked
#: before anything is looked up).
PLACEHOLDERS = {"int": "1", "uuid": "00000000-0000-4000-8000-000000000000"}
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


@dataclass(frozen=True)
class Form:
    """One console form: where it posts, the view that answers it, and who may use it."""

    method: str
    url: str
    endpoint: str
    officer_opd: str | None  # an officer of this OPD may use it too (None: admins only, or nobody's page)
    label: str


def fill(rule: str, real: dict[str, str] | None = None) -> str:
    """``rule`` with every ``<converter:name>`` filled: a real value when ``real`` has one, else a
    placeholder for its converter (the token is checked before any record is looked up)."""
    def value(match) -> str:
        converter, name = match.group(1) or "string", match.group(2)
        return (real or {}).get(name) or PLACEHOLDERS.get(converter, "x")

    return ARGUMENT.sub(value, rule)


def _core_values(world: dict) -> dict[str, str]:
    """Real records for the core forms' path values, so that a form that slipped through would act."""
    return {"slug": SERVICE, "user_id": world["citizen"], "role": "officer", "job_id": str(world["job"]),
            "client_id": world["sso_client"]}


def console_forms(app, world: dict) -> list[Form]:
    """Every form the console serves: each non-GET method of each console rule, the plugin action
    rules once per registered page action."""
    forms = []
    real = _core_values(world)
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console."):
            continue
        for method in sorted(rule.methods - SAFE_METHODS):
            if rule.endpoint in PLUGIN_ACTION_ENDPOINTS:
                forms += _plugin_forms(app, rule.endpoint, method)
                continue
            url = fill(rule.rule, real)
            # Log-in, log-out and language are every staff member's; the other core forms are admins'.
            everyone = rule.endpoint in ("console.login", "console.logout", "console.set_language")
            forms.append(Form(method, url, rule.endpoint, "DPUPR" if everyone else None, f"{method} {rule.rule}"))
    return forms


def _plugin_forms(app, endpoint: str, method: str) -> list[Form]:
    """One form per action of each plugin page the endpoint serves (pages with a path value, or without)."""
    forms = []
    with_path = endpoint == "console.plugin_detail_action"
    registry = app.extensions["ragem.plugins"]
    for (slug, name), page in sorted(app.extensions["ragem.console_pages"].items()):
        plugin = page.plugin_page
        if (plugin.path is not None) != with_path:
            continue
        base = f"/console/p/{slug}/{name}"
        if with_path:
            base += fill("/" + plugin.path.strip("/"))
        opd = next(record.info.opd for record in registry.records.values() if record.slug == slug)
        for action in plugin.actions:
            forms.append(Form(method, f"{base}/act/{action.name}", endpoint, opd, f"{slug}/{name}/{action.name}"))
    return forms


def database_rows(app) -> dict[str, list[str]]:
    """Every row of every table, as text, table by table: what "nothing changed" is checked against."""
    with app.app_context():
        db.session.remove()
        return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
                for table in db.metadata.sorted_tables}


def changed_tables(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ."""
    return [name for name in before if before[name] != after.get(name)]


def logged_in_client(app, user_id: str):
    """A console client logged in through the form as ``user_id`` (password of ``create_account``)."""
    client = app.test_client()
    with app.app_context():
        phone = db.session.get(User, user_id).phone
    token = console_csrf_token(client)
    answer = client.post("/console/login", data={"identifier": phone, "password": "Rahasia-Kuat-123",
                                                   "csrf_token": token})
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    return client


def session_state(client) -> tuple[int, str]:
    """What the browser's session holds, seen from a page: logged in or not, and the page language."""
    page = client.get("/console/")
    text = page.get_data(as_text=True)
    return page.status_code, text[text.find("<html"):text.find(">", text.find("<html")) + 1]


@pytest.fixture
def console_world(make_app):
    """An app with every installed plugin and the throwaway services, an admin, officers of each
    plugin's OPD, and real records for the core forms to act on (a citizen, a failed job, an SSO system)."""
    app = make_app(extra_plugins=throwaway_services(), RATELIMIT_ENABLED=False)
    admin = create_account(app, "admin")[0]
    citizen = create_account(app, "citizen")[0]
    with app.app_context():
        job = FailedJob(name="csrf.test", args="()", error="boom", attempts=1)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    registered = app.test_client().post("/api/v1/admin/sso-clients", headers=bearer(app, admin), json={
        "name": "Sistem uji CSRF", "opd": "DISKOMINFO", "redirect_uris": ["https://opd.example.go.id/callback"],
        "allowed_scopes": ["openid", "profile"]})
    assert registered.status_code == 201, registered.get_json()
    return app, {"admin": admin, "citizen": citizen, "job": job_id,
                 "sso_client": registered.get_json()["client_id"], "officers": {}}


def _officer(app, world: dict, opd: str) -> str:
    if opd not in world["officers"]:
        world["officers"][opd] = create_account(app, "officer", opd=opd)[0]
    return world["officers"][opd]


def _callers(app, world: dict, form: Form) -> list[tuple[str, str]]:
    """``(who, user id)`` of the staff who may use ``form``: the admin, and an officer of the page's OPD
    when an officer may open the page at all."""
    callers = [("admin", world["admin"])]
    if form.officer_opd is None:
        return callers
    officer = _officer(app, world, form.officer_opd)
    if form.endpoint in PLUGIN_ACTION_ENDPOINTS:
        slug, name = form.url.split("/")[3:5]
        with app.test_request_context():
            page = app.extensions["ragem.console_pages"][(slug, name)]
            account = db.session.get(User, officer)
            action = next(a for a in page.plugin_page.actions if a.name == form.url.rsplit("/", 1)[1])
            needed = action.permission or page.permission
            if needed and not can(account, needed):
                return callers
    return [*callers, ("officer", officer)]


def _spy(app, endpoint: str) -> list:
    """Record every call of the view serving ``endpoint`` (it still runs)."""
    calls: list = []
    original = app.view_functions[endpoint]

    @functools.wraps(original)  # keeps what decorators marked on the view (the media types it accepts)
    def spied(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    app.view_functions[endpoint] = spied
    return calls


def test_every_console_form_is_found(console_world):
    """The forms this repository serves today are all in the list (a new one is added by itself)."""
    app, world = console_world
    labels = {form.label for form in console_forms(app, world)}
    assert {"POST /console/login", "POST /console/logout", "POST /console/language",
            "POST /console/services/<slug>", "POST /console/accounts/<user_id>/suspend",
            "POST /console/sso-clients", "POST /console/jobs/<int:job_id>/retry"} <= labels
    installed = {slug for slug, _name in app.extensions["ragem.console_pages"]}
    for slug, page, action in (("rabeg", "complaint", "note"), ("sikondang", "dataset", "publish"),
                               ("darurat112", "alerts", "issue"), ("gelati", "shop", "verify"),
                               ("wifi", "suspensions", "suspend")):
        if slug in installed:
            assert f"{slug}/{page}/{action}" in labels


def test_no_console_form_takes_a_post_without_its_own_sessions_token(console_world):
    app, world = console_world
    forms = console_forms(app, world)
    spies = {endpoint: _spy(app, endpoint) for endpoint in {form.endpoint for form in forms}}
    stranger = logged_in_client(app, create_account(app, "admin")[0])
    foreign_token = console_csrf_token(stranger, "/console/")
    problems = []
    for form in forms:
        for who, user_id in _callers(app, world, form):
            client = logged_in_client(app, user_id)
            own_token = console_csrf_token(client, "/console/")
            assert own_token != foreign_token
            fields = {"reason": "uji tanpa token", "enabled": "0", "lang": "en", "role": "officer",
                      "opd": "DPUPR", "identifier": "x", "password": "y"}
            state, rows = session_state(client), database_rows(app)
            for kind, token in (("no token", None), ("a made-up token", "bukan-token-" + uuid.uuid4().hex),
                                ("another session's token", foreign_token)):
                data = dict(fields) if token is None else {**fields, "csrf_token": token}
                spies[form.endpoint].clear()
                answer = client.open(form.url, method=form.method, data=data)
                where = f"{form.label} as {who} with {kind}"
                if answer.status_code != 400 or REFUSAL_TEXT not in answer.get_data(as_text=True):
                    problems.append(f"{where}: {answer.status_code}, not the CSRF refusal")
                if spies[form.endpoint]:
                    problems.append(f"{where}: the form's view ran")
            after = database_rows(app)
            if changed_tables(rows, after):
                problems.append(f"{form.label} as {who}: refused posts changed {changed_tables(rows, after)}")
            if session_state(client) != state:
                problems.append(f"{form.label} as {who}: refused posts changed the session")
            # With its own token the same post reaches the form's view: the token alone was refused.
            spies[form.endpoint].clear()
            answer = client.open(form.url, method=form.method, data={**fields, "csrf_token": own_token})
            if answer.status_code == 400 and REFUSAL_TEXT in answer.get_data(as_text=True):
                problems.append(f"{form.label} as {who}: refused even with its own token")
            elif not spies[form.endpoint]:
                problems.append(f"{form.label} as {who}: with its own token the view did not run "
                                f"({answer.status_code})")
    assert problems == [], "\n".join(problems)
