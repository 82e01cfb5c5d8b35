"""OPDs and agencies: the seeded set, the public list, and audited admin management."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ragem import toolkit
from ragem.database import seed_reference
from ragem.extensions import db
from ragem.opds.models import Opd
from ragem.opds.seed import seed_opds
from ragem.opds.service import get_opd, opd_exists

REQUIRED = {
    "DISKOMINFO": "dinas", "DPUPR": "dinas", "DINKES": "dinas", "DLH": "dinas", "DISHUB": "dinas",
    "DISPERKIM": "dinas", "SATPOLPP": "satuan", "BPBD": "badan", "DISDUKCAPIL": "dinas", "DINSOS": "dinas",
    "DISKOPUKM": "dinas", "DAMKAR": "dinas", "POLRESTA": "vertical",
}
NEW = {"code": "DISPAR", "name_id": "Dinas Pariwisata", "name_en": "Tourism Office", "kind": "dinas"}


def _audit(client, admin, **filters):
    query = "&".join(f"{k}={v}" for k, v in {"target_type": "opd", **filters}.items())
    response = client.get(f"/api/v1/admin/audit?{query}", headers=admin)
    assert response.status_code == 200
    return response.json["items"]


def _public_codes(client, query=""):
    response = client.get(f"/api/v1/opds{query}")
    assert response.status_code == 200
    return [item["code"] for item in response.json["items"]]


def test_seed_holds_the_city_offices_and_agencies_with_their_kinds(db_session):
    kinds = dict(db_session.execute(select(Opd.code, Opd.kind)).all())
    assert {code: kinds.get(code) for code in REQUIRED} == REQUIRED
    ukm = db_session.get(Opd, "DISKOPUKM")
    assert ukm.name_id == "Dinas Koperasi, Usaha Mikro, Kecil dan Menengah, Perindustrian dan Perdagangan"
    assert db_session.get(Opd, "DISKOMINFO").name_id == "Dinas Komunikasi, Informatika, Statistik dan Persandian"
    assert db_session.get(Opd, "DAMKAR").name_id == "Dinas Pemadam Kebakaran dan Penyelamatan"
    assert all(opd.active and opd.name_en and opd.name_en != opd.name_id for opd in db_session.scalars(select(Opd)))
    # Every installed service names an owning OPD that exists.
    for record in current_app.extensions["ragem.plugins"].services():
        assert opd_exists(record.info.opd, active_only=True), record.slug


def test_seeding_again_adds_nothing_and_keeps_admin_edits(client, login_as):
    admin = login_as("admin")
    client.patch("/api/v1/admin/opds/DLH", json={"name_en": "Environmental Agency"}, headers=admin)
    client.delete("/api/v1/admin/opds/BAPPEDA", headers=admin)
    with client.application.app_context():
        count = db.session.scalar(select(func.count()).select_from(Opd))
        assert seed_opds(db.session) == 0
        seed_reference()
        seed_reference()
        assert db.session.scalar(select(func.count()).select_from(Opd)) == count
        assert db.session.get(Opd, "DLH").name_en == "Environmental Agency"
        assert db.session.get(Opd, "BAPPEDA").active is False


def test_public_list_shows_active_opds_named_in_the_request_language(client):
    response = client.get("/api/v1/opds")
    assert response.status_code == 200
    items = response.json["items"]
    codes = [item["code"] for item in items]
    assert codes == sorted(codes) and set(REQUIRED) <= set(codes)
    dinkes = next(item for item in items if item["code"] == "DINKES")
    assert dinkes == {"code": "DINKES", "name": "Dinas Kesehatan", "name_id": "Dinas Kesehatan",
                      "name_en": "Health Office", "kind": "dinas", "active": True}
    english = client.get("/api/v1/opds", headers={"Accept-Language": "en-GB,en;q=0.8"}).json["items"]
    assert next(item for item in english if item["code"] == "DINKES")["name"] == "Health Office"
    french = client.get("/api/v1/opds/DINKES", headers={"Accept-Language": "fr"}).json
    assert french["name"] == "Dinas Kesehatan"  # Indonesian when nothing matches

    assert _public_codes(client, "?kind=vertical") == ["POLRESTA"]
    assert _public_codes(client, "?kind=satuan") == ["SATPOLPP"]
    assert "BPBD" in _public_codes(client, "?kind=badan")


def test_public_lookup_and_bad_queries(client):
    one = client.get("/api/v1/opds/DISKOPUKM", headers={"Accept-Language": "en"})
    assert one.status_code == 200 and one.json["name"] == one.json["name_en"]
    for code in ("NOPE", "diskominfo", "X" * 40):
        missing = client.get(f"/api/v1/opds/{code}")
        assert missing.status_code == 404, code
        assert missing.json["error"]["code"] == "not_found"
        assert missing.json["error"]["message"] == "OPD tidak ditemukan."
    for query, field in (("?kind=kementerian", "kind"), ("?knd=dinas", "knd")):
        response = client.get(f"/api/v1/opds{query}")
        assert response.status_code == 422
        assert field in response.json["error"]["details"]["fields"]["query"]


def test_admin_creates_an_opd_audited_with_its_reason(client, login_as):
    admin = login_as("admin")
    response = client.post("/api/v1/admin/opds", json={**NEW, "reason": "Perda perangkat daerah baru"}, headers=admin)
    assert response.status_code == 201
    body = response.json
    assert body["code"] == "DISPAR" and body["active"] is True and body["name"] == "Dinas Pariwisata"
    assert body["created_at"].endswith("Z") and body["updated_at"].endswith("Z")
    assert "DISPAR" in _public_codes(client)

    [entry] = _audit(client, admin, action="opd.create")
    assert entry["target_id"] == "DISPAR" and entry["actor_id"] == admin["X-Test-User-Id"]
    assert entry["before"] is None
    assert entry["after"] == {"name_id": "Dinas Pariwisata", "name_en": "Tourism Office", "kind": "dinas", "active": True}
    assert entry["reason"] == "Perda perangkat daerah baru"

    taken = client.post("/api/v1/admin/opds", json={**NEW, "name_id": "Dinas Lain"}, headers=admin)
    assert taken.status_code == 409 and taken.json["error"]["code"] == "opd_exists"
    seeded = client.post("/api/v1/admin/opds", json={**NEW, "code": "DINKES"}, headers=admin)
    assert seeded.status_code == 409
    assert len(_audit(client, admin)) == 1
    assert client.get("/api/v1/opds/DINKES").json["name_id"] == "Dinas Kesehatan"

    inactive = client.post("/api/v1/admin/opds", json={**NEW, "code": "DISARSIP", "active": False}, headers=admin)
    assert inactive.status_code == 201 and "DISARSIP" not in _public_codes(client)


def test_bad_create_requests_change_nothing(client, login_as):
    admin = login_as("admin")
    cases = [
        ({**NEW, "code": "dispar"}, "code"),  # lowercase
        ({**NEW, "code": "D"}, "code"),  # too short
        ({**NEW, "code": "DINAS-PARIWISATA"}, "code"),  # dash
        ({**NEW, "code": "A" * 21}, "code"),  # too long
        ({**NEW, "code": 12}, "code"),  # wrong type
        ({k: v for k, v in NEW.items() if k != "name_en"}, "name_en"),  # missing
        ({**NEW, "name_id": "   "}, "name_id"),  # only spaces
        ({**NEW, "name_id": ["Dinas"]}, "name_id"),  # wrong type
        ({**NEW, "kind": "kementerian"}, "kind"),
        ({**NEW, "active": "yes"}, "active"),
        ({**NEW, "active": 1}, "active"),
        ({**NEW, "reason": 7}, "reason"),
        ({**NEW, "budget": 1000000}, "budget"),  # unknown field
    ]
    for body, field in cases:
        response = client.post("/api/v1/admin/opds", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json["error"]["code"] == "validation_error"
        assert field in response.json["error"]["details"]["fields"]["json"], body
    malformed = client.post("/api/v1/admin/opds", data="{bad json", headers={**admin, "Content-Type": "application/json"})
    assert malformed.status_code == 400
    not_object = client.post("/api/v1/admin/opds", json=["DISPAR"], headers=admin)
    assert not_object.status_code == 422
    listed = client.get("/api/v1/admin/opds", headers=admin).json["items"]
    assert not any(item["code"].upper().startswith(("DISPAR", "DINAS-", "AAAA")) for item in listed)
    assert _audit(client, admin) == []


def test_admin_updates_names_kind_and_state_but_never_the_code(client, login_as):
    admin = login_as("admin")
    response = client.patch(
        "/api/v1/admin/opds/DISHUB",
        json={"name_en": "  Department of Transportation ", "reason": "nama resmi bahasa Inggris"},
        headers=admin,
    )
    assert response.status_code == 200
    assert response.json["name_en"] == "Department of Transportation"
    assert response.json["name_id"] == "Dinas Perhubungan"
    [entry] = _audit(client, admin, action="opd.update")
    assert entry["target_id"] == "DISHUB"
    assert entry["before"]["name_en"] == "Transportation Office"
    assert entry["after"]["name_en"] == "Department of Transportation"
    assert entry["reason"] == "nama resmi bahasa Inggris"
    english = client.get("/api/v1/opds/DISHUB", headers={"Accept-Language": "en"}).json
    assert english["name"] == "Department of Transportation"

    # Sending the values it already has changes nothing and leaves no audit entry.
    same = client.patch("/api/v1/admin/opds/DISHUB", json={"kind": "dinas"}, headers=admin)
    assert same.status_code == 200
    assert len(_audit(client, admin)) == 1

    refused = client.patch("/api/v1/admin/opds/DISHUB", json={"code": "DISHUBKOMINFO"}, headers=admin)
    assert refused.status_code == 422
    assert "code" in refused.json["error"]["details"]["fields"]["json"]
    for body in ({}, {"reason": "hanya alasan"}, {"kind": "kementerian"}, {"active": "false"},
                 {"name_id": 5}, {"surprise": True}, {"name_id": "x"}):
        response = client.patch("/api/v1/admin/opds/DISHUB", json=body, headers=admin)
        assert response.status_code == 422, body
        assert response.json["error"]["details"], body
    missing = client.patch("/api/v1/admin/opds/NOPE", json={"name_id": "Dinas Nope"}, headers=admin)
    assert missing.status_code == 404
    assert client.get("/api/v1/opds/DISHUB").json["name_en"] == "Department of Transportation"
    assert client.get("/api/v1/opds/DISHUBKOMINFO").status_code == 404
    assert len(_audit(client, admin)) == 1


def test_delete_deactivates_and_keeps_the_row(client, login_as):
    admin = login_as("admin")
    response = client.delete("/api/v1/admin/opds/DISPERKIM?reason=digabung%20ke%20DPUPR", headers=admin)
    assert response.status_code == 200 and response.json["active"] is False
    assert "DISPERKIM" not in _public_codes(client)
    # Still resolvable: officers and old complaints name it.
    kept = client.get("/api/v1/opds/DISPERKIM")
    assert kept.status_code == 200 and kept.json["active"] is False
    admin_view = {item["code"]: item for item in client.get("/api/v1/admin/opds", headers=admin).json["items"]}
    assert admin_view["DISPERKIM"]["active"] is False
    inactive_only = client.get("/api/v1/admin/opds?active=false", headers=admin).json["items"]
    assert [item["code"] for item in inactive_only] == ["DISPERKIM"]

    [entry] = _audit(client, admin, action="opd.deactivate")
    assert entry["target_id"] == "DISPERKIM" and entry["reason"] == "digabung ke DPUPR"
    assert entry["before"]["active"] is True and entry["after"]["active"] is False

    again = client.delete("/api/v1/admin/opds/DISPERKIM", headers=admin)
    assert again.status_code == 200
    assert len(_audit(client, admin)) == 1
    assert client.delete("/api/v1/admin/opds/NOPE", headers=admin).status_code == 404
    bad = client.delete("/api/v1/admin/opds/DLH?reason=x&force=true", headers=admin)
    assert bad.status_code == 422 and {"reason", "force"} <= set(bad.json["error"]["details"]["fields"]["query"])
    assert client.get("/api/v1/opds/DLH").json["active"] is True

    back = client.patch("/api/v1/admin/opds/DISPERKIM", json={"active": True, "reason": "batal digabung"}, headers=admin)
    assert back.status_code == 200 and "DISPERKIM" in _public_codes(client)


def test_only_admins_manage_opds(client, login_as):
    calls = [
        ("get", "/api/v1/admin/opds", None),
        ("post", "/api/v1/admin/opds", NEW),
        ("patch", "/api/v1/admin/opds/DINSOS", {"name_id": "Dinas Sosial Baru"}),
        ("delete", "/api/v1/admin/opds/DINSOS", None),
    ]
    for method, url, body in calls:
        anonymous = getattr(client, method)(url, json=body)
        assert anonymous.status_code == 401, (method, url)
        assert anonymous.json["error"]["code"] == "unauthorized"
        for role in ("citizen", "officer"):
            response = getattr(client, method)(url, json=body, headers=login_as(role))
            assert response.status_code == 403, (method, url, role)
            assert response.json["error"]["code"] == "forbidden"
    dinsos = client.get("/api/v1/opds/DINSOS").json
    assert dinsos["name_id"] == "Dinas Sosial" and dinsos["active"] is True
    assert client.get("/api/v1/opds/DISPAR").status_code == 404
    assert _audit(client, login_as("admin")) == []


def test_lookups_for_other_modules_and_plugins(client, login_as):
    client.delete("/api/v1/admin/opds/DLH", headers=login_as("admin"))
    with client.application.app_context():
        assert get_opd("DPUPR").name_id == "Dinas Pekerjaan Umum dan Penataan Ruang"
        assert opd_exists("DPUPR") and opd_exists("DPUPR", active_only=True)
        assert opd_exists("DLH") and not opd_exists("DLH", active_only=True)
        for bad in ("NOPE", "dpupr", "", None, 42):
            assert get_opd(bad) is None and opd_exists(bad) is False
        assert toolkit.opd("SATPOLPP").kind == "satuan"
        assert toolkit.opd("NOPE") is None
