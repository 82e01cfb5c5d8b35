"""Routes of Open311 GeoReport v2, root-mounted at ``/open311/v2`` (admins issue its keys in ``api/api_keys.py``).

Every route under ``/open311/v2`` answers in the format its extension names (``.json`` or
``.xml``) and fails with the GeoReport error list, whatever went wrong: the blueprint's own error
handlers replace the core envelope there (the admin switch's 503 included).
"""
from __future__ import annotations

import logging

from flask import request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from ragem import toolkit

from plugins.rabeg.models import Category
from plugins.rabeg.open311 import requests as service_requests, services, submit
from plugins.rabeg.open311.dates import w3c
from plugins.rabeg.open311.formats import CONTENT_TYPES, Open311Error, check_format, render, render_errors
from plugins.rabeg.open311.schemas import (
    Open311DiscoverySchema,
    Open311ErrorSchema,
    Open311RequestCreatedSchema,
    Open311RequestFormSchema,
    Open311ServiceDefinitionSchema,
    Open311ServiceRequestSchema,
    Open311ServiceSchema,
    Open311TokenSchema,
)

log = logging.getLogger("plugins.rabeg.open311")

PREFIX = "/open311/v2"
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: The date the GeoReport interface itself last changed (the discovery changeset when no category did).
INTERFACE_CHANGESET = "2026-11-28T00:00:00+07:00"

blp = toolkit.Blueprint("rabeg_open311", __name__, url_prefix=PREFIX, root_mount=True,
                        description="Open311 GeoReport v2 (RABEG complaints); JSON or XML by the extension")
FMT = [{"in": "path", "name": "fmt", "required": True, "description": "json or xml",
        "schema": {"type": "string", "enum": ["json", "xml"]}}]


def _query(name: str, description: str) -> dict:
    return {"in": "query", "name": name, "required": False, "description": description, "schema": {"type": "string"}}


# Query arguments are read by the services (not by a schema), so a bad one is a GeoReport 400.
JURISDICTION = [_query("jurisdiction_id", f"optional; this endpoint serves {submit.JURISDICTION_ID}")]
REQUESTS_QUERY = JURISDICTION + [
    _query("service_request_id", "comma-separated ids (RBG-2026-000123); overrides every other argument"),
    _query("service_code", "comma-separated service codes"),
    _query("start_date", "w3c datetime with its zone (2026-11-01T00:00:00+07:00); default: 90 days before end_date"),
    _query("end_date", "w3c datetime with its zone; default: now, or 90 days after start_date (90 days at most)"),
    _query("status", "open, closed or open,closed"),
    _query("page", "page number from 1 (the common page/page_size extension)"),
    _query("page_size", "1-1000, default 1000"),
]


def documented(status: int, schema, description: str):
    """Document a GeoReport answer in both content types, and its errors as the GeoReport list."""
    errors = Open311ErrorSchema(many=True)

    def decorator(func):
        func = blp.doc(responses={
            status: {"content": {"text/xml": {"schema": schema}}},  # an int, as @blp.response keys it
            "default": {"description": "GeoReport errors: 400 invalid, 403 api_key, 404 unknown (also text/xml)",
                        "content": {"application/json": {"schema": errors}, "text/xml": {"schema": errors}}},
        })(func)
        return blp.response(status, schema, description=description)(func)

    return decorator


def _request_format() -> str:
    """The format of the current request's answer (JSON when the extension is unknown)."""
    fmt = (request.view_args or {}).get("fmt")
    if fmt in CONTENT_TYPES:
        return fmt
    return "xml" if request.path.lower().endswith(".xml") else "json"


@blp.errorhandler(Open311Error)
def _open311_error(exc: Open311Error):
    return render_errors(_request_format(), exc.status, exc.descriptions, exc.headers)


def _status(status: int) -> int:
    """GeoReport's statuses: 403 for credentials, 404 for what does not exist, 400 for anything else
    (kept: 413, 429 and 503, which tell a client to send less, slow down or come back later)."""
    if status in (401, 403):
        return 403
    return status if status in (404, 413, 429, 503) else 400


@blp.errorhandler(toolkit.ApiError)
def _api_error(exc: toolkit.ApiError):
    description = toolkit.translate(exc.message) if exc.message else exc.code
    return render_errors(_request_format(), _status(exc.status), [description or exc.code], exc.headers)


@blp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    status = exc.code or 400
    description = exc.description if status != 422 else "invalid arguments"
    headers = {}
    retry_after = getattr(exc, "retry_after", None)
    if status == 429 and retry_after:
        headers["Retry-After"] = str(retry_after)
    return render_errors(_request_format(), _status(status), [f"{exc.name}: {description}"[:300]], headers)


@blp.errorhandler(Exception)
def _unexpected(exc: Exception):
    # GeoReport's "400 General service error"; the cause is logged for the operators.
    log.exception("open311 request failed", extra={"error_type": type(exc).__name__})
    toolkit.db.session.rollback()
    return render_errors(_request_format(), 400, ["General service error: please try again later"])


def _changeset() -> str:
    """When the services last changed (a category edited), for clients that cache them."""
    latest = toolkit.db.session.scalar(select(func.max(Category.updated_at)))
    return max(INTERFACE_CHANGESET, w3c(latest)) if latest else INTERFACE_CHANGESET


@blp.route("/discovery.<fmt>", parameters=FMT + JURISDICTION)
@documented(200, Open311DiscoverySchema, "the service discovery")
def open311_discovery(fmt):
    """Service discovery: this GeoReport v2 endpoint, its formats and how to get an API key."""
    fmt = check_format(fmt)
    submit.check_jurisdiction(request.args)
    changeset = _changeset()
    document = {
        "changeset": changeset,
        "contact": toolkit.translate({
            "id": "Diskominfo Kota Serang, pengelola RAGEM/RABEG: hubungi admin RAGEM.",
            "en": "Diskominfo Kota Serang, operator of RAGEM/RABEG: contact the RAGEM admins.",
        }),
        "key_service": toolkit.translate({
            "id": "Kunci API untuk aplikasi pihak ketiga diterbitkan oleh admin Diskominfo Kota Serang.",
            "en": "API keys for third-party apps are issued by the Diskominfo Kota Serang admins.",
        }),
        "endpoints": [{
            "specification": SPECIFICATION, "url": request.host_url.rstrip("/") + PREFIX, "changeset": changeset,
            "type": "production", "formats": ["text/xml", "application/json"],
        }],
    }
    return render(fmt, "discovery", document)


@blp.route("/services.<fmt>", parameters=FMT + JURISDICTION)
@documented(200, Open311ServiceSchema(many=True), "the services (RABEG categories)")
def open311_list_services(fmt):
    """The services: one per complaint category (names by Accept-Language, Indonesian by default)."""
    fmt = check_format(fmt)
    submit.check_jurisdiction(request.args)
    return render(fmt, "services", services.service_list())


@blp.route("/services/<service_code>.<fmt>", parameters=FMT + JURISDICTION)
@documented(200, Open311ServiceDefinitionSchema, "the service's attributes")
def open311_get_service_definition(service_code, fmt):
    """A service's definition: its attributes (the category's questions); 404 for an unknown code."""
    fmt = check_format(fmt)
    submit.check_jurisdiction(request.args)
    return render(fmt, "service_definition", services.service_definition(service_code))


@blp.route("/requests.<fmt>", methods=["POST"], parameters=FMT)
@toolkit.accepts_media_types("application/x-www-form-urlencoded")  # the specification posts forms
@blp.doc(requestBody={"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": Open311RequestFormSchema},
    "application/json": {"schema": Open311RequestFormSchema},
}})
@documented(201, Open311RequestCreatedSchema(many=True), "filed and routed; the request's id at once")
def open311_create_request(fmt):
    """File a service request with an api_key; it is routed to the responsible OPD like an app complaint."""
    fmt = check_format(fmt)
    form = submit.read_form()
    complaint, _key = submit.submit(form)
    agency = services.opd_name(complaint.opd_code)
    answer = [{
        "service_request_id": complaint.public_number,
        "service_notice": service_requests.service_notice(complaint, agency),
        "account_id": (complaint.contact or {}).get("account_id"),
    }]
    # The token is only needed by clients that poll GET tokens/{token}; RABEG answers with the id at once.
    return render(fmt, "service_requests", answer, status=201, headers={"X-Open311-Token": complaint.open311_token})


@blp.route("/requests.<fmt>", parameters=FMT + REQUESTS_QUERY)
@documented(200, Open311ServiceRequestSchema(many=True), "the requests, newest first")
def open311_list_requests(fmt):
    """Service requests: the latest 90 days and at most 1000 by default, filtered and paged (page, page_size)."""
    fmt = check_format(fmt)
    submit.check_jurisdiction(request.args)
    return render(fmt, "service_requests", service_requests.present(service_requests.search(request.args)))


@blp.route("/requests/<service_request_id>.<fmt>", parameters=FMT + JURISDICTION)
@documented(200, Open311ServiceRequestSchema(many=True), "a list holding the one request")
def open311_get_request(service_request_id, fmt):
    """One service request by its id (RBG-2026-000123); 404 when unknown."""
    fmt = check_format(fmt)
    submit.check_jurisdiction(request.args)
    return render(fmt, "service_requests", service_requests.present([service_requests.find(service_request_id)]))


@blp.route("/tokens/<token>.<fmt>", parameters=FMT + JURISDICTION)
@documented(200, Open311TokenSchema(many=True), "the request filed with the token")
def open311_get_token(token, fmt):
    """The service_request_id of a token returned when the request was filed; 404 when unknown."""
    fmt = check_format(fmt)
    submit.check_jurisdiction(request.args)
    complaint = service_requests.find_by_token(token)
    return render(fmt, "service_requests", [{"service_request_id": complaint.public_number, "token": token}])


@blp.route("/<path:rest>", methods=["GET", "POST"])
@documented(200, Open311ErrorSchema(many=True), "never: anything else is a 404")
def open311_unknown_resource(rest):
    """Anything else under /open311/v2 is a GeoReport 404 (the error list, not the core envelope)."""
    raise Open311Error(404, f"No GeoReport resource at {PREFIX}/{rest[:80]}")
