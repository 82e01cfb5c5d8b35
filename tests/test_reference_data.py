"""Reference data: the core's regions and OPDs, then each plugin's own, loaded once after the migrations."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

from ragem import toolkit
from ragem.cli import main
from ragem.database import ReferenceDataError, seed_reference
from ragem.opds.models import Opd
from ragem.toolkit import hookimpl


def _info(slug: str) -> toolkit.PluginInfo:
    return toolkit.PluginInfo(slug=slug, name={"id": "Uji", "en": "Probe"}, description={"id": "Uji.", "en": "Probe."},
                              opd="DISKOMINFO", version="1")


class Seeds:
    """A throwaway service whose reference data is one agency (a core table keeps the test small)."""

    calls = 0

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzseeds")

    @hookimpl
    def ragem_reference_data(self, session):
        Seeds.calls += 1
        if session.get(Opd, "ZZSEED") is None:
            session.add(Opd(code="ZZSEED", name_id="Badan Uji", name_en="Probe Agency", kind="badan", active=True))


class Broken:
    """A throwaway service whose reference data fails half-way once ``armed`` (the app builds first)."""

    armed = False

    @hookimpl
    def ragem_plugin_info(self):
        return _info("zzbroken")

    @hookimpl
    def ragem_reference_data(self, session):
        if not self.armed:
            return
        session.add(Opd(code="ZZHALF", name_id="Setengah", name_en="Half", kind="badan", active=True))
        session.flush()
        raise RuntimeError("the list file is missing")


def _opd_codes(session) -> set[str]:
    return set(session.scalars(select(Opd.code)))


def test_every_app_starts_with_the_plugins_reference_data_and_a_second_load_adds_nothing(make_app):
    app = make_app(extra_plugins=[("zzseeds", Seeds())])
    with app.app_context():
        assert "ZZSEED" in _opd_codes(toolkit.db.session)
        before = toolkit.db.session.scalar(select(func.count()).select_from(Opd))
        seed_reference()
        assert toolkit.db.session.scalar(select(func.count()).select_from(Opd)) == before


def test_a_switched_off_service_still_gets_its_reference_data(make_app, login_as):
    app = make_app(extra_plugins=[("zzseeds", Seeds())])
    admin = login_as("admin", target_app=app)
    answer = app.test_client().patch("/api/v1/admin/services/zzseeds", json={"enabled": False, "reason": "uji"},
                                     headers=admin)
    assert answer.status_code == 200, answer.get_json()
    with app.app_context():
        toolkit.db.session.execute(text("DELETE FROM opd WHERE code = 'ZZSEED'"))
        toolkit.db.session.commit()
        seed_reference()
        assert "ZZSEED" in _opd_codes(toolkit.db.session)


def test_requests_never_load_reference_data(make_app):
    app = make_app(extra_plugins=[("zzseeds", Seeds())])
    calls = Seeds.calls
    client = app.test_client()
    for path in ("/api/v1/services", "/api/v1/opds", "/api/v1/regions"):
        assert client.get(path).status_code == 200
    assert Seeds.calls == calls


def test_a_failing_plugin_is_named_and_nothing_of_the_load_is_kept(make_app):
    broken = Broken()
    app = make_app(extra_plugins=[("zzseeds", Seeds()), ("zzbroken", broken)])
    with app.app_context():
        toolkit.db.session.execute(text("DELETE FROM opd WHERE code = 'ZZSEED'"))
        toolkit.db.session.commit()
        broken.armed = True
        with pytest.raises(ReferenceDataError, match="zzbroken.*the list file is missing"):
            seed_reference()
        codes = _opd_codes(toolkit.db.session)
        assert "ZZHALF" not in codes and "ZZSEED" not in codes  # the whole load rolled back


def test_db_upgrade_loads_the_reference_data_into_a_fresh_database(fresh_database_url, ragem_instance_path):
    env = {"RAGEM_DATABASE_URL": fresh_database_url, "RAGEM_INSTANCE_PATH": ragem_instance_path,
           "RAGEM_ENV": "testing", "RAGEM_LOG_JSON": "false", "RAGEM_SCHEDULER": "false"}
    result = CliRunner().invoke(main, ["db", "upgrade"], env=env)
    assert result.exit_code == 0, result.output
    assert "reference data loaded" in result.output
    engine = create_engine(fresh_database_url)
    try:
        with engine.connect() as conn:
            assert conn.scalar(text("SELECT count(*) FROM region")) == 74
            assert conn.scalar(text("SELECT count(*) FROM opd")) >= 15
    finally:
        engine.dispose()
