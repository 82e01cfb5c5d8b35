"""RABEG under hostile input and races: every refusal is a clear 4xx JSON error that changes nothing.

Complements tests/test_bad_input.py (which walks every route generically) with RABEG's own shapes:
tampered pagination cursors, dates at the ends of the calendar, odd header values.
"""
from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import func, select

from plugins.rabeg.models import Complaint, IdempotencyRecord

URL = "/api/v1/rabeg/complaints"


def body(**overrides):
    data = {"category": "JALAN_RUSAK", "description": "Jalan berlubang besar di depan pasar.",
            "kelurahan": "36.73.01.1001"}
    data.update(overrides)
    return data


def count(session, model=Complaint) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def refused(response, status=None):
    """A 4xx answer in the core error envelope (never a 500)."""
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:400])
    if status is not None:
        assert response.status_code == status, response.get_json()
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    return error


def cursor(*values) -> str:
    """A cursor as a client could forge it: the base64 of any JSON list."""
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


FORGED_CURSORS = [
    cursor("2026-01-01T00:00:00", "12"),  # text where the id (an integer) goes: PostgreSQL cannot compare them
    cursor("2026-01-01T00:00:00", 10**23),  # beyond any SQL integer
    cursor("2026-01-01T00:00:00", 2**40),  # beyond the 32-bit id column
    cursor("2026-01-01T00:00:00", -(2**63) - 1),
    cursor(12, 1),
]


@pytest.mark.parametrize("forged", FORGED_CURSORS)
def test_a_forged_cursor_is_400_on_every_paginated_rabeg_list(forged, client, login_as):
    citizen, officer, admin = login_as("citizen"), login_as("officer", opd="DPUPR"), login_as("admin")
    for _ in range(2):
        assert client.post(URL, json=body(), headers=citizen).status_code == 201
    lists = [(f"{URL}/mine", citizen), (f"{URL}?scope=my-opd", officer), (f"{URL}?scope=all", admin),
             (f"{URL}?scope=my-opd&sort=first_response_due", officer), (f"{URL}?scope=my-opd&sort=created_at", officer),
             ("/api/v1/rabeg/public/complaints", {})]
    for path, headers in lists:
        sep = "&" if "?" in path else "?"
        error = refused(client.get(f"{path}{sep}cursor={forged}", headers=headers), 400)
        assert error["code"] == "invalid_cursor", path


# Moments that fall off Python's calendar once shifted to UTC (WIB is UTC+7; a bare ``filed_to``
# date means the end of that day): refused as invalid dates.
OFF_THE_CALENDAR = ["0001-01-01", "0001-01-01T03:00:00+07:00", "9999-12-31T23:00:00-12:00"]


@pytest.mark.parametrize("moment", OFF_THE_CALENDAR)
def test_dates_at_the_ends_of_the_calendar_are_422_not_500(moment, client, login_as):
    admin, officer = login_as("admin"), login_as("officer", opd="DPUPR")
    for query in (f"from={moment}&to=2026-01-01", f"from=2026-01-01&to={moment}"):
        for group in ("", "&group_by=opd"):
            error = refused(client.get(f"/api/v1/rabeg/kpis?{query}{group}", headers=admin), 422)
            assert error["code"] == "validation_error"
    refused(client.get(f"{URL}?scope=my-opd&filed_from={moment}", headers=officer), 422)
    refused(client.get(f"{URL}?scope=my-opd&filed_to=9999-12-31", headers=officer), 422)


def test_a_very_long_kpi_period_is_answered(client, login_as):
    """Not limited: "KPIs for any period" (one indexed pass over the complaints filed in it)."""
    response = client.get("/api/v1/rabeg/kpis?from=1970-01-01&to=9999-12-31&group_by=category",
                          headers=login_as("admin"))
    assert response.status_code == 200 and response.get_json()["overall"]["received"] == 0


@pytest.mark.parametrize("key", ["a\x00b", "tab\tkey", "del\x7f"])
def test_an_idempotency_key_with_control_characters_is_422_and_files_nothing(key, client, login_as, db_session):
    citizen = login_as("citizen")
    refused(client.post(URL, json=body(), headers={**citizen, "Idempotency-Key": key}), 422)
    assert count(db_session) == 0 and count(db_session, IdempotencyRecord) == 0
