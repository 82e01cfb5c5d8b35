"""Categories: routing (the same for app and Open311 filings) and the admin API that manages them."""
import pytest
from sqlalchemy import func, select

from plugins.rabeg.services import filing
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


CATEGORIES = "/api/v1/rabeg/categories"
NEW = {"code": "POHON_TUMBANG", "name": {"id": "Pohon tumbang", "en": "Fallen tree"}, "opd": "DLH",
       "first_response_target": {"value": 4, "unit": "working_hours"},
       "resolution_target": {"value": 2, "unit": "working_days"}}
QUESTION = {"code": "menghalangi_jalan", "datatype": "singlevaluelist", "required": True, "order": 1,
            "description": {"id": "Menghalangi jalan?", "en": "Blocking the road?"},
            "values": [{"key": "ya", "name": {"id": "Ya", "en": "Yes"}},
                       {"key": "tidak", "name": {"id": "Tidak", "en": "No"}}]}


def _audit(client, admin, action):
    entries = client.get(f"/api/v1/admin/audit?action={action}&limit=50", headers=admin).get_json()["items"]
    return entries


def test_public_list_shows_active_categories_in_both_languages(client):
    response = client.get(CATEGORIES)
    assert response.status_code == 200
    items = {c["code"]: c for c in response.get_json()["items"]}
    assert {"JALAN_RUSAK", "PJU", "SAMPAH", "BANJIR", "KESEHATAN"} <= set(items)
    road = items["JALAN_RUSAK"]
    assert road["name"] == {"id": "Jalan rusak", "en": "Damaged road"} and road["opd"] == "DPUPR"
    assert road["resolution_target"] == {"value": 10, "unit": "working_days"} and road["allows_anonymous"] is True
    assert [q["code"] for q in road["questions"]] == ["ukuran_lubang", "membahayakan"]
    assert items["KESEHATAN"]["allows_anonymous"] is False
    assert client.get(f"{CATEGORIES}?include_inactive=true").status_code == 401


def test_admin_creates_a_category_citizens_can_file_in_at_once(client, login_as):
    admin, citizen = login_as("admin"), login_as("citizen")
    created = client.post(CATEGORIES, json={**NEW, "questions": [QUESTION], "allows_anonymous": True}, headers=admin)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["questions"][0]["code"] == "menghalangi_jalan"
    body = {"category": "POHON_TUMBANG", "description": "Pohon tumbang menutup jalan.", "kelurahan": KELURAHAN,
            "answers": {"menghalangi_jalan": "ya"}, "anonymous": True}
    filed = client.post(URL, json=body, headers=citizen)
    assert filed.status_code == 201 and filed.get_json()["opd"] == "DLH"
    assert client.post(CATEGORIES, json=NEW, headers=admin).status_code == 409
    entries = _audit(client, admin, "rabeg.category.create")
    assert [e["target_id"] for e in entries] == ["POHON_TUMBANG"]


def test_only_admins_manage_categories(client, login_as):
    for role in ("citizen", "officer"):
        headers = login_as(role, opd="DLH" if role == "officer" else None)
        assert client.post(CATEGORIES, json=NEW, headers=headers).status_code == 403
        assert client.patch(f"{CATEGORIES}/SAMPAH", json={"allows_anonymous": False}, headers=headers).status_code == 403
        assert client.get(f"{CATEGORIES}?include_inactive=true", headers=headers).status_code == 403
    assert client.post(CATEGORIES, json=NEW).status_code == 401


def test_patch_changes_routing_targets_and_activity_audited(client, login_as):
    admin, citizen = login_as("admin"), login_as("citizen")
    patch = {"routing_overrides": {"36.73.01": "DISPERKIM"}, "resolution_target": {"value": 2, "unit": "working_days"},
             "name": {"id": "Sampah liar", "en": "Illegal dumping"}}
    changed = client.patch(f"{CATEGORIES}/SAMPAH", json=patch, headers=admin)
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["routing_overrides"] == {"36.73.01": "DISPERKIM"}
    body = {"category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.", "kelurahan": KELURAHAN}
    assert client.post(URL, json=body, headers=citizen).get_json()["opd"] == "DISPERKIM"
    [entry] = _audit(client, admin, "rabeg.category.update")
    assert entry["before"]["routing_overrides"] == {} and entry["after"]["routing_overrides"] == {"36.73.01": "DISPERKIM"}
    assert set(entry["after"]) == {"routing_overrides", "resolution_target", "name"}
    # Switched off: gone from the public list, refused at filing, still listed for admins.
    assert client.patch(f"{CATEGORIES}/SAMPAH", json={"active": False}, headers=admin).status_code == 200
    assert "SAMPAH" not in [c["code"] for c in client.get(CATEGORIES).get_json()["items"]]
    assert client.post(URL, json=body, headers=citizen).status_code == 422
    everything = client.get(f"{CATEGORIES}?include_inactive=true", headers=admin).get_json()["items"]
    assert [c["active"] for c in everything if c["code"] == "SAMPAH"] == [False]


def test_bad_category_changes_are_refused_and_change_nothing(client, login_as):
    admin = login_as("admin")
    cases = [
        {"opd": "NOPE"},
        {"routing_overrides": {"36.73.01.1001": "DPUPR"}},  # a kelurahan, not a kecamatan
        {"routing_overrides": {"99.99.99": "DPUPR"}},
        {"routing_overrides": {"36.73.01": "NOPE"}},
        {"first_response_target": {"value": 0, "unit": "working_days"}},
        {"resolution_target": {"value": 3, "unit": "weeks"}},
        {"questions": [{**QUESTION, "datatype": "colour"}]},
        {"questions": [QUESTION, QUESTION]},
        {"name": {"id": "x" * 121, "en": "ok"}},
        {"allows_anonymous": "perhaps"},
        {"unknown": 1},
        {},
    ]
    for case in cases:
        response = client.patch(f"{CATEGORIES}/SAMPAH", json=case, headers=admin)
        assert response.status_code == 422, (case, response.get_json())
    assert client.patch(f"{CATEGORIES}/NOPE", json={"active": False}, headers=admin).status_code == 404
    assert client.post(CATEGORIES, json={**NEW, "code": "lower case"}, headers=admin).status_code == 422
    assert client.post(CATEGORIES, json={**NEW, "opd": "NOPE"}, headers=admin).status_code == 422
    sampah = [c for c in client.get(CATEGORIES).get_json()["items"] if c["code"] == "SAMPAH"][0]
    assert sampah["opd"] == "DLH" and sampah["routing_overrides"] == {} and sampah["questions"] == []
    assert _audit(client, admin, "rabeg.category.update") == []


# --- Categories and templates are reference data: loaded with the schema, never by a request ----------

def test_ragem_db_upgrade_brings_the_categories_and_templates_to_a_fresh_database(fresh_database_url,
                                                                                   ragem_instance_path):
    from sqlalchemy import create_engine, text

    from ragem.testing import invoke_cli

    env = {"RAGEM_DATABASE_URL": fresh_database_url, "RAGEM_INSTANCE_PATH": ragem_instance_path,
           "RAGEM_ENV": "testing", "RAGEM_LOG_JSON": "false", "RAGEM_SCHEDULER": "false"}
    assert invoke_cli(None, ["db", "upgrade"], env=env).exit_code == 0
    again = invoke_cli(None, ["db", "upgrade"], env=env)  # a second run adds nothing
    assert again.exit_code == 0, again.output
    engine = create_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM rabeg_category")) == 9
            assert conn.scalar(text("SELECT count(*) FROM rabeg_response_template")) > 0
    finally:
        engine.dispose()


def test_a_request_never_puts_categories_back(client, login_as, db_session):
    from plugins.rabeg.models import ResponseTemplate

    db_session.query(ResponseTemplate).delete()
    db_session.query(Category).delete()
    db_session.commit()
    admin = login_as("admin")
    assert client.get(CATEGORIES).get_json()["items"] == []
    assert client.get("/api/v1/rabeg/response-templates", headers=admin).get_json()["items"] == []
    body = {"category": "SAMPAH", "description": "Sampah menumpuk di pinggir jalan.", "kelurahan": KELURAHAN}
    assert client.post(URL, json=body, headers=login_as("citizen")).status_code == 422
    assert client.get("/open311/v2/services.json").get_json() == []
    assert db_session.scalar(select(func.count()).select_from(Category)) == 0


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_category_name_is_held_to_its_column_in_either_language(client, login_as, db_session, language):
    """The contract says 120 characters, as ``Category.name_id``/``name_en`` hold: 121 is refused
    with the envelope and creates nothing, 120 is accepted."""
    admin = login_as("admin")
    before = db_session.scalar(select(func.count()).select_from(Category))
    new = {"code": "POHON_TUMBANG", "opd": "DLH", "first_response_target": {"value": 4, "unit": "working_hours"},
           "resolution_target": {"value": 2, "unit": "working_days"}}
    names = {"id": "Pohon tumbang", "en": "Fallen tree"}
    too_long = client.post("/api/v1/rabeg/categories", json={**new, "name": {**names, language: "P" * 121}},
                           headers=admin)
    assert too_long.status_code == 422, too_long.get_json()
    assert language in too_long.get_json()["error"]["details"]["fields"]["json"]["name"]
    assert db_session.scalar(select(func.count()).select_from(Category)) == before
    at_limit = client.post("/api/v1/rabeg/categories", json={**new, "name": {**names, language: "P" * 120}},
                           headers=admin)
    assert at_limit.status_code == 201, at_limit.get_json()
    assert at_limit.get_json()["name"][language] == "P" * 120
