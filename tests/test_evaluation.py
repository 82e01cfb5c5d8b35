"""Evaluation against targets: KPIs of a month, quarter or year beside the admins' yearly targets."""
from __future__ import annotations

import csv
import io
import types
from datetime import datetime, timedelta

import pytest

from ragem.audit.service import record
from ragem.auth.models import User
from ragem.errors import ValidationError
from ragem.evaluation import evaluate, parse_period
from ragem.extensions import db
from ragem.testing import bearer, create_account
from ragem.toolkit import KpiValue, PluginInfo, hookimpl


def kpi_plugin(slug: str, kpis_for, calls: list | None = None):
    """A throwaway service whose KPIs are ``kpis_for(period)``."""

    @hookimpl
    def ragem_plugin_info():
        return PluginInfo(
            slug=slug,
            name={"id": f"Layanan uji {slug}", "en": f"Test service {slug}"},
            description={"id": "Hanya untuk pengujian", "en": "For tests only"},
            opd="DISKOMINFO",
            version="0.0.1",
        )

    @hookimpl
    def ragem_kpis(period):
        if calls is not None:
            calls.append(period.key)
        return kpis_for(period)

    return types.SimpleNamespace(ragem_plugin_info=ragem_plugin_info, ragem_kpis=ragem_kpis)


def programme_kpis(period):
    """Six indicators covering both directions, counts and rates, missing data and no target."""
    outages = 2  # reported the same in every period: a month over its share, a quarter within it
    return [
        KpiValue("kpitest.reports", {"id": "Laporan ditangani", "en": "Reports handled"},
                 {"month": 10, "quarter": 30, "year": 120, "renstra": 600}[period.kind], unit="laporan", cumulative=True),
        KpiValue("kpitest.resolved_share", {"id": "Porsi laporan selesai", "en": "Share of reports resolved"},
                 0.8, unit="rasio"),
        KpiValue("kpitest.response_hours", {"id": "Jam sampai ditanggapi", "en": "Hours to first answer"},
                 30.0, unit="jam", higher_is_better=False),
        KpiValue("kpitest.outages", {"id": "Gangguan layanan", "en": "Service outages"},
                 outages, unit="kali", higher_is_better=False, cumulative=True),
        KpiValue("kpitest.no_data", {"id": "Belum ada data", "en": "No data yet"}, None, cumulative=True),
        KpiValue("kpitest.untargeted", {"id": "Tanpa target", "en": "No target"}, 5),
    ]


TARGETS = {
    "kpitest.reports": 108,  # 9 a month, 27 a quarter
    "kpitest.resolved_share": 0.9,  # a rate: never pro-rated
    "kpitest.response_hours": 48,  # at most 48 hours
    "kpitest.outages": 12,  # at most 1 a month, 3 a quarter
    "kpitest.no_data": 100,
}


@pytest.fixture
def calls():
    return []


@pytest.fixture
def kpi_app(make_app, calls):
    return make_app(extra_plugins=[("kpi-plugin", kpi_plugin("kpitest", programme_kpis, calls))])


@pytest.fixture
def admin(kpi_app):
    user_id, _phone, _password = create_account(kpi_app, "admin")
    return {**bearer(kpi_app, user_id), "X-Test-User-Id": user_id}


def put_target(client, headers, key, year, target, reason="Renstra 2025-2029"):
    return client.put(f"/api/v1/admin/kpi-targets/{key}/{year}", json={"target": target, "reason": reason}, headers=headers)


def by_key(response) -> dict[str, dict]:
    assert response.status_code == 200, response.json
    return {item["key"]: item for item in response.json["items"]}


# -- periods -----------------------------------------------------------------------------------

def wib(year, month, day=1, hour=0, minute=0):
    """A moment on Kota Serang's clock (WIB, UTC+7) as the naive UTC the database stores."""
    return datetime(year, month, day, hour, minute) - timedelta(hours=7)


@pytest.mark.parametrize(
    "raw,kind,start,end",
    [
        ("2026-11", "month", wib(2026, 11), wib(2026, 12)),
        ("2026-12", "month", wib(2026, 12), wib(2027, 1)),
        ("2026-01", "month", wib(2026, 1), wib(2026, 2)),
        ("2026-Q1", "quarter", wib(2026, 1), wib(2026, 4)),
        ("2026-Q4", "quarter", wib(2026, 10), wib(2027, 1)),
        ("2026-q2", "quarter", wib(2026, 4), wib(2026, 7)),
        ("2026", "year", wib(2026, 1), wib(2027, 1)),
        (" 2028-02 ", "month", wib(2028, 2), wib(2028, 3)),
        ("2025-2029", "renstra", wib(2025, 1), wib(2030, 1)),
    ],
)
def test_periods_run_from_midnight_wib_given_in_utc(raw, kind, start, end):
    period = parse_period(raw)
    assert (period.kind, period.start, period.end, period.year) == (kind, start, end, int(raw.strip()[:4]))
    assert (start.hour, end.hour) == (17, 17)  # midnight WIB is 17:00 UTC the day before
    assert period.key == raw.strip().upper()


@pytest.mark.parametrize(
    "raw",
    ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-11", "2026/11", "2026-11-01", "2026-1", "November 2026",
     "", "   ", "1999", "2101", "Q4-2026", "2026-Q", "٢٠٢٦", "２０２６", None, 2026,
     "2025-2028", "2025-2030", "2029-2025", "2097-2101"],
)
def test_anything_else_is_a_422_naming_the_expected_forms(raw):
    with pytest.raises(ValidationError) as refused:
        parse_period(raw)
    assert refused.value.status == 422 and refused.value.code == "invalid_period"
    assert refused.value.details["expected"] == ["YYYY-MM", "YYYY-Qn", "YYYY", "YYYY-YYYY (five years)"]


def test_the_api_answers_a_bad_period_with_the_envelope(kpi_app, admin):
    client = kpi_app.test_client()
    response = client.get("/api/v1/admin/evaluation?period=2026-13", headers={**admin, "Accept-Language": "en"})
    assert response.status_code == 422
    assert response.json["error"]["code"] == "invalid_period"
    assert "2026-Q4" in response.json["error"]["message"]
    assert response.json["error"]["details"]["reason"] == "month must be 01-12"
    missing = client.get("/api/v1/admin/evaluation", headers=admin)
    assert missing.status_code == 422 and missing.json["error"]["code"] == "validation_error"
    typo = client.get("/api/v1/admin/evaluation?periode=2026", headers=admin)
    assert typo.status_code == 422


# -- values, targets and statuses --------------------------------------------------------------

def test_statuses_follow_direction_and_counts_are_pro_rated(kpi_app, admin, calls):
    client = kpi_app.test_client()
    for key, target in TARGETS.items():
        assert put_target(client, admin, key, 2026, target).status_code == 200

    month = by_key(client.get("/api/v1/admin/evaluation?period=2026-11", headers=admin))
    assert calls[-1] == "2026-11"
    reports = month["kpitest.reports"]
    assert reports == {
        "key": "kpitest.reports", "service": "kpitest", "name": "Laporan ditangani", "unit": "laporan",
        "value": 10.0, "target": 9.0, "yearly_target": 108.0, "status": "on_track",
        "higher_is_better": True, "cumulative": True,
    }
    # A rate is compared with the yearly target as is: 0.8 < 0.9.
    assert month["kpitest.resolved_share"]["target"] == 0.9
    assert month["kpitest.resolved_share"]["status"] == "off_track"
    # Lower is better: 30 hours within 48.
    assert month["kpitest.response_hours"]["status"] == "on_track"
    # A count where lower is better: 2 outages in a month against 12/12 = 1.
    assert month["kpitest.outages"]["target"] == 1.0
    assert month["kpitest.outages"]["status"] == "off_track"
    assert month["kpitest.no_data"]["status"] == "no_data" and month["kpitest.no_data"]["value"] is None
    assert month["kpitest.untargeted"]["status"] == "no_target" and month["kpitest.untargeted"]["target"] is None

    quarter = by_key(client.get("/api/v1/admin/evaluation?period=2026-Q4", headers=admin))
    assert quarter["kpitest.reports"]["target"] == 27.0 and quarter["kpitest.reports"]["status"] == "on_track"
    assert quarter["kpitest.outages"]["target"] == 3.0 and quarter["kpitest.outages"]["status"] == "on_track"
    assert quarter["kpitest.resolved_share"]["target"] == 0.9

    year = client.get("/api/v1/admin/evaluation?period=2026", headers={**admin, "Accept-Language": "en"})
    items = by_key(year)
    assert items["kpitest.reports"]["target"] == 108.0 and items["kpitest.reports"]["name"] == "Reports handled"
    assert year.json["period"] == {
        "key": "2026", "kind": "year", "year": 2026, "start": "2025-12-31T17:00:00Z",
        "end": "2026-12-31T17:00:00Z", "share_of_year": 1.0, "complete": year.json["period"]["complete"],
    }
    # Targets belong to their year: 2027 has none yet.
    later = by_key(client.get("/api/v1/admin/evaluation?period=2027-01", headers=admin))
    assert later["kpitest.reports"]["status"] == "no_target"


def test_a_count_below_its_share_is_off_track_and_a_rate_above_is_on_track(make_app):
    def kpis(period):
        return [
            KpiValue("kpiother.signups", {"id": "Pendaftar", "en": "Sign-ups"}, 8, cumulative=True),
            KpiValue("kpiother.uptime", {"id": "Ketersediaan", "en": "Uptime"}, 99.5, unit="%"),
            KpiValue("kpiother.wait", {"id": "Menunggu", "en": "Waiting"}, 2.0, higher_is_better=False),
        ]

    app = make_app(extra_plugins=[("kpi-other", kpi_plugin("kpiother", kpis))])
    with app.app_context():
        from ragem.evaluation.models import KpiTarget

        db.session.add_all([
            KpiTarget(kpi_key="kpiother.signups", year=2026, target=120),  # 10 a month: 8 is short
            KpiTarget(kpi_key="kpiother.uptime", year=2026, target=99.0),
            KpiTarget(kpi_key="kpiother.wait", year=2026, target=1.5),  # lower is better: 2.0 is over
        ])
        db.session.commit()
        with app.test_request_context():
            items = {item["key"]: item for item in evaluate(parse_period("2026-03"))["items"]}
    assert items["kpiother.signups"]["target"] == 10.0 and items["kpiother.signups"]["status"] == "off_track"
    assert items["kpiother.uptime"]["status"] == "on_track"
    assert items["kpiother.wait"]["status"] == "off_track"


def test_core_kpis_count_accounts_and_switch_offs_in_the_period(kpi_app, admin):
    with kpi_app.app_context():
        users = [create_account(kpi_app, "citizen")[0] for _ in range(4)]
        # March on the city's clock: from midnight WIB on 1 March to 23:59 WIB on 31 March.
        for user_id, created in zip(users, [wib(2025, 3, 1), wib(2025, 3, 31, 23, 59),
                                            wib(2025, 2, 28, 23, 59), wib(2025, 4, 1)]):
            db.session.get(User, user_id).created_at = created
        for action, slug, at in [("service.disable", "rabeg", datetime(2025, 3, 10)),
                                 ("service.enable", "rabeg", datetime(2025, 3, 11)),
                                 ("service.disable", "wifi", datetime(2025, 5, 2))]:
            record(action, "service", slug, before={}, after={}, reason="uji").at = at
        db.session.commit()
    client = kpi_app.test_client()
    march = by_key(client.get("/api/v1/admin/evaluation?period=2025-03", headers=admin))
    assert march["core.new_accounts"]["value"] == 2.0 and march["core.new_accounts"]["service"] == "core"
    assert march["core.service_disablements"]["value"] == 1.0
    assert march["core.service_disablements"]["higher_is_better"] is False
    first_quarter = by_key(client.get("/api/v1/admin/evaluation?period=2025-Q1", headers=admin))
    assert first_quarter["core.new_accounts"]["value"] == 3.0
    year = by_key(client.get("/api/v1/admin/evaluation?period=2025", headers=admin))
    assert year["core.new_accounts"]["value"] == 4.0  # the admin was created today, not in 2025
    assert year["core.service_disablements"]["value"] == 2.0


def test_a_sign_up_at_six_in_the_morning_wib_on_the_first_counts_in_that_month(kpi_app, admin):
    # 06:00 WIB on 1 November is 23:00 UTC on 31 October: a UTC calendar would count it in October.
    with kpi_app.app_context():
        early, late = (create_account(kpi_app, "citizen")[0] for _ in range(2))
        db.session.get(User, early).created_at = wib(2026, 11, 1, 6, 0)
        db.session.get(User, late).created_at = wib(2026, 10, 31, 23, 59)
        db.session.commit()
    client = kpi_app.test_client()
    november = client.get("/api/v1/admin/evaluation?period=2026-11", headers=admin)
    assert november.json["period"]["start"] == "2026-10-31T17:00:00Z"
    assert by_key(november)["core.new_accounts"]["value"] == 1.0
    assert by_key(client.get("/api/v1/admin/evaluation?period=2026-10", headers=admin))["core.new_accounts"]["value"] == 1.0


def test_a_renstra_period_sums_the_five_yearly_targets_of_counts_and_ends_on_the_last_years_rate(kpi_app, admin):
    client = kpi_app.test_client()
    for year, reports in zip(range(2025, 2030), (100, 110, 120, 130, 140)):
        assert put_target(client, admin, "kpitest.reports", year, reports).status_code == 200
    put_target(client, admin, "kpitest.resolved_share", 2025, 0.7)
    put_target(client, admin, "kpitest.resolved_share", 2029, 0.85)
    put_target(client, admin, "kpitest.outages", 2026, 12)  # four years without a target
    answer = client.get("/api/v1/admin/evaluation?period=2025-2029", headers=admin)
    period = answer.json["period"]
    assert (period["kind"], period["year"], period["share_of_year"]) == ("renstra", 2025, 5.0)
    assert (period["start"], period["end"]) == ("2024-12-31T17:00:00Z", "2029-12-31T17:00:00Z")
    items = by_key(answer)
    assert (items["kpitest.reports"]["target"], items["kpitest.reports"]["status"]) == (600.0, "on_track")
    share = items["kpitest.resolved_share"]
    assert (share["target"], share["yearly_target"], share["status"]) == (0.85, 0.85, "off_track")
    assert (items["kpitest.outages"]["target"], items["kpitest.outages"]["status"]) == (None, "no_target")
    assert answer.json["warnings"] == []
    assert client.get("/api/v1/admin/evaluation.csv?period=2025-2029", headers=admin).status_code == 200


def test_kpis_are_still_reported_while_the_service_is_switched_off(kpi_app, admin, calls):
    client = kpi_app.test_client()
    switched = client.patch("/api/v1/admin/services/kpitest", json={"enabled": False, "reason": "pemeliharaan"},
                            headers=admin)
    assert switched.status_code == 200 and switched.json["enabled"] is False
    assert "kpitest" not in [s["slug"] for s in client.get("/api/v1/services").json["items"]]

    calls.clear()
    items = by_key(client.get("/api/v1/admin/evaluation?period=2026-Q3", headers=admin))
    assert calls == ["2026-Q3"]
    assert items["kpitest.reports"]["value"] == 30.0 and items["kpitest.reports"]["service"] == "kpitest"
    # Targets can still be set for a paused service's KPIs.
    assert put_target(client, admin, "kpitest.reports", 2026, 100).status_code == 200


# -- plugins that misbehave --------------------------------------------------------------------

def test_a_duplicate_key_keeps_the_first_report_and_is_named_in_the_warnings(make_app, caplog):
    def first(period):
        return [KpiValue("shared.visits", {"id": "Kunjungan A", "en": "Visits A"}, 1, cumulative=True)]

    def second(period):
        return [
            KpiValue("shared.visits", {"id": "Kunjungan B", "en": "Visits B"}, 2),
            KpiValue("core.new_accounts", {"id": "Tiruan", "en": "Impostor"}, 999),
            KpiValue("kpib.own", {"id": "Milik B", "en": "B's own"}, 3),
        ]

    app = make_app(extra_plugins=[("kpi-b", kpi_plugin("kpib", second)), ("kpi-a", kpi_plugin("kpia", first))])
    admin = bearer(app, create_account(app, "admin")[0])
    response = app.test_client().get("/api/v1/admin/evaluation?period=2026-05", headers=admin)
    items = by_key(response)
    assert items["shared.visits"]["service"] == "kpia" and items["shared.visits"]["value"] == 1.0
    assert items["core.new_accounts"]["service"] == "core" and items["core.new_accounts"]["value"] != 999
    assert items["kpib.own"]["value"] == 3.0
    duplicates = [w for w in response.json["warnings"] if w["code"] == "duplicate_kpi"]
    assert {(w["details"]["kpi_key"], w["details"]["service"], w["details"]["kept_from"]) for w in duplicates} == {
        ("shared.visits", "kpib", "kpia"),
        ("core.new_accounts", "kpib", "core"),
    }
    assert all(w["message"] for w in duplicates)
    assert "duplicate_kpi" in caplog.text


def test_a_failing_or_sloppy_plugin_is_reported_and_the_others_still_count(make_app):
    def broken(period):
        raise RuntimeError("database of the plugin is down")

    def lazy_broken(period):
        yield KpiValue("kpilazy.first", {"id": "Pertama", "en": "First"}, 1)
        raise RuntimeError("failed half way")

    def sloppy(period):
        return [
            KpiValue("kpisloppy.nan", {"id": "NaN", "en": "NaN"}, float("nan")),
            KpiValue("kpisloppy.text", {"id": "Teks", "en": "Text"}, "12"),
            KpiValue("kpisloppy.flag", {"id": "Bendera", "en": "Flag"}, True),
            KpiValue("Bad Key", {"id": "Kunci", "en": "Key"}, 1),
            {"key": "kpisloppy.dict", "value": 1},
            KpiValue("kpisloppy.fine", {"id": "Baik", "en": "Fine"}, 7),
        ]

    app = make_app(extra_plugins=[
        ("kpi-broken", kpi_plugin("kpibroken", broken)),
        ("kpi-lazy", kpi_plugin("kpilazy", lazy_broken)),
        ("kpi-sloppy", kpi_plugin("kpisloppy", sloppy)),
        ("kpi-plugin", kpi_plugin("kpitest", programme_kpis)),
    ])
    admin = bearer(app, create_account(app, "admin")[0])
    response = app.test_client().get("/api/v1/admin/evaluation?period=2026-06", headers=admin)
    items = by_key(response)
    assert "kpitest.reports" in items and items["kpisloppy.fine"]["value"] == 7.0
    assert not [key for key in items if key.startswith(("kpibroken.", "kpilazy."))]
    assert not {"kpisloppy.nan", "kpisloppy.text", "kpisloppy.flag"} & set(items)
    warnings = response.json["warnings"]
    failed = sorted(w["details"]["service"] for w in warnings if w["code"] == "kpi_hook_failed")
    assert failed == ["kpibroken", "kpilazy"]
    invalid = [w for w in warnings if w["code"] == "invalid_kpi"]
    assert len(invalid) == 5 and {w["details"]["service"] for w in invalid} == {"kpisloppy"}


# -- targets -----------------------------------------------------------------------------------

def test_targets_are_set_changed_listed_and_deleted_with_an_audit_trail(kpi_app, admin):
    client = kpi_app.test_client()
    created = put_target(client, admin, "kpitest.reports", 2026, 108, reason="Renstra 2025-2029")
    assert created.status_code == 200
    assert created.json["target"] == 108.0 and created.json["set_by"] == admin["X-Test-User-Id"]
    assert created.json["updated_at"].endswith("Z")
    changed = put_target(client, admin, "kpitest.reports", 2026, 120.5, reason="revisi Renstra")
    assert changed.status_code == 200 and changed.json["target"] == 120.5
    assert put_target(client, admin, "kpitest.outages", 2026, 12).status_code == 200
    assert put_target(client, admin, "kpitest.reports", 2027, 130).status_code == 200

    listed = client.get("/api/v1/admin/kpi-targets?year=2026", headers=admin)
    assert listed.status_code == 200
    assert [(t["kpi_key"], t["target"]) for t in listed.json["items"]] == [
        ("kpitest.outages", 12.0), ("kpitest.reports", 120.5),
    ]

    deleted = client.delete("/api/v1/admin/kpi-targets/kpitest.reports/2026?reason=indikator%20dihapus", headers=admin)
    assert deleted.status_code == 204 and deleted.data == b""
    again = client.delete("/api/v1/admin/kpi-targets/kpitest.reports/2026?reason=dua%20kali", headers=admin)
    assert again.status_code == 404 and again.json["error"]["code"] == "not_found"
    assert [t["kpi_key"] for t in client.get("/api/v1/admin/kpi-targets?year=2026", headers=admin).json["items"]] == [
        "kpitest.outages"
    ]
    assert client.get("/api/v1/admin/kpi-targets?year=2027", headers=admin).json["items"][0]["target"] == 130.0

    audit = client.get("/api/v1/admin/audit?target_type=kpi_target&target_id=kpitest.reports/2026",
                       headers=admin).json["items"]
    trail = [(e["action"], e["before"], e["after"], e["reason"], e["actor_id"]) for e in reversed(audit)]
    actor = admin["X-Test-User-Id"]
    assert trail == [
        ("kpi_target.set", None, {"target": 108.0}, "Renstra 2025-2029", actor),
        ("kpi_target.set", {"target": 108.0}, {"target": 120.5}, "revisi Renstra", actor),
        ("kpi_target.delete", {"target": 120.5}, None, "indikator dihapus", actor),
    ]


def test_bad_target_requests_change_nothing(kpi_app, admin):
    client = kpi_app.test_client()
    cases = [
        ("kpitest.reports", 2026, {"target": 10}, 422, "validation_error"),  # no reason
        ("kpitest.reports", 2026, {"target": "banyak", "reason": "teks"}, 422, "validation_error"),
        ("kpitest.reports", 2026, {"target": 10, "reason": "ok!", "unit": "x"}, 422, "validation_error"),
        ("kpitest.reports", 2026, {"target": 1e300, "reason": "terlalu besar"}, 422, "validation_error"),
        ("kpitest.reports", 1999, {"target": 10, "reason": "tahun lama"}, 422, "validation_error"),
        ("kpitest.typo", 2026, {"target": 10, "reason": "salah ketik"}, 422, "unknown_kpi"),
        ("KPITEST.REPORTS", 2026, {"target": 10, "reason": "huruf besar"}, 422, "validation_error"),
    ]
    for key, year, body, status, code in cases:
        response = client.put(f"/api/v1/admin/kpi-targets/{key}/{year}", json=body, headers=admin)
        assert response.status_code == status, (key, body)
        assert response.json["error"]["code"] == code, (key, body)
    unknown = client.put("/api/v1/admin/kpi-targets/kpitest.typo/2026", json={"target": 1, "reason": "salah"},
                         headers=admin)
    assert "kpitest.reports" in unknown.json["error"]["details"]["known"]
    nan = client.put("/api/v1/admin/kpi-targets/kpitest.reports/2026", data='{"target": NaN, "reason": "nan"}',
                     headers={**admin, "Content-Type": "application/json"})
    assert nan.status_code in (400, 422)
    assert client.delete("/api/v1/admin/kpi-targets/kpitest.reports/2026", headers=admin).status_code == 422
    assert client.get("/api/v1/admin/kpi-targets?year=abc", headers=admin).status_code == 422
    assert client.get("/api/v1/admin/kpi-targets", headers=admin).status_code == 422
    assert client.get("/api/v1/admin/kpi-targets?year=2026", headers=admin).json["items"] == []
    assert client.get("/api/v1/admin/audit?target_type=kpi_target", headers=admin).json["items"] == []


# -- CSV and access ----------------------------------------------------------------------------

def test_the_csv_export_has_one_row_per_kpi(make_app):
    def kpis(period):
        return [
            KpiValue("kpicsv.visits", {"id": "Kunjungan taman", "en": "Park visits"}, 1200, unit="orang", cumulative=True),
            KpiValue("kpicsv.formula", {"id": "=HYPERLINK(\"http://x\")", "en": "=1+1"}, None),
        ]

    app = make_app(extra_plugins=[("kpi-csv", kpi_plugin("kpicsv", kpis))])
    admin = bearer(app, create_account(app, "admin")[0])
    client = app.test_client()
    assert put_target(client, admin, "kpicsv.visits", 2026, 4000).status_code == 200

    response = client.get("/api/v1/admin/evaluation.csv?period=2026-Q4", headers=admin)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ragem-evaluation-2026-Q4.csv"'
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8"))))
    assert list(rows[0]) == ["period", "key", "service", "name", "unit", "value", "target", "yearly_target",
                             "status", "higher_is_better", "cumulative"]
    by = {row["key"]: row for row in rows}
    assert by["kpicsv.visits"] == {
        "period": "2026-Q4", "key": "kpicsv.visits", "service": "kpicsv", "name": "Kunjungan taman",
        "unit": "orang", "value": "1200.0", "target": "1000.0", "yearly_target": "4000.0",
        "status": "on_track", "higher_is_better": "true", "cumulative": "true",
    }
    assert by["kpicsv.formula"]["name"].startswith("'=")  # a spreadsheet shows it, never runs it
    assert by["kpicsv.formula"]["value"] == "" and by["kpicsv.formula"]["status"] == "no_data"
    assert "core.new_accounts" in by
    # The JSON and the CSV agree.
    json_items = client.get("/api/v1/admin/evaluation?period=2026-Q4", headers=admin).json["items"]
    assert [item["key"] for item in json_items] == [row["key"] for row in rows]

    english = client.get("/api/v1/admin/evaluation.csv?period=2026", headers={**admin, "Accept-Language": "en"})
    assert "Park visits" in english.data.decode()
    bad = client.get("/api/v1/admin/evaluation.csv?period=2026-Q9", headers=admin)
    assert bad.status_code == 422 and bad.json["error"]["code"] == "invalid_period"


def test_only_admins_evaluate_and_set_targets(kpi_app):
    client = kpi_app.test_client()
    requests = [
        ("get", "/api/v1/admin/evaluation?period=2026-11", None),
        ("get", "/api/v1/admin/evaluation.csv?period=2026-11", None),
        ("get", "/api/v1/admin/kpi-targets?year=2026", None),
        ("put", "/api/v1/admin/kpi-targets/kpitest.reports/2026", {"target": 1, "reason": "bukan admin"}),
        ("delete", "/api/v1/admin/kpi-targets/kpitest.reports/2026?reason=bukan%20admin", None),
    ]
    for role in ("citizen", "officer"):
        headers = bearer(kpi_app, create_account(kpi_app, role)[0])
        for method, url, body in requests:
            response = getattr(client, method)(url, json=body, headers=headers)
            assert response.status_code == 403, (role, method, url)
            assert response.json["error"]["code"] == "forbidden"
    for method, url, body in requests:
        assert getattr(client, method)(url, json=body).status_code == 401, (method, url)
    with kpi_app.app_context():
        from ragem.evaluation.models import KpiTarget

        assert db.session.query(KpiTarget).count() == 0
