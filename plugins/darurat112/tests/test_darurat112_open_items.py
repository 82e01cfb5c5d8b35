"""The console dashboard's count of open incidents: for the command centre only."""
from ragem.testing import console_client
from ragem.toolkit import db

from plugins.darurat112.models import Incident


def _line(client):
    page = client.get("/console/").get_data(as_text=True)
    items = page.split('id="open-items"')[1].split("</section>")[0]
    return items.split('<tr data-slug="darurat112">')[1].split("</tr>")[0] if 'data-slug="darurat112"' in items else None


def test_the_command_centre_sees_open_incidents_and_other_officers_do_not(app, login_as, raise_incident):
    citizen = login_as("citizen")
    ids = [raise_incident(citizen)["id"] for _ in range(3)]
    with app.app_context():
        db.session.get(Incident, ids[0]).state = "closed"
        db.session.commit()
    command = _line(console_client(app, "officer", opd="DISKOMINFO"))
    assert "Kejadian terbuka" in command and "<strong>2</strong>" in command
    assert "<strong>2</strong>" in _line(console_client(app, "admin"))
    assert _line(console_client(app, "officer", opd="DPUPR")) is None  # an agency: its dispatches are elsewhere
