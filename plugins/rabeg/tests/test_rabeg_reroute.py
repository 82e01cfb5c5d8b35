"""Re-routing: only Diskominfo admins send a complaint to another OPD; audited, counted, deadlines unchanged."""
import pytest

URL = "/api/v1/rabeg/complaints"


@pytest.fixture
def complaint_fields(complaint_fields):
    """This module's complaints: the shared defaults with the fields its tests rely on."""
    return {**complaint_fields, "description": "Lampu jalan mati di depan pasar, bukan jalan rusak."}


def reroute(client, cid, headers, opd="DISPERKIM", reason="Salah kategori: ini lampu jalan"):
    return client.post(f"{URL}/{cid}/reroute", json={"opd": opd, "reason": reason}, headers=headers)


def test_an_admin_sends_a_complaint_to_another_opd(client, login_as, file_complaint):
    reporter, admin = login_as("citizen"), login_as("admin")
    dpupr, disperkim = login_as("officer", opd="DPUPR"), login_as("officer", opd="DISPERKIM")
    cid = file_complaint(reporter)["id"]
    before = client.get(f"{URL}/{cid}", headers=admin).get_json()
    answer = reroute(client, cid, admin)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["opd"] == "DISPERKIM" and body["reroute_count"] == 1
    # The clocks keep running: same deadlines, same state.
    assert (body["first_response_due"], body["resolution_due"], body["state"]) == (
        before["first_response_due"], before["resolution_due"], before["state"])
    last = body["timeline"][-1]
    assert last["kind"] == "reroute" and "Salah kategori" in last["internal_note"]
    # The new OPD has it, the old one no longer does.
    assert client.get(f"{URL}/{cid}", headers=disperkim).status_code == 200
    assert client.get(f"{URL}/{cid}", headers=dpupr).status_code == 404
    assert cid in [c["id"] for c in client.get(f"{URL}?scope=my-opd", headers=disperkim).get_json()["items"]]
    # The reporter reads a neutral message naming the new OPD, never the internal reason.
    seen = client.get(f"{URL}/{cid}", headers=reporter)
    assert "Salah kategori" not in seen.get_data(as_text=True)
    assert seen.get_json()["timeline"][-1]["kind"] == "reroute"
    notes = client.get("/api/v1/me/notifications", headers=reporter).get_json()["items"]
    told = [n for n in notes if n["kind"] == "rabeg.complaint.rerouted"]
    assert len(told) == 1 and "Salah kategori" not in str(told[0])
    assert any(n["kind"] == "rabeg.complaint.rerouted"
               for n in client.get("/api/v1/me/notifications", headers=disperkim).get_json()["items"])
    audit = client.get(f"/api/v1/admin/audit?action=rabeg.complaint.reroute&target_id={cid}",
                       headers=admin).get_json()["items"]
    assert len(audit) == 1
    assert audit[0]["before"] == {"opd": "DPUPR"} and audit[0]["after"]["opd"] == "DISPERKIM"
    assert audit[0]["reason"] == "Salah kategori: ini lampu jalan"
    # Twice re-routed, twice counted.
    assert reroute(client, cid, admin, opd="DPUPR").get_json()["reroute_count"] == 2


def test_only_admins_reroute(client, login_as, file_complaint):
    reporter = login_as("citizen")
    cid = file_complaint(reporter)["id"]
    assert reroute(client, cid, reporter).status_code == 403
    assert reroute(client, cid, login_as("officer", opd="DPUPR")).status_code == 403
    assert reroute(client, cid, login_as("officer", opd="DLH")).status_code == 404
    assert reroute(client, 999999, login_as("admin")).status_code == 404


def test_bad_reroutes_are_refused_and_change_nothing(client, login_as, file_complaint):
    admin, officer = login_as("admin"), login_as("officer", opd="DPUPR")
    cid = file_complaint(login_as("citizen"))["id"]
    assert reroute(client, cid, admin, opd="NOPE").status_code == 422
    same = reroute(client, cid, admin, opd="DPUPR")
    assert same.status_code == 422 and same.get_json()["error"]["details"] == {"opd": "DPUPR"}
    assert reroute(client, cid, admin, reason="").status_code == 422
    assert client.post(f"{URL}/{cid}/reroute", json={"opd": "DLH"}, headers=admin).status_code == 422
    client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer)
    late = reroute(client, cid, admin)
    assert late.status_code == 409 and late.get_json()["error"]["details"] == {"state": "resolved"}
    body = client.get(f"{URL}/{cid}", headers=admin).get_json()
    assert body["opd"] == "DPUPR" and body["reroute_count"] == 0
