"""The public list and map feed: no login, filters, and never a piece of personal data."""
import io

import pytest
from PIL import Image
from sqlalchemy import select

from ragem.toolkit import db

from plugins.rabeg.models import Complaint, Photo, TimelineEntry

URL = "/api/v1/rabeg/complaints"
PUBLIC, MAP = "/api/v1/rabeg/public/complaints", "/api/v1/rabeg/public/map"
SERANG, KASEMEN = "36.73.01.1001", "36.73.02.1001"
ADDRESS = "Jl. Kenari No. 7, rumah pelapor"
SECRET_NOTE = "catatan-internal-rahasia"
ORIGINAL_TEXT = "Teks asli dengan nomor telepon 081234567890 pelapor."

# Keys that must never appear anywhere in a public answer.
FORBIDDEN_KEYS = {"reporter_id", "contact", "phone", "nik", "email", "internal_note", "address", "answers",
                  "reporter_display_name", "show_name_publicly", "anonymous", "api_key_id", "open311_token",
                  "actor_id", "uploader_id", "timeline", "hidden", "hidden_reason", "opd_code"}


def walk(value, path="$"):
    """Every (path, key, value) in a JSON document."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key, inner
            yield from walk(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from walk(inner, f"{path}[{i}]")


def assert_no_personal_data(document, *forbidden_texts):
    text = repr(document)
    for path, key, _value in walk(document):
        assert key not in FORBIDDEN_KEYS, f"{path}.{key} must not be public"
    for secret in forbidden_texts:
        assert secret not in text, f"{secret!r} leaked"


def jpeg():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def upload(client, headers):
    answer = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg()), "p.jpg")}, headers=headers,
                         content_type="multipart/form-data")
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


@pytest.fixture
def complaint_fields(complaint_fields):
    """This module's complaints: the shared defaults with the fields its tests rely on."""
    return {**complaint_fields, "kelurahan": SERANG, "lat": -6.12, "lon": 106.15, "address": ADDRESS}


def update(app, model, row_id, **values):
    with app.app_context():
        row = db.session.get(model, row_id)
        for key, value in values.items():
            setattr(row, key, value)
        db.session.commit()


def reporter_name(app, headers):
    from ragem.testing import account

    with app.app_context():
        return account(headers["X-Test-User-Id"]).name


@pytest.fixture
def world(app, client, login_as, file_complaint):
    citizen, named_citizen, officer = login_as("citizen"), login_as("citizen"), login_as("officer", opd="DPUPR")
    photos = [upload(client, citizen), upload(client, citizen)]
    c = {
        "plain": file_complaint(citizen, photos=photos)["id"],
        "named": file_complaint(named_citizen, show_name_publicly=True, category="BANJIR")["id"],
        "anonymous": file_complaint(citizen, anonymous=True, show_name_publicly=True, kelurahan=KASEMEN,
                          lat=-6.05, lon=106.20)["id"],
        "no_point": file_complaint(citizen, lat=None, lon=None, category="SAMPAH")["id"],
        "moderated": file_complaint(citizen, description=ORIGINAL_TEXT)["id"],
        "duplicate": file_complaint(citizen)["id"],
    }
    client.post(f"{URL}/{c['plain']}/transitions", json={"to": "in_progress", "internal_note": SECRET_NOTE},
                headers=officer)
    update(app, Complaint, c["moderated"], moderated_description="Teks yang sudah dimoderasi.")
    update(app, Complaint, c["duplicate"], state="rejected", duplicate_of_id=c["plain"])
    update(app, Complaint, c["plain"], contact={"email": "warga@example.org", "phone": "+6281299990000"})
    update(app, Photo, photos[1], hidden=True, hidden_reason="wajah terlihat")
    c.update(citizen=citizen, named_citizen=named_citizen, photos=photos,
             citizen_name=reporter_name(app, citizen), named_name=reporter_name(app, named_citizen))
    return c


def get(client, url):
    answer = client.get(url)  # no Authorization header: the public view needs no login
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_public_list_needs_no_login_and_shows_public_fields(client, world):
    page = get(client, PUBLIC)
    by_id = {item["id"]: item for item in page["items"]}
    assert list(by_id) == [world[k] for k in ("duplicate", "moderated", "no_point", "anonymous", "named", "plain")]
    plain = by_id[world["plain"]]
    assert plain["state"] == "in_progress" and plain["category"] == "JALAN_RUSAK" and plain["kelurahan"] == SERANG
    assert (plain["lat"], plain["lon"]) == (-6.12, 106.15) and plain["first_responded_at"]
    assert plain["reporter_name"] is None  # not allowed by the reporter
    assert [p["id"] for p in plain["photos"]] == [world["photos"][0]]  # the hidden photo is left out
    assert plain["photos"][0]["thumbnail_url"]
    assert by_id[world["named"]]["reporter_name"] == world["named_name"]
    assert by_id[world["anonymous"]]["reporter_name"] is None  # anonymous wins over "show my name"
    assert by_id[world["moderated"]]["description"] == "Teks yang sudah dimoderasi."
    duplicate = by_id[world["duplicate"]]
    assert duplicate["state"] == "rejected" and duplicate["description"] is None and duplicate["lat"] is None
    assert duplicate["photos"] == [] and duplicate["reporter_name"] is None


def test_no_personal_data_anywhere_in_the_list_or_the_map(client, world):
    secrets = (ADDRESS, SECRET_NOTE, ORIGINAL_TEXT, "081234567890", "warga@example.org", "+6281299990000",
               world["citizen"]["X-Test-User-Id"], world["named_citizen"]["X-Test-User-Id"], world["citizen_name"])
    assert_no_personal_data(get(client, PUBLIC), *secrets)
    assert_no_personal_data(get(client, MAP), *secrets)
    assert_no_personal_data(get(client, f"{PUBLIC}?state=in_progress"), *secrets)


def test_the_walker_would_catch_a_leak():
    with pytest.raises(AssertionError):
        assert_no_personal_data({"items": [{"photos": [{"internal_note": "x"}]}]})
    with pytest.raises(AssertionError):
        assert_no_personal_data({"items": [{"description": ADDRESS}]}, ADDRESS)


def test_filters(client, world):
    def listed(query):
        return [item["id"] for item in get(client, f"{PUBLIC}?{query}")["items"]]

    assert listed("category=BANJIR") == [world["named"]]
    assert listed("kelurahan=" + KASEMEN) == [world["anonymous"]]
    assert listed("state=in_progress") == [world["plain"]]
    assert set(listed("state=assigned,rejected")) == {world[k] for k in
                                                     ("duplicate", "moderated", "no_point", "anonymous", "named")}
    # The box around Kasemen's point holds only the anonymous report (no point: never in a box).
    assert listed("bbox=106.18,-6.07,106.22,-6.03") == [world["anonymous"]]
    assert set(listed("bbox=106.07,-6.37,106.42,-5.99")) == {world[k] for k in
                                                            ("plain", "named", "anonymous", "moderated", "duplicate")}


def test_keyset_pages(client, world):
    seen, cursor = [], None
    while True:
        page = get(client, f"{PUBLIC}?limit=4" + (f"&cursor={cursor}" if cursor else ""))
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [item["id"] for item in get(client, f"{PUBLIC}?limit=100")["items"]] and len(seen) == 6


def test_map_feed_is_geojson_of_points(client, world):
    feed = get(client, MAP)
    assert feed["type"] == "FeatureCollection" and feed["truncated"] is False
    ids = [f["properties"]["id"] for f in feed["features"]]
    # Newest first; no point or a duplicate: not on the map.
    assert ids == [world[k] for k in ("moderated", "anonymous", "named", "plain")]
    first = feed["features"][-1]
    assert first["type"] == "Feature" and first["geometry"] == {"type": "Point", "coordinates": [106.15, -6.12]}
    assert set(first["properties"]) == {"id", "public_number", "category", "state", "created_at"}
    assert [f["properties"]["id"] for f in get(client, f"{MAP}?category=BANJIR")["features"]] == [world["named"]]
    limited = get(client, f"{MAP}?limit=2")
    assert len(limited["features"]) == 2 and limited["truncated"] is True
    boxed = get(client, f"{MAP}?bbox=106.18,-6.07,106.22,-6.03")
    assert [f["properties"]["id"] for f in boxed["features"]] == [world["anonymous"]]


@pytest.mark.parametrize("query,field", [
    ("bbox=1,2,3", "bbox"),
    ("bbox=1,2,3,4,5", "bbox"),
    ("bbox=a,b,c,d", "bbox"),
    ("bbox=106.2,-6.1,106.1,-6.0", "bbox"),  # min_lon > max_lon
    ("bbox=106.1,-6.0,106.2,-6.1", "bbox"),  # min_lat > max_lat
    ("bbox=106.1,-6.1,106.1,-6.0", "bbox"),  # empty box
    ("bbox=nan,-6.1,106.2,-6.0", "bbox"),
    ("bbox=-200,-6.1,106.2,-6.0", "bbox"),
    ("state=open", "state"),
    ("category=NOPE", "category"),
    ("kelurahan=36.73.01", "kelurahan"),  # a kecamatan is not a kelurahan
    ("limit=101", "limit"),
])
@pytest.mark.parametrize("url", [PUBLIC, MAP])
def test_bad_filters_are_422_naming_the_field(client, url, query, field):
    if url == MAP and field == "limit":
        query = "limit=2001"
    answer = client.get(f"{url}?{query}")
    assert answer.status_code == 422, (url, query, answer.get_json())
    assert field in str(answer.get_json()["error"]["details"])


def test_internal_notes_stay_out_even_with_a_note_on_every_entry(app, client, world):
    with app.app_context():
        entries = db.session.scalars(select(TimelineEntry).where(TimelineEntry.complaint_id == world["named"])).all()
        for entry in entries:
            entry.internal_note = SECRET_NOTE
        db.session.commit()
    assert_no_personal_data(get(client, f"{PUBLIC}?category=BANJIR"), SECRET_NOTE)


def test_the_page_reads_photos_like_the_photo_module(app, world):
    from plugins.rabeg import photos
    from plugins.rabeg.services.public import public_list

    with app.app_context():
        page = public_list(limit=100, cursor=None)["items"]  # the page's photos are read in one query
        batched = {c.id: [p.id for p in photos.public_photos(c)] for c in page}
        db.session.expire_all()
        complaint = db.session.get(Complaint, world["plain"])
        assert batched[complaint.id] == [p.id for p in photos.public_photos(complaint)]
        assert batched[world["named"]] == []
