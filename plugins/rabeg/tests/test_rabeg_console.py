"""RABEG in the staff console: the OPD's queue, a complaint's page and its actions, as officers use them."""
import html
import io

from PIL import Image
from sqlalchemy import func, select, text as sql

from ragem.testing import console_client, console_post

from plugins.rabeg.models import Photo

API = "/api/v1/rabeg/complaints"
QUEUE = "/console/p/rabeg/queue"


def page(cid: int) -> str:
    return f"/console/p/rabeg/complaint/{cid}"


def act(cid: int, action: str) -> str:
    return f"{page(cid)}/act/{action}"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 90, 10)).save(out, "JPEG")
    return out.getvalue()


def api_view(client, cid, headers) -> dict:
    answer = client.get(f"{API}/{cid}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_queue_lists_the_opds_open_complaints_with_their_sla_and_filters(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    road = file_complaint(citizen)  # JALAN_RUSAK -> DPUPR
    rubbish = file_complaint(citizen, category="SAMPAH")  # -> DLH
    officer = console_client(app, "officer", opd="DPUPR")
    shown = officer.get(QUEUE)
    assert shown.status_code == 200
    body = text(shown)
    assert road["public_number"] in body and rubbish["public_number"] not in body
    assert f'href="{page(road["id"])}"' in body
    assert "sesuai jadwal" in body  # the resolution deadline's state, in Indonesian
    assert f'href="{QUEUE}"' in text(officer.get("/console/"))  # listed in the navigation
    # Filters are the API's: no resolved complaint yet; a category of another OPD matches nothing here.
    assert road["public_number"] not in text(officer.get(QUEUE + "?state=resolved"))
    assert road["public_number"] in text(officer.get(QUEUE + "?state=all&category=JALAN_RUSAK&sort=created_at"))
    assert road["public_number"] not in text(officer.get(QUEUE + "?category=SAMPAH"))
    # A bad filter is the page's error, not a 500; an unknown code is the service's own refusal.
    bad = officer.get(QUEUE + "?sla=sometime")
    assert bad.status_code == 400 and "Filter tidak valid" in text(bad) and "sla" in text(bad)
    assert officer.get(QUEUE + "?category=%00&cursor=x").status_code == 400
    assert officer.get(QUEUE + "?cursor=not-a-cursor").status_code in (400, 422)  # the API's refusal, no 500
    unknown = officer.get(QUEUE + "?kecamatan=99.99")
    assert unknown.status_code == 422 and "Filter tidak dikenal" in text(unknown)
    # "Every OPD" is for admins: an officer asking for it is refused like the API refuses it.
    assert officer.get(QUEUE + "?scope=all").status_code == 403
    admin_view = text(console_client(app, "admin").get(QUEUE + "?scope=all"))
    assert road["public_number"] in admin_view and rubbish["public_number"] in admin_view


def test_a_complaints_page_shows_the_apis_detail_with_signed_photo_links_and_the_timeline(app, client, login_as,
                                                                                            file_complaint):
    citizen = login_as("citizen")
    upload = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg()), "hole.jpg")},
                         headers=citizen, content_type="multipart/form-data")
    assert upload.status_code == 201, upload.get_json()
    cid = file_complaint(citizen, photos=[upload.get_json()["id"]])["id"]
    officer_headers = login_as("officer", opd="DPUPR")
    officer = console_client(app, "officer", opd="DPUPR")
    shown = officer.get(page(cid))
    assert shown.status_code == 200
    body = text(shown)
    photo = api_view(client, cid, officer_headers)["photos"][0]
    assert photo["thumbnail_url"] in body and photo["url"] in body  # the links the API gives officers
    assert client.get(photo["url"]).status_code == 200  # and they open without a log-in
    assert "Jalan berlubang besar di depan pasar." in body
    assert 'id="timeline"' in body and "Perubahan status" in body  # the routing step
    assert "Test Citizen" in body  # the reporter's name, for the assigned OPD's officer (access-logged)
    assert 'id="form-reroute"' not in body  # re-routing is for admins


def test_an_officer_responds_and_resolves_and_the_citizen_reads_it_in_the_api(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    responded = console_post(officer, act(cid, "respond"), {"public_message": "Tim kami survei besok pagi."})
    assert responded.status_code == 302 and responded.headers["Location"].endswith(page(cid))
    assert "Tanggapan terkirim ke pelapor." in text(officer.get(page(cid)))  # the flash message
    resolved = console_post(officer, act(cid, "transition"),
                            {"to": "resolved", "public_message": "Lubang sudah ditambal.", "reason": ""})
    assert resolved.status_code == 302
    seen = api_view(client, cid, citizen)
    assert seen["state"] == "resolved"
    messages = [entry["public_message"] for entry in seen["timeline"]]
    assert "Tim kami survei besok pagi." in messages and "Lubang sudah ditambal." in messages
    note = console_post(officer, act(cid, "note"), {"internal_note": "Koordinasi dengan UPT jalan."})
    assert note.status_code == 302
    assert "Koordinasi dengan UPT jalan." not in str(api_view(client, cid, citizen))  # staff only
    assert "Koordinasi dengan UPT jalan." in text(officer.get(page(cid)))


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    before = api_view(client, cid, citizen)["timeline"]
    refused = officer.post(act(cid, "respond"), data={"public_message": "Tanpa token."})
    assert refused.status_code == 400 and "Formulir kedaluwarsa" in text(refused)
    refused = officer.post(act(cid, "transition"), data={"to": "resolved", "csrf_token": "forged"})
    assert refused.status_code == 400
    assert api_view(client, cid, citizen)["timeline"] == before


def test_another_opds_officer_cannot_see_or_act_and_a_reporter_is_no_officer(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    before = api_view(client, cid, citizen)["timeline"]
    stranger = console_client(app, "officer", opd="DISPERKIM")
    assert stranger.get(page(cid)).status_code == 404  # as the API: the number is not confirmed
    for action, form in (("respond", {"public_message": "Bukan urusan saya."}), ("note", {"internal_note": "x" * 5}),
                         ("transition", {"to": "in_progress"}), ("moderate", {"reason": "tes", "description": "y" * 12})):
        assert console_post(stranger, act(cid, action), form, token_from=QUEUE).status_code == 404, action
    assert api_view(client, cid, citizen)["timeline"] == before
    # Not logged in, or a citizen: the log-in page; an unknown complaint or a bad id: 404.
    assert client.get(page(cid)).status_code == 302
    assert console_client(app, "citizen").get(page(cid)).status_code == 302
    officer = console_client(app, "officer", opd="DPUPR")
    assert officer.get(page(999999)).status_code == 404
    assert officer.get("/console/p/rabeg/complaint/abc").status_code == 404
    assert officer.get("/console/p/rabeg/complaint/99999999999999999999").status_code == 404
    assert console_client(app, "admin").get(page(cid)).status_code == 200


def test_the_services_refusals_are_shown_on_the_page_in_the_users_language(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    rejected = console_post(officer, act(cid, "transition"), {"to": "rejected", "internal_note": "cek lapangan"})
    assert rejected.status_code == 422
    assert "Sebutkan alasan penolakan" in text(rejected)
    assert 'value="cek lapangan"' in text(rejected)  # what the officer typed is kept
    assert api_view(client, cid, citizen)["state"] == "assigned"
    console_post(officer, "/console/language", {"lang": "en", "next": page(cid)}, token_from=page(cid))
    empty = console_post(officer, act(cid, "respond"), {"public_message": ""})
    assert empty.status_code == 422 and "Write a response or pick a template." in text(empty)
    too_long = console_post(officer, act(cid, "note"), {"internal_note": "x" * 5000})
    assert too_long.status_code == 422 and "Check the form's fields." in text(too_long) and "internal_note" in text(too_long)
    # A state change the lifecycle refuses is a 409 on the page; a duplicate of itself a 422.
    console_post(officer, act(cid, "transition"), {"to": "resolved"})
    again = console_post(officer, act(cid, "transition"), {"to": "in_progress"})
    assert again.status_code == 409 and "This state change is not allowed." in text(again)


def test_only_admins_reroute_and_staff_mark_duplicates_and_moderate(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    original = file_complaint(citizen)["id"]
    copy = file_complaint(citizen, description="Jalan berlubang besar di depan pasar lagi.")["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    refused = console_post(officer, act(copy, "reroute"), {"opd": "DISPERKIM", "reason": "salah OPD"})
    assert refused.status_code == 403
    assert api_view(client, copy, citizen)["opd"] == "DPUPR"
    marked = console_post(officer, act(copy, "duplicate"), {"original_id": str(original)})
    assert marked.status_code == 302
    seen = api_view(client, copy, citizen)
    assert seen["state"] == "rejected" and seen["duplicate_of"]
    moderated = console_post(officer, act(original, "moderate"),
                             {"description": "Jalan berlubang di depan pasar.", "reason": "data pribadi"})
    assert moderated.status_code == 302
    assert api_view(client, original, citizen)["moderated_description"] == "Jalan berlubang di depan pasar."
    admin = console_client(app, "admin")
    assert 'id="form-reroute"' in text(admin.get(page(original)))
    moved = console_post(admin, act(original, "reroute"), {"opd": "DISPERKIM", "reason": "kewenangan dinas perkim"})
    assert moved.status_code == 302
    assert api_view(client, original, citizen)["opd"] == "DISPERKIM"
    # The DPUPR officer has lost it: as in the API, it is no longer theirs to see.
    assert officer.get(page(original)).status_code == 404


def test_while_rabeg_is_switched_off_its_pages_and_actions_say_so(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    switched = client.patch("/api/v1/admin/services/rabeg", json={"enabled": False, "reason": "pemeliharaan"},
                            headers=login_as("admin"))
    assert switched.status_code == 200, switched.get_json()
    for url in (QUEUE, page(cid)):
        off = officer.get(url)
        assert off.status_code == 503 and 'id="service-off"' in text(off)
    posted = console_post(officer, act(cid, "respond"), {"public_message": "Saat layanan mati."})
    assert posted.status_code == 503
    client.patch("/api/v1/admin/services/rabeg", json={"enabled": True, "reason": "selesai"}, headers=login_as("admin"))
    assert "Saat layanan mati." not in str(api_view(client, cid, citizen))


# Photos with a response: the officer shows the work done, from the console as from the app.

PUBLIC = "/api/v1/rabeg/public/complaints"


def jpeg_with_exif() -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "KameraDinas"  # the camera's maker: metadata the API's upload strips
    Image.new("RGB", (160, 120), (20, 120, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


def photo_files(*contents: bytes) -> list:
    return [(io.BytesIO(content), f"foto{n}.jpg") for n, content in enumerate(contents)]


def kept_files(app) -> tuple[int, int]:
    """How many stored files and RABEG photos the app holds (a refused form must add none)."""
    with app.app_context():
        from ragem.toolkit import db

        return (db.session.scalar(sql("SELECT count(*) FROM stored_file")),
                db.session.scalar(select(func.count()).select_from(Photo)))


def test_an_officer_responds_with_two_photos_and_the_public_sees_them_with_the_response(app, client, login_as,
                                                                                      file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    form = text(officer.get(page(cid)))
    assert 'enctype="multipart/form-data"' in form and 'name="photos" multiple accept="image/*"' in form
    responded = console_post(officer, act(cid, "respond"), {"public_message": "Lubang sudah ditambal, lihat foto.",
                                                            "photos": photo_files(jpeg_with_exif(), jpeg())})
    assert responded.status_code == 302, text(responded)
    seen = api_view(client, cid, citizen)
    entry = seen["timeline"][-1]
    assert entry["kind"] == "response" and entry["public_message"] == "Lubang sudah ditambal, lihat foto."
    shown = [p for p in seen["photos"] if p["kind"] == "response"]
    assert [p["id"] for p in shown] == entry["photos"] and len(shown) == 2  # in the order they were chosen
    public = next(c for c in client.get(PUBLIC).get_json()["items"] if c["id"] == cid)
    assert [p["id"] for p in public["photos"] if p["kind"] == "response"] == entry["photos"]
    opened = client.get(public["photos"][0]["url"])
    assert opened.status_code == 200 and opened.mimetype == "image/jpeg"
    assert b"KameraDinas" not in opened.data and 0x010F not in Image.open(io.BytesIO(opened.data)).getexif()
    assert shown[1]["thumbnail_url"].split("?")[0] in text(officer.get(page(cid)))  # on the officer's page too


def test_a_refused_photo_or_response_is_the_pages_error_and_keeps_nothing(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    before, timeline = kept_files(app), api_view(client, cid, citizen)["timeline"]
    pdf = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer<<>>\n%%EOF\n"
    # A good photo first, then a PDF named .jpg: the type is judged by the bytes; the first one goes too.
    not_image = console_post(officer, act(cid, "respond"), {"public_message": "Sudah diperbaiki.",
                                                            "photos": photo_files(jpeg(), pdf)})
    assert not_image.status_code == 415 and "Jenis berkas ini tidak diterima." in text(not_image)
    assert "Sudah diperbaiki." in text(not_image)  # what the officer typed is kept
    broken = console_post(officer, act(cid, "respond"), {"public_message": "Rusak.",
                                                         "photos": photo_files(b"\xff\xd8\xff\xe0" + b"\x00" * 64)})
    assert broken.status_code == 422 and "Berkas rusak atau tidak dapat dibaca." in text(broken)
    # The photos pass but the response is refused (no message): the stored photos are deleted again.
    no_message = console_post(officer, act(cid, "respond"), {"public_message": "", "photos": photo_files(jpeg())})
    assert no_message.status_code == 422 and "Tulis tanggapan atau pilih templat." in text(no_message)
    six = console_post(officer, act(cid, "respond"), {"public_message": "Enam foto.",
                                                      "photos": photo_files(*[jpeg()] * 6)})
    assert six.status_code == 422 and "Periksa kembali isian formulir." in text(six) and "at most 5 photos" in text(six)
    # The form takes photo files, not the ids of photos uploaded through the API.
    free = client.post("/api/v1/rabeg/photos", data={"file": (io.BytesIO(jpeg()), "a.jpg")},
                       headers=login_as("officer", opd="DPUPR"), content_type="multipart/form-data").get_json()["id"]
    by_id = console_post(officer, act(cid, "respond"), {"public_message": "Pakai id.", "photos": str(free)})
    assert by_id.status_code == 422
    assert kept_files(app) == (before[0] + 2, before[1] + 1)  # only the API upload (photo and thumbnail)
    assert api_view(client, cid, citizen)["timeline"] == timeline


def test_a_photo_over_the_size_limit_is_413_on_the_page(make_app, login_as, complaint_fields):
    app = make_app(RABEG_PHOTO_MAX_BYTES=2000)
    client = app.test_client()
    filed = client.post(API, json=complaint_fields, headers=login_as("citizen", target_app=app))
    assert filed.status_code == 201, filed.get_json()
    cid = filed.get_json()["id"]
    officer = console_client(app, "officer", opd="DPUPR")
    noisy = io.BytesIO()
    Image.effect_noise((400, 300), 80).convert("RGB").save(noisy, "JPEG")
    assert len(jpeg()) < 2000 < len(noisy.getvalue())
    before = kept_files(app)
    big = console_post(officer, act(cid, "respond"), {"public_message": "Foto besar.",
                                                      "photos": photo_files(jpeg(), noisy.getvalue())})
    assert big.status_code == 413 and "Berkas terlalu besar." in text(big)
    assert kept_files(app) == before


def test_another_opds_officer_cannot_respond_with_photos_and_stores_nothing(app, client, login_as, file_complaint):
    citizen = login_as("citizen")
    cid = file_complaint(citizen)["id"]
    stranger = console_client(app, "officer", opd="DISPERKIM")
    before, timeline = kept_files(app), api_view(client, cid, citizen)["timeline"]
    refused = console_post(stranger, act(cid, "respond"), {"public_message": "Bukan urusan saya.",
                                                           "photos": photo_files(jpeg())}, token_from=QUEUE)
    assert refused.status_code == 404
    assert kept_files(app) == before and api_view(client, cid, citizen)["timeline"] == timeline
