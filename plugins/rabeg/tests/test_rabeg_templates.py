"""Response templates: seeded once, filtered by category and state, kept by admins only."""
from sqlalchemy import func, select

from plugins.rabeg.models import ResponseTemplate
from plugins.rabeg.services.templates import TEMPLATES, ensure_templates

URL = "/api/v1/rabeg/response-templates"


def test_seeded_templates_are_filtered_by_category_and_state(client, login_as):
    officer = login_as("officer", opd="DPUPR")
    everything = client.get(URL, headers=officer).get_json()["items"]
    assert len(everything) == len(TEMPLATES)
    road_done = client.get(f"{URL}?category=JALAN_RUSAK&state=resolved", headers=officer).get_json()["items"]
    # The road's own template plus those for any category with state resolved or any state.
    assert {(t["category"], t["state"]) for t in road_done} == {("JALAN_RUSAK", "resolved"), (None, "resolved"),
                                                               (None, None)}
    assert all(t["body_id"] and t["body_en"] for t in road_done)


def test_seeding_is_idempotent_and_spares_changed_templates(client, login_as, db_session):
    admin = login_as("admin")
    first = client.get(URL, headers=admin).get_json()["items"]
    changed = client.patch(f"{URL}/{first[0]['id']}", json={"body_en": "Edited by Diskominfo."}, headers=admin)
    assert changed.status_code == 200 and changed.get_json()["body_en"] == "Edited by Diskominfo."
    assert ensure_templates(db_session) == 0
    db_session.commit()
    assert db_session.scalar(select(func.count()).select_from(ResponseTemplate)) == len(TEMPLATES)
    again = client.get(URL, headers=admin).get_json()["items"]
    assert next(t for t in again if t["id"] == first[0]["id"])["body_en"] == "Edited by Diskominfo."


def test_admins_create_change_and_withdraw_templates(client, login_as):
    admin, officer = login_as("admin"), login_as("officer", opd="DLH")
    created = client.post(URL, json={"category": "SAMPAH", "state": "in_progress", "title": "Truk dijadwalkan",
                                     "body_id": "Truk sampah dijadwalkan besok.", "body_en": "A truck comes tomorrow."},
                          headers=admin)
    assert created.status_code == 201, created.get_json()
    template = created.get_json()
    assert template["category"] == "SAMPAH" and template["active"] is True
    listed = client.get(f"{URL}?category=SAMPAH&state=in_progress", headers=officer).get_json()["items"]
    assert template["id"] in [t["id"] for t in listed]
    moved = client.patch(f"{URL}/{template['id']}", json={"category": None, "state": None}, headers=admin)
    assert moved.get_json()["category"] is None and moved.get_json()["state"] is None
    gone = client.delete(f"{URL}/{template['id']}", headers=admin)
    assert gone.status_code == 200 and gone.get_json()["active"] is False
    assert template["id"] not in [t["id"] for t in client.get(URL, headers=officer).get_json()["items"]]
    withdrawn = client.get(f"{URL}?include_inactive=true", headers=admin).get_json()["items"]
    assert template["id"] in [t["id"] for t in withdrawn]
    # Officers never see withdrawn ones, even when they ask.
    assert template["id"] not in [t["id"] for t in
                                  client.get(f"{URL}?include_inactive=true", headers=officer).get_json()["items"]]
    audit = client.get(f"/api/v1/admin/audit?target_type=rabeg_response_template&target_id={template['id']}",
                       headers=admin).get_json()["items"]
    assert {e["action"] for e in audit} == {"rabeg.template.create", "rabeg.template.update"}


def test_a_withdrawn_template_cannot_be_used(client, login_as):
    admin, officer, citizen = login_as("admin"), login_as("officer", opd="DPUPR"), login_as("citizen")
    template = client.get(URL, headers=admin).get_json()["items"][0]
    client.delete(f"{URL}/{template['id']}", headers=admin)
    cid = client.post("/api/v1/rabeg/complaints", json={"category": "JALAN_RUSAK", "kelurahan": "36.73.01.1001",
                                                         "description": "Jalan berlubang besar di depan pasar."},
                      headers=citizen).get_json()["id"]
    used = client.post(f"/api/v1/rabeg/complaints/{cid}/responses", json={"template_id": template["id"]},
                       headers=officer)
    assert used.status_code == 422 and used.get_json()["error"]["details"]["template_id"] == template["id"]


def test_only_admins_manage_and_only_staff_read(client, login_as):
    officer, citizen, admin = login_as("officer", opd="DPUPR"), login_as("citizen"), login_as("admin")
    new = {"title": "Judul", "body_id": "Isi", "body_en": "Body"}
    assert client.post(URL, json=new, headers=officer).status_code == 403
    assert client.get(URL, headers=citizen).status_code == 403
    assert client.get(URL).status_code == 401
    template_id = client.get(URL, headers=admin).get_json()["items"][0]["id"]
    assert client.patch(f"{URL}/{template_id}", json={"title": "x"}, headers=officer).status_code == 403
    assert client.delete(f"{URL}/{template_id}", headers=officer).status_code == 403


def test_bad_template_input_is_refused(client, login_as, db_session):
    admin = login_as("admin")
    client.get(URL, headers=admin)
    count = db_session.scalar(select(func.count()).select_from(ResponseTemplate))
    for body in ({"title": "T", "body_id": "I"}, {"title": " ", "body_id": "I", "body_en": "E"},
                 {"title": "T", "body_id": "I", "body_en": "E", "state": "flying"},
                 {"title": "T", "body_id": "I", "body_en": "E", "category": "NOPE"},
                 {"title": "T", "body_id": "I", "body_en": "E", "colour": "red"}):
        response = client.post(URL, json=body, headers=admin)
        assert response.status_code == 422, body
    assert client.get(f"{URL}?state=flying", headers=admin).status_code == 422
    assert client.get(f"{URL}?category=NOPE", headers=admin).status_code == 422
    assert client.patch(f"{URL}/999999", json={"title": "x"}, headers=admin).status_code == 404
    assert client.delete(f"{URL}/99999999999", headers=admin).status_code == 404
    assert db_session.scalar(select(func.count()).select_from(ResponseTemplate)) == count
