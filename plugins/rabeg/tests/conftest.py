"""The fixtures of ragem.testing (app, client, login_as...) and RABEG's own (file_complaint) for its tests.

Not ``pytest_plugins``: pytest refuses it outside the top-level conftest when the whole suite runs,
and tests/conftest.py is not loaded when only this folder runs. Importing the fixtures works both ways.
"""
import pytest

from ragem.testing import (  # noqa: F401
    app,
    client,
    db_session,
    fresh_database_url,
    login_as,
    make_app,
    ragem_database_url,
    ragem_instance_path,
    ragem_settings,
    s3_server,
    s3_settings,
)


COMPLAINTS_URL = "/api/v1/rabeg/complaints"


@pytest.fixture
def complaint_fields() -> dict:
    """The fields of a complaint a test does not care about. A test module overrides this fixture
    (taking this one as an argument) when its complaints need other defaults."""
    return {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001"}


@pytest.fixture
def file_complaint(client, complaint_fields):
    """``file_complaint(headers, **fields)`` files a complaint as the account of ``headers`` and
    returns its JSON (a 201 is asserted). ``fields`` change the defaults; ``None`` leaves one out."""

    def file(headers, **fields) -> dict:
        body = {name: value for name, value in {**complaint_fields, **fields}.items() if value is not None}
        answer = client.post(COMPLAINTS_URL, json=body, headers=headers)
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    return file
