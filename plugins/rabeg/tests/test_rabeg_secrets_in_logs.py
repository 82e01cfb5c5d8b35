"""Filing and handling a complaint writes no password, token or NIK to the logs.

The core's own scan (tests/test_secrets_in_logs.py) covers registration and log-in; this one adds
what only RABEG does: a citizen files a complaint whose text carries her NIK, and reads it back,
every log line captured as production writes it.
"""
from __future__ import annotations

from ragem.testing import captured_logs, create_account, secrets_in_logs

PASSWORD = "Rahasia-Kuat-123"
NIK = "3673014507900001"


def test_a_complaint_filed_and_read_leaves_no_secret_in_the_logs(make_app, complaint_fields):
    app = make_app(LOG_LEVEL="DEBUG")
    client = app.test_client()
    _uid, phone, _ = create_account(app, "citizen", password=PASSWORD)
    with captured_logs() as lines:
        login = client.post("/api/v1/auth/login", json={"identifier": phone, "password": PASSWORD})
        assert login.status_code == 200, login.get_json()
        tokens = login.get_json()
        citizen = {"Authorization": f"Bearer {tokens['access_token']}"}
        body = {**complaint_fields, "description": f"Jalan rusak depan rumah saya, NIK saya {NIK}."}
        filed = client.post("/api/v1/rabeg/complaints", json=body, headers=citizen)
        assert filed.status_code == 201, filed.get_json()
        mine = client.get(f"/api/v1/rabeg/complaints/{filed.get_json()['id']}", headers=citizen)
        assert mine.status_code == 200, mine.get_json()
        refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert refreshed.status_code == 200
    secrets = [PASSWORD, NIK, tokens["access_token"], tokens["refresh_token"],
               refreshed.get_json()["access_token"], refreshed.get_json()["refresh_token"]]
    assert secrets_in_logs(lines, secrets) == []
