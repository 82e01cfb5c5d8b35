"""``POST requests``: a third-party client files a complaint, routed exactly like one from the app.

The form (``application/x-www-form-urlencoded`` as the specification says; a JSON object works too)
is read into the arguments of ``filing.file_complaint``, the one function every complaint goes
through. Its validation errors come back as GeoReport errors naming the Open311 field.
"""
from __future__ import annotations

import math
import re
import secrets
from typing import Any, Mapping

from flask import request

from ragem import toolkit

from plugins.rabeg.models import ApiKey, Category, Complaint
from plugins.rabeg.open311 import api_keys
from plugins.rabeg.open311.formats import Open311Error
from plugins.rabeg.open311.services import category_name, find_category
from plugins.rabeg.schemas.fields import LAT_RANGE, LON_RANGE
from plugins.rabeg.services import filing

#: The jurisdiction this endpoint serves (Kota Serang's web domain, as the specification suggests).
JURISDICTION_ID = "serangkota.go.id"
CONTACT_FIELDS = ("email", "device_id", "account_id", "first_name", "last_name", "phone")
MAX_DESCRIPTION = 4000  # the specification's limit
# The longest value each form argument may carry; schemas.py states the same in openapi.yaml.
MAX_LENGTHS = {"service_code": 200, "lat": 40, "long": 40, "address_string": 300, "address_id": 20,
               "media_url": 1000, **{name: 200 for name in CONTACT_FIELDS}}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]{1,60})\](\[\])?$")
_INTEGER = re.compile(r"^[+-]?\d{1,15}$")
# RAGEM's field names in filing errors -> the Open311 argument a client sent.
_FIELD_NAMES = {"lat": "lat", "lon": "long", "kelurahan": "address_id", "address": "address_string",
                "description": "description", "media_url": "media_url", "location": "location"}


def read_form() -> dict[str, list[str]]:
    """The POSTed arguments as ``{name: [values]}`` from a form or a JSON object."""
    if request.mimetype == "application/json":
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise Open311Error(400, "The body must be form-encoded (or a JSON object)")
        out: dict[str, list[str]] = {}
        for key, value in body.items():
            if key == "attribute" and isinstance(value, dict):
                for code, answer in value.items():
                    if isinstance(answer, list):
                        out[f"attribute[{code}][]"] = [_scalar(a) for a in answer]
                    else:
                        out[f"attribute[{code}]"] = [_scalar(answer)]
            elif isinstance(value, list):
                out[str(key)] = [_scalar(v) for v in value]
            else:
                out[str(key)] = [_scalar(value)]
        return out
    form = {key: request.form.getlist(key) for key in request.form.keys()}
    if any("\x00" in key or any("\x00" in v for v in values) for key, values in form.items()):
        # PostgreSQL cannot store NUL (SQLite would): refused the same on both, as the core does for JSON.
        raise Open311Error(400, "The form contains a NUL character, which is not allowed")
    return form


def _scalar(value: Any) -> str:
    """A JSON value as the text a form would have carried (``true``, ``2.5``, empty for null)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def _one(form: Mapping[str, list[str]], name: str) -> str | None:
    """The argument's value, stripped; ``None`` when absent or empty (the spec's "optional")."""
    limit = MAX_LENGTHS[name]
    values = form.get(name) or []
    value = values[0].strip() if values else ""
    if len(value) > limit:
        raise Open311Error(400, f"{name}: at most {limit} characters")
    return value or None


def _coordinate(value: str | None, name: str, bounds: tuple[float, float]) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number (WGS84)") from None
    if not math.isfinite(number) or not bounds[0] <= number <= bounds[1]:
        raise Open311Error(400, f"{name} is outside Kota Serang ({bounds[0]} to {bounds[1]})")
    return number


def _kelurahan_in(address: str) -> str | None:
    """The kelurahan a free-text address names (the longest name found as whole words), if exactly one."""
    text = f" {re.sub(r'[^a-z0-9]+', ' ', address.lower())} "
    found: dict[str, str] = {}
    for region in toolkit.regions(level="kelurahan"):
        name = re.sub(r"[^a-z0-9]+", " ", region.name.lower()).strip()
        if name and f" {name} " in text:
            found[region.code] = name
    if not found:
        return None
    longest = max(len(n) for n in found.values())
    best = [code for code, n in found.items() if len(n) == longest]
    return best[0] if len(best) == 1 else None


def _location(form: Mapping[str, list[str]]) -> dict[str, Any]:
    """``lat`` & ``long``, ``address_string`` or ``address_id`` (a Kemendagri kelurahan code): one is required."""
    lat = _coordinate(_one(form, "lat"), "lat", LAT_RANGE)
    lon = _coordinate(_one(form, "long"), "long", LON_RANGE)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long must be sent together")
    address = _one(form, "address_string")
    kelurahan = _one(form, "address_id")
    if kelurahan is not None:
        region = toolkit.region(kelurahan)
        if region is None or region.level != "kelurahan":
            raise Open311Error(400, f"address_id {kelurahan!r} is not a kelurahan code of Kota Serang "
                                    "(e.g. 36.73.01.1001)")
    if lat is None and kelurahan is None:
        if address is None:
            raise Open311Error(400, "A location is required: lat and long, address_string or address_id")
        # The routing needs a place: an address alone works when it names the kelurahan.
        kelurahan = _kelurahan_in(address)
        if kelurahan is None:
            raise Open311Error(400, "address_string must name a kelurahan of Kota Serang; "
                                    "or send lat and long, or address_id")
    return {"lat": lat, "lon": lon, "kelurahan": kelurahan, "address": address}


def _answers(form: Mapping[str, list[str]], category: Category) -> dict[str, Any]:
    """``attribute[CODE]=v`` and ``attribute[CODE][]=v`` as ``{code: value}``, typed by each question's datatype."""
    datatypes = {q["code"]: q["datatype"] for q in category.questions or []}
    answers: dict[str, Any] = {}
    for key, values in form.items():
        match = _ATTRIBUTE.match(key)
        if match is None:
            continue
        code = match.group(1)
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        datatype = datatypes.get(code)
        if datatype == "multivaluelist":
            answers[code] = list(dict.fromkeys(answers.get(code, []) + values))
        elif datatype == "number":
            answers[code] = _number(values[0])
        else:
            answers[code] = values[0]
    return answers


def _number(text: str) -> Any:
    """``"3"`` -> 3, ``"2.5"`` -> 2.5; anything else stays text (and is refused as "a number")."""
    if _INTEGER.match(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text


def _description(form: Mapping[str, list[str]], category: Category) -> str:
    """The description; optional in GeoReport, so a missing or very short one is prefixed by the service name."""
    values = form.get("description") or []
    text = values[0].strip() if values else ""
    if len(text) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description: at most {MAX_DESCRIPTION} characters")
    if len(text) < 10:
        text = f"{category_name(category)}: {text}" if text else f"{category_name(category)} (Open311)"
    return text[:MAX_DESCRIPTION]


def _contact(form: Mapping[str, list[str]]) -> dict[str, str] | None:
    contact = {name: value for name in CONTACT_FIELDS if (value := _one(form, name)) is not None}
    return contact or None


def _errors_from(exc: toolkit.ApiError) -> list[str]:
    """A filing refusal as GeoReport error descriptions naming the Open311 fields."""
    out = []
    for key, value in exc.details.items():
        if key == "answers" and isinstance(value, dict):
            out += [f"attribute[{code}]: {reason}" for code, reason in value.items()]
        else:
            out.append(f"{_FIELD_NAMES.get(key, key)}: {value}")
    return out or [toolkit.translate(exc.message) if exc.message else exc.code]


def check_jurisdiction(form_or_args: Mapping[str, Any]) -> None:
    """An optional ``jurisdiction_id`` must be ours (404 otherwise, as the specification says)."""
    value = form_or_args.get("jurisdiction_id")
    if isinstance(value, list):
        value = value[0] if value else None
    if value and value.strip() and value.strip().lower() != JURISDICTION_ID:
        raise Open311Error(404, f"jurisdiction_id {value.strip()[:60]!r} was not found; this endpoint serves "
                                f"{JURISDICTION_ID}")


def submit(form: Mapping[str, list[str]]) -> tuple[Complaint, ApiKey]:
    """File the request in ``form`` for the client whose ``api_key`` it carries.

    :raises Open311Error: 403 for a missing, unknown or revoked key; 404 for an unknown
        ``service_code`` or ``jurisdiction_id``; 400 for a missing or invalid argument.
    """
    key = api_keys.authenticate(((form.get("api_key") or [""])[0]).strip())  # any wrong key, however long: 403
    if key is None:
        raise Open311Error(403, "Missing, invalid or revoked api_key: ask Diskominfo Kota Serang for a key")
    check_jurisdiction(form)
    code = _one(form, "service_code")
    if code is None:
        raise Open311Error(400, "service_code was not provided")
    category = find_category(code)
    if category is None:
        raise Open311Error(404, f"service_code {code[:40]!r} was not found")
    location = _location(form)
    media_url = _one(form, "media_url")
    contact = _contact(form)
    # With no account behind it, a request without an email or phone is an anonymous report: only
    # categories that accept those take it (the same rule as the app's anonymous filing).
    reachable = bool(contact and (contact.get("email") or contact.get("phone")))
    if not reachable and not category.allows_anonymous:
        raise Open311Error(400, f"service_code {category.code} does not accept anonymous reports: "
                                "send the reporter's email or phone")
    try:
        complaint, _created = filing.file_complaint(
            reporter=None, category=category.code, description=_description(form, category),
            answers=_answers(form, category), source="open311", api_key_id=key.id, contact=contact,
            anonymous=not reachable, open311_token=secrets.token_urlsafe(24),
            media_urls=[media_url] if media_url else None, **location,
        )
    except toolkit.ApiError as exc:
        if exc.status >= 500:
            raise
        raise Open311Error(400, *_errors_from(exc)) from None
    return complaint, key
