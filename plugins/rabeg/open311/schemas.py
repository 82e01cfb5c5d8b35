"""Schemas of the Open311 routes: they write the GeoReport part of ``openapi.yaml``.

The views render their answers themselves (JSON or XML by the URL's extension) and the services
read the query and the form, so that every mistake is a GeoReport error: these schemas document.
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from plugins.rabeg.open311.submit import MAX_DESCRIPTION, MAX_LENGTHS


class Open311ErrorSchema(Schema):
    """One GeoReport error; an answer is a list of them (``<errors><error>`` in XML)."""

    code = fields.Integer(required=True, metadata={"description": "the HTTP status (400, 403, 404...)"})
    description = fields.String(required=True)


class Open311DiscoveryEndpointSchema(Schema):
    """One endpoint of the service discovery."""

    specification = fields.String(required=True, metadata={"example": "http://wiki.open311.org/GeoReport_v2"})
    url = fields.String(required=True)
    changeset = fields.String(required=True)
    type = fields.String(required=True, metadata={"example": "production"})
    formats = fields.List(fields.String(), required=True, metadata={"example": ["text/xml", "application/json"]})


class Open311DiscoverySchema(Schema):
    """The service discovery document (``<discovery>`` in XML)."""

    changeset = fields.String(required=True)
    contact = fields.String(required=True)
    key_service = fields.String(required=True)
    endpoints = fields.List(fields.Nested(Open311DiscoveryEndpointSchema), required=True)


class Open311ServiceSchema(Schema):
    """A service (a RABEG category) in ``GET services`` (``<services><service>`` in XML)."""

    service_code = fields.String(required=True, metadata={"example": "JALAN_RUSAK"})
    service_name = fields.String(required=True)
    description = fields.String(required=True)
    metadata = fields.Boolean(required=True, metadata={"description": "true: GET services/{code} lists attributes"})
    type = fields.String(required=True, metadata={"example": "realtime"})
    keywords = fields.String(required=True, metadata={"description": "comma-separated"})
    group = fields.String(required=True, metadata={"description": "the responsible OPD"})


class Open311AttributeValueSchema(Schema):
    """A choice of a list attribute."""

    key = fields.String(required=True)
    name = fields.String(required=True)


class Open311AttributeSchema(Schema):
    """A question of the service, answered as ``attribute[code]=value`` when filing."""

    variable = fields.Boolean(required=True)
    code = fields.String(required=True)
    datatype = fields.String(required=True, validate=validate.OneOf(
        ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")))
    required = fields.Boolean(required=True)
    datatype_description = fields.String(allow_none=True, required=True)
    order = fields.Integer(required=True)
    description = fields.String(required=True)
    values = fields.List(fields.Nested(Open311AttributeValueSchema),
                         metadata={"description": "only for singlevaluelist and multivaluelist"})


class Open311ServiceDefinitionSchema(Schema):
    """``GET services/{code}`` (``<service_definition>`` in XML)."""

    service_code = fields.String(required=True)
    attributes = fields.List(fields.Nested(Open311AttributeSchema), required=True)


class Open311ServiceRequestSchema(Schema):
    """A published complaint as a GeoReport service request: never the reporter, contact details or a name;
    NIK, phone numbers and email addresses in ``description`` and ``status_notes`` masked."""

    service_request_id = fields.String(required=True, metadata={"example": "RBG-2026-000123"})
    status = fields.String(required=True, validate=validate.OneOf(("open", "closed")))
    status_notes = fields.String(allow_none=True, required=True, metadata={
        "description": "latest public message meant for everyone (not the reporter's verdict comment or moderation notice)"})
    service_name = fields.String(required=True)
    service_code = fields.String(required=True)
    description = fields.String(required=True)
    agency_responsible = fields.String(required=True, metadata={"description": "the OPD the request was routed to"})
    service_notice = fields.String(allow_none=True, required=True)
    requested_datetime = fields.String(required=True, metadata={"example": "2026-11-28T09:15:00+07:00"})
    updated_datetime = fields.String(required=True, metadata={"example": "2026-11-28T09:15:00+07:00"})
    expected_datetime = fields.String(allow_none=True, required=True, metadata={"description": "resolution deadline"})
    address = fields.String(allow_none=True, required=True, metadata={"description": "always null: the address text may be the reporter's"})
    address_id = fields.String(allow_none=True, required=True, metadata={"description": "Kemendagri kelurahan code"})
    zipcode = fields.String(allow_none=True, required=True)
    lat = fields.Float(allow_none=True, required=True, metadata={"description": "rounded to 3 decimals (about 110 m)"})
    long = fields.Float(allow_none=True, required=True, metadata={"description": "rounded to 3 decimals (about 110 m)"})
    media_url = fields.String(allow_none=True, required=True)


class Open311RequestCreatedSchema(Schema):
    """The answer to ``POST requests``: the new request's id at once (RABEG routes in real time)."""

    service_request_id = fields.String(required=True)
    service_notice = fields.String(allow_none=True, required=True)
    account_id = fields.String(allow_none=True, required=True)


class Open311TokenSchema(Schema):
    """``GET tokens/{token}``."""

    service_request_id = fields.String(required=True)
    token = fields.String(required=True)


class Open311RequestFormSchema(Schema):
    """The form of ``POST requests`` (``application/x-www-form-urlencoded``; a JSON object works too).

    Answers to the service's attributes go as ``attribute[CODE]=value`` (a multivaluelist as
    ``attribute[CODE][]=v1&attribute[CODE][]=v2``). One location is required: ``lat`` and
    ``long`` inside Kota Serang, ``address_id`` (a kelurahan code), or an ``address_string``
    naming the kelurahan.
    """

    api_key = fields.String(required=True, metadata={"description": "issued by Diskominfo (403 without)"})
    jurisdiction_id = fields.String(metadata={"description": "optional: serangkota.go.id"})
    service_code = fields.String(required=True, metadata={"maxLength": MAX_LENGTHS["service_code"]})
    lat = fields.Float()
    long = fields.Float()
    address_string = fields.String(metadata={"maxLength": MAX_LENGTHS["address_string"]})
    address_id = fields.String(metadata={"description": "Kemendagri kelurahan code, e.g. 36.73.01.1001",
                                         "maxLength": MAX_LENGTHS["address_id"]})
    email = fields.String(metadata={"maxLength": MAX_LENGTHS["email"]})
    device_id = fields.String(metadata={"maxLength": MAX_LENGTHS["device_id"]})
    account_id = fields.String(metadata={"maxLength": MAX_LENGTHS["account_id"]})
    first_name = fields.String(metadata={"maxLength": MAX_LENGTHS["first_name"]})
    last_name = fields.String(metadata={"maxLength": MAX_LENGTHS["last_name"]})
    phone = fields.String(metadata={"maxLength": MAX_LENGTHS["phone"]})
    description = fields.String(metadata={"description": "one under 10 characters gets the service's name in front",
                                          "maxLength": MAX_DESCRIPTION})
    media_url = fields.String(metadata={"maxLength": MAX_LENGTHS["media_url"]})
