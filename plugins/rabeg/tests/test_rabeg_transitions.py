"""Officers move complaints along; refused changes are 409; only the assigned OPD and admins may act."""
import pytest
from sqlalchemy import update

from plugins.rabeg.models import STATES, Complaint

URL = "/api/v1/rabeg/complaints"

# Every state change an officer may ask for; anything else is refused with 409.
ALLOWED = {
    ("assigned", "in_progress"), ("assigned", "resolved"), ("assigned", "rejected"),
    ("in_progress", "resolved"), ("in_progress", "rejected"),
    ("reopened", "in_progress"), ("reopened", "resolved"), ("reopened", "rejected"),
}
TABLE = [(before, to, (before, to) in ALLOWED) for before in STATES for to in STATES]


def file(client, headers, **extra):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001", **extra}
    return client.post(URL, json=data, headers=headers).get_json()["id"]


def move(client, cid, headers, to, **extra):
    return client.post(f"{URL}/{cid}/transitions", json={"to": to, **extra}, headers=headers)


def complaint_in(state, client, login_as, db_session):
    """A DPUPR complaint brought to ``state`` through the API (``submitted`` only exists for a moment: set directly)."""
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file(client, reporter)
    if state in ("in_progress",):
        assert move(client, cid, officer, "in_progress").status_code == 200
    if state in ("resolved", "closed", "reopened"):
        assert move(client, cid, officer, "resolved").status_code == 200
    if state in ("closed", "reopened"):
        verdict = {"fixed": state == "closed", "rating": 3}
        assert client.post(f"{URL}/{cid}/confirmation", json=verdict, headers=reporter).status_code == 200
    if state == "rejected":
        assert move(client, cid, officer, "rejected", reason="invalid").status_code == 200
    if state == "submitted":
        db_session.execute(update(Complaint).where(Complaint.id == cid).values(state="submitted"))
        db_session.commit()
    return cid, reporter, officer


@pytest.mark.parametrize("before,to,allowed", TABLE, ids=[f"{b}->{t}" for b, t, _ in TABLE])
def test_every_officer_transition(before, to, allowed, client, login_as, db_session):
    cid, _reporter, officer = complaint_in(before, client, login_as, db_session)
    response = move(client, cid, officer, to, reason="invalid" if to == "rejected" else None)
    if allowed:
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["state"] == to
        assert body["timeline"][-1]["from_state"] == before and body["timeline"][-1]["to_state"] == to
    else:
        assert response.status_code == 409, response.get_json()
        assert response.get_json()["error"]["details"] == {"from": before, "to": to}
        assert client.get(f"{URL}/{cid}", headers=officer).get_json()["state"] == before


def test_assigned_to_in_progress_to_resolved(client, login_as):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file(client, reporter)
    step = move(client, cid, officer, "in_progress", internal_note="tim berangkat")
    assert step.status_code == 200 and step.get_json()["state"] == "in_progress"
    assert step.get_json()["first_responded_at"]
    done = move(client, cid, officer, "resolved", public_message="Sudah ditambal.")
    assert done.status_code == 200 and done.get_json()["resolved_at"]
    # The first response is the first officer action: a later one does not move it.
    assert done.get_json()["first_responded_at"] == step.get_json()["first_responded_at"]
    seen = client.get(f"{URL}/{cid}", headers=reporter).get_json()
    assert [e["to_state"] for e in seen["timeline"]] == ["submitted", "assigned", "in_progress", "resolved"]
    assert [e["kind"] for e in seen["timeline"]][-2:] == ["transition", "transition"]
    assert seen["timeline"][-1]["public_message"] == "Sudah ditambal."
    assert all("internal_note" not in e for e in seen["timeline"])
    notes = client.get("/api/v1/me/notifications", headers=reporter).get_json()["items"]
    kinds = [n["kind"] for n in notes]
    assert "rabeg.complaint.resolved" in kinds and "rabeg.complaint.in_progress" in kinds
    assert "tim berangkat" not in str(notes)


def test_a_transition_is_audited(client, login_as):
    officer, admin = login_as("officer", opd="DPUPR"), login_as("admin")
    cid = file(client, login_as("citizen"))
    move(client, cid, officer, "rejected", reason="not_our_responsibility")
    audit = client.get(f"/api/v1/admin/audit?action=rabeg.complaint.transition&target_id={cid}", headers=admin)
    entries = audit.get_json()["items"]
    assert len(entries) == 1 and entries[0]["after"]["state"] == "rejected"
    assert entries[0]["before"] == {"state": "assigned"} and entries[0]["actor_role"] == "officer"


def test_rejection_needs_a_reason_and_duplicate_is_its_own_action(client, login_as):
    officer = login_as("officer", opd="DPUPR")
    cid = file(client, login_as("citizen"))
    assert move(client, cid, officer, "rejected").status_code == 422
    # "duplicate" is only set by POST /duplicate, which records the original.
    assert move(client, cid, officer, "rejected", reason="duplicate").status_code == 422
    assert client.get(f"{URL}/{cid}", headers=officer).get_json()["state"] == "assigned"
    ok = move(client, cid, officer, "rejected", reason="not_our_responsibility")
    assert ok.status_code == 200 and ok.get_json()["state"] == "rejected"
    assert "reason: not_our_responsibility" in ok.get_json()["timeline"][-1]["internal_note"]


def test_a_transition_can_use_a_template(client, login_as):
    officer = login_as("officer", opd="DPUPR")
    cid = file(client, login_as("citizen"))
    templates = client.get("/api/v1/rabeg/response-templates?category=JALAN_RUSAK&state=resolved",
                           headers=officer).get_json()["items"]
    road = next(t for t in templates if t["category"] == "JALAN_RUSAK")
    done = move(client, cid, officer, "resolved", template_id=road["id"])
    assert done.status_code == 200 and done.get_json()["timeline"][-1]["public_message"] == road["body_id"]
    # A template for another target state does not fit.
    other = file(client, login_as("citizen"))
    assert move(client, other, officer, "in_progress", template_id=road["id"]).status_code == 422


def test_only_the_assigned_opd_or_an_admin_may_act(client, login_as):
    reporter = login_as("citizen")
    cid = file(client, reporter)
    assert move(client, cid, reporter, "in_progress").status_code == 403
    assert move(client, cid, login_as("officer", opd="DLH"), "in_progress").status_code == 404
    assert move(client, cid, login_as("admin"), "in_progress").status_code == 200


def test_queue_shows_my_opd_only_nearest_deadline_first(client, login_as):
    citizen = login_as("citizen")
    road = file(client, citizen)
    rubbish = file(client, citizen, category="SAMPAH")
    dpupr = client.get(f"{URL}?scope=my-opd", headers=login_as("officer", opd="DPUPR")).get_json()
    assert [c["id"] for c in dpupr["items"]] == [road]
    dlh = client.get(f"{URL}?scope=my-opd&state=assigned", headers=login_as("officer", opd="DLH")).get_json()
    assert [c["id"] for c in dlh["items"]] == [rubbish]
    everything = client.get(f"{URL}?scope=all", headers=login_as("admin")).get_json()
    # SAMPAH is due in 3 working days, JALAN_RUSAK in 10: the nearer deadline comes first.
    assert [c["id"] for c in everything["items"]] == [rubbish, road]
    assert client.get(f"{URL}?scope=all", headers=login_as("officer", opd="DLH")).status_code == 403
    assert client.get(f"{URL}?scope=my-opd", headers=citizen).status_code == 403
