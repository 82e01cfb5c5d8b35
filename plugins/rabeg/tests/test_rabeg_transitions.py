"""Officers move complaints along; refused changes are 409; only the assigned OPD and admins may act."""
URL = "/api/v1/rabeg/complaints"


def file(client, headers, **extra):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001", **extra}
    return client.post(URL, json=data, headers=headers).get_json()["id"]


def test_assigned_to_in_progress_to_resolved(client, login_as):
    reporter, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = file(client, reporter)
    step = client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress", "internal_note": "tim berangkat"},
                       headers=officer)
    assert step.status_code == 200 and step.get_json()["state"] == "in_progress"
    assert step.get_json()["first_responded_at"]
    done = client.post(f"{URL}/{cid}/transitions", json={"to": "resolved", "public_message": "Sudah ditambal."},
                       headers=officer)
    assert done.status_code == 200 and done.get_json()["resolved_at"]
    seen = client.get(f"{URL}/{cid}", headers=reporter).get_json()
    assert [e["to_state"] for e in seen["timeline"]] == ["submitted", "assigned", "in_progress", "resolved"]
    assert seen["timeline"][-1]["public_message"] == "Sudah ditambal."
    assert all("internal_note" not in e for e in seen["timeline"])
    kinds = [n["kind"] for n in client.get("/api/v1/me/notifications", headers=reporter).get_json()["items"]]
    assert "rabeg.complaint.resolved" in kinds and "rabeg.complaint.in_progress" in kinds


def test_refused_transitions_are_409_and_change_nothing(client, login_as):
    officer = login_as("officer", opd="DPUPR")
    cid = file(client, login_as("citizen"))
    for target in ("assigned", "submitted", "closed", "reopened"):
        response = client.post(f"{URL}/{cid}/transitions", json={"to": target}, headers=officer)
        assert response.status_code == 409, target
    client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer)
    again = client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer)
    assert again.status_code == 409
    assert client.get(f"{URL}/{cid}", headers=officer).get_json()["state"] == "resolved"


def test_rejection_needs_a_reason(client, login_as):
    officer = login_as("officer", opd="DPUPR")
    cid = file(client, login_as("citizen"))
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "rejected"}, headers=officer).status_code == 422
    ok = client.post(f"{URL}/{cid}/transitions", json={"to": "rejected", "reason": "duplicate"}, headers=officer)
    assert ok.status_code == 200 and ok.get_json()["state"] == "rejected"
    assert "reason: duplicate" in ok.get_json()["timeline"][-1]["internal_note"]


def test_only_the_assigned_opd_or_an_admin_may_act(client, login_as):
    reporter = login_as("citizen")
    cid = file(client, reporter)
    move = {"to": "in_progress"}
    assert client.post(f"{URL}/{cid}/transitions", json=move, headers=reporter).status_code == 403
    assert client.post(f"{URL}/{cid}/transitions", json=move, headers=login_as("officer", opd="DLH")).status_code == 404
    assert client.post(f"{URL}/{cid}/transitions", json=move, headers=login_as("admin")).status_code == 200


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
