"""112 in the staff console: the command centre's live queue, an incident's page and its actions,
the supervisors' block list, as call-takers and supervisors use them."""
import html
import re
import time

import pytest

from ragem.testing import console_client, console_post

from plugins.darurat112.console import pages as console_pages

from .conftest import BASE, INCIDENTS

QUEUE = "/console/p/darurat112/queue"
BLOCKS = "/console/p/darurat112/blocks"


def page(iid: int) -> str:
    return f"/console/p/darurat112/incident/{iid}"


def act(iid: int, action: str) -> str:
    return f"{page(iid)}/act/{action}"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def api_view(client, iid, headers) -> dict:
    answer = client.get(f"{INCIDENTS}/{iid}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def live_url(response) -> str:
    """The change-poll address the queue's table carries (what console-live.js fetches next)."""
    found = re.search(r'id="incident-queue" data-live-url="([^"]+)"', response.get_data(as_text=True))
    assert found, "the queue carries no live region"
    return html.unescape(found.group(1))


def prank_calls(client, call_taker, count=6):
    for _ in range(count):
        answer = client.post(f"{BASE}/calls", headers=call_taker, json={
            "channel": "phone", "caller_number": "0812-3456-7890", "type": "medical", "outcome": "prank"})
        assert answer.status_code == 201, answer.get_json()


def test_the_queue_shows_open_incidents_most_urgent_first_and_polls_the_change_feed(
        app, client, login_as, raise_incident, call_taker, monkeypatch):
    monkeypatch.setattr(console_pages, "AGE_REFRESH_SECONDS", 3600)  # only changes send rows here
    citizen = login_as("citizen")
    first = raise_incident(citizen, type="fire")
    taker = console_client(app, "officer", opd="DISKOMINFO")
    shown = taker.get(QUEUE)
    assert shown.status_code == 200
    body = text(shown)
    assert first["number"] in body and "Kebakaran" in body and "baru" in body
    assert 'src="/console/static/console-live.js"' in body and 'id="refresh"' in body  # the no-JS fallback
    # The feed sends a change of the last second again (it may belong to a slower transaction):
    # past that second, one poll takes the cursor beyond the first incident.
    time.sleep(1.1)
    settled = taker.get(live_url(shown))
    assert settled.status_code == 200 and first["number"] in text(settled)
    # Nothing changed since: the poll answers only the next address (the page keeps its rows).
    quiet = taker.get(live_url(settled))
    assert quiet.status_code == 200 and "data-live-unchanged" in text(quiet)
    # A new incident through the API: the next poll carries the rows with it, and a newer cursor.
    second = raise_incident(citizen, type="medical")
    changed = taker.get(live_url(quiet))
    assert changed.status_code == 200 and "data-live-unchanged" not in text(changed)
    assert second["number"] in text(changed) and first["number"] in text(changed)
    # A claim through the API shows on the next poll too; a closed incident leaves the queue.
    client.post(f"{INCIDENTS}/{first['id']}/claim", headers=call_taker)
    client.post(f"{INCIDENTS}/{first['id']}/close", json={"outcome": "false_alarm"}, headers=call_taker)
    later = taker.get(live_url(changed))
    assert first["number"] not in text(later) and second["number"] in text(later)
    # A cursor the feed did not write is the page's error (400), never a 500.
    assert taker.get("/console/p/darurat112/queue-changes/not-a-cursor/0").status_code == 400


def test_the_rows_come_again_when_their_ages_are_due_even_without_a_change(
        app, login_as, raise_incident, monkeypatch):
    shown = raise_incident(login_as("citizen"))
    taker = console_client(app, "officer", opd="DISKOMINFO")
    poll = live_url(taker.get(QUEUE))
    time.sleep(1.1)
    quiet = taker.get(live_url(taker.get(poll)))  # past the feed's one-second overlap: no change
    monkeypatch.setattr(console_pages, "AGE_REFRESH_SECONDS", 3600)
    assert "data-live-unchanged" in text(taker.get(live_url(quiet)))
    monkeypatch.setattr(console_pages, "AGE_REFRESH_SECONDS", 0)
    aged = taker.get(live_url(quiet))
    assert "data-live-unchanged" not in text(aged) and shown["number"] in text(aged)


def shown_ids(response) -> set[int]:
    """The incidents in the queue's table (its rows' ``data-id``)."""
    table = response.get_data(as_text=True).partition('id="incident-queue"')[2]
    return {int(found) for found in re.findall(r'<tr data-id="(\d+)"', table)}


@pytest.fixture
def mixed_queue(client, login_as, raise_incident, call_taker):
    """Three open incidents that differ in every filter: a new fire from the app, a claimed medical
    call from the app in Kasemen, and a flagged phone call from a blocked number (claimed)."""
    citizen = login_as("citizen")
    fire = raise_incident(citizen, type="fire")["id"]
    kasemen = raise_incident(citizen, type="medical")["id"]
    assert client.post(f"{INCIDENTS}/{kasemen}/claim", headers=call_taker).status_code == 200
    triaged = client.post(f"{INCIDENTS}/{kasemen}/triage", headers=call_taker, json={"kelurahan": "36.73.02.1002"})
    assert triaged.get_json()["kecamatan"] == "36.73.02", triaged.get_json()
    prank_calls(client, call_taker)  # six pranks block the number (closed, out of the queue)
    flagged = client.post(f"{BASE}/calls", headers=call_taker, json={
        "channel": "phone", "caller_number": "0812-3456-7890", "type": "medical"}).get_json()
    assert flagged["flagged"] is True and flagged["state"] == "claimed", flagged
    return {"fire": fire, "kasemen": kasemen, "flagged": flagged["id"]}


def test_the_queue_page_filters_by_state_type_channel_kecamatan_and_flagged(app, mixed_queue):
    taker = console_client(app, "officer", opd="DISKOMINFO")
    everything = taker.get(QUEUE)
    assert shown_ids(everything) == set(mixed_queue.values())
    form = text(everything)
    # The form offers the six kecamatan by name and the words in Indonesian; the row shows the name.
    assert 'id="queue-filters"' in form and all(name in form for name in (
        "Serang", "Kasemen", "Walantaka", "Curug", "Cipocok Jaya", "Taktakan"))
    assert "Pelapor diblokir" in form and "Hanya pelapor diblokir" in form and "Kebakaran" in form and "aplikasi · Kasemen" in form
    fire, kasemen, flagged = mixed_queue["fire"], mixed_queue["kasemen"], mixed_queue["flagged"]
    for query, expected in [
        ("state=new", {fire}), ("state=claimed", {kasemen, flagged}), ("type=fire", {fire}),
        ("channel=phone", {flagged}), ("channel=app", {fire, kasemen}), ("kecamatan=36.73.02", {kasemen}),
        ("kecamatan=36.73.01", set()), ("flagged=true", {flagged}), ("flagged=false", {fire, kasemen}),
        ("type=medical&channel=app", {kasemen}), ("type=fire&type=medical&state=claimed", {kasemen, flagged}),
        ("state=&type=&kecamatan=", {fire, kasemen, flagged}),  # the form's "Semua" is no filter
    ]:
        answer = taker.get(f"{QUEUE}?{query}")
        assert answer.status_code == 200 and shown_ids(answer) == expected, query
    # The form is refilled with the filter chosen, and says when nothing matches.
    nothing = text(taker.get(f"{QUEUE}?kecamatan=36.73.01"))
    assert '<option value="36.73.01" selected>' in nothing and "Tidak ada kejadian terbuka yang sesuai filter." in nothing
    # English with the console's language switch.
    console_post(taker, "/console/language", {"lang": "en", "next": QUEUE}, token_from=QUEUE)
    english = text(taker.get(f"{QUEUE}?flagged=true"))
    assert "Blocked reporters only" in english and "No blocked reporter" in english and "Fire" in english


def test_a_poll_keeps_the_filters_and_sends_only_matching_rows(app, client, call_taker, mixed_queue, monkeypatch):
    monkeypatch.setattr(console_pages, "AGE_REFRESH_SECONDS", 3600)  # only changes send rows here
    taker = console_client(app, "officer", opd="DISKOMINFO")
    shown = taker.get(f"{QUEUE}?state=new&state=claimed&channel=app")
    assert shown_ids(shown) == {mixed_queue["fire"], mixed_queue["kasemen"]}
    assert "state=new&state=claimed&channel=app" in live_url(shown)
    assert 'href="/console/p/darurat112/queue?state=new&amp;state=claimed&amp;channel=app" id="refresh"' in \
        shown.get_data(as_text=True)
    # A change: the rows come again, still filtered, and the next poll address still carries the filters.
    client.post(f"{INCIDENTS}/{mixed_queue['kasemen']}/close", json={"outcome": "resolved"}, headers=call_taker)
    polled = taker.get(live_url(shown))
    assert polled.status_code == 200 and "data-live-unchanged" not in text(polled)
    assert shown_ids(polled) == {mixed_queue["fire"]}
    assert "state=new&state=claimed&channel=app" in live_url(polled)
    # An incident that stops matching (a new one claimed, with only "new" asked for) leaves the table.
    only_new = taker.get(f"{QUEUE}?state=new")
    assert shown_ids(only_new) == {mixed_queue["fire"]}
    client.post(f"{INCIDENTS}/{mixed_queue['fire']}/claim", headers=call_taker)
    assert shown_ids(taker.get(live_url(only_new))) == set()


@pytest.mark.parametrize("query", [
    "state=closed", "state=bogus", "type=tsunami", "channel=fax", "kecamatan=36.73.01.1001", "kecamatan=36.73.99",
    "kecamatan=" + "9" * 300, "flagged=maybe", "agency=DAMKAR", "limit=5",
])
def test_an_invalid_filter_is_the_page_error_never_a_500(app, raise_incident, login_as, query):
    raise_incident(login_as("citizen"))
    taker = console_client(app, "officer", opd="DISKOMINFO")
    refused = taker.get(f"{QUEUE}?{query}")
    assert refused.status_code == 400 and "Filter tidak valid." in text(refused)
    poll = live_url(taker.get(QUEUE)).partition("?")[0]
    assert taker.get(f"{poll}?{query}").status_code == 400


def test_a_call_taker_claims_triages_dispatches_and_closes_and_the_reporter_reads_it(
        app, client, login_as, raise_incident):
    citizen = login_as("citizen")
    iid = raise_incident(citizen)["id"]
    taker = console_client(app, "officer", opd="DISKOMINFO")
    assert 'id="form-claim"' in text(taker.get(page(iid)))
    assert console_post(taker, act(iid, "claim")).status_code == 302
    claimed = taker.get(page(iid))
    assert "Kejadian Anda tangani." in text(claimed) and 'id="form-triage"' in text(claimed)
    triaged = console_post(taker, act(iid, "triage"), {"priority": "1", "type": "fire", "note": "Dua rumah terbakar."})
    assert triaged.status_code == 302
    sent = console_post(taker, act(iid, "dispatch"), {"agencies": ["DAMKAR", ""], "note": "Akses jalan sempit."})
    assert sent.status_code == 302, text(sent)
    seen = api_view(client, iid, login_as("admin"))
    assert seen["priority"] == 1 and seen["state"] == "dispatched" and [d["agency"] for d in seen["dispatches"]] == ["DAMKAR"]
    assert "Dua rumah terbakar." in text(taker.get(page(iid)))  # the internal note, for staff
    assert "Dua rumah terbakar." not in str(api_view(client, iid, citizen))  # not for the reporter
    # Closing while DAMKAR is still on its way is the service's refusal (409) on the page.
    refused = console_post(taker, act(iid, "close"), {"outcome": "resolved"})
    assert refused.status_code == 409 and api_view(client, iid, citizen)["state"] == "dispatched"
    # An unknown agency is the service's 422 on the page; nothing is sent.
    unknown = console_post(taker, act(iid, "dispatch"), {"agencies": "NOPE"})
    assert unknown.status_code == 422 and len(api_view(client, iid, citizen)["dispatches"]) == 1


def test_a_claim_race_lost_through_the_console_says_who_won_not_a_500(app, client, login_as, raise_incident):
    iid = raise_incident(login_as("citizen"))["id"]
    first, second = console_client(app, "officer", opd="DISKOMINFO"), console_client(app, "admin")
    token = re.search(r'name="csrf_token" value="([^"]+)"', second.get(page(iid)).get_data(as_text=True)).group(1)
    assert console_post(first, act(iid, "claim")).status_code == 302
    # The second call-taker's page still offered the claim: their post loses the race.
    lost = second.post(act(iid, "claim"), data={"csrf_token": token})
    assert lost.status_code == 409
    assert "Laporan ini sudah ditangani petugas lain." in text(lost)
    console_post(second, "/console/language", {"lang": "en", "next": page(iid)}, token_from=page(iid))
    again = console_post(second, act(iid, "claim"))
    assert again.status_code == 409 and "Another officer already claimed this report." in text(again)


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app, client, login_as, raise_incident):
    citizen = login_as("citizen")
    iid = raise_incident(citizen)["id"]
    taker = console_client(app, "officer", opd="DISKOMINFO")
    before = api_view(client, iid, citizen)
    refused = taker.post(act(iid, "claim"))
    assert refused.status_code == 400
    assert taker.post(act(iid, "claim"), data={"csrf_token": "forged"}).status_code == 400
    assert api_view(client, iid, citizen) == before


@pytest.mark.parametrize("role, opd, allowed", [
    ("officer", "DISKOMINFO", {"queue", "incident", "dispatches", "alerts"}),  # a call-taker of the command centre
    ("officer", "BPBD", {"dispatches", "alerts"}),                              # the alerting agency
    ("officer", "DPUPR", {"dispatches"}),                                       # another agency's officer
    ("admin", None, {"queue", "incident", "blocks", "alerts"}),                 # admins supervise
])
def test_every_page_and_action_answers_only_its_permission(app, client, login_as, raise_incident, role, opd, allowed):
    citizen = login_as("citizen")
    iid = raise_incident(citizen)["id"]
    staff = console_client(app, role, opd=opd)
    urls = {"queue": QUEUE, "incident": page(iid), "blocks": BLOCKS, "dispatches": "/console/p/darurat112/dispatches",
            "alerts": "/console/p/darurat112/alerts"}
    for name, url in urls.items():
        assert staff.get(url).status_code == (200 if name in allowed else 403), (name, url)
    nav = text(staff.get("/console/"))
    assert ("Antrean 112" in nav) == ("queue" in allowed) and ("Daftar blokir 112" in nav) == ("blocks" in allowed)
    assert ("Tugas 112 instansi" in nav) == ("dispatches" in allowed)
    if "incident" not in allowed:
        refused = console_post(staff, act(iid, "claim"), token_from="/console/")
        assert refused.status_code == 403 and api_view(client, iid, citizen)["state"] == "new"
    # Not logged in, or a citizen: the log-in page.
    for url in urls.values():
        assert client.get(url).status_code == 302
        assert console_client(app, "citizen").get(url).status_code == 302


def test_an_unknown_incident_is_the_404_page(app):
    taker = console_client(app, "officer", opd="DISKOMINFO")
    for url in (page(999999), "/console/p/darurat112/incident/abc", "/console/p/darurat112/incident/99999999999999999"):
        assert taker.get(url).status_code == 404, url
    assert console_post(taker, act(999999, "claim"), token_from=QUEUE).status_code == 404


def test_a_supervisor_lifts_a_block_with_its_reason(app, client, login_as, call_taker):
    prank_calls(client, call_taker)
    supervisor = console_client(app, "admin")
    listed = supervisor.get(BLOCKS)
    assert listed.status_code == 200
    block_id = int(re.search(r'<tr data-id="(\d+)"', listed.get_data(as_text=True)).group(1))
    assert "+62812*****890" in text(listed)  # masked, as in the API
    assert console_post(supervisor, f"{BLOCKS}/act/lift", {"block_id": block_id}).status_code == 422  # no reason
    lifted = console_post(supervisor, f"{BLOCKS}/act/lift", {"block_id": block_id, "reason": "salah sambung, sudah dikonfirmasi"})
    assert lifted.status_code == 302
    status = client.get(f"{BASE}/blocked-numbers/081234567890", headers=login_as("admin")).get_json()
    assert status["blocked"] is False
    assert "Tidak ada blokir." in text(supervisor.get(BLOCKS))
    assert "salah sambung" in text(supervisor.get(f"{BLOCKS}?active=false"))
    again = console_post(supervisor, f"{BLOCKS}/act/lift", {"block_id": block_id, "reason": "lagi"}, token_from=BLOCKS)
    assert again.status_code == 409  # no longer in force: the service's refusal on the page


def test_while_112_is_switched_off_its_pages_and_actions_say_so(app, client, login_as, raise_incident):
    iid = raise_incident(login_as("citizen"))["id"]
    taker = console_client(app, "officer", opd="DISKOMINFO")
    poll = live_url(taker.get(QUEUE))
    admin = login_as("admin")
    switched = client.patch("/api/v1/admin/services/darurat112", json={
        "enabled": False, "reason": "pemeliharaan", "confirm": True}, headers=admin)
    assert switched.status_code == 200, switched.get_json()
    for url in (QUEUE, page(iid), poll):
        off = taker.get(url)
        assert off.status_code == 503 and 'id="service-off"' in text(off), url
    assert console_post(taker, act(iid, "claim"), token_from="/console/").status_code == 503
    client.patch("/api/v1/admin/services/darurat112", json={"enabled": True, "reason": "selesai"}, headers=admin)
    assert api_view(client, iid, admin)["state"] == "new"


def test_an_agency_reports_its_steps_and_the_command_centre_may_only_cancel(app, client, login_as, raise_incident):
    citizen = login_as("citizen")
    iid = raise_incident(citizen)["id"]
    taker = console_client(app, "officer", opd="DISKOMINFO")
    console_post(taker, act(iid, "claim"))
    assert console_post(taker, act(iid, "dispatch"), {"agencies": ["DAMKAR", "DINKES"]}).status_code == 302
    ids = {d["agency"]: d["id"] for d in api_view(client, iid, citizen)["dispatches"]}
    firefighters = console_client(app, "officer", opd="DAMKAR")
    listed = firefighters.get("/console/p/darurat112/dispatches")
    assert listed.status_code == 200 and f'data-id="{ids["DAMKAR"]}"' in text(listed)
    assert f'data-id="{ids["DINKES"]}"' not in text(listed)  # another agency's
    update = "/console/p/darurat112/dispatches/act/update"
    assert console_post(firefighters, update, {"dispatch_id": ids["DAMKAR"], "state": "on_scene"}).status_code == 302
    # Going back is the service's 409 on the page; another agency's dispatch is the 404 page.
    assert console_post(firefighters, update, {"dispatch_id": ids["DAMKAR"], "state": "en_route"}).status_code == 409
    assert console_post(firefighters, update, {"dispatch_id": ids["DINKES"], "state": "acknowledged"}).status_code == 404
    states = {d["agency"]: d["state"] for d in api_view(client, iid, citizen)["dispatches"]}
    assert states == {"DAMKAR": "on_scene", "DINKES": "dispatched"}
    # The command centre cancels DINKES from the incident's page; a dispatch of another incident is 404.
    assert console_post(taker, act(iid, "cancel-dispatch"), {"dispatch_id": ids["DINKES"]}).status_code == 302
    other = raise_incident(citizen)["id"]
    assert console_post(taker, act(other, "cancel-dispatch"), {"dispatch_id": ids["DAMKAR"]}).status_code == 404
    states = {d["agency"]: d["state"] for d in api_view(client, iid, citizen)["dispatches"]}
    assert states == {"DAMKAR": "on_scene", "DINKES": "cancelled"}


def test_an_alerting_officer_issues_and_withdraws_a_public_alert_from_the_flat_form(app, client):
    from datetime import datetime, timedelta

    from ragem.toolkit import utcnow

    bpbd = console_client(app, "officer", opd="BPBD")
    alerts_page = "/console/p/darurat112/alerts"
    assert bpbd.get(alerts_page).status_code == 200
    until_wib = (utcnow() + timedelta(hours=7 + 6)).strftime("%Y-%m-%dT%H:%M")  # six hours on, on the WIB clock
    form = {"event": "Banjir", "category": "Met", "urgency": "Expected", "severity": "Moderate",
            "certainty": "Likely", "expires": until_wib,
            "headline_id": "Waspada banjir di Kasemen", "headline_en": "Flood warning in Kasemen",
            "description_id": "Hujan deras sejak sore.", "description_en": "Heavy rain since the afternoon.",
            "area_kecamatan": "36.73.02", "area_kelurahan": "36.73.01.1002"}
    # A missing English headline is the API schema's refusal; what was typed is kept.
    refused = console_post(bpbd, f"{alerts_page}/act/issue", {**form, "headline_en": ""})
    assert refused.status_code == 422 and 'value="Waspada banjir di Kasemen"' in text(refused)
    assert client.get(f"{BASE}/alerts").get_json()["items"] == []
    assert console_post(bpbd, f"{alerts_page}/act/issue", form).status_code == 302
    [alert] = client.get(f"{BASE}/alerts").get_json()["items"]
    assert alert["headline"] == {"id": "Waspada banjir di Kasemen", "en": "Flood warning in Kasemen"}
    assert alert["area"]["kecamatan"] == ["36.73.02"] and alert["area"]["kelurahan"] == ["36.73.01.1002"]
    # The WIB clock time typed is six hours on in UTC too (the seconds were not typed).
    expires = datetime.fromisoformat(alert["expires"].replace("Z", ""))
    assert abs(expires - (utcnow().replace(tzinfo=None) + timedelta(hours=6))) < timedelta(minutes=2)
    assert "Waspada banjir di Kasemen" in text(bpbd.get(alerts_page))
    withdrawn = console_post(bpbd, f"{alerts_page}/act/cancel", {"alert_id": alert["id"], "note": "Hujan reda."})
    assert withdrawn.status_code == 302
    assert client.get(f"{BASE}/alerts").get_json()["items"] == []
    # Officers of other OPDs may not open it (the API's rule).
    assert console_client(app, "officer", opd="DPUPR").get(alerts_page).status_code == 403
