"""The officer queue: filters, sort orders, keyset pagination and clear refusals of bad filters."""
from datetime import datetime, timedelta

import pytest

from ragem.toolkit import db
from ragem.toolkit import utcnow

from plugins.rabeg.models import Complaint

URL = "/api/v1/rabeg/complaints"
SERANG, CIPARE, KASEMEN = "36.73.01.1001", "36.73.01.1002", "36.73.02.1001"


def set_columns(app, complaint_id, **values):
    with app.app_context():
        c = db.session.get(Complaint, complaint_id)
        for key, value in values.items():
            setattr(c, key, value)
        db.session.commit()


def ids(client, headers, query=""):
    """The ids the queue lists; every state unless the query names some (the default is the open ones)."""
    if "state=" not in query:
        query = f"{query}&state=all" if query else "state=all"
    answer = client.get(f"{URL}?{query}", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return [c["id"] for c in answer.get_json()["items"]]


@pytest.fixture
def world(app, client, login_as, file_complaint):
    """Five DPUPR complaints and one DLH complaint, with hand-set times and states."""
    citizen = login_as("citizen")
    c = {
        "road_serang": file_complaint(citizen)["id"],
        "road_cipare": file_complaint(citizen, kelurahan=CIPARE)["id"],
        "road_kasemen": file_complaint(citizen, kelurahan=KASEMEN)["id"],
        "flood": file_complaint(citizen, category="BANJIR")["id"],
        "road_done": file_complaint(citizen)["id"],
        "rubbish": file_complaint(citizen, category="SAMPAH")["id"],  # DLH
    }
    now = utcnow()
    day = timedelta(days=1)
    # created 10, 8, 6, 4, 2 days ago; resolution due in order flood < road_kasemen < road_serang < road_cipare.
    plan = {
        "road_serang": dict(created_at=now - 10 * day, resolution_due=now + 3 * day, resolution_risk_at=now + 2 * day,
                            first_response_due=now + 1 * day),
        "road_cipare": dict(created_at=now - 8 * day, resolution_due=now + 5 * day, resolution_risk_at=now - day,
                            first_response_due=now - 2 * day),
        "road_kasemen": dict(created_at=now - 6 * day, resolution_due=now - 1 * day, resolution_risk_at=now - 2 * day,
                             first_response_due=now + 2 * day, state="in_progress"),
        "flood": dict(created_at=now - 4 * day, resolution_due=now - 2 * day, resolution_risk_at=now - 3 * day,
                      first_response_due=now + 3 * day),
        "road_done": dict(created_at=now - 2 * day, resolution_due=now + 9 * day, resolution_risk_at=now + 8 * day,
                          first_response_due=now + 4 * day, state="resolved", resolved_at=now - day,
                          first_responded_at=now - day),
    }
    for key, values in plan.items():
        set_columns(app, c[key], **values)
    c["officer"] = login_as("officer", opd="DPUPR")
    c["admin"] = login_as("admin")
    c["now"] = now
    return c


def test_default_is_my_opd_nearest_resolution_deadline_first(client, world):
    assert ids(client, world["officer"]) == [world[k] for k in
                                             ("flood", "road_kasemen", "road_serang", "road_cipare", "road_done")]


def test_by_default_the_queue_holds_what_the_opd_must_still_act_on(client, world):
    officer = world["officer"]
    still_open = [world[k] for k in ("flood", "road_kasemen", "road_serang", "road_cipare")]
    answer = client.get(URL, headers=officer)
    assert [c["id"] for c in answer.get_json()["items"]] == still_open  # the resolved one is left out
    assert ids(client, officer, "state=open") == still_open
    assert ids(client, officer, "state=open,resolved") == still_open[:2] + still_open[2:] + [world["road_done"]]


def test_state_accepts_several_values(client, world):
    got = ids(client, world["officer"], "state=in_progress,resolved")
    assert got == [world["road_kasemen"], world["road_done"]]
    assert ids(client, world["officer"], "state=assigned") == [world[k] for k in ("flood", "road_serang", "road_cipare")]


def test_category_kecamatan_and_kelurahan(client, world):
    officer = world["officer"]
    assert ids(client, officer, "category=BANJIR") == [world["flood"]]
    assert ids(client, officer, "category=JALAN_RUSAK&kecamatan=36.73.02") == [world["road_kasemen"]]
    assert ids(client, officer, f"kelurahan={CIPARE}") == [world["road_cipare"]]
    assert ids(client, officer, "category=SAMPAH") == []  # DLH's: not in DPUPR's queue


def test_sla_filter_uses_the_resolution_deadline(client, world):
    officer = world["officer"]
    assert ids(client, officer, "sla=breached") == [world["flood"], world["road_kasemen"]]
    assert ids(client, officer, "sla=at_risk") == [world["road_cipare"]]
    assert ids(client, officer, "sla=on_track") == [world["road_serang"]]
    assert ids(client, officer, "sla=met") == [world["road_done"]]
    # Each item's sla block agrees with the filter that found it.
    items = client.get(f"{URL}?sla=at_risk", headers=officer).get_json()["items"]
    assert [i["sla"]["resolution"]["status"] for i in items] == ["at_risk"]


def test_filed_date_range(client, world):
    officer, now = world["officer"], world["now"]
    since = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    until = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    got = ids(client, officer, f"filed_from={since}&filed_to={until}&sort=created_at")
    assert got == [world["flood"], world["road_kasemen"]]
    # The from bound is inclusive, the to bound exclusive.
    with client.application.app_context():
        exact = db.session.get(Complaint, world["flood"]).created_at
    stamp = exact.isoformat() + "Z"
    assert world["flood"] in ids(client, officer, f"filed_from={stamp}")
    assert world["flood"] not in ids(client, officer, f"filed_to={stamp}")


def test_a_bare_date_is_a_whole_wib_day(app, client, world):
    officer = world["officer"]
    # 2026-11-24 23:30 WIB = 16:30 UTC on the 24th: a complaint of the 24th in Serang.
    set_columns(app, world["flood"], created_at=datetime(2026, 11, 24, 16, 30))
    assert ids(client, officer, "filed_from=2026-11-24&filed_to=2026-11-24") == [world["flood"]]
    assert ids(client, officer, "filed_from=2026-11-25&filed_to=2026-11-25") == []
    assert world["flood"] not in ids(client, officer, "filed_to=2026-11-23")


def test_sort_orders(client, world):
    officer = world["officer"]
    assert ids(client, officer, "sort=created_at") == [world[k] for k in
                                                       ("road_done", "flood", "road_kasemen", "road_cipare", "road_serang")]
    assert ids(client, officer, "sort=first_response_due") == [world[k] for k in
                                                               ("road_cipare", "road_serang", "road_kasemen", "flood",
                                                                "road_done")]


@pytest.mark.parametrize("sort", ["resolution_due", "first_response_due", "created_at"])
def test_keyset_pages_cover_everything_once(client, world, sort):
    admin = world["admin"]
    everything = ids(client, admin, f"scope=all&sort={sort}&limit=100")
    seen, cursor = [], None
    while True:
        query = f"scope=all&state=all&sort={sort}&limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(f"{URL}?{query}", headers=admin).get_json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == everything and len(everything) == 6


def test_scope_all_is_for_admins_and_my_opd_is_only_mine(client, world, login_as):
    assert world["rubbish"] in ids(client, world["admin"], "scope=all")
    assert client.get(f"{URL}?scope=all", headers=world["officer"]).status_code == 403
    dlh = login_as("officer", opd="DLH")
    assert ids(client, dlh) == [world["rubbish"]]
    assert client.get(URL, headers=login_as("citizen")).status_code == 403


@pytest.mark.parametrize("query,field", [
    ("state=assigned,lost", "state"),
    ("state=,", "state"),
    ("sla=late", "sla"),
    ("sort=priority", "sort"),
    ("scope=everyone", "scope"),
    ("filed_from=yesterday", "filed_from"),
    ("filed_to=2026-02-30", "filed_to"),
    ("filed_from=2026-11-20&filed_to=2026-11-10", "filed_from"),
    ("category=NOPE", "category"),
    ("kecamatan=36.73.01.1001", "kecamatan"),  # a kelurahan code is not a kecamatan
    ("kelurahan=99.99", "kelurahan"),
    ("limit=0", "limit"),
])
def test_bad_filters_are_422_naming_the_field(client, login_as, query, field):
    answer = client.get(f"{URL}?{query}", headers=login_as("officer", opd="DPUPR"))
    assert answer.status_code == 422, (query, answer.get_json())
    assert field in str(answer.get_json()["error"]["details"]), answer.get_json()


def test_a_forged_cursor_is_a_clear_error(client, login_as):
    answer = client.get(f"{URL}?cursor=bm90LWEtY3Vyc29y", headers=login_as("officer", opd="DPUPR"))
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_cursor"


def test_filed_from_with_a_deadline_sort_keeps_every_match(client, world):
    officer, now = world["officer"], world["now"]
    since = (now - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert ids(client, officer, f"filed_from={since}") == [world[k] for k in ("flood", "road_kasemen", "road_done")]
    assert ids(client, officer, f"filed_from={since}&sort=first_response_due") == [
        world[k] for k in ("road_kasemen", "flood", "road_done")]
