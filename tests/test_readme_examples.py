"""The README's examples work as printed: a new user copies them first."""
from __future__ import annotations

import json
import re
from pathlib import Path

from ragem.notifications.outbox import latest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _posted(path: str) -> dict:
    """The JSON body of the README's curl example that posts to ``path``."""
    match = re.search(rf"{re.escape(path)}[^\n]*\\\n\s*-d '([^']+)'", README)
    assert match, f"no curl example posting to {path}"
    return json.loads(match.group(1))


def test_the_register_example_registers_and_its_code_is_in_the_outbox(app, client):
    body = _posted("/api/v1/auth/register")
    assert body["nik"] in README  # the example NIK the README names
    answer = client.post("/api/v1/auth/register", json=body)
    assert answer.status_code in (200, 201, 202), answer.get_json()
    with app.app_context():
        [message] = latest(1)
    code = re.search(r"\b(\d{6})\b", message.body).group(1)
    verified = client.post("/api/v1/auth/verify-phone", json={"phone": body["phone"], "code": code})
    assert verified.status_code == 200, verified.get_json()
    logged_in = client.post("/api/v1/auth/login", json={"identifier": body["nik"], "password": body["password"]})
    assert logged_in.status_code == 200, logged_in.get_json()


def test_the_demo_login_example_names_a_demo_account(app, client):
    from ragem.demo import DEMO_PASSWORD, load_demo

    with app.app_context():
        load_demo()
    body = _posted("/api/v1/auth/login")
    assert body["password"] == DEMO_PASSWORD
    assert client.post("/api/v1/auth/login", json=body).status_code == 200
