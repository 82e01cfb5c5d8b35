"""RABEG's rows of the authorisation matrix: every RABEG route, as each of the six actors, on a
complaint of citizen A, of citizen B and of nobody (recorded at the front desk for a walk-in
citizen without an account). Complaints go to DPUPR (the category JALAN_RUSAK), the OPD of the
"own" officer; the "other" officer is of DLH. The core's coverage test reads the rows of this file.
"""
from __future__ import annotations

import io
import uuid

from PIL import Image

from ragem.testing import (ALLOWED, LOGIN, AccessRow, access_world, bearer, create_account, matrix_gaps, plugin_routes,
                           run_access_matrix)

URL = "/api/v1/rabeg"
FIELDS = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.", "kelurahan": "36.73.01.1001"}
WALK_IN = {**FIELDS, "channel": "in_person", "complainant_name": "Ibu Siti Aminah"}

ACTORS = ("anonymous", "citizen_a", "citizen_b", "officer_own", "officer_other", "admin")
PUBLIC = dict.fromkeys(ACTORS, ALLOWED)
LOGGED_IN = {**PUBLIC, "anonymous": 401}
HANDLERS = {**LOGGED_IN, "citizen_a": 403, "citizen_b": 403}
ADMIN_ONLY = {**HANDLERS, "officer_own": 403, "officer_other": 403}
#: A staff act on A's complaint: its OPD's officers and admins; another OPD's officer learns nothing (404).
STAFF_ON_COMPLAINT = {**HANDLERS, "officer_other": 404}
#: The reporter's own act: anyone else gets the answer of a complaint that does not exist.
REPORTER_ONLY = {**dict.fromkeys(ACTORS, 404), "anonymous": 401, "citizen_a": ALLOWED}
#: The reporter's own choice: those who see the complaint are told only its reporter makes it (403).
REPORTER_ANSWERS_ONLY = {**REPORTER_ONLY, "officer_own": 403, "admin": 403}
#: Seeing the complaint: the reporter, its OPD's officers, admins.
SEES_COMPLAINT = {**REPORTER_ONLY, "officer_own": ALLOWED, "admin": ALLOWED}


def complaint(world, owner):
    """A complaint of citizen ``owner``, or (nobody) one the own OPD's officer recorded for a walk-in."""
    client = world.app.test_client()
    if owner == "nobody":
        answer = client.post(f"{URL}/complaints/assisted", json=WALK_IN, headers=world.headers["officer_own"])
    else:
        answer = client.post(f"{URL}/complaints", json=FIELDS, headers=world.headers[f"citizen_{owner}"])
    assert answer.status_code == 201, answer.get_json()
    return {"complaint_id": answer.get_json()["id"]}


def template(world, owner):
    """A response template (the admin's)."""
    answer = world.app.test_client().post(f"{URL}/response-templates", headers=world.headers["admin"], json={
        "title": f"Uji {uuid.uuid4().hex[:6]}", "body_id": "Laporan Anda kami tindak lanjuti.",
        "body_en": "We are following up your report."})
    assert answer.status_code == 201, answer.get_json()
    return {"template_id": answer.get_json()["id"]}


def api_key(world, owner):
    """An Open311 API key (the admin's)."""
    answer = world.app.test_client().post(f"{URL}/api-keys", headers=world.headers["admin"],
                                          json={"name": f"Uji {uuid.uuid4().hex[:6]}"})
    assert answer.status_code == 201, answer.get_json()
    return {"key_id": answer.get_json()["id"]}


def open311_request(world, owner):
    """The Open311 id of a complaint of ``owner``."""
    return {"service_request_id": complaint(world, owner)["complaint_id"], "fmt": "json"}


def complaint_page(action: str | None = None):
    """A resource factory: the console page of a complaint of ``owner`` (and one of its actions)."""

    def make(world, owner):
        values = {"slug": "rabeg", "name": "complaint", "tail": str(complaint(world, owner)["complaint_id"])}
        return {**values, "action": action} if action else values

    return make


def photo(world, owner):
    """A photo ``owner`` uploaded, not yet attached (for nobody: a third citizen's)."""
    headers = (world.headers[f"citizen_{owner}"] if owner != "nobody"
               else bearer(world.app, create_account(world.app, "citizen")[0]))
    picture = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 120, 0)).save(picture, "PNG")
    answer = world.app.test_client().post(f"{URL}/photos", data={"file": (io.BytesIO(picture.getvalue()), "foto.png")},
                                          headers=headers, content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    return {"photo_id": answer.get_json()["id"]}


def other_opds_original(world, owner):
    """A complaint of ``owner`` (DPUPR's) and, as the original it would duplicate, one of DLH's."""
    other = world.app.test_client().post(f"{URL}/complaints", json={**FIELDS, "category": "SAMPAH"},
                                         headers=bearer(world.app, create_account(world.app, "citizen")[0]))
    assert other.status_code == 201, other.get_json()
    return {**complaint(world, owner), "original_id": other.get_json()["id"]}


def duplicate_of(world, values) -> dict:
    """The duplicate form naming the resource's original."""
    return {"original_id": values["original_id"]}


def duplicate_page(values: dict) -> dict:
    """The duplicate form of the page of ``values``' complaint."""
    return {**values, "slug": "rabeg", "name": "complaint", "tail": str(values["complaint_id"]), "action": "duplicate"}


#: The console: staff of the complaint's OPD and admins; another OPD's officer learns nothing (404).
CONSOLE_ON_COMPLAINT = {"anonymous": LOGIN, "citizen_a": LOGIN, "citizen_b": LOGIN, "officer_own": ALLOWED,
                        "officer_other": 404, "admin": ALLOWED}

ACCESS_MATRIX = [
    AccessRow("GET", f"{URL}/health", PUBLIC),
    AccessRow("GET", f"{URL}/categories", PUBLIC),
    AccessRow("POST", f"{URL}/categories", ADMIN_ONLY, body={}),
    AccessRow("PATCH", f"{URL}/categories/<string:code>", ADMIN_ONLY, values={"code": "JALAN_RUSAK"}, body={}),
    AccessRow("GET", f"{URL}/public/complaints", PUBLIC),
    AccessRow("GET", f"{URL}/public/map", PUBLIC),
    AccessRow("POST", f"{URL}/photos", LOGGED_IN, body={}),
    AccessRow("POST", f"{URL}/complaints", LOGGED_IN, body={}),
    # A photo is attached only by whoever uploaded it: another's photo id is refused (422), nothing filed.
    AccessRow("POST", f"{URL}/complaints", {**dict.fromkeys(ACTORS, 422), "anonymous": 401, "citizen_a": 201},
              resource=photo, body=lambda world, values: {**FIELDS, "photos": [values["photo_id"]]}),
    AccessRow("POST", f"{URL}/complaints/assisted", HANDLERS, body={}),
    AccessRow("GET", f"{URL}/complaints/mine", LOGGED_IN),
    AccessRow("GET", f"{URL}/complaints/nearby", LOGGED_IN),
    # The queue's default scope is the caller's OPD: an admin of no OPD asks for ?scope=all.
    AccessRow("GET", f"{URL}/complaints", {**HANDLERS, "admin": 403}),
    AccessRow("GET", f"{URL}/kpis", HANDLERS),
    AccessRow("GET", f"{URL}/complaints/<int:complaint_id>", SEES_COMPLAINT, resource=complaint),
    AccessRow("PUT", f"{URL}/complaints/<int:complaint_id>/privacy", REPORTER_ANSWERS_ONLY, resource=complaint,
              body={"private": True}),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/confirmation", REPORTER_ANSWERS_ONLY, resource=complaint,
              body={"fixed": True, "rating": 5}),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/support", LOGGED_IN, resource=complaint),
    AccessRow("DELETE", f"{URL}/complaints/<int:complaint_id>/support", LOGGED_IN, resource=complaint),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/transitions", STAFF_ON_COMPLAINT, resource=complaint,
              body={"to": "in_progress"}),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/responses", STAFF_ON_COMPLAINT, resource=complaint,
              body={"public_message": "Tim kami ke lokasi besok."}),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/notes", STAFF_ON_COMPLAINT, resource=complaint,
              body={"internal_note": "cek anggaran"}),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/moderation", STAFF_ON_COMPLAINT, resource=complaint,
              body={"description": "Teks publik yang lebih sopan.", "reason": "kata kasar"}),
    # Rerouting is Diskominfo's (admins'): the owning OPD's officer is refused outright.
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/reroute", {**STAFF_ON_COMPLAINT, "officer_own": 403},
              resource=complaint,
              body={"opd": "DISPERKIM", "reason": "salah OPD"}),
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/duplicate", STAFF_ON_COMPLAINT, resource=complaint,
              body={"original_id": 1}),
    # The original named in the body belongs to another OPD: its officer is told it is unknown (422,
    # the answer for an id that does not exist); an admin sees every OPD's.
    AccessRow("POST", f"{URL}/complaints/<int:complaint_id>/duplicate", {**STAFF_ON_COMPLAINT, "officer_own": 422},
              resource=other_opds_original, body=duplicate_of),
    AccessRow("DELETE", f"{URL}/complaints/<int:complaint_id>/complainant", STAFF_ON_COMPLAINT, resource=complaint,
              body={"reason": "permintaan warga"}),
    AccessRow("GET", f"{URL}/response-templates", HANDLERS),
    AccessRow("POST", f"{URL}/response-templates", ADMIN_ONLY, body={}),
    AccessRow("PATCH", f"{URL}/response-templates/<int:template_id>", ADMIN_ONLY, resource=template, body={}),
    AccessRow("DELETE", f"{URL}/response-templates/<int:template_id>", ADMIN_ONLY, resource=template),
    AccessRow("GET", f"{URL}/api-keys", ADMIN_ONLY),
    AccessRow("POST", f"{URL}/api-keys", ADMIN_ONLY, body={}),
    AccessRow("DELETE", f"{URL}/api-keys/<int:key_id>", ADMIN_ONLY, resource=api_key),
    # The console's pages and forms (core routes, RABEG's values); forms also go without their CSRF token.
    AccessRow("GET", "/console/p/<slug>/<name>", {**CONSOLE_ON_COMPLAINT, "officer_other": ALLOWED},
              values={"slug": "rabeg", "name": "queue"}),
    AccessRow("GET", "/console/p/<slug>/<name>/<path:tail>", CONSOLE_ON_COMPLAINT, resource=complaint_page()),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_ON_COMPLAINT,
              resource=complaint_page("note"), body={"internal_note": "cek anggaran"}),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_ON_COMPLAINT,
              resource=complaint_page("respond"), body={"public_message": "Tim kami ke lokasi besok."}),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_ON_COMPLAINT,
              resource=complaint_page("transition"), body={"to": "in_progress"}),
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", CONSOLE_ON_COMPLAINT,
              resource=complaint_page("moderate"), body={"description": "Teks publik yang lebih sopan.",
                                                         "reason": "kata kasar"}),
    # The duplicate form naming another OPD's complaint: unknown to this OPD's officer (422 on the page).
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>", {**CONSOLE_ON_COMPLAINT, "officer_own": 422},
              resource=lambda world, owner: duplicate_page(other_opds_original(world, owner)),
              body=duplicate_of),
    AccessRow("GET", "/console/p/<slug>/<name>", {**CONSOLE_ON_COMPLAINT, "officer_other": ALLOWED},
              values={"slug": "rabeg", "name": "assist"}),
    # Rerouting is admins': any officer is refused before the complaint is looked up (403 for any id).
    AccessRow("POST", "/console/p/<slug>/<name>/<path:tail>/act/<action>",
              {**CONSOLE_ON_COMPLAINT, "officer_own": 403, "officer_other": 403},
              resource=complaint_page("reroute"), body={"opd": "DISPERKIM", "reason": "salah OPD"}),
    # Open311 GeoReport v2: public reads; a post needs an API key, not a log-in.
    AccessRow("GET", "/open311/v2/discovery.<fmt>", PUBLIC, values={"fmt": "json"}),
    AccessRow("GET", "/open311/v2/services.<fmt>", PUBLIC, values={"fmt": "json"}),
    AccessRow("GET", "/open311/v2/services/<service_code>.<fmt>", PUBLIC, values={"service_code": "JALAN_RUSAK", "fmt": "json"}),
    AccessRow("GET", "/open311/v2/requests.<fmt>", PUBLIC, values={"fmt": "json"}),
    AccessRow("POST", "/open311/v2/requests.<fmt>", dict.fromkeys(ACTORS, 403), values={"fmt": "json"}),
    # A complaint not yet published is unknown to Open311, whoever asks (a log-in changes nothing).
    AccessRow("GET", "/open311/v2/requests/<service_request_id>.<fmt>", dict.fromkeys(ACTORS, 404),
              resource=open311_request),
    AccessRow("GET", "/open311/v2/tokens/<token>.<fmt>", dict.fromkeys(ACTORS, 404), values={"token": "nope", "fmt": "json"}),
    AccessRow("GET", "/open311/v2/<path:rest>", dict.fromkeys(ACTORS, 404), values={"rest": "nothing.json"}),
    AccessRow("POST", "/open311/v2/<path:rest>", dict.fromkeys(ACTORS, 404), values={"rest": "nothing.json"}),
]


def test_every_rabeg_route_has_a_row(app):
    missing, stale = matrix_gaps(app, ACCESS_MATRIX, plugin_routes(app, "rabeg"))
    assert (missing, stale) == (set(), set())


def test_every_actor_gets_what_the_rows_state(make_app):
    world = access_world(make_app(RATELIMIT_ENABLED=False), opd_own="DPUPR", opd_other="DLH")
    findings = run_access_matrix(world, ACCESS_MATRIX)
    assert findings == [], "\n".join(findings)
