"""Helpers for the console's tests: log in through the form as a browser would."""
from __future__ import annotations

from ragem.testing import console_csrf_token as csrf_token
from ragem.testing import console_post


def console_login(client, identifier: str, password: str, *, next_path: str | None = None):
    """Post the log-in form (with its CSRF token); returns the response."""
    token = csrf_token(client)
    url = "/console/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"identifier": identifier, "password": password, "csrf_token": token})


def post_form(client, path: str, data: dict, *, token_from: str = "/console/"):
    """Post a console form with the CSRF token of the page it sits on."""
    return console_post(client, path, data, token_from=token_from)
