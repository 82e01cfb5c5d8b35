"""Every 429 says in Retry-After exactly how long to wait: the same figure as details.retry_after."""
from __future__ import annotations

from ragem.testing import create_account


def test_the_log_in_back_off_states_its_own_wait_not_the_rate_limit_window(app, client):
    _user_id, phone, _password = create_account(app)
    answer = None
    for _ in range(12):
        answer = client.post("/api/v1/auth/login", json={"identifier": phone, "password": "salah-sekali-123"})
        if answer.status_code == 429:
            break
    assert answer is not None and answer.status_code == 429, answer.get_json()
    stated = answer.get_json()["error"]["details"]["retry_after"]
    assert answer.headers["Retry-After"] == str(stated)
