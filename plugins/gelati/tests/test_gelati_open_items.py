"""The console dashboard's count of shops awaiting verification: for the UMKM office only."""
from ragem.testing import console_client

from .conftest import BASE, shop_body


def _line(client):
    page = client.get("/console/").get_data(as_text=True)
    items = page.split('id="open-items"')[1].split("</section>")[0]
    return items.split('<tr data-slug="gelati">')[1].split("</tr>")[0] if 'data-slug="gelati"' in items else None


def test_the_umkm_office_sees_the_shops_awaiting_verification(app, client, login_as, open_shop):
    open_shop()  # verified: no longer waiting
    for n in range(2):
        applied = client.post(f"{BASE}/my-shop", json=shop_body(name=f"Warung uji {n}", phone=f"0812-3456-70{n + 10}"),
                              headers=login_as("citizen"))
        assert applied.status_code == 201, applied.get_json()
    office = _line(console_client(app, "officer", opd="DISKOPUKM"))
    assert "Toko menunggu verifikasi" in office and "<strong>2</strong>" in office
    assert "<strong>2</strong>" in _line(console_client(app, "admin"))
    assert _line(console_client(app, "officer", opd="DPUPR")) is None
