"""The console dashboard's count of open complaints: the officer's OPD only, every OPD for admins."""
from ragem.testing import console_client
from ragem.toolkit import db

from plugins.rabeg.models import Complaint


def _open_complaints_line(client) -> str:
    page = client.get("/console/").get_data(as_text=True)
    return page.split('<tr data-slug="rabeg">')[1].split("</tr>")[0]


def test_officers_see_their_opds_open_complaints_and_admins_every_opds(app, login_as, file_complaint):
    citizen = login_as("citizen")
    roads = [file_complaint(citizen)["id"] for _ in range(4)]
    with app.app_context():
        opd = db.session.get(Complaint, roads[0]).opd_code
        db.session.get(Complaint, roads[2]).state = "closed"  # no longer open
        db.session.get(Complaint, roads[3]).opd_code = "ZZOTHER"  # re-routed to another OPD
        db.session.commit()
    officer = _open_complaints_line(console_client(app, "officer", opd=opd))
    assert "Pengaduan terbuka" in officer and "<strong>2</strong>" in officer
    admin = _open_complaints_line(console_client(app, "admin"))
    assert "<strong>3</strong>" in admin
