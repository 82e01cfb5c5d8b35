"""Categories: routing (the same for app and Open311 filings) and the admin API that manages them."""
from sqlalchemy import select

from plugins.rabeg import filing
from plugins.rabeg.models import Category, Complaint
from plugins.rabeg.seed import ensure_categories

URL = "/api/v1/rabeg/complaints"
KELURAHAN = "36.73.01.1001"  # kecamatan Serang (36.73.01)


def _override(db_session, code="SAMPAH", opd="DISPERKIM"):
    ensure_categories()
    category = db_session.scalar(select(Category).where(Category.code == code))
    category.routing_overrides = {"36.73.01": opd}
    db_session.commit()


def test_an_open311_filing_without_an_account_is_routed_like_an_app_filing(client, login_as, app, db_session):
    _override(db_session)
    body = {"category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.", "kelurahan": KELURAHAN}
    in_app = client.post(URL, json=body, headers=login_as("citizen")).get_json()
    with app.test_request_context():
        third_party, created = filing.file_complaint(
            reporter=None, source="open311", contact={"email": "warga@example.org"}, open311_token="tok-1",
            media_urls=["https://example.org/a.jpg"], idempotency_key="ignored", **body)
        assert created and third_party.opd_code == in_app["opd"] == "DISPERKIM"
        elsewhere, _ = filing.file_complaint(reporter=None, source="open311", **{**body, "kelurahan": None,
                                                                                   "lat": -6.12, "lon": 106.15})
        assert elsewhere.opd_code == "DLH"
    stored = db_session.scalar(select(Complaint).where(Complaint.open311_token == "tok-1"))
    assert stored.reporter_id is None and stored.source == "open311"
    assert stored.media_urls == ["https://example.org/a.jpg"] and stored.contact == {"email": "warga@example.org"}
    # Nobody's inbox got it, and the officer of the routed OPD sees it in the queue.
    officer = login_as("officer", opd="DISPERKIM")
    queue = client.get(f"{URL}?scope=my-opd", headers=officer).get_json()["items"]
    assert {c["id"] for c in queue} == {in_app["id"], stored.id}
