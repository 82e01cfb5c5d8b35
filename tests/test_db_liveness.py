"""Pooled PostgreSQL connections that the server dropped (a restart, pg_terminate_backend) are
replaced before a request uses them: the next requests are answered, not failed."""
import pytest

from ragem import db_liveness
from ragem.testing import drop_database_connections, postgresql_under_test

pytestmark = pytest.mark.skipif(not postgresql_under_test(), reason="needs RAGEM_TEST_DATABASE_URL=postgresql...")


def _citizens(login_as, count):
    # Each signed in once: the first request of each reads its session from the database.
    return [login_as("citizen") for _ in range(count)]


def test_requests_after_the_server_dropped_every_connection_are_answered(client, login_as):
    first, *others = _citizens(login_as, 4)
    assert client.get("/api/v1/me", headers=first).status_code == 200
    assert drop_database_connections(client.application)  # the pool held connections, now all dead
    for citizen in others:
        answer = client.get("/api/v1/me", headers=citizen)
        assert answer.status_code == 200, answer.get_json()


def test_a_long_idle_connection_is_pinged_and_replaced_when_dead(client, login_as, monkeypatch):
    first, second = _citizens(login_as, 2)
    assert client.get("/api/v1/me", headers=first).status_code == 200
    monkeypatch.setattr(db_liveness, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    drop_database_connections(client.application)
    answer = client.get("/api/v1/me", headers=second)
    assert answer.status_code == 200, answer.get_json()
