"""The 112 migrations on a database built by `ragem db upgrade` (as production's is): the timeline is
append-only in the database too (a raw UPDATE or DELETE of a timeline row is refused, on SQLite and
PostgreSQL alike, while everything the service does, erasure included, still works), and the upgrade
turns the former supervisor and telephony settings into grants."""
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ragem.testing import bearer, invoke_cli
from ragem.toolkit import db

from plugins.darurat112.models import Incident, IncidentTimelineEntry

from .conftest import INCIDENTS, idem, incident_body


@pytest.fixture
def migrated(make_app, fresh_database_url, tmp_path):
    """An app on a database made by `ragem db upgrade` (with its triggers), not by create_all."""
    result = invoke_cli(None, ["db", "upgrade"], env={"RAGEM_DATABASE_URL": fresh_database_url,
                                                      "RAGEM_INSTANCE_PATH": str(tmp_path / "instance"),
                                                      "RAGEM_ENV": "development"})
    assert result.exit_code == 0, result.output
    return make_app(DATABASE_URL=fresh_database_url)


def raw(app, statement: str) -> None:
    with app.app_context():
        try:
            db.session.execute(text(statement))
            db.session.commit()
        finally:
            db.session.rollback()


def test_a_raw_update_or_delete_of_the_timeline_is_refused_and_changes_nothing(migrated, login_as):
    client = migrated.test_client()
    citizen = login_as("citizen", target_app=migrated)
    raised = client.post(INCIDENTS, json=incident_body(), headers=idem(citizen))
    assert raised.status_code == 201, raised.get_json()
    for statement in ("UPDATE darurat112_timeline_entry SET message = 'ditulis ulang'",
                      "UPDATE darurat112_timeline_entry SET at = at",
                      "DELETE FROM darurat112_timeline_entry"):
        with pytest.raises(DBAPIError) as refused:
            raw(migrated, statement)
        assert "append-only" in str(refused.value)
    with migrated.app_context():
        [entry] = db.session.scalars(select(IncidentTimelineEntry)).all()
        assert entry.kind == "created" and entry.message != "ditulis ulang"


def test_the_service_and_erasure_still_work_on_the_guarded_table(migrated, login_as):
    client = migrated.test_client()
    citizen, taker = login_as("citizen", target_app=migrated), login_as("officer", opd="DISKOMINFO",
                                                                        target_app=migrated)
    incident = client.post(INCIDENTS, json=incident_body(), headers=idem(citizen)).get_json()
    assert client.post(f"{INCIDENTS}/{incident['id']}/claim", json={}, headers=taker).status_code == 200
    assert client.post(f"{INCIDENTS}/{incident['id']}/dispatches", json={"agencies": ["DAMKAR"]},
                       headers=taker).status_code == 201
    assert client.delete("/api/v1/me", headers=citizen, json={"password": "Rahasia-Kuat-123"}).status_code == 204
    with migrated.app_context():
        row = db.session.get(Incident, incident["id"])
        assert row.reporter_id is None and row.caller_msisdn is None and row.state == "dispatched"
        kinds = [e.kind for e in db.session.scalars(select(IncidentTimelineEntry).where(
            IncidentTimelineEntry.incident_id == row.id).order_by(IncidentTimelineEntry.id))]
        assert kinds == ["created", "claimed", "dispatched"]


def test_the_upgrade_turns_the_former_settings_into_grants(migrated, login_as, fresh_database_url, tmp_path):
    """A database at the revision before staff grants, with supervisors and a telephony account named
    in the former settings: `ragem db upgrade` grants each of them, and nobody else."""
    supervisor = login_as("officer", opd="DISKOMINFO", target_app=migrated)["X-Test-User-Id"]
    telephony = login_as("citizen", target_app=migrated)["X-Test-User-Id"]
    with migrated.app_context():  # back to the revision before grants (the CLI has no downgrade)
        for statement in ("DROP TABLE darurat112_staff_grant",
                          "UPDATE alembic_version_darurat112 SET version_num = 'ebb07677a81a'"):
            db.session.execute(text(statement))
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("DROP TRIGGER darurat112_timeline_append_only ON darurat112_timeline_entry"))
            db.session.execute(text("DROP FUNCTION darurat112_timeline_refuse_change()"))
        else:
            db.session.execute(text("DROP TRIGGER darurat112_timeline_no_update"))
            db.session.execute(text("DROP TRIGGER darurat112_timeline_no_delete"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    result = invoke_cli(None, ["db", "upgrade"], env={
        "RAGEM_DATABASE_URL": fresh_database_url, "RAGEM_INSTANCE_PATH": str(tmp_path / "instance"),
        "RAGEM_ENV": "development", "RAGEM_DARURAT112_SUPERVISORS": f"{supervisor}, no-such-account",
        "RAGEM_DARURAT112_TELEPHONY_ACCOUNTS": telephony})
    assert result.exit_code == 0, result.output
    with migrated.app_context():
        rows = db.session.execute(text("SELECT account_id, permission, reason, revoked_at "
                                       "FROM darurat112_staff_grant ORDER BY permission")).all()
    assert [(r[0], r[1], r[3]) for r in rows] == [(supervisor, "darurat112.supervise", None),
                                                  (telephony, "darurat112.telephony", None)]
    assert rows[0][2] == "converted from RAGEM_DARURAT112_SUPERVISORS"
    client = migrated.test_client()
    assert client.get("/api/v1/darurat112/blocks", headers=bearer(migrated, supervisor)).status_code == 200
