"""Public alerts: who may issue them, CAP 1.2 documents valid against the OASIS schema (alert, update,
cancel, circle, polygon, both languages), the Atom index, bad input refused without a trace, and the
fan-out to the citizens of the area (once each, even when the job runs again)."""
from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy.exc import IntegrityError

from ragem.testing import audit_entries, load_demo
from ragem.toolkit import db, utcnow

from plugins.darurat112.services import alert_fanout

from .conftest import BASE

ALERTS = f"{BASE}/alerts"
CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("data") / "CAP-v1.2.xsd")))
# Kecamatan Serang's kelurahan Cipare; Kecamatan Kasemen (with all its kelurahan); elsewhere.
CIPARE, KASEMEN, KASEMEN_KELURAHAN, TAKTAKAN_KELURAHAN = "36.73.01.1002", "36.73.02", "36.73.02.1001", "36.73.06.1001"
POLYGON = "-6.11,106.14 -6.11,106.16 -6.13,106.16 -6.13,106.14 -6.11,106.14"


def alert_body(**overrides) -> dict:
    """A valid alert; ``overrides`` replace fields (``area`` keys are merged)."""
    area = {"kelurahan": [CIPARE], "kecamatan": [KASEMEN], **overrides.pop("area", {})}
    body = {
        "event": "Banjir", "category": "Met", "urgency": "Immediate", "severity": "Severe", "certainty": "Observed",
        "headline": {"id": "Banjir di Cipare dan Kasemen", "en": "Flooding in Cipare and Kasemen"},
        "description": {"id": "Air setinggi 50 cm di jalan utama.", "en": "Water 50 cm deep on the main roads."},
        "instruction": {"id": "Hindari jalan yang tergenang.", "en": "Avoid flooded roads."},
        "expires": (utcnow() + timedelta(hours=6)).isoformat() + "Z", "area": area,
    }
    body.update(overrides)
    return body


@pytest.fixture
def bpbd(login_as):
    """Headers of a BPBD officer (an alerting OPD by default)."""
    return login_as("officer", opd="BPBD")


def cap_document(client, alert_id: int) -> etree._Element:
    """The CAP document of ``alert_id``, asserted to be served as CAP and valid against the OASIS schema."""
    answer = client.get(f"{ALERTS}/{alert_id}.cap")
    assert answer.status_code == 200
    assert answer.mimetype == "application/cap+xml"
    root = etree.fromstring(answer.data)
    SCHEMA.assertValid(root)
    return root


def text(root, path: str) -> str | None:
    """The text of the first element at ``path`` (CAP namespace)."""
    return root.findtext(path.replace("cap:", CAP))


def issue(client, headers, **overrides) -> dict:
    """Issue an alert and return its JSON (201 asserted)."""
    answer = client.post(ALERTS, json=alert_body(**overrides), headers=headers)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


# --- CAP documents ------------------------------------------------------------------------------

def test_an_alert_with_a_circle_is_valid_cap_in_both_languages(client, bpbd):
    alert = issue(client, bpbd, area={"circle": "-6.120,106.150 2.50"})
    assert alert["msg_type"] == "Alert" and alert["current"] is True and alert["sender"] == "112@serangkota.go.id"
    root = cap_document(client, alert["id"])
    assert text(root, "cap:identifier") == alert["identifier"]
    assert (text(root, "cap:status"), text(root, "cap:msgType"), text(root, "cap:scope")) == ("Actual", "Alert", "Public")
    assert text(root, "cap:sent").endswith("-00:00")
    infos = root.findall(f"{CAP}info")
    assert [text(i, "cap:language") for i in infos] == ["id-ID", "en-US"]
    assert [text(i, "cap:headline") for i in infos] == ["Banjir di Cipare dan Kasemen", "Flooding in Cipare and Kasemen"]
    assert [text(i, "cap:instruction") for i in infos] == ["Hindari jalan yang tergenang.", "Avoid flooded roads."]
    for info in infos:
        assert (text(info, "cap:category"), text(info, "cap:urgency"), text(info, "cap:severity"),
                text(info, "cap:certainty")) == ("Met", "Immediate", "Severe", "Observed")
        area = info.find(f"{CAP}area")
        assert text(area, "cap:circle") == "-6.12,106.15 2.5"
        geocodes = [(text(g, "cap:valueName"), text(g, "cap:value")) for g in area.findall(f"{CAP}geocode")]
        assert geocodes == [("KEMENDAGRI_KODE_WILAYAH", KASEMEN), ("KEMENDAGRI_KODE_WILAYAH", CIPARE)]
    assert text(infos[0], "cap:area/cap:areaDesc") == "Kecamatan Kasemen, Kelurahan Cipare"
    assert text(infos[1], "cap:area/cap:areaDesc") == "Kasemen District, Cipare Village"
    assert "BPBD" in text(infos[0], "cap:senderName") or "Bencana" in text(infos[0], "cap:senderName")


def test_update_and_cancel_reference_the_original_and_every_document_is_valid(app, client, bpbd):
    original = issue(client, bpbd, area={"polygon": POLYGON})
    first = cap_document(client, original["id"])
    assert text(first, "cap:info/cap:area/cap:polygon") == POLYGON
    assert first.find(f"{CAP}references") is None
    original_ref = f"{original['sender']},{original['identifier']},{text(first, 'cap:sent')}"

    updated = client.post(f"{ALERTS}/{original['id']}/update", headers=bpbd,
                          json=alert_body(severity="Extreme", area={"kelurahan": [CIPARE], "kecamatan": []}))
    assert updated.status_code == 201, updated.get_json()
    updated = updated.get_json()
    assert updated["msg_type"] == "Update" and updated["references_identifier"] == original["identifier"]
    assert updated["identifier"] != original["identifier"]
    second = cap_document(client, updated["id"])
    assert text(second, "cap:msgType") == "Update" and text(second, "cap:references") == original_ref
    assert text(second, "cap:info/cap:severity") == "Extreme"

    cancelled = client.post(f"{ALERTS}/{updated['id']}/cancel", headers=bpbd, json={"note": "Air sudah surut."})
    assert cancelled.status_code == 201, cancelled.get_json()
    third = cap_document(client, cancelled.get_json()["id"])
    update_ref = f"{updated['sender']},{updated['identifier']},{text(second, 'cap:sent')}"
    assert text(third, "cap:msgType") == "Cancel" and text(third, "cap:note") == "Air sudah surut."
    assert text(third, "cap:references").split() == [original_ref, update_ref]
    # The original's own document never changes: CAP messages are immutable.
    assert etree.tostring(cap_document(client, original["id"])) == etree.tostring(first)

    assert client.get(ALERTS).get_json()["items"] == []  # nothing in force any more
    every = client.get(f"{ALERTS}?active=false").get_json()["items"]
    assert [a["msg_type"] for a in every] == ["Cancel", "Update", "Alert"]  # newest first
    with app.app_context():
        assert [e.action for e in audit_entries(target_type="darurat112_alert")] == [
            "darurat112.alert.alert", "darurat112.alert.update", "darurat112.alert.cancel"]


def test_a_replaced_or_cancelled_alert_cannot_be_changed_again(client, bpbd):
    original = issue(client, bpbd)
    assert client.post(f"{ALERTS}/{original['id']}/update", headers=bpbd, json=alert_body()).status_code == 201
    again = client.post(f"{ALERTS}/{original['id']}/cancel", headers=bpbd, json={"note": "salah"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "alert_superseded"
    assert client.post(f"{ALERTS}/999999/cancel", headers=bpbd, json={"note": "x"}).status_code == 404
    assert client.get(f"{ALERTS}/999999.cap").status_code == 404


def test_user_text_is_escaped_not_markup(client, bpbd):
    headline = {"id": "Awas <b>banjir</b> & longsor ]]>", "en": "Beware </headline><x/> & \"floods\""}
    alert = issue(client, bpbd, headline=headline)
    root = cap_document(client, alert["id"])
    assert [text(i, "cap:headline") for i in root.findall(f"{CAP}info")] == [headline["id"], headline["en"]]


def test_the_atom_index_links_the_cap_document_of_every_alert_in_force(client, bpbd):
    kept, gone = issue(client, bpbd), issue(client, bpbd)
    client.post(f"{ALERTS}/{gone['id']}/cancel", headers=bpbd, json={"note": "dibatalkan"})
    answer = client.get(f"{ALERTS}.cap")
    assert answer.status_code == 200 and answer.mimetype == "application/atom+xml"
    feed = etree.fromstring(answer.data)
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.findall(f"{ATOM}entry")]
    assert len(links) == 1 and links[0].endswith(f"/alerts/{kept['id']}.cap")
    document = client.get(links[0].split("localhost", 1)[1])
    assert document.status_code == 200
    SCHEMA.assertValid(etree.fromstring(document.data))


def test_the_public_list_pages_by_keyset_without_logging_in(client, bpbd):
    ids = [issue(client, bpbd)["id"] for _ in range(3)]
    first = client.get(f"{ALERTS}?limit=2").get_json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(f"{ALERTS}?limit=2&cursor={first['next_cursor']}").get_json()
    assert rest["next_cursor"] is None
    assert sorted(a["id"] for a in first["items"] + rest["items"]) == sorted(ids)
    assert client.get(f"{ALERTS}/{ids[0]}").get_json()["cap_url"] == f"{ALERTS}/{ids[0]}.cap"


# --- Who may issue ------------------------------------------------------------------------------

@pytest.mark.parametrize("role, opd, status", [
    (None, None, 401), ("citizen", None, 403), ("officer", "DPUPR", 403), ("officer", "DISKOMINFO", 201),
    ("admin", None, 201),
])
def test_only_the_alerting_opds_and_admins_issue_alerts(client, login_as, role, opd, status):
    headers = login_as(role, opd=opd) if role else {}
    assert client.post(ALERTS, json=alert_body(), headers=headers).status_code == status


def test_the_alerting_opds_are_a_setting(make_app, login_as):
    app = make_app(DARURAT112_ALERTING_OPDS="DPUPR")
    client = app.test_client()
    assert client.post(ALERTS, json=alert_body(), headers=login_as("officer", opd="DPUPR", target_app=app)
                       ).status_code == 201
    assert client.post(ALERTS, json=alert_body(), headers=login_as("officer", opd="BPBD", target_app=app)
                       ).status_code == 403


def test_the_cap_sender_is_a_setting_and_a_malformed_one_stops_the_service(make_app, login_as):
    app = make_app(DARURAT112_CAP_SENDER="bpbd@serangkota.go.id")
    answer = app.test_client().post(ALERTS, json=alert_body(), headers=login_as("admin", target_app=app))
    assert answer.status_code == 201 and answer.get_json()["sender"] == "bpbd@serangkota.go.id"
    broken = make_app(DARURAT112_CAP_SENDER="BPBD Kota Serang")  # spaces break CAP references
    assert broken.test_client().get(ALERTS).status_code == 404
    assert broken.test_client().get("/api/v1/services").status_code == 200


# --- Bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, field", [
    ({"area": {"kelurahan": ["36.73.01.9999"]}}, "kelurahan"),
    ({"area": {"kelurahan": [], "kecamatan": [CIPARE]}}, "kecamatan"),  # a kelurahan given as a kecamatan
    ({"area": {"kelurahan": [], "kecamatan": []}}, "kecamatan"),
    ({"area": {"circle": "-6.9,106.15 2"}}, "circle"),  # outside Kota Serang
    ({"area": {"circle": "-6.12,106.15 0"}}, "circle"),
    ({"area": {"circle": "-6.12;106.15"}}, "circle"),
    ({"area": {"polygon": "-6.11,106.14 -6.11,106.16 -6.13,106.16 -6.13,106.14"}}, "polygon"),  # not closed
    ({"area": {"polygon": "-6.11,106.14 -6.11,106.16 -6.11,106.14"}}, "polygon"),  # too few points
    ({"area": {"polygon": "-6.11,106.14 nan,106.16 -6.13,106.16 -6.11,106.14"}}, "polygon"),
])
def test_a_bad_area_is_refused_and_nothing_is_written(app, client, bpbd, overrides, field):
    answer = client.post(ALERTS, json=alert_body(**overrides), headers={**bpbd, "Accept-Language": "en"})
    assert answer.status_code == 422, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] == "invalid_alert_area" and field in error["details"]["area"]
    assert error["message"] == "The alert's area is invalid."
    assert client.get(f"{ALERTS}?active=false").get_json()["items"] == []
    with app.app_context():
        assert audit_entries(target_type="darurat112_alert") == []


@pytest.mark.parametrize("overrides, field", [
    ({"expires": "2020-01-01T00:00:00Z"}, "expires"),
    ({"effective": (utcnow() + timedelta(days=2)).isoformat() + "Z"}, "expires"),  # expires before effective
    ({"expires": (utcnow() + timedelta(days=400)).isoformat() + "Z"}, "expires"),
    ({"category": "Weather"}, "category"),
    ({"urgency": "immediate"}, "urgency"),
    ({"headline": {"id": "Banjir"}}, "headline"),
    ({"description": {"id": "a\x07b", "en": "x"}}, "description"),  # a control character
])
def test_bad_content_is_refused_in_the_envelope_and_nothing_is_written(client, bpbd, overrides, field):
    answer = client.post(ALERTS, json=alert_body(**overrides), headers=bpbd)
    assert answer.status_code == 422, answer.get_json()
    assert field in str(answer.get_json()["error"]["details"])
    assert answer.get_json()["error"]["message"]  # Indonesian by default
    assert client.get(f"{ALERTS}?active=false").get_json()["items"] == []


def test_a_refused_update_leaves_the_original_in_force(client, bpbd):
    original = issue(client, bpbd)
    refused = client.post(f"{ALERTS}/{original['id']}/update", headers=bpbd,
                          json=alert_body(area={"kelurahan": ["36.73.99.1001"]}))
    assert refused.status_code == 422
    [current] = client.get(ALERTS).get_json()["items"]
    assert current["id"] == original["id"] and current["superseded_at"] is None


# --- Fan-out ------------------------------------------------------------------------------------

def citizen_in(client, login_as, kelurahan: str) -> dict:
    """Headers of a citizen whose profile kelurahan is ``kelurahan``."""
    headers = login_as("citizen")
    assert client.patch("/api/v1/me", headers=headers, json={"kelurahan": kelurahan}).status_code == 200
    return headers


def alert_notes(client, headers) -> list[dict]:
    """The citizen's inbox notifications from public alerts."""
    items = client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]
    return [n for n in items if n["kind"].startswith("darurat112.alert")]


def test_citizens_of_the_area_are_told_once_even_when_the_job_runs_again(app, client, login_as, bpbd):
    named = citizen_in(client, login_as, CIPARE)
    in_kecamatan = citizen_in(client, login_as, KASEMEN_KELURAHAN)
    elsewhere = citizen_in(client, login_as, TAKTAKAN_KELURAHAN)
    alert = issue(client, bpbd)
    for headers in (named, in_kecamatan):
        [note] = alert_notes(client, {**headers, "Accept-Language": "en"})
        assert note["kind"] == "darurat112.alert.alert" and note["data"]["alert_id"] == alert["id"]
        assert "Flooding in Cipare and Kasemen" in note["title"]
    assert alert_notes(client, elsewhere) == []

    with app.app_context():  # a retried job (or a second worker) tells nobody twice
        assert alert_fanout.fan_out_alert(alert["id"]) == 0
    assert len(alert_notes(client, named)) == 1 and len(alert_notes(client, in_kecamatan)) == 1

    client.post(f"{ALERTS}/{alert['id']}/cancel", headers=bpbd, json={"note": "Air sudah surut."})
    assert [n["kind"] for n in alert_notes(client, named)] == ["darurat112.alert.cancel", "darurat112.alert.alert"]


@pytest.mark.skipif(not (os.environ.get("RAGEM_TEST_DATABASE_URL") or "").startswith("postgresql"),
                    reason="concurrent writers need PostgreSQL (SQLite locks the whole file)")
def test_two_fan_out_runs_racing_tell_each_citizen_once(app, client, login_as, bpbd):
    """Two workers run the same alert's fan-out at once (a retry racing the first run): the unique
    delivery row lets one commit each citizen; the other run fails and is retried, as the job queue
    does, and finds nobody left to tell."""
    alert = issue(client, bpbd)  # nobody lives in the area yet: the first fan-out tells no one
    citizens = [citizen_in(client, login_as, CIPARE) for _ in range(25)]
    for _round in range(2):
        barrier = threading.Barrier(2, timeout=30)
        outcomes: list = [None, None]

        def run(index):
            with app.app_context():
                barrier.wait()
                try:
                    outcomes[index] = alert_fanout.fan_out_alert(alert["id"])
                except IntegrityError as exc:  # the loser of the race: the queue retries it
                    outcomes[index] = exc
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        told = [o for o in outcomes if isinstance(o, int)]
        assert sum(told) == (len(citizens) if _round == 0 else 0), outcomes
        with app.app_context():  # the retry of a failed run
            assert alert_fanout.fan_out_alert(alert["id"]) == 0
        for headers in citizens:
            assert len(alert_notes(client, headers)) == 1


def test_demo_load_adds_one_active_alert_once(app, client):
    with app.app_context():
        load_demo()
        load_demo()
    [alert] = client.get(ALERTS).get_json()["items"]
    assert alert["area"]["kecamatan"] == ["36.73.02"]
    cap_document(client, alert["id"])
