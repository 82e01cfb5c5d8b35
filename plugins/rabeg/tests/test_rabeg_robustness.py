"""RABEG under hostile input and races: every refusal is a clear 4xx JSON error that changes nothing.

Complements tests/test_bad_input.py (which walks every route generically) with RABEG's own shapes:
tampered pagination cursors, dates and answers at the ends of the calendar or of the numbers, odd
header values, multipart uploads; races between threads (each its own connection: the real thing on
PostgreSQL); refused multi-step requests that must write nothing; and the languages citizens read.
"""
from __future__ import annotations

import base64
import io
import json
import threading
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select, update

from ragem import toolkit
from ragem.testing import audit_entries, inbox

from plugins.rabeg.services.autoclose import close_unconfirmed
from plugins.rabeg.models import Complaint, IdempotencyRecord, Photo, Supporter, TimelineEntry

URL = "/api/v1/rabeg/complaints"


def body(**overrides):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001"}
    data.update(overrides)
    return data


def count(session, model=Complaint) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def refused(response, status=None):
    """A 4xx answer in the core error envelope (never a 500)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:400])
    if status is not None:
        assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    return error


def cursor(*values) -> str:
    """A cursor as a client could forge it: the base64 of any JSON list."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


FORGED_CURSORS = [
    cursor("2026-01-01T00:00:00", "12"),  # text where the id (an integer) goes: PostgreSQL cannot compare them
    cursor("2026-01-01T00:00:00", 10**23),  # beyond any SQL integer
    cursor("2026-01-01T00:00:00", 2**40),  # beyond the 32-bit id column
    cursor("2026-01-01T00:00:00", -(2**63) - 1),
    cursor(12, 1),
]


@pytest.mark.parametrize("forged", FORGED_CURSORS)
def test_a_forged_cursor_is_400_on_every_paginated_rabeg_list(forged, client, login_as):
    citizen, officer, admin = login_as("citizen"), login_as("officer", opd="DPUPR"), login_as("admin")
    for _ in range(2):
        assert client.post(URL, json=body(), headers=citizen).status_code == 201
    lists = [(f"{URL}/mine", citizen), (f"{URL}?scope=my-opd", officer), (f"{URL}?scope=all", admin),
             (f"{URL}?scope=my-opd&sort=first_response_due", officer), (f"{URL}?scope=my-opd&sort=created_at", officer),
             ("/api/v1/rabeg/public/complaints", {})]
    for path, headers in lists:
        sep = "&" if "?" in path else "?"
        error = refused(client.get(f"{path}{sep}cursor={forged}", headers=headers), 400)
        assert error["code"] == "invalid_cursor", path


# Moments that fall off Python's calendar once shifted to UTC (WIB is UTC+7; a bare ``filed_to``
# date means the end of that day): refused as invalid dates.
OFF_THE_CALENDAR = ["0001-01-01", "0001-01-01T03:00:00+07:00", "9999-12-31T23:00:00-12:00"]


@pytest.mark.parametrize("moment", OFF_THE_CALENDAR)
def test_dates_at_the_ends_of_the_calendar_are_422_not_500(moment, client, login_as):
    admin, officer = login_as("admin"), login_as("officer", opd="DPUPR")
    for query in (f"from={moment}&to=2026-01-01", f"from=2026-01-01&to={moment}"):
        for group in ("", "&group_by=opd"):
            error = refused(client.get(f"/api/v1/rabeg/kpis?{query}{group}", headers=admin), 422)
            assert error["code"] == "validation_error"
    refused(client.get(f"{URL}?scope=my-opd&filed_from={moment}", headers=officer), 422)
    refused(client.get(f"{URL}?scope=my-opd&filed_to=9999-12-31", headers=officer), 422)


def test_a_very_long_kpi_period_is_answered(client, login_as):
    """Not limited: "KPIs for any period" (one indexed pass over the complaints filed in it)."""
    response = client.get("/api/v1/rabeg/kpis?from=1970-01-01&to=9999-12-31&group_by=category",
                          headers=login_as("admin"))
    assert response.status_code == 200 and response.get_json()["overall"]["received"] == 0


@pytest.mark.parametrize("key", ["a\x00b", "tab\tkey", "del\x7f"])
def test_an_idempotency_key_with_control_characters_is_422_and_files_nothing(key, client, login_as, db_session):
    citizen = login_as("citizen")
    refused(client.post(URL, json=body(), headers={**citizen, "Idempotency-Key": key}), 422)
    assert count(db_session) == 0 and count(db_session, IdempotencyRecord) == 0


def jpeg(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def test_two_files_in_one_upload_are_422_and_neither_is_kept(client, login_as, db_session):
    """Keeping the first and dropping the second in silence would lose what the citizen sent."""
    citizen = login_as("citizen")
    files = [(io.BytesIO(jpeg()), "one.jpg"), (io.BytesIO(jpeg((32, 32))), "two.jpg")]
    response = client.post("/api/v1/rabeg/photos", data={"file": files}, headers=citizen,
                           content_type="multipart/form-data")
    error = refused(response, 422)
    assert "file" in json.dumps(error["details"])
    assert count(db_session, Photo) == 0
    one = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg()), "one.jpg")}, headers=citizen,
                      content_type="multipart/form-data")
    assert one.status_code == 201 and count(db_session, Photo) == 1


# --- Races: threads, each with its own app context and database connection --------------------------

def race(app, calls):
    """Run each ``call(client)`` in its own thread, all released at once; returns the responses in order."""
    barrier = threading.Barrier(len(calls), timeout=30)
    answers: list = [None] * len(calls)

    def run(index, call):
        test_client = app.test_client()
        barrier.wait()
        try:
            answers[index] = call(test_client)
        except Exception as exc:  # noqa: BLE001 - reported by the caller's assertions
            answers[index] = exc

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and any(
            "locked" in str(a) for a in answers):
        pytest.skip("SQLite refused a concurrent writer ('database is locked'); the race runs on PostgreSQL")
    return answers


def statuses(answers) -> list:
    return sorted(getattr(a, "status_code", a) for a in answers)


def test_the_first_filings_on_a_fresh_database_all_succeed(app, login_as, db_session):
    """The first filings on a fresh database, at the same moment, all succeed."""
    citizens = [login_as("citizen") for _ in range(4)]
    answers = race(app, [lambda c, h=h: c.post(URL, json=body(), headers=h) for h in citizens])
    assert statuses(answers) == [201] * 4, [getattr(a, "get_json", lambda: a)() for a in answers]
    assert count(db_session) == 4


def test_retries_racing_with_one_idempotency_key_file_one_complaint(app, client, login_as, db_session):
    citizen = login_as("citizen")
    assert client.post(URL, json=body(), headers=citizen).status_code == 201  # categories seeded
    headers = {**citizen, "Idempotency-Key": "retry"}
    answers = race(app, [lambda c: c.post(URL, json=body(), headers=headers) for _ in range(4)])
    assert statuses(answers) == [200, 200, 200, 201], [a.get_json() for a in answers]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert count(db_session) == 2 and count(db_session, IdempotencyRecord) == 1


def upload_photo(client, headers) -> int:
    response = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg()), "a.jpg")}, headers=headers,
                           content_type="multipart/form-data")
    assert response.status_code == 201
    return response.get_json()["id"]


def test_retries_racing_with_one_idempotency_key_and_photos_get_the_one_complaint(app, client, login_as, db_session):
    """The retries wait for the first filing's photo lock, then must answer with its complaint (not "photo used")."""
    citizen = login_as("citizen")
    assert client.post(URL, json=body(), headers=citizen).status_code == 201  # categories seeded
    photo = upload_photo(client, citizen)
    headers = {**citizen, "Idempotency-Key": "retry-with-photo"}
    answers = race(app, [lambda c: c.post(URL, json=body(photos=[photo]), headers=headers) for _ in range(4)])
    assert statuses(answers) == [200, 200, 200, 201], [a.get_json() for a in answers]
    assert len({a.get_json()["id"] for a in answers}) == 1
    assert count(db_session) == 2 and count(db_session, IdempotencyRecord) == 1


# --- Languages: what a citizen reads, in Indonesian by default and in English on request --------------

EN = {"Accept-Language": "en"}


def test_errors_a_citizen_reads_come_in_indonesian_and_in_english(client, login_as):
    citizen = login_as("citizen")
    cases = [
        lambda h: client.post(URL, json=body(category="NOPE"), headers=h),  # unknown category
        lambda h: client.post(URL, json=body(kelurahan=None), headers=h),  # no location
        lambda h: client.post(URL, json=body(photos=[12345]), headers=h),  # not their photo
        lambda h: client.get(f"{URL}/mine?cursor=bm9wZQ", headers=h),  # forged cursor
        lambda h: client.post(f"{URL}/987654/support", headers=h),  # unknown complaint
    ]
    for case in cases:
        indonesian, english = case(citizen), case({**citizen, **EN})
        assert indonesian.status_code == english.status_code and 400 <= english.status_code < 500
        id_text, en_text = indonesian.get_json()["error"]["message"], english.get_json()["error"]["message"]
        assert id_text and en_text and id_text != en_text, (id_text, en_text)


def timeline_messages(client, cid, headers) -> list:
    answer = client.get(f"{URL}/{cid}", headers=headers).get_json()
    return [e["public_message"] for e in answer["timeline"] if e["public_message"]]


def test_the_messages_the_system_writes_in_the_timeline_follow_the_readers_language(client, login_as):
    """The routing message, a re-routing and a moderation: written by RAGEM, so it has both languages."""
    citizen, admin, officer = login_as("citizen"), login_as("admin"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json=body(), headers=citizen).get_json()["id"]
    assert client.post(f"{URL}/{cid}/moderation", json={"description": "Jalan berlubang di depan pasar.",
                                                         "reason": "data pribadi"}, headers=officer).status_code == 200
    assert client.post(f"{URL}/{cid}/reroute", json={"opd": "DLH", "reason": "salah kategori"},
                       headers=admin).status_code == 200
    indonesian, english = timeline_messages(client, cid, citizen), timeline_messages(client, cid, {**citizen, **EN})
    assert len(indonesian) == len(english) == 3
    assert indonesian[0].startswith("Pengaduan Anda telah diterima") and english[0].startswith("Your complaint was received")
    assert indonesian[1].startswith("Petugas menyesuaikan") and english[1].startswith("An officer adjusted")
    assert indonesian[2].startswith("Pengaduan Anda kini ditangani") and english[2].startswith("Your complaint is now handled")


def test_an_officers_own_words_reach_every_reader_as_written(client, login_as):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json=body(), headers=citizen).get_json()["id"]
    words = "Tim kami akan datang besok pagi untuk menambal jalan."
    assert client.post(f"{URL}/{cid}/responses", json={"public_message": words}, headers=officer).status_code in (200, 201)
    assert timeline_messages(client, cid, {**citizen, **EN})[-1] == words == timeline_messages(client, cid, citizen)[-1]


def test_inbox_messages_come_in_both_languages(client, login_as):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json=body(), headers=citizen).get_json()["id"]
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=officer).status_code == 200
    inbox = {lang: client.get("/api/v1/me/notifications", headers={**citizen, "Accept-Language": lang}).get_json()
             for lang in ("id", "en")}
    id_items, en_items = inbox["id"]["items"], inbox["en"]["items"]
    assert len(id_items) == len(en_items) == 2
    for ind, eng in zip(id_items, en_items):
        assert ind["title"] != eng["title"] and ind["body"] != eng["body"], (ind, eng)
    assert any(i["title"].startswith("Pengaduan RBG-") for i in id_items)
    assert any(e["title"].startswith("Complaint RBG-") for e in en_items)


# --- A refused request changes nothing -----------------------------------------------------------------

def footprint(session, cid=None) -> dict:
    """Everything a RABEG request may write: rows counted per table, and the complaint's own state."""
    session.expire_all()
    counts = {model.__name__: count(session, model) for model in (Complaint, TimelineEntry, Supporter, IdempotencyRecord)}
    counts.update(Notification=len(inbox()), AuditEntry=len(audit_entries()))
    attached = session.scalar(select(func.count()).select_from(Photo).where(Photo.complaint_id.is_not(None)))
    complaint = session.get(Complaint, cid) if cid else None
    own = {k: getattr(complaint, k) for k in ("state", "duplicate_of_id", "supporters_count", "first_responded_at",
                                              "opd_code", "updated_at")} if complaint else None
    return {**counts, "attached_photos": attached, "complaint": own}


def test_a_response_with_one_bad_photo_writes_nothing(client, login_as, db_session):
    citizen, officer, other = login_as("citizen"), login_as("officer", opd="DPUPR"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json=body(), headers=citizen).get_json()["id"]
    mine, theirs = upload_photo(client, officer), upload_photo(client, other)
    before = footprint(db_session, cid)
    response = client.post(f"{URL}/{cid}/responses", json={"public_message": "Sudah kami perbaiki hari ini.",
                                                           "photos": [mine, theirs]}, headers=officer)
    refused(response, 422)
    assert footprint(db_session, cid) == before


@pytest.mark.parametrize("original", ["unknown", "itself", "closed"])
def test_marking_a_duplicate_of_a_bad_original_writes_nothing(original, client, login_as, db_session):
    officer = login_as("officer", opd="DPUPR")
    dup = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
    assert client.post(f"{URL}/{dup}/support", headers=login_as("citizen")).status_code in (200, 201)
    target = {"unknown": 987654, "itself": dup}.get(original)
    if original == "closed":
        target = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
        assert client.post(f"{URL}/{target}/transitions", json={"to": "rejected", "reason": "invalid"},
                           headers=officer).status_code == 200
    before = footprint(db_session, dup)
    refused(client.post(f"{URL}/{dup}/duplicate", json={"original_id": target}, headers=officer))
    assert footprint(db_session, dup) == before


def test_a_category_change_with_one_bad_field_among_good_ones_changes_nothing(client, login_as, db_session):
    admin = login_as("admin")
    categories = client.get("/api/v1/rabeg/categories?include_inactive=true", headers=admin).get_json()["items"]
    before = next(c for c in categories if c["code"] == "JALAN_RUSAK")
    audit_rows = len(audit_entries())
    change = {"name": {"id": "Jalan rusak berat", "en": "Badly damaged road"}, "allows_anonymous": False,
              "opd": "NO_SUCH_OPD"}
    refused(client.patch("/api/v1/rabeg/categories/JALAN_RUSAK", json=change, headers=admin), 422)
    after = client.get("/api/v1/rabeg/categories?include_inactive=true", headers=admin).get_json()["items"]
    assert next(c for c in after if c["code"] == "JALAN_RUSAK") == before
    assert len(audit_entries()) == audit_rows


def test_a_filing_with_a_bad_answer_keeps_the_photos_free_and_writes_nothing(client, login_as, db_session):
    citizen = login_as("citizen")
    photo = upload_photo(client, citizen)
    before = footprint(db_session)
    refused(client.post(URL, json=body(photos=[photo], answers={"no_such_question": 1}),
                        headers={**citizen, "Idempotency-Key": "first-try"}), 422)
    assert footprint(db_session) == before
    again = client.post(URL, json=body(photos=[photo]), headers={**citizen, "Idempotency-Key": "first-try"})
    assert again.status_code == 201 and len(again.get_json()["photos"]) == 1


# --- An Idempotency-Key reused with another body: refused, never answered with the first complaint ------

KEY_REUSED = "idempotency_key_reused"


def test_an_idempotency_key_reused_with_another_body_is_422_and_files_nothing(client, login_as, db_session):
    citizen = login_as("citizen")
    headers = {**citizen, "Idempotency-Key": "once"}
    first = client.post(URL, json=body(), headers=headers)
    assert first.status_code == 201
    photo = upload_photo(client, citizen)
    before = footprint(db_session)
    for other in (body(description="Lampu jalan mati di depan masjid."), body(category="SAMPAH"),
                  body(kelurahan="36.73.02.1001"), body(lat=-6.12, lon=106.15), body(private=True),
                  body(anonymous=True), body(photos=[photo]), body(answers={"ukuran_lubang": "besar"})):
        error = refused(client.post(URL, json=other, headers=headers), 422)
        assert error["code"] == KEY_REUSED and "Idempotency-Key" in error["details"], other
        assert footprint(db_session) == before, other
    # In the reader's language, as every error.
    indonesian = refused(client.post(URL, json=body(category="SAMPAH"), headers=headers), 422)["message"]
    english = refused(client.post(URL, json=body(category="SAMPAH"), headers={**headers, **EN}), 422)["message"]
    assert "sudah dipakai" in indonesian and "already used" in english
    # The same filing with its keys in another order and its defaults spelled out is a retry.
    same = {**dict(reversed(list(body().items()))), "anonymous": False, "private": False, "show_name_publicly": False}
    again = client.post(URL, json=same, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert footprint(db_session) == before
    # The photo the refused filing named is still free; another citizen's key of the same name is theirs.
    assert client.post(URL, json=body(photos=[photo]), headers={**citizen, "Idempotency-Key": "twice"}).status_code == 201
    other_citizen = {**login_as("citizen"), "Idempotency-Key": "once"}
    assert client.post(URL, json=body(category="SAMPAH"), headers=other_citizen).status_code == 201


def test_a_key_recorded_before_fingerprints_were_kept_answers_with_its_complaint_as_before(client, login_as,
                                                                                         db_session):
    citizen = login_as("citizen")
    headers = {**citizen, "Idempotency-Key": "from-before"}
    first = client.post(URL, json=body(), headers=headers).get_json()
    db_session.execute(update(IdempotencyRecord).values(fingerprint=None))
    db_session.commit()
    again = client.post(URL, json=body(category="SAMPAH"), headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == first["id"]
    assert count(db_session) == 1


def test_racing_filings_with_one_key_and_different_bodies_file_one_and_refuse_the_other(app, client, login_as,
                                                                                       db_session):
    citizen = login_as("citizen")
    assert client.post(URL, json=body(), headers=citizen).status_code == 201  # categories seeded
    headers = {**citizen, "Idempotency-Key": "raced"}
    answers = race(app, [lambda c: c.post(URL, json=body(), headers=headers),
                         lambda c: c.post(URL, json=body(category="SAMPAH"), headers=headers)])
    assert statuses(answers) == [201, 422], [a.get_json() for a in answers]
    loser = next(a for a in answers if a.status_code == 422)
    assert loser.get_json()["error"]["code"] == KEY_REUSED
    assert count(db_session) == 2 and count(db_session, IdempotencyRecord) == 1


# --- More races: counters stay right, one change wins, the loser changes nothing ------------------------

def test_racing_me_toos_count_each_citizen_once(app, client, login_as, db_session):
    cid = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
    twice, others = login_as("citizen"), [login_as("citizen") for _ in range(3)]
    calls = [lambda c: c.post(f"{URL}/{cid}/support", headers=twice) for _ in range(3)]
    calls += [lambda c, h=h: c.post(f"{URL}/{cid}/support", headers=h) for h in others]
    answers = race(app, calls)
    assert all(a.status_code in (200, 201) for a in answers), [a.get_json() for a in answers]
    db_session.expire_all()
    rows = db_session.scalar(select(func.count()).select_from(Supporter).where(Supporter.complaint_id == cid))
    assert rows == 4 and db_session.get(Complaint, cid).supporters_count == 4


def test_two_officers_moving_one_complaint_at_once_one_wins_and_the_other_writes_nothing(app, client, login_as,
                                                                                        db_session):
    cid = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
    first, second = login_as("officer", opd="DPUPR"), login_as("officer", opd="DPUPR")
    before = footprint(db_session, cid)
    answers = race(app, [lambda c: c.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=first),
                         lambda c: c.post(f"{URL}/{cid}/transitions", json={"to": "in_progress"}, headers=second)])
    # The same step twice: whichever order they land in, the second is not allowed from the first's result.
    assert statuses(answers) == [200, 409], [a.get_json() for a in answers]
    after = footprint(db_session, cid)
    assert after["complaint"]["state"] == "in_progress"
    assert after["TimelineEntry"] == before["TimelineEntry"] + 1 and after["AuditEntry"] == before["AuditEntry"] + 1


def test_a_confirmation_racing_the_auto_close_is_applied_once(app, client, login_as, db_session):
    citizen, officer = login_as("citizen"), login_as("officer", opd="DPUPR")
    cid = client.post(URL, json=body(), headers=citizen).get_json()["id"]
    assert client.post(f"{URL}/{cid}/transitions", json={"to": "resolved"}, headers=officer).status_code == 200
    db_session.execute(update(Complaint).where(Complaint.id == cid)
                       .values(resolved_at=toolkit.utcnow() - timedelta(days=8)))
    db_session.commit()
    before = footprint(db_session, cid)

    def auto_close(_client):
        with app.app_context():
            try:
                return close_unconfirmed()
            finally:
                toolkit.db.session.remove()

    answers = race(app, [lambda c: c.post(f"{URL}/{cid}/confirmation", json={"fixed": False, "rating": 2},
                                          headers=citizen), auto_close])
    reply, closed = answers
    after = footprint(db_session, cid)
    if reply.status_code == 200:  # the citizen won: reopened, the job skipped it
        assert closed == 0 and after["complaint"]["state"] == "reopened"
    else:  # the job won: closed, the verdict refused with a 409 and nothing of it written
        assert reply.status_code == 409 and closed == 1 and after["complaint"]["state"] == "closed"
    assert after["TimelineEntry"] == before["TimelineEntry"] + 1


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_datetime_answer_off_the_calendar_is_422_naming_the_question(moment, client, login_as, db_session):
    """BANJIR asks "mulai" (since when), a datetime; shifted to UTC these fall outside years 1-9999."""
    error = refused(client.post(URL, json=body(category="BANJIR", answers={"mulai": moment}),
                                headers=login_as("citizen")), 422)
    assert "mulai" in error["details"]["answers"]
    assert count(db_session) == 0


@pytest.mark.parametrize("raw", ["1" + "0" * 400, "123456789012345678901234567890", "1e400", "NaN", "-Infinity"])
def test_a_number_answer_too_large_or_not_finite_is_422(raw, client, login_as, db_session):
    """Raw JSON, so Python's parser sees the very digits a client sent (a 401-digit integer was a 500)."""
    text = json.dumps(body(category="BANJIR", answers={"ketinggian_air_cm": 0})).replace('"ketinggian_air_cm": 0',
                                                                                           f'"ketinggian_air_cm": {raw}')
    response = client.post(URL, data=text, content_type="application/json", headers=login_as("citizen"))
    assert refused(response, 422)["details"]["answers"]["ketinggian_air_cm"]
    assert count(db_session) == 0


def test_duplicate_marking_racing_a_transition_and_new_supporters_keeps_every_count_right(app, client, login_as,
                                                                                         db_session):
    officer = login_as("officer", opd="DPUPR")
    original = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
    duplicate = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
    joiners = [login_as("citizen") for _ in range(3)]
    calls = [lambda c: c.post(f"{URL}/{duplicate}/duplicate", json={"original_id": original}, headers=officer),
             lambda c: c.post(f"{URL}/{duplicate}/transitions", json={"to": "in_progress"}, headers=officer)]
    calls += [lambda c, h=h: c.post(f"{URL}/{original}/support", headers=h) for h in joiners]
    answers = race(app, calls)
    assert all(a.status_code < 500 for a in answers), [a.get_json() for a in answers]
    db_session.expire_all()
    for cid in (original, duplicate):
        rows = db_session.scalar(select(func.count()).select_from(Supporter).where(Supporter.complaint_id == cid))
        assert db_session.get(Complaint, cid).supporters_count == rows
    marked = db_session.get(Complaint, duplicate)
    assert (marked.duplicate_of_id == original) == (answers[0].status_code == 200)
    if marked.duplicate_of_id:
        assert marked.state == "rejected"
        # the duplicate's reporter now follows the original
        assert db_session.scalar(select(func.count()).select_from(Supporter).where(
            Supporter.complaint_id == original, Supporter.user_id == marked.reporter_id)) == 1


def test_two_admins_re_routing_at_once_one_wins_and_the_count_is_right(app, client, login_as, db_session):
    """Without a check on the OPD read, both applied: the count said 1, and followers heard of two OPDs."""
    cid = client.post(URL, json=body(), headers=login_as("citizen")).get_json()["id"]
    first, second = login_as("admin"), login_as("admin")
    before = footprint(db_session, cid)
    answers = race(app, [lambda c: c.post(f"{URL}/{cid}/reroute", json={"opd": "DLH", "reason": "salah"}, headers=first),
                         lambda c: c.post(f"{URL}/{cid}/reroute", json={"opd": "DISHUB", "reason": "salah"},
                                          headers=second)])
    # At the same moment the second is refused (409); one after the other, both apply: counted twice.
    assert set(statuses(answers)) <= {200, 409} and 200 in statuses(answers), [a.get_json() for a in answers]
    applied = statuses(answers).count(200)
    after = footprint(db_session, cid)
    assert db_session.get(Complaint, cid).reroute_count == applied
    assert after["TimelineEntry"] == before["TimelineEntry"] + applied
    assert after["AuditEntry"] == before["AuditEntry"] + applied
