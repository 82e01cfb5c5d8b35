"""A citizen with a NIK, a phone number and a home address who files a complaint leaves none of
them in clear in any table, RABEG's included (the complaint keeps where the problem is, not
where the citizen lives). Nor does the contact a third-party app sends with an Open311 request."""
from __future__ import annotations

from sqlalchemy import select

from ragem.testing import account, stored_text_containing

from plugins.rabeg.models import Complaint
from plugins.rabeg.tests.test_rabeg_open311_post import api_key, created, form, post  # noqa: F401  (api_key: fixture)

NIK = "3673015504927318"          # kecamatan 36.73.01, a woman born 15 April 1992, serial 7318
ADDRESS = "Jl. Maulana Yusuf No. 12, RT 03/RW 01"


def test_filing_a_complaint_stores_no_clear_nik_phone_or_home_address(app, client, login_as, file_complaint):
    headers = login_as("citizen")
    profile = client.patch("/api/v1/me", headers=headers, json={"nik": NIK, "address": ADDRESS})
    assert profile.status_code == 200, profile.get_json()
    with app.app_context():
        phone = account(headers["X-Test-User-Id"]).phone
    assert phone.startswith("+628")

    complaint = file_complaint(headers, address="Depan Pasar Rau, Jl. Ahmad Yani")
    assert client.get(f"/api/v1/rabeg/complaints/{complaint['id']}", headers=headers).status_code == 200
    with app.app_context():
        assert stored_text_containing("Pasar Rau")  # the complaint's own location is there: the check sees RABEG's rows
        assert stored_text_containing(
            NIK, "1992-04-15", phone, phone[1:], "0" + phone[3:], phone[3:], ADDRESS, "Maulana Yusuf",
        ) == []
        # Short pieces would match inside hashes and ids by chance: no column may hold one alone.
        assert stored_text_containing(NIK[-4:], "550492", whole=True) == []


def test_an_open311_filing_keeps_its_contact_only_sealed(app, client, db_session, api_key):  # noqa: F811
    contact = {"email": "dewi.lestari@example.org", "first_name": "Dewi", "last_name": "Lestari",
               "phone": "+6281311122233"}
    answer = created(post(client, form(api_key, **contact, device_id=None, account_id=None)))
    # Officers' side still reads it whole (decrypted on the model).
    complaint = db_session.scalar(select(Complaint).where(Complaint.public_number == answer["service_request_id"]))
    assert complaint.contact == contact
    assert stored_text_containing("berlubang")  # the complaint's text is there: the check sees RABEG's rows
    assert stored_text_containing("dewi.lestari", "Lestari", "+6281311122233", "81311122233") == []
