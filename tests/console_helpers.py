"""Helpers for the console's tests: log in through the form as a browser would."""
from __future__ import annotations

import re

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/console/login") -> str:
    """The CSRF token a console page carries in its forms."""
    page = client.get(path)
    return _TOKEN.search(page.get_data(as_text=True)).group(1)


def console_login(client, identifier: str, password: str, *, next_path: str | None = None):
    """Post the log-in form (with its CSRF token); returns the response."""
    token = csrf_token(client)
    url = "/console/login" + (f"?next={next_path}" if next_path else "")
    return client.post(url, data={"identifier": identifier, "password": password, "csrf_token": token})


def post_form(client, path: str, data: dict, *, token_from: str = "/console/"):
    """Post a console form with the CSRF token of the page it sits on."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, token_from)})
