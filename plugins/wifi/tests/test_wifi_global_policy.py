"""There is one global policy, whatever the timing: the database refuses a second one, seeders
racing each other add one between them, and an upgrade resolves duplicates an older version left."""
import os
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ragem import toolkit
from ragem.testing import migrate

from plugins.wifi import seed
from plugins.wifi.models import Policy

ON_POSTGRESQL = (os.environ.get("RAGEM_TEST_DATABASE_URL") or "").startswith("postgresql")


def global_policies(session) -> list[Policy]:
    return list(session.scalars(select(Policy).where(Policy.hotspot_id.is_(None))))


def test_the_database_refuses_a_second_global_policy(db_session):
    assert len(global_policies(db_session)) == 1
    db_session.add(Policy(hotspot_id=None, **seed.DEFAULT_POLICY))
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()
    # Nor can a row pass for global without the key, or for a hotspot's with it.
    with pytest.raises(IntegrityError):
        db_session.execute(text(
            "INSERT INTO wifi_policy (hotspot_id, singleton, session_seconds, daily_seconds, daily_bytes, "
            "down_kbps, up_kbps, updated_at) VALUES (NULL, NULL, 1, 1, 1, 1, 1, '2026-12-06 00:00:00')"))
        db_session.commit()
    db_session.rollback()
    assert len(global_policies(db_session)) == 1


def test_seeding_again_adds_nothing_and_keeps_the_admins_change(db_session):
    policy = global_policies(db_session)[0]
    policy.session_seconds = 1800
    db_session.commit()
    seed.ensure_reference_data(db_session)
    db_session.commit()
    assert [p.session_seconds for p in global_policies(db_session)] == [1800]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="two writers at once need PostgreSQL (SQLite runs one at a time)")
def test_two_seeders_racing_leave_one_global_policy(app):
    """The first seeder has inserted but not committed when the second looks: the second sees no
    global policy, inserts, waits on the unique key until the first commits, and adds nothing."""
    with app.app_context():
        toolkit.db.session.execute(text("DELETE FROM wifi_policy"))
        toolkit.db.session.commit()
        engine = toolkit.db.engine
    outcome = {}

    def second_seeder():
        with Session(engine) as session:
            try:
                seed.ensure_reference_data(session)
                session.commit()
                outcome["second"] = "committed"
            except Exception as exc:  # noqa: BLE001 - the test reports what the second seeder met
                outcome["second"] = repr(exc)

    with Session(engine) as first:
        seed.ensure_reference_data(first)
        first.flush()
        racer = threading.Thread(target=second_seeder)
        racer.start()
        racer.join(timeout=1)
        assert racer.is_alive(), "the second seeder should wait for the first's insert of the global policy"
        first.commit()
    racer.join(timeout=10)
    assert outcome == {"second": "committed"}
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Policy).where(Policy.hotspot_id.is_(None))) == 1


def test_the_upgrade_keeps_the_global_policy_an_admin_changed_last(unmigrated_app):
    migrate(unmigrated_app, "wifi", "518a8480c32f")
    with unmigrated_app.app_context(), toolkit.db.engine.begin() as connection:
        for session_seconds, updated_at in ((3600, "2026-12-01 00:00:00"), (1800, "2026-12-04 09:30:00"),
                                            (900, "2026-12-04 09:30:00"), (600, "2026-12-02 00:00:00")):
            connection.execute(text(
                "INSERT INTO wifi_policy (hotspot_id, session_seconds, daily_seconds, daily_bytes, down_kbps, "
                "up_kbps, updated_at) VALUES (NULL, :s, 14400, 2147483648, 5000, 2000, :at)"),
                {"s": session_seconds, "at": updated_at})
    migrate(unmigrated_app)
    with unmigrated_app.app_context():
        kept = global_policies(toolkit.db.session)
        # The newest change wins; of two changed at the same moment, the older row (lower id).
        assert [p.session_seconds for p in kept] == [1800]
        toolkit.db.session.remove()
