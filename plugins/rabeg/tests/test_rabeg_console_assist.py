"""Assisted filing in the console: an officer records a complaint brought in person, by phone, by
letter or from social media, and the queue filters by channel."""
import html

from ragem.testing import console_client, console_post

API = "/api/v1/rabeg/complaints"
ASSIST = "/console/p/rabeg/assist"
RECORD = f"{ASSIST}/act/record"
QUEUE = "/console/p/rabeg/queue"
WALK_IN = {"channel": "phone", "complainant_name": "Bapak Ahmad Fauzi", "complainant_phone": "0813-9988-7766",
           "category": "JALAN_RUSAK", "description": "Jalan berlubang di depan pasar Rau, membahayakan motor.",
           "kelurahan": "36.73.01.1001", "address": "Jl. Raya Rau"}


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def staff_list(client, headers, **query) -> list[dict]:
    answer = client.get(API, query_string={"scope": "all", **query}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["items"]


def test_an_officer_of_the_assigned_opd_records_a_call_and_lands_on_its_page(app, client, login_as):
    officer = console_client(app, "officer", opd="DPUPR")
    form = officer.get(ASSIST)
    assert form.status_code == 200 and 'id="assist-form"' in text(form)
    assert f'href="{ASSIST}"' in text(officer.get("/console/"))  # listed in the navigation
    done = console_post(officer, RECORD, WALK_IN)
    assert done.status_code == 302 and "/console/p/rabeg/complaint/" in done.headers["Location"]
    landed = officer.get(done.headers["Location"])
    assert landed.status_code == 200 and "Pengaduan tercatat" in text(landed)
    cid = int(done.headers["Location"].rsplit("/", 1)[1])
    [shown] = [c for c in staff_list(client, login_as("admin")) if c["id"] == cid]
    assert shown["channel"] == "phone" and shown["opd"] == "DPUPR" and shown["state"] == "assigned"


def test_an_officer_of_another_opd_gets_the_number_for_the_complainant(app, client, login_as):
    front_desk = console_client(app, "officer", opd="DINKES")
    done = console_post(front_desk, RECORD, {**WALK_IN, "channel": "in_person", "lat": "-6.12", "lon": "106.15"})
    assert done.status_code == 302 and done.headers["Location"].startswith(f"{ASSIST}?filed=")
    receipt = text(front_desk.get(done.headers["Location"]))
    [filed] = [c for c in staff_list(client, login_as("admin"), channel="in_person")]
    assert filed["public_number"] in receipt and "DPUPR" in receipt
    # Only the officer who recorded it reads the receipt: another one sees the empty form.
    other = console_client(app, "officer", opd="DINKES").get(done.headers["Location"])
    assert other.status_code == 200 and filed["public_number"] not in text(other)


def test_bad_input_is_shown_on_the_form_and_records_nothing(app, client, login_as):
    officer = console_client(app, "officer", opd="DPUPR")
    bad_phone = console_post(officer, RECORD, {**WALK_IN, "complainant_phone": "12345"})
    assert bad_phone.status_code == 422 and 'value="Bapak Ahmad Fauzi"' in text(bad_phone)
    assert "telepon" in text(bad_phone).lower()
    unknown = console_post(officer, RECORD, {**WALK_IN, "category": "TIDAK_ADA"})
    assert unknown.status_code == 422 and "Kategori" in text(unknown)
    for broken in ({**WALK_IN, "channel": "pigeon"}, {**WALK_IN, "complainant_name": "  "},
                   {**WALK_IN, "description": "pendek"}, {**WALK_IN, "lat": "utara"}, {**WALK_IN, "lat": "89"},
                   {**WALK_IN, "description": "a\x00" * 10}, {}):
        refused = console_post(officer, RECORD, broken)
        assert refused.status_code in (400, 422), broken
    console_post(officer, "/console/language", {"lang": "en", "next": ASSIST}, token_from=ASSIST)
    english = console_post(officer, RECORD, {**WALK_IN, "complainant_phone": "12345"})
    assert english.status_code == 422 and "phone" in text(english).lower()
    assert officer.get(ASSIST + "?filed=abc").status_code == 400
    assert staff_list(client, login_as("admin"), channel="phone,in_person,letter,social_media") == []


def test_who_may_record_and_a_post_without_the_token_is_refused(app, client, login_as):
    assert client.get(ASSIST).status_code == 302  # not logged in: the log-in page
    assert console_client(app, "citizen").get(ASSIST).status_code == 302
    assert console_client(app, "admin").get(ASSIST).status_code == 200
    officer = console_client(app, "officer", opd="DLH")
    refused = officer.post(RECORD, data=WALK_IN)
    assert refused.status_code == 400
    refused = officer.post(RECORD, data={**WALK_IN, "csrf_token": "forged"})
    assert refused.status_code == 400
    assert staff_list(client, login_as("admin"), channel="phone") == []


def test_the_queue_filters_by_channel(app, client, login_as, file_complaint):
    from_app = file_complaint(login_as("citizen"))
    officer = console_client(app, "officer", opd="DPUPR")
    console_post(officer, RECORD, {**WALK_IN, "channel": "letter"})
    [letter] = staff_list(client, login_as("admin"), channel="letter")
    by_letter = text(officer.get(QUEUE + "?channel=letter"))
    assert letter["public_number"] in by_letter and from_app["public_number"] not in by_letter
    by_app = text(officer.get(QUEUE + "?channel=app"))
    assert from_app["public_number"] in by_app and letter["public_number"] not in by_app
    assert 'name="channel"' in by_app
    assert officer.get(QUEUE + "?channel=pigeon").status_code == 400


def test_while_rabeg_is_switched_off_the_form_says_so_and_records_nothing(app, client, login_as):
    officer = console_client(app, "officer", opd="DPUPR")
    token_page = officer.get(ASSIST)
    assert token_page.status_code == 200
    admin = login_as("admin")
    assert client.patch("/api/v1/admin/services/rabeg", json={"enabled": False, "reason": "pemeliharaan"},
                        headers=admin).status_code == 200
    off = officer.get(ASSIST)
    assert off.status_code == 503 and 'id="service-off"' in text(off)
    assert console_post(officer, RECORD, WALK_IN, token_from="/console/").status_code == 503
    client.patch("/api/v1/admin/services/rabeg", json={"enabled": True, "reason": "selesai"}, headers=admin)
    assert staff_list(client, admin, channel="phone") == []
